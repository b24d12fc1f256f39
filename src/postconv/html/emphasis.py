"""CJK-safe emphasis: markers placed so that CommonMark really renders them.

CommonMark opens ``**`` only where the delimiter run is left-flanking: next
to a CJK character a quotation mark inside the markers breaks it
(``中国联通**“服务再升级”**行动`` renders literal asterisks).
"""

from __future__ import annotations

import unicodedata

# markdown syntax at the edge of an emphasis cannot move outside it
_UNMOVABLE = set("\\[]()!`*_<>")
_EDGE_SPACE = " \t\n\u00a0\u3000"


def is_punctuation(char: str) -> bool:
    """CommonMark's Unicode punctuation: categories P and S."""
    return bool(char) and unicodedata.category(char)[0] in "PS"


def _can_open(before: str, first: str) -> bool:
    # a left-flanking delimiter run (CommonMark 6.2) for ``*``
    if not first or first.isspace():
        return False
    return not is_punctuation(first) or not before or before.isspace() or is_punctuation(before)


def _can_close(last: str, after: str) -> bool:
    if not last or last.isspace():
        return False
    return not is_punctuation(last) or not after or after.isspace() or is_punctuation(after)


def emphasise(text: str, marker: str, before: str, after: str) -> str:
    """Wrap ``text`` in ``marker`` so that CommonMark really renders the emphasis.

    Edge spaces move outside the markers. Edge punctuation stays inside where the
    markers render there (``**$x**``, ``**Why?**``), else moves outside too
    (``“**a**”``, not ``**“a”**``, which fails beside CJK text); emphasis of
    nothing but punctuation is dropped, and so is emphasis that still could not
    open or close where it stands (its text is kept).
    """
    stripped = text.strip(_EDGE_SPACE)
    if not stripped:
        return text
    start = text.index(stripped[0])
    prefix, suffix = text[:start], text[start + len(stripped) :]
    if _renders_as_written(stripped, prefix[-1:] or before, suffix[:1] or after):
        return f"{prefix}{marker}{stripped}{marker}{suffix}"
    lead_end = 0
    while lead_end < len(stripped) and _movable(stripped, lead_end):
        lead_end += 1
    trail_start = len(stripped)
    while trail_start > lead_end and _movable(stripped, trail_start - 1):
        trail_start -= 1
    lead, core, trail = stripped[:lead_end], stripped[lead_end:trail_start], stripped[trail_start:]
    if not core.strip(_EDGE_SPACE):
        return text
    outside_before = (prefix + lead)[-1:] or before
    outside_after = (trail + suffix)[:1] or after
    inner = core.strip("*")  # a nested emphasis run counts as one delimiter run
    if not inner or not (
        _can_open(outside_before, inner[0]) and _can_close(inner[-1], outside_after)
    ):
        return text
    return f"{prefix}{lead}{marker}{core}{marker}{trail}{suffix}"


def _renders_as_written(text: str, before: str, after: str) -> bool:
    """True when markers around all of ``text``, edge punctuation and all, open and
    close where they stand (only punctuation CommonMark reads as text at the edges)."""
    first, last = text[0], text[-1]
    if not (is_punctuation(first) or is_punctuation(last)):
        return False  # (nothing to move: the general case decides)
    if first in _UNMOVABLE or last in _UNMOVABLE or text.endswith("\\"):
        return False
    if all(is_punctuation(char) or char.isspace() for char in text):
        return False  # (emphasis of nothing but punctuation goes: the general case)
    return _can_open(before, first) and _can_close(last, after)


def _movable(text: str, index: int) -> bool:
    char = text[index]
    if char in _UNMOVABLE or not is_punctuation(char):
        return False
    return index == 0 or text[index - 1] != "\\"
