"""The emphasis delimiters of a Markdown block as CommonMark reads them: the runs of
``*`` and ``_``, whether each may open or close emphasis (markdown-it's own
flanking tests), and what a run before or after each may do.

:mod:`postconv.html.needless` asks whether an escaped run may pair with another
once its backslashes go: where no run can, the escapes change nothing.
"""

from __future__ import annotations

import re
from collections.abc import Set
from typing import NamedTuple

#: what may stand before a block's start on its line: quote markers and list markers
#: (a list marker is followed by a blank or the line's end)
CONTAINER_MARKERS = re.compile(r"(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?![^ \t\n])))*[ \t]*")


class Run(NamedTuple):
    """A run of ``*`` or ``_``, and what a run before or after it may do."""

    start: int
    end: int
    can_open: bool
    can_close: bool
    opener_before: bool
    closer_after: bool


def run_around(plain: str, index: int) -> tuple[int, int]:
    """The span of the run of the character at ``index``."""
    char = plain[index]
    return len(plain[:index].rstrip(char)), len(plain) - len(plain[index:].lstrip(char))


def delimiter_runs(plain: str, char: str, escaped: Set[int]) -> list[Run]:
    """The runs of ``char`` in ``plain``, each with whether a run before it may open
    emphasis and a run after it may close it."""
    found = []
    for match in re.finditer(re.escape(char) + "+", plain):
        start, end = match.span()
        if all(index in escaped for index in range(start, end)):
            found.append((start, end, *run_flanks(plain, start, end, split=True)))
        elif any(index in escaped for index in range(start, end)):
            found.append((start, end, True, True))  # (read liberally: either)
        else:
            found.append((start, end, *run_flanks(plain, start, end)))
    runs: list[Run] = []
    opener = False
    for start, end, can_open, can_close in found:
        runs.append(Run(start, end, can_open, can_close, opener, False))
        opener = opener or can_open
    closer = False
    for number in range(len(runs) - 1, -1, -1):
        runs[number] = runs[number]._replace(closer_after=closer)
        closer = closer or runs[number].can_close
    return runs


def run_flanks(plain: str, start: int, end: int, split: bool = False) -> tuple[bool, bool]:
    """Whether the run ``plain[start:end]`` may open and close emphasis, by CommonMark's
    flanking rules; after quote and list markers, where the text markdown-it reads
    inline starts, both readings count.

    ``split``: the run is of escaped characters, some of whose backslashes may stay;
    any stretch of it may then be a run of its own, next to an escaped one.
    """
    char = plain[start]
    before = [plain[start - 1] if start else " "]
    if start and CONTAINER_MARKERS.fullmatch(plain, plain.rfind("\n", 0, start) + 1, start):
        before.append(" ")
    after = [plain[end] if end < len(plain) else " "]
    if split:
        before.append(char)  # (an escaped one before it: the character itself)
        after.append("\\")  # (an escaped one after it: its backslash)
    readings = [(last, next_) for last in before for next_ in after]
    if split and end - start < 3:
        readings.remove((char, "\\"))  # no stretch has escaped ones on either side
    found = [flanks(last, next_, char == "*") for last, next_ in readings]
    return any(o for o, _ in found), any(c for _, c in found)


def flanks(last: str, next_: str, split_word: bool) -> tuple[bool, bool]:
    """``(can_open, can_close)`` of a delimiter run between ``last`` and ``next_``, by
    markdown-it's own tests (``split_word``: ``*``, which may open or close inside a word)."""
    from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace

    last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
    next_punct = isMdAsciiPunct(ord(next_)) or isPunctChar(next_)
    last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(next_))
    left = not (next_space or (next_punct and not (last_space or last_punct)))
    right = not (last_space or (last_punct and not (next_space or next_punct)))
    can_open = left and (split_word or not right or last_punct)
    can_close = right and (split_word or not left or next_punct)
    return can_open, can_close
