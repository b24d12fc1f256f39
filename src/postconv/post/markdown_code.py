"""Where Markdown reads code: fenced blocks and code spans, found in linear time.

Nothing inside code is HTML, a template tag or anything to repair: the body
model leaves these stretches exactly as written.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import defaultdict, deque
from collections.abc import Callable
from functools import lru_cache

_BACKTICKS = re.compile(r"`+")
#: a fence that opens a line, after quote and list markers (``3. ```` in a list item)
FENCE_LINE = re.compile(r"^[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?[ \t]*(`{3,}|~{3,})", re.M)
_BLANK_LINES = re.compile(r"\n[ \t>]*\n")  # a line of only quote markers is blank too
_LINE = re.compile(r"[^\n]+")
#: quote markers and list item markers that open a line
_CONTAINER_MARKERS = re.compile(r"(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)))*[ \t]*")
_OPENS_HEADING = re.compile(r"#{1,6}(?=[ \t]|$)")
_TABLE_DELIMITER = re.compile(
    r"[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?"
    r"\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$"
)
_PIPE = re.compile(r"\|")


def code_ranges(markdown: str) -> list[tuple[int, int]]:
    """Sorted ``(start, end)`` spans of fenced code and code spans in ``markdown``."""
    if "`" not in markdown and "~~~" not in markdown:
        return []
    return list(_code_ranges(markdown))


@lru_cache(maxsize=16)  # a body is read several times over (templates, dialect, segments)
def _code_ranges(markdown: str) -> tuple[tuple[int, int], ...]:
    fences = _fenced_code(markdown)
    spans: list[tuple[int, int]] = []
    position = 0
    for start, end in [*fences, (len(markdown), len(markdown))]:
        spans.extend(_code_spans_by_paragraph(markdown, position, start))
        position = end
    return tuple(sorted([*fences, *spans]))


def in_ranges(ranges: list[tuple[int, int]], position: int) -> bool:
    """True when ``position`` lies in one of ``ranges`` (in order of their starts, as
    :func:`code_ranges` gives them)."""
    index = bisect.bisect_right(ranges, (position, math.inf)) - 1
    return index >= 0 and position < ranges[index][1]


def repair_outside_code(markdown: str, repair: Callable[[str], str]) -> str:
    """``markdown`` with ``repair`` applied to every stretch that is not code."""
    pieces, position = [], 0
    for start, end in code_ranges(markdown):
        pieces += (repair(markdown[position:start]), markdown[start:end])
        position = end
    pieces.append(repair(markdown[position:]))
    return "".join(pieces)


def backslashes_before(text: str, position: int) -> int:
    """How many backslashes stand right before ``position``."""
    count = 0
    while position > count and text[position - count - 1] == "\\":
        count += 1
    return count


def _code_spans_by_paragraph(markdown: str, start: int, end: int) -> list[tuple[int, int]]:
    """Code spans never cross a blank line, a new list item, quote or heading, nor a
    table cell: look for them in each of those stretches."""
    spans = []
    position = start
    for blank in [*_BLANK_LINES.finditer(markdown, start, end), None]:
        stop = end if blank is None else blank.start()
        first = markdown.find("`", position, stop)  # a span needs two backticks at least
        if first >= 0 and markdown.find("`", first + 1, stop) >= 0:
            for low, high in _leaf_stretches(markdown, position, stop):
                spans.extend(_code_spans(markdown, low, high))
        if blank is not None:
            position = blank.end()
    return spans


def _leaf_stretches(markdown: str, start: int, end: int) -> list[tuple[int, int]]:
    """A paragraph cut where a line opens a new block, or into the cells of a table."""
    stretches: list[list[tuple[int, int]]] = []
    depth = -1  # of the quote the previous line stood in
    after_heading = False
    for line in (match.span() for match in _LINE.finditer(markdown, start, end)):
        prefix = _CONTAINER_MARKERS.match(markdown, *line)
        markers = prefix.group()
        heading = _OPENS_HEADING.match(markdown, prefix.end()) is not None
        opens = (
            markers.count(">") != depth
            or markers.strip(" \t>") != ""  # a list item starts
            or heading
            or after_heading
        )
        depth, after_heading = markers.count(">"), heading
        if not stretches or opens:
            stretches.append([line])
        else:
            stretches[-1].append(line)
    leaves: list[tuple[int, int]] = []
    for lines in stretches:
        if len(lines) > 1 and _TABLE_DELIMITER.match(markdown, *lines[1]):
            leaves.extend(cell for low, high in lines for cell in _cells(markdown, low, high))
        else:
            leaves.append((lines[0][0], lines[-1][1]))
    return leaves


def _cells(markdown: str, start: int, end: int) -> list[tuple[int, int]]:
    cells, position = [], start
    for pipe in _PIPE.finditer(markdown, start, end):
        if not backslashes_before(markdown, pipe.start()) % 2:
            cells.append((position, pipe.start()))
            position = pipe.end()
    cells.append((position, end))
    return cells


def _code_spans(markdown: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """CommonMark code spans: a backtick run up to the next run of the same length.

    A backslash escapes the first backtick of an opening run, never of a closing
    one (inside a code span a backslash is only a backslash).
    """
    stop = len(markdown) if end is None else end
    runs = [(m.start(), len(m.group())) for m in _BACKTICKS.finditer(markdown, start, stop)]
    by_length: dict[int, deque[int]] = defaultdict(deque)
    for index, (_, length) in enumerate(runs):
        by_length[length].append(index)
    spans = []
    index = 0
    while index < len(runs):
        at, length = runs[index]
        if backslashes_before(markdown, at) % 2:  # "\``": only the rest can open
            at, length = at + 1, length - 1
        candidates = by_length[length]
        while candidates and candidates[0] <= index:
            candidates.popleft()
        if not length or not candidates:
            index += 1
            continue
        closing = candidates.popleft()
        spans.append((at, runs[closing][0] + length))
        index = closing + 1
    return spans


def _fenced_code(markdown: str) -> list[tuple[int, int]]:
    """Fenced code nested in a list item or a quote: from its opening to its closing line."""
    spans = []
    opening: tuple[int, str] | None = None
    for match in FENCE_LINE.finditer(markdown):
        fence = match.group(1)
        end = markdown.find("\n", match.end())
        rest = markdown[match.end() : len(markdown) if end < 0 else end]
        if opening is None:
            if not (fence[0] == "`" and "`" in rest):  # (else a code span, no fence)
                opening = (match.start(), fence)
        elif fence[0] == opening[1][0] and len(fence) >= len(opening[1]) and not rest.strip():
            spans.append((opening[0], match.end()))  # a closing fence has no info string
            opening = None
    if opening is not None:
        spans.append((opening[0], len(markdown)))
    return spans
