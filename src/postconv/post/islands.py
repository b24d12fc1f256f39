"""Inline HTML inside Markdown: where it is, and what of it is still Markdown.

In a Markdown paragraph (or list, heading, quote…) an *island* is a run of
inline HTML: an element from its start tag to the end tag that closes it, or a
lone tag (``<br>``, ``<img>``, a tag closed elsewhere). Tags inside code spans
and fenced code, escaped (``\\<b>``), autolinks and bracketed link
destinations (``[x](<a b>)``) are not HTML. The text between an island's tags
is still Markdown: :func:`split_island` hands it back so that the caller can
keep it as written.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from postconv.post.markdown_code import backslashes_before, code_ranges
from postconv.post.tags import Tag, iter_tags
from postconv.text import escape_line_starts


def islands(markdown: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of the inline HTML islands of a Markdown block."""
    if "<" not in markdown:
        return []
    excluded = code_ranges(markdown)
    tags = [tag for tag in _tags_outside(markdown, excluded) if _is_html(markdown, tag)]
    return _group(tags)


def split_island(markdown: str, start: int, end: int) -> list[tuple[bool, str]]:
    """The pieces of an island: ``(True, tag)`` for its tags, ``(False, text)`` between."""
    pieces: list[tuple[bool, str]] = []
    position = start
    for tag in iter_tags(markdown, start, end, raw_text=False):
        if not _is_html(markdown, tag):
            continue
        if tag.start > position:
            pieces.append((False, markdown[position : tag.start]))
        pieces.append((True, markdown[tag.start : tag.end]))
        position = tag.end
    if position < end:
        pieces.append((False, markdown[position:end]))
    return pieces


def _tags_outside(markdown: str, excluded: list[tuple[int, int]]) -> Iterator[Tag]:
    index = 0
    for tag in iter_tags(markdown, raw_text=False):
        while index < len(excluded) and excluded[index][1] <= tag.start:
            index += 1
        if index < len(excluded) and excluded[index][0] <= tag.start:
            continue
        yield tag


def _is_html(markdown: str, tag: Tag) -> bool:
    """Not escaped with a backslash, not a link destination in brackets."""
    if backslashes_before(markdown, tag.start) % 2:
        return False
    return not markdown.endswith("](", 0, tag.start)


def _group(tags: list[Tag]) -> list[tuple[int, int]]:
    """Spans of matched start/end pairs (outermost) and of lone tags, in order."""
    partner: dict[int, int] = {}
    stack: list[int] = []
    open_by_name: Counter[str] = Counter()  # a close with none open looks no further
    for index, tag in enumerate(tags):
        if tag.kind == "open":
            stack.append(index)
            open_by_name[tag.name] += 1
        elif tag.kind == "close" and open_by_name[tag.name]:
            for depth in range(len(stack) - 1, -1, -1):
                if tags[stack[depth]].name == tag.name:
                    partner[stack[depth]] = index
                    for closed in stack[depth:]:
                        open_by_name[tags[closed].name] -= 1
                    del stack[depth:]
                    break
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(tags):
        last = partner.get(index, index)
        spans.append((tags[index].start, tags[last].end))
        index = last + 1
    return spans


_COULD_OPEN_TAG = re.compile(r"<(?=[A-Za-z/!?]|$)")


def guard_line_start(markdown: str) -> str:
    """``markdown`` made safe to open a line: what would start a block there (an HTML
    block's ``<``, ``# ``, ``- ``, ``1. ``…) gets a backslash."""
    stripped = markdown.lstrip(" \t")
    indent = markdown[: len(markdown) - len(stripped)]
    if _COULD_OPEN_TAG.match(stripped):
        return indent + "\\" + stripped
    head, newline, rest = markdown.partition("\n")
    return escape_line_starts(head) + newline + rest


def only_tags(text: str, start: int = 0, end: int | None = None) -> bool:
    """True when ``text[start:end]`` holds nothing but tags and whitespace (it stops
    at the first text: no copy, cheap on a long line)."""
    end = len(text) if end is None else end
    position = start
    for tag in iter_tags(text, start, end, raw_text=False):
        if not blank(text, position, tag.start):
            return False
        position = tag.end
    return blank(text, position, end)


def blank(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is whitespace (looks no further than its first
    other character)."""
    return _WHITESPACE.fullmatch(text, start, max(start, end)) is not None


_WHITESPACE = re.compile(r"\s*")


def lone_start_tag(tag: str) -> bool:
    """True for a start tag of a non-void element standing alone (its end is elsewhere)."""
    found = list(iter_tags(tag, raw_text=False))
    return len(found) == 1 and found[0].kind == "open"
