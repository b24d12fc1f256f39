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

import re
from collections.abc import Collection

from postconv.html.fragments import inline_markdown
from postconv.html.needless import drop_needless_backslashes
from postconv.options import Options
from postconv.post.islands import (
    guard_line_start,
    islands,
    lone_start_tag,
    only_tags,
    split_island,
)
from postconv.post.markdown_code import backslashes_before, code_ranges, in_ranges
from postconv.post.placeholders import Placeholders
from postconv.post.tags import iter_tags
from postconv.text import escape_line_starts

_BREAK = re.compile(r"<br\s*/?>", re.I)
_END_TAG = re.compile(r"</[A-Za-z][A-Za-z0-9-]*\s*>")
_HEADING_TAG = re.compile(r"<(/?)h[1-6](?=[\s/>])", re.I)
_DELIMITERS = frozenset("`*_~")
_TAG_REACH = 200
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
#: a ``<`` of text while the block is put together (never in a post: the reserved range)
_TEXT_LT = "\ue003"


def convert_inline_html(
    markdown: str,
    options: Options,
    placeholders: Placeholders,
    references: Collection[str] | bool | None = None,
) -> str:
    """``markdown`` with its inline HTML converted and everything else as written.

    ``references``: the link labels the post defines, for the escapes an island's
    conversion wrote (only those the rendering needs stay).
    """
    spans = islands(markdown)
    if not spans:
        return markdown
    pieces: list[str] = []
    line = _Line()
    position = 0
    at_line_start = False  # the text that follows now opens a line
    for start, end in spans:
        text = markdown[position:start]
        pieces.append(_mark(guard_line_start(text) if at_line_start else text))
        line.follow(pieces)
        island = markdown[start:end]
        converted = _island_markdown(markdown, start, end, options, placeholders)
        if not converted and _joins_markup(markdown, start, end):
            converted = island  # gone, it would make "``" and "`" one fence, "*" and "*" one
        needs_blocks = (
            "\n\n" in converted.strip("\n") or ("\n" in converted and "\n" not in island)
        ) and not _whole_block(markdown, start, end)
        at_line_start = not converted and _at_line_start(markdown, start)
        if not converted.strip() and _alone_on_its_line(markdown, start, end):
            pieces[-1] = pieces[-1].rstrip(" \t")  # the line goes, not only the island
            end += 1
        if not needs_blocks and converted:
            converted = line.guard(pieces, converted, _line_around(markdown, start))
            if "\\" in converted:
                converted = _needed_escapes(markdown, start, end, converted, references)
        pieces.append(island if needs_blocks else converted)
        line.follow(pieces)
        position = end
    tail = markdown[position:]
    pieces.append(_mark(guard_line_start(tail) if at_line_start else tail))
    return _unmark("".join(pieces))


class _Line:
    """Where the line being written starts among the pieces, to keep its start's meaning."""

    def __init__(self) -> None:
        self.piece = self.offset = 0

    def follow(self, pieces: list[str]) -> None:
        """Move on past the last piece."""
        newline = pieces[-1].rfind("\n")
        if newline >= 0:
            self.piece, self.offset = len(pieces) - 1, newline + 1

    def guard(self, pieces: list[str], converted: str, original: str) -> str:
        """Text written before an island, joined with what the island became, must not
        open a block its source line did not open: ``###<td>## x</td>`` is no heading.
        The backslash goes in the pieces, or in ``converted`` (returned)."""
        prefix = pieces[self.piece][self.offset :] + "".join(pieces[self.piece + 1 :])
        if not prefix.strip() or converted.startswith("\n"):
            return converted
        joined = prefix + converted.split("\n", 1)[0]
        escaped = escape_line_starts(joined)
        if escaped == joined or escape_line_starts(original) != original:
            return converted
        at = next(i for i, (a, b) in enumerate(zip(joined, escaped, strict=False)) if a != b)
        if at >= len(prefix):
            at -= len(prefix)
            return converted[:at] + "\\" + converted[at:]
        index, offset = self.piece, self.offset + at
        while offset > len(pieces[index]):
            offset -= len(pieces[index])
            index += 1
        pieces[index] = pieces[index][:offset] + "\\" + pieces[index][offset:]
        return converted


def _needed_escapes(
    markdown: str,
    start: int,
    end: int,
    converted: str,
    references: Collection[str] | bool | None,
) -> str:
    """The island's Markdown with only the backslashes its paragraph needs (read with
    the island in its place; the author's own escapes around it are not touched)."""
    found = markdown.rfind("\n\n", 0, start)
    paragraph_start = 0 if found < 0 else found + 2
    found = markdown.find("\n\n", end)
    paragraph_end = len(markdown) if found < 0 else found
    before, after = markdown[paragraph_start:start], markdown[end:paragraph_end]
    within = (len(before), len(before) + len(converted))
    checked = drop_needless_backslashes(before + converted + after, references, within)
    return checked[len(before) : len(checked) - len(after)]


def _whole_block(markdown: str, start: int, end: int) -> bool:
    """True when the island is all the block holds: its blocks then take the block's place."""
    return only_tags(markdown[:start]) and only_tags(markdown[end:])


def _joins_markup(markdown: str, start: int, end: int) -> bool:
    """True when taking the island out would join its neighbours into markup: two
    delimiter runs into one, or the halves of a shortcode or a template tag's name
    (``[/sourcecod</a>e]``)."""
    before = markdown[start - 1 : start]
    if before in _DELIMITERS and markdown[end : end + 1] == before:
        return True
    if not before.strip() or not markdown[end : end + 1].strip():
        return False
    # a tag is short: looking no further keeps this linear on a line of many islands
    back = markdown[max(0, start - _TAG_REACH) : start].rpartition("\n")[2]
    ahead = markdown[end : end + _TAG_REACH].partition("\n")[0]
    opener = max(back.rfind("["), back.rfind("{"))
    if opener < 0:
        return False
    closer = "]" if back[opener] == "[" else "}"
    return closer not in back[opener:] and closer in ahead


def _line_around(markdown: str, position: int) -> str:
    end = markdown.find("\n", position)
    return markdown[markdown.rfind("\n", 0, position) + 1 : None if end < 0 else end]


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
    source = "".join(
        piece if is_tag else _stand_for(text, piece)
        for is_tag, piece in _headings_on_one_line(pieces)
    )
    before = markdown[start - 1] if start else ""
    following = end
    while (stray := _END_TAG.match(markdown, following)) is not None:
        following = stray.end()  # an end tag right after goes (its element is not here)
    after = markdown[following] if following < len(markdown) else ""
    converted = text.restore(inline_markdown(placeholders.html(source), options, before, after))
    stripped = converted.rstrip(" \t\n")
    if stripped.endswith("\\") and backslashes_before(stripped, len(stripped)) % 2:
        # a hard break the island ends with, as for a lone <br>: HTML's where the line
        # goes on, none where the paragraph ends, Markdown's where a line follows
        line, _, following = markdown[end:].partition("\n")
        if not only_tags(line):
            return stripped[:-1] + "<br>"
        if only_tags(following.split("\n", 1)[0]):
            return stripped[:-1].rstrip()
        return stripped
    return converted


def _stand_for(text: Placeholders, piece: str) -> str:
    """A token for ``piece``, its edge spaces left outside (emphasis moves them out),
    but not a line's indentation."""
    core = piece.strip(" \t")
    if not core or not piece[piece.rfind("\n") + 1 :].strip(" \t>"):
        return text.add(_mark(piece))  # (a last line of only indentation and quote markers)
    lead = piece[: len(piece) - len(piece.lstrip(" \t"))]
    trail = piece[len(piece.rstrip(" \t")) :]
    return lead + text.add(_mark(core)) + trail


def _headings_on_one_line(pieces: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
    """The island's pieces, the line breaks of a heading's text made spaces: a Markdown
    heading is one line (a browser shows the break as a space anyway)."""
    depth, result = 0, []
    for is_tag, piece in pieces:
        if is_tag and (heading := _HEADING_TAG.match(piece)):
            depth = max(0, depth + (-1 if heading.group(1) else 1))
        elif not is_tag and depth and "\n" in piece:
            piece = _LINE_BREAK.sub(" ", piece)
        result.append((is_tag, piece))
    return result


def _mark(text: str) -> str:
    return text.replace("<", _TEXT_LT) if "<" in text else text


def _unmark(markdown: str) -> str:
    """Put back the ``<`` of text; one that now opens a tag gets a backslash."""
    if _TEXT_LT not in markdown:
        return markdown
    marked = {index for index, char in enumerate(markdown) if char == _TEXT_LT}
    result = markdown.replace(_TEXT_LT, "<")
    code = code_ranges(result)
    pieces, position = [], 0
    for tag in iter_tags(result, raw_text=False):
        if (
            tag.start in marked
            and not backslashes_before(result, tag.start) % 2
            and not in_ranges(code, tag.start)
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
