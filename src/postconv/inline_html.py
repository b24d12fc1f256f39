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
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import pairwise

from postconv.html.needless import MAX_BLOCK, drop_needless_backslashes
from postconv.island_batch import BATCH_SIZE, inline_markdowns
from postconv.options import Options
from postconv.post.islands import (
    blank,
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
_NEWLINE = re.compile("\n")
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
    layout = _Layout(markdown)
    pieces: list[str] = []
    line = _Line()
    position = 0
    at_line_start = False  # the text that follows now opens a line
    conversions = _island_markdowns(layout, spans, options, placeholders)
    for (start, end), converted in zip(spans, conversions, strict=True):
        text = markdown[position:start]
        pieces.append(_mark(guard_line_start(text) if at_line_start else text))
        line.follow(pieces)
        island = markdown[start:end]
        if not converted and _joins_markup(markdown, start, end):
            converted = island  # gone, it would make "``" and "`" one fence, "*" and "*" one
        needs_blocks = (
            "\n\n" in converted.strip("\n") or ("\n" in converted and "\n" not in island)
        ) and not layout.whole_block(start, end)
        # an island that vanishes where the output's line starts: what follows opens it
        opens_line = (at_line_start and not text.strip(" \t")) or layout.at_line_start(start)
        at_line_start = not converted and opens_line
        if not converted.strip() and layout.alone_on_its_line(start, end):
            pieces[-1] = pieces[-1].rstrip(" \t")  # the line goes, not only the island
            end += 1
        if not needs_blocks and converted:
            converted = line.guard(pieces, converted, layout.line_opens_block(start))
            if "\\" in converted:
                converted = _needed_escapes(layout, start, end, converted, references)
        pieces.append(island if needs_blocks else converted)
        line.follow(pieces)
        position = end
    tail = markdown[position:]
    pieces.append(_mark(guard_line_start(tail) if at_line_start else tail))
    return _unmark("".join(pieces))


class _Line:
    """Where the line being written starts among the pieces, to keep its start's meaning.

    Whether a line opens a block depends on its first characters, and for an
    underline or a table's delimiter row on which characters the rest holds: the
    line so far is kept as its head and the set of characters after it, read
    once, so that a line of many islands costs time in proportion to its length.
    """

    #: characters an underline or a delimiter row is made of
    PLAIN = frozenset("-=:| \t\u00a0\u3000")
    #: the head reaches this far past the indentation (a marker is at most 11 long)
    REACH = 16

    def __init__(self) -> None:
        self.piece = self.offset = 0
        self._forget()

    def _forget(self) -> None:
        self.scanned = self.piece  # pieces before this one are in head or rest
        self.head = ""
        self.overflow = False  # some of the line is past the head
        self.rest: set[str] = set()  # the plain characters past the head
        self.mixed = False  # … and whether some other character is there

    def follow(self, pieces: list[str]) -> None:
        """Move on past the last piece."""
        newline = pieces[-1].rfind("\n")
        if newline >= 0:
            self.piece, self.offset = len(pieces) - 1, newline + 1
            self._forget()

    def _read(self, pieces: list[str]) -> None:
        while self.scanned < len(pieces):
            text = pieces[self.scanned]
            if self.scanned == self.piece:
                text = text[self.offset :]
            self.scanned += 1
            if not self.overflow:
                self.head += text
                indent = len(self.head) - len(self.head.lstrip(" \t\u00a0\u3000"))
                if len(self.head) <= indent + self.REACH:
                    continue
                text = self.head[indent + self.REACH :]
                self.head = self.head[: indent + self.REACH]
                self.overflow = True
            self._add_rest(text)

    def _add_rest(self, text: str) -> None:
        chars = set(text)
        self.rest |= chars & self.PLAIN
        self.mixed = self.mixed or not chars <= self.PLAIN

    def guard(self, pieces: list[str], converted: str, opened: bool) -> str:
        """Text written before an island, joined with what the island became, must not
        open a block its source line did not open (``opened``): ``###<td>## x</td>``
        is no heading. The backslash goes in the pieces, or in ``converted``
        (returned)."""
        self._read(pieces)
        if not self.head.strip() or converted.startswith("\n"):
            return converted
        first_line = converted.split("\n", 1)[0]
        if self.overflow:  # the head, then what the rest holds (the order is no matter)
            chars = set(first_line)
            rest = self.rest | (chars & self.PLAIN)
            mixed = self.mixed or not chars <= self.PLAIN
            joined = self.head + "".join(sorted(rest)) + ("x" if mixed else "")
        else:
            joined = self.head + first_line
        escaped = escape_line_starts(joined)
        if escaped == joined or opened:
            return converted
        at = next(i for i, (a, b) in enumerate(zip(joined, escaped, strict=False)) if a != b)
        if not self.overflow and at >= len(self.head):
            at -= len(self.head)
            return converted[:at] + "\\" + converted[at:]
        index, offset = self.piece, self.offset + at
        while offset > len(pieces[index]):
            offset -= len(pieces[index])
            index += 1
        pieces[index] = pieces[index][:offset] + "\\" + pieces[index][offset:]
        self._forget()
        return converted


def _needed_escapes(
    layout: _Layout,
    start: int,
    end: int,
    converted: str,
    references: Collection[str] | bool | None,
) -> str:
    """The island's Markdown with only the backslashes its paragraph needs (read with
    the island in its place; the author's own escapes around it are not touched)."""
    paragraph_start, paragraph_end = layout.paragraph(start, end)
    if (start - paragraph_start) + len(converted) + (paragraph_end - end) > MAX_BLOCK:
        return converted  # (too long to read again for each island: escapes kept)
    markdown = layout.text
    before, after = markdown[paragraph_start:start], markdown[end:paragraph_end]
    within = (len(before), len(before) + len(converted))
    # (rendered as it will read: a "<" of text is still marked here)
    checked = drop_needless_backslashes(before + converted + after, references, within, _unmark)
    return checked[len(before) : len(checked) - len(after)]


class _Layout:
    """Where the lines and paragraphs of a block start and end, found once: an island
    looks its own up instead of searching the text around it, which on a line or a
    paragraph of many islands would take time in the square of its length."""

    def __init__(self, markdown: str) -> None:
        self.text = markdown
        self.newlines = [match.start() for match in _NEWLINE.finditer(markdown)]
        self.breaks = [a for a, b in pairwise(self.newlines) if b == a + 1]
        self._opens_block: dict[int, bool] = {}
        self._text_bounds: tuple[int, int] | None = None

    def line_start(self, position: int) -> int:
        index = bisect_left(self.newlines, position)
        return self.newlines[index - 1] + 1 if index else 0

    def line_end(self, position: int) -> int:
        """The newline ending the line at ``position`` (or the end of the text)."""
        index = bisect_left(self.newlines, position)
        return self.newlines[index] if index < len(self.newlines) else len(self.text)

    def next_line(self, position: int) -> tuple[int, int]:
        """The span of the line after the one at ``position`` (empty at the end)."""
        end = self.line_end(position)
        if end == len(self.text):
            return end, end
        return end + 1, self.line_end(end + 1)

    def paragraph(self, start: int, end: int) -> tuple[int, int]:
        """The span of the paragraph (between blank lines) around ``start:end``."""
        index = bisect_right(self.breaks, start - 2)
        begin = self.breaks[index - 1] + 2 if index else 0
        index = bisect_left(self.breaks, end)
        return begin, self.breaks[index] if index < len(self.breaks) else len(self.text)

    def line_opens_block(self, position: int) -> bool:
        """True when the source line at ``position`` opens a block of its own
        (``# x``, ``- x``…): an island there may keep the marker it follows."""
        start = self.line_start(position)
        known = self._opens_block.get(start)
        if known is None:
            line = self.text[start : self.line_end(position)]
            known = self._opens_block[start] = escape_line_starts(line) != line
        return known

    def only_tags_after(self, end: int) -> bool:
        """True when the rest of the line after ``end`` is only tags and spaces."""
        return only_tags(self.text, end, self.line_end(end))

    def next_line_only_tags(self, end: int) -> bool:
        return only_tags(self.text, *self.next_line(end))

    def at_line_start(self, position: int) -> bool:
        return blank(self.text, self.line_start(position), position)

    def alone_on_its_line(self, start: int, end: int) -> bool:
        line_end = self.line_end(end)
        return (
            line_end < len(self.text)
            and blank(self.text, self.line_start(start), start)
            and blank(self.text, end, line_end)
        )

    def whole_block(self, start: int, end: int) -> bool:
        """True when the island is all the block holds: its blocks then take the
        block's place."""
        if self._text_bounds is None:
            self._text_bounds = self._text_outside_tags()
        first, last = self._text_bounds
        return first >= start and last <= end

    def _text_outside_tags(self) -> tuple[int, int]:
        """Where the first text that is not in a tag starts, where the last one ends."""
        first, last, position = len(self.text), 0, 0
        for tag in iter_tags(self.text, raw_text=False):
            if not blank(self.text, position, tag.start):
                first, last = min(first, position), tag.start
            position = tag.end
        if not blank(self.text, position, len(self.text)):
            first, last = min(first, position), len(self.text)
        return first, last


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


@dataclass(frozen=True)
class _Prepared:
    """An island ready for its conversion: its HTML (the Markdown between its tags as
    tokens of ``text``) and the characters around it."""

    source: str
    before: str
    after: str
    text: Placeholders


def _island_markdowns(
    layout: _Layout, spans: list[tuple[int, int]], options: Options, placeholders: Placeholders
) -> Iterator[str]:
    """What each island becomes, in order: the islands of a stretch of the block are
    converted together (:mod:`postconv.island_batch`), and an island that repeats
    there once (the text between its tags travels as tokens numbered per island, so
    ``<b>…</b>`` after ``<b>…</b>`` is the same conversion)."""
    for first in range(0, len(spans), BATCH_SIZE):
        prepared = [
            _prepare(layout, start, end, placeholders)
            for start, end in spans[first : first + BATCH_SIZE]
        ]
        keys = list(
            dict.fromkeys(
                (item.source, item.before, item.after)
                for item in prepared
                if isinstance(item, _Prepared)
            )
        )
        converted = dict(zip(keys, inline_markdowns(keys, options), strict=True))
        for (_, end), item in zip(spans[first : first + BATCH_SIZE], prepared, strict=True):
            if isinstance(item, _Prepared):
                yield _finish(layout, end, item, converted[item.source, item.before, item.after])
            else:
                yield item


def _prepare(layout: _Layout, start: int, end: int, placeholders: Placeholders) -> _Prepared | str:
    """The island made ready for its conversion, or what it becomes without one."""
    markdown = layout.text
    pieces = split_island(markdown, start, end)
    if len(pieces) == 1 and lone_start_tag(pieces[0][1]):
        return ""  # its element ends elsewhere: nothing of it to convert here
    if len(pieces) == 1 and _BREAK.fullmatch(pieces[0][1]):
        # a line break: Markdown's where a line ends, HTML's where a line goes on
        if not layout.only_tags_after(end):  # other tags after it on the line do not count
            return pieces[0][1]
        return "\\" if not layout.next_line_only_tags(end) else ""
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
    return _Prepared(placeholders.html(source), before, after, text)


def _finish(layout: _Layout, end: int, prepared: _Prepared, markdown: str) -> str:
    """The island's Markdown: its own text put back, a hard break it ends with fitted."""
    converted = prepared.text.restore(markdown)
    stripped = converted.rstrip(" \t\n")
    if stripped.endswith("\\") and backslashes_before(stripped, len(stripped)) % 2:
        # a hard break the island ends with, as for a lone <br>: HTML's where the line
        # goes on, none where the paragraph ends, Markdown's where a line follows
        if not layout.only_tags_after(end):
            return stripped[:-1] + "<br>"
        if layout.next_line_only_tags(end):
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
