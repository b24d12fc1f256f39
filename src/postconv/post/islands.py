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
    for index, tag in enumerate(tags):
        if tag.kind == "open":
            stack.append(index)
        elif tag.kind == "close":
            for depth in range(len(stack) - 1, -1, -1):
                if tags[stack[depth]].name == tag.name:
                    partner[stack[depth]] = index
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


def only_tags(text: str) -> bool:
    """True when ``text`` holds nothing but tags and whitespace."""
    position = 0
    for tag in iter_tags(text, raw_text=False):
        if text[position : tag.start].strip():
            return False
        position = tag.end
    return not text[position:].strip()


def lone_start_tag(tag: str) -> bool:
    """True for a start tag of a non-void element standing alone (its end is elsewhere)."""
    found = list(iter_tags(tag, raw_text=False))
    return len(found) == 1 and found[0].kind == "open"
