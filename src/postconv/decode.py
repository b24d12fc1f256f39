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
    return _checked(str(best), codecs.lookup(best.encoding).name)


def _checked(text: str, encoding: str) -> Decoded:
    if _CONTROL.search(text):
        raise PostconvError(f"binary data (control characters) in a {encoding} file")
    return Decoded(text=text, encoding=encoding)
