"""Bytes → text: UTF-8 first, legacy encodings (GB18030, Big5, …) by detection."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from postconv.errors import PostconvError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: a text with more control characters than this share of it (and more than two) is
#: binary data
MAX_CONTROL_SHARE = 0.01
#: how files that are not text begin (signatures no text starts with)
_SIGNATURES = {
    b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
    b"%PDF-": "a PDF document", b"PK\x03\x04": "a zip archive", b"\x1f\x8b": "gzip data",
    b"\x7fELF": "a program", b"\xd0\xcf\x11\xe0": "an Office document",
    b"Rar!\x1a\x07": "a RAR archive", b"7z\xbc\xaf": "a 7z archive", b"\x00\x00\x00": "binary data",
}  # fmt: skip


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec that decoded it, "utf-8" for almost every post
    #: stray control characters dropped from an otherwise textual post (a pasted \x08)
    dropped: int = 0


def decode_post(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode a post file's bytes; raise :class:`PostconvError` for binary data.

    A few stray control characters in a text (a backspace pasted into a post, a
    NUL left by an editor) are dropped and counted in :attr:`Decoded.dropped`;
    a known binary signature, or more control characters than two and than
    :data:`MAX_CONTROL_SHARE` of the text, is binary data.
    """
    for signature, kind in _SIGNATURES.items():
        if data.startswith(signature):
            raise PostconvError(f"binary data ({kind}), not a text post")
    if encoding is not None:
        return _as_told(data, encoding)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(data.decode("utf-16", errors="strict"), "utf-16")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as error:
        utf8_error = error
    if _near_utf8(data):
        raise PostconvError(
            f"not UTF-8 at offset {utf8_error.start}, in a text that is UTF-8 otherwise "
            "(--encoding decodes it as another codec)"
        )
    return _detect(data, utf8_error)


def codec_name(encoding: str) -> str:
    """The codec ``encoding`` names, as Python names it (``GBK`` → ``gbk``)."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise PostconvError(f"unknown encoding {encoding!r}") from None


def _as_told(data: bytes, encoding: str) -> Decoded:
    """``data`` decoded with ``encoding`` (``--encoding``), a BOM of it dropped."""
    codec = codec_name(encoding)
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        raise PostconvError(f"not {codec} (bad byte at offset {error.start})") from None
    return _checked(text.removeprefix("\ufeff"), codec)


# (patterns of the rare paths, as text: ``re`` compiles them on first use, not at start-up)
_BAD_BYTE = "[\udc80-\udcff]"
_VALID_MULTIBYTE = "[\u0080-\udc7f\udd00-\U0010ffff]"


def _near_utf8(data: bytes) -> bool:
    """UTF-8 but for a few bytes: a stray Latin-1 byte, a broken sequence in a text
    whose other non-ASCII characters are valid UTF-8 (at least eight for each bad
    byte). Guessing a codec would turn all of them into mojibake."""
    text = data.decode("utf-8", "surrogateescape")
    bad = len(re.findall(_BAD_BYTE, text))
    return bad > 0 and len(re.findall(_VALID_MULTIBYTE, text)) >= 8 * bad


def dropped_warning(decoded: Decoded) -> str | None:
    """The warning for stray control characters dropped from a post, if any were."""
    if not decoded.dropped:
        return None
    plural = "s" if decoded.dropped != 1 else ""
    return f"{decoded.dropped} stray control character{plural} dropped"


def _detect(data: bytes, utf8_error: UnicodeDecodeError) -> Decoded:
    from charset_normalizer import from_bytes  # imported lazily: rarely needed, slow to load

    matches = list(from_bytes(data))
    best = _most_plausible(matches)
    if best is None or best.encoding in ("utf_8", "ascii"):
        raise PostconvError(
            f"not UTF-8 (bad byte at offset {utf8_error.start}) and no known encoding explains it"
        )
    text = str(best)
    if len(text) == len(data) and _looks_western(data):
        # A single-byte guess: on short Western text the detector picks cp1250,
        # mac_turkish … as readily as cp1252 ("Voilŕ", "GrĂĽĂźe"). Latin-1 and
        # cp1252 are what old Western posts really are.
        try:
            return _checked(data.decode("cp1252"), "cp1252")
        except UnicodeDecodeError:
            pass
    encoding = codecs.lookup(best.encoding).name
    if encoding in _SUPERSET:  # GB2312 ⊂ GBK ⊂ GB18030: the superset never reads worse
        try:
            return _checked(data.decode(_SUPERSET[encoding]), _SUPERSET[encoding])
        except UnicodeDecodeError:
            pass
    return _checked(text, encoding)


_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs"}
_HIGH_RUN = rb"[\x80-\xff]+"
_CHINESE = frozenset({"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "hz"})
_KANA = "[\u3040-\u309f]"  # hiragana: Japanese prose is full of it
_IMPLAUSIBLE = "[\uff61-\uff9f\ue000-\uf8ff\u0080-\u009f\ufffd]"


def _most_plausible(matches: list) -> object | None:
    """The detector's guess, corrected for short posts in Chinese codecs.

    On a short post the detector ranks Shift_JIS, CP949 or EUC-JP as readily
    as GB18030 for Chinese bytes (the text is then half-width katakana or
    Hangul soup). Among the guesses about as orderly as the best, and whose
    text has no such soup: Japanese if it reads with hiragana, else the first
    Chinese codec (what legacy archives here hold), else the best.
    """
    if not matches:
        return None
    near = [match for match in matches if match.chaos <= matches[0].chaos + 0.1]
    clean = [match for match in near if not re.search(_IMPLAUSIBLE, str(match))] or near
    for match in clean:
        if len(re.findall(_KANA, str(match))) >= 3:
            return match
    chinese = [match for match in clean if codecs.lookup(match.encoding).name in _CHINESE]
    return (chinese or clean)[0]


def _looks_western(data: bytes) -> bool:
    """Mostly lone high bytes between ASCII letters: accented Latin, not CJK pairs."""
    runs = re.findall(_HIGH_RUN, data)
    return bool(runs) and sum(len(run) == 1 for run in runs) * 2 >= len(runs)


def _checked(text: str, encoding: str) -> Decoded:
    if not _CONTROL.search(text):
        return Decoded(text=text, encoding=encoding)
    stray = len(_CONTROL.findall(text))
    if stray > max(2, MAX_CONTROL_SHARE * len(text)):
        raise PostconvError(f"binary data ({stray} control characters) in a {encoding} file")
    return Decoded(text=_CONTROL.sub("", text), encoding=encoding, dropped=stray)
