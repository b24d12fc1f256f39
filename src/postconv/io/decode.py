"""Bytes → text: UTF-8 first, legacy encodings (GB18030, Big5, …) by detection."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from postconv.errors import PostconvError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec that decoded it, "utf-8" for almost every post


def decode_post(data: bytes) -> Decoded:
    """Decode a post file's bytes; raise :class:`PostconvError` for binary data."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(data.decode("utf-16", errors="strict"), "utf-16")
    if b"\x00" in data:
        raise PostconvError("binary data (NUL bytes), not a text post")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as error:
        utf8_error = error
    return _detect(data, utf8_error)


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
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_CHINESE = frozenset({"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "hz"})
_KANA = re.compile("[\u3040-\u309f]")  # hiragana: Japanese prose is full of it
_IMPLAUSIBLE = re.compile("[\uff61-\uff9f\ue000-\uf8ff\u0080-\u009f\ufffd]")


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
    clean = [match for match in near if not _IMPLAUSIBLE.search(str(match))] or near
    for match in clean:
        if len(_KANA.findall(str(match))) >= 3:
            return match
    chinese = [match for match in clean if codecs.lookup(match.encoding).name in _CHINESE]
    return (chinese or clean)[0]


def _looks_western(data: bytes) -> bool:
    """Mostly lone high bytes between ASCII letters: accented Latin, not CJK pairs."""
    runs = _HIGH_RUN.findall(data)
    return bool(runs) and sum(len(run) == 1 for run in runs) * 2 >= len(runs)


def _checked(text: str, encoding: str) -> Decoded:
    if _CONTROL.search(text):
        raise PostconvError(f"binary data (control characters) in a {encoding} file")
    return Decoded(text=text, encoding=encoding)
