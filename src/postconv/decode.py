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

    best = from_bytes(data).best()
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
    return _checked(text, codecs.lookup(best.encoding).name)


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _looks_western(data: bytes) -> bool:
    """Mostly lone high bytes between ASCII letters: accented Latin, not CJK pairs."""
    runs = _HIGH_RUN.findall(data)
    return bool(runs) and sum(len(run) == 1 for run in runs) * 2 >= len(runs)


def _checked(text: str, encoding: str) -> Decoded:
    if _CONTROL.search(text):
        raise PostconvError(f"binary data (control characters) in a {encoding} file")
    return Decoded(text=text, encoding=encoding)
