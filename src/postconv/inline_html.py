"""Inline HTML inside Markdown, converted while the Markdown around it stays as written.

In a Markdown block, each island of inline HTML (:mod:`postconv.post.islands`)
is converted on its own: its tags become Markdown, the Markdown between them is
kept byte for byte (it travels through the conversion as tokens). Three things
keep the block meaning what it meant:

- an island that needs lines or blocks of its own (a list in a table cell, a
  heading inside a paragraph) stays HTML: Markdown has no inline form for it;
- a ``<br>`` becomes a backslash only where a line ends anyway;
- text never turns into markup because its neighbour went: ``<sp</span>an>``
  loses its ``</span>``, and the ``<`` of ``<span`` that appears gets a
  backslash; a line whose opening island went keeps its text as text
  (``<!--x--> 2. item`` does not become a list).
"""

from __future__ import annotations

import bisect
import re

from postconv.html.fragments import inline_markdown
from postconv.options import Options
from postconv.post.islands import (
    guard_line_start,
    islands,
    lone_start_tag,
    only_tags,
    split_island,
)
from postconv.post.markdown_code import backslashes_before, code_ranges
from postconv.post.placeholders import Placeholders
from postconv.post.tags import iter_tags

_BREAK = re.compile(r"<br\s*/?>", re.I)
#: a ``<`` of text while the block is put together (never in a post: the reserved range)
_TEXT_LT = "\ue003"


def convert_inline_html(markdown: str, options: Options, placeholders: Placeholders) -> str:
    """``markdown`` with its inline HTML converted and everything else as written."""
    spans = islands(markdown)
    if not spans:
        return markdown
    pieces: list[str] = []
    position = 0
    at_line_start = False  # the text that follows now opens a line
    for start, end in spans:
        text = markdown[position:start]
        pieces.append(_mark(guard_line_start(text) if at_line_start else text))
        island = markdown[start:end]
        converted = _island_markdown(markdown, start, end, options, placeholders)
        needs_blocks = "\n\n" in converted.strip("\n") or ("\n" in converted and "\n" not in island)
        at_line_start = not converted and _at_line_start(markdown, start)
        if not converted.strip() and _alone_on_its_line(markdown, start, end):
            pieces[-1] = pieces[-1].rstrip(" \t")  # the line goes, not only the island
            end += 1
        pieces.append(island if needs_blocks else converted)
        position = end
    tail = markdown[position:]
    pieces.append(_mark(guard_line_start(tail) if at_line_start else tail))
    return _unmark("".join(pieces))


def _island_markdown(
    markdown: str, start: int, end: int, options: Options, placeholders: Placeholders
) -> str:
    pieces = split_island(markdown, start, end)
    if len(pieces) == 1 and lone_start_tag(pieces[0][1]):
        return ""  # its element ends elsewhere: nothing of it to convert here
    if len(pieces) == 1 and _BREAK.fullmatch(pieces[0][1]):
        # a line break: Markdown's where a line ends, HTML's where a line goes on
        line, _, following = markdown[end:].partition("\n")
        if not only_tags(line):  # other tags after it on the line do not count
            return pieces[0][1]
        next_line = following.split("\n", 1)[0]
        return "\\" if not only_tags(next_line) else ""
    text = Placeholders("island")  # the Markdown between the island's tags, as written
    source = "".join(piece if is_tag else text.add(_mark(piece)) for is_tag, piece in pieces)
    before = markdown[start - 1] if start else ""
    after = markdown[end] if end < len(markdown) else ""
    return text.restore(inline_markdown(placeholders.html(source), options, before, after))


def _mark(text: str) -> str:
    return text.replace("<", _TEXT_LT) if "<" in text else text


def _unmark(markdown: str) -> str:
    """Put back the ``<`` of text; one that now opens a tag gets a backslash."""
    if _TEXT_LT not in markdown:
        return markdown
    marked = {index for index, char in enumerate(markdown) if char == _TEXT_LT}
    result = markdown.replace(_TEXT_LT, "<")
    code = code_ranges(result)
    code_starts = [low for low, _ in code]
    pieces, position = [], 0
    for tag in iter_tags(result, raw_text=False):
        inside = bisect.bisect_right(code_starts, tag.start) - 1
        if (
            tag.start in marked
            and not backslashes_before(result, tag.start) % 2
            and not (inside >= 0 and tag.start < code[inside][1])
        ):
            pieces += (result[position : tag.start], "\\")
            position = tag.start
    pieces.append(result[position:])
    return "".join(pieces)


def _at_line_start(markdown: str, position: int) -> bool:
    return not markdown[markdown.rfind("\n", 0, position) + 1 : position].strip()


def _alone_on_its_line(markdown: str, start: int, end: int) -> bool:
    line_start = markdown.rfind("\n", 0, start) + 1
    line_end = markdown.find("\n", end)
    after = markdown[end:] if line_end < 0 else markdown[end:line_end]
    return not markdown[line_start:start].strip() and not after.strip() and line_end >= 0
