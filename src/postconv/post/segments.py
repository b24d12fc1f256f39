"""Cut a post body into HTML segments and Markdown segments, by its dialect.

*HTML* bodies (:mod:`postconv.post.dialect`) are HTML from end to end, blank
lines included (they are WordPress's paragraph breaks), except the blocks a
generator wrote in Markdown around the article: a blank-line block of bare
URLs (``<http://…>``), link lines (``[返回首页](…)``), ``>`` digest lines or a
fenced code block, standing outside every tag and open container. Text that
is not in a tag is text: ``1984. by George Orwell`` is not a list.

*Markdown* bodies are cut by a CommonMark block parser (markdown-it-py): HTML
blocks are HTML, everything else is Markdown, kept as written. As kramdown
reads them, an HTML block that leaves an element open goes on until the
element closes (a ``<table>`` indented and spaced out by an exporter is one
table, not code blocks), over every block that starts with a tag or follows
without a blank line; a block of Markdown set off by blank lines inside the
element (``<div>`` blank line ``**text**`` blank line ``</div>``) stays
Markdown, as CommonMark sites show it. A ``<pre>`` holds every line to its end
tag; an element marked ``markdown="1"`` (kramdown's switch) holds Markdown; a
kramdown attribute list (``{: .x}``) stays with the block right above it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from postconv.post.blocks import top_level_blocks
from postconv.post.markdown_code import FENCE_LINE, backslashes_before, code_ranges, in_ranges
from postconv.post.tags import iter_tags

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

Kind = Literal["html", "markdown", "code"]  # code: a Markdown body's indented code block

#: elements whose content may hold blank lines that belong to them (not p or li:
#: WordPress leaves those unclosed, and they must not swallow the Markdown tail)
_CONTAINERS = frozenset(
    {"pre", "table", "ul", "ol", "dl", "div", "blockquote", "figure", "center", "script"}
    | {"style", "textarea", "section", "article", "object", "video", "audio", "aside"}
    | {"details", "form", "fieldset", "header", "footer", "nav", "main", "noscript"}
)
_AUTOLINK = r"<[a-zA-Z][\w+.-]*:[^\s<>]*>"
# a link whose destination looks like a URL or a path: "[text](notalink)" is text
_URL_LINK = r"!?\[[^\]\n]*\]\((?=[^)\s]*[/.#:])[^)\s]*\)"
_TAIL_LINE = re.compile(rf"^[ \t]*(?:<>|{_AUTOLINK}|(?:{_URL_LINK}[\s｜|/·•\\-]*)+)[ \t]*$")
_QUOTE_LINE = re.compile(r"^ {0,3}>")
# runs of lines that are not blank (blank: nothing but spaces, tabs, U+3000)
_NON_BLANK_LINES = re.compile(
    r"^[ \t\u3000]*[^ \t\u3000\n].*(?:\n[ \t\u3000]*[^ \t\u3000\n].*)*", re.M
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_STARTS_WITH_TAG = re.compile(rf"[ \t]*<(?!{_AUTOLINK[1:]})[A-Za-z/!?]")
_CONTAINER_TAG = re.compile(r"<(/?)(" + "|".join(sorted(_CONTAINERS)) + r")\b[^>]*>", re.I)
_TAG_CHAR = re.compile(r"[A-Za-z/!?]")
# a start tag with attributes (a candidate: the tag grammar decides), and a blank line
_START_TAG_CANDIDATE = re.compile(r"<[A-Za-z][\w-]*\s[^<>]*>")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
#: elements no Markdown block stands in: a heading's content is one line of text, a
#: table's is rows of cells (WordPress leaves blank lines in cells: they are the cell's)
_NO_MARKDOWN_INSIDE = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot", "tr", "td", "th"}
)
#: elements whose content is theirs to their end tag, blank lines and all, whatever is
#: nested in them: a ``<pre>`` opened after another tag (``<div><pre>``) keeps its lines
_RAW_CONTENT = frozenset({"pre", "script", "style", "textarea"})
#: an element whose content kramdown reads as Markdown, alone on its line
_MARKDOWN_OPENING = re.compile(
    r"""[ \t]*<([A-Za-z][\w-]*)(?:\s[^<>]*?)?\smarkdown\s*=\s*(["']?)(?:1|block)\2"""
    r"""(?:\s[^<>]*)?>[ \t]*\n""",
    re.I,
)
#: kramdown's block attribute lists (``{: .no_toc }``): on the line right under a block,
#: they are that block's; a blank line between would give them to the next one
_IAL_LINES = re.compile(r"(?:[ \t]*\{:[^}\n]*\}[ \t]*(?:\n|$))+")


@dataclass(frozen=True)
class Segment:
    kind: Kind
    text: str


def segment(body: str, dialect: Literal["html", "markdown"]) -> list[Segment]:
    """Split ``body`` into consecutive HTML and Markdown segments (exact slices)."""
    spans = _markdown_spans(body) if dialect == "markdown" else _html_spans(body)
    segments: list[Segment] = []
    previous: tuple[Kind, int, int] | None = None
    for kind, start, end in spans:
        if previous is not None and previous[0] == kind == "html":
            previous = (kind, previous[1], end)  # HTML goes on across the blank lines
            continue
        if previous is not None and _names_the_block_above(body, previous, kind, start, end):
            previous = (kind, previous[1], end)
            continue
        if previous is not None:
            segments.append(Segment(previous[0], body[previous[1] : previous[2]]))
        previous = (kind, start, end)
    if previous is not None:
        segments.append(Segment(previous[0], body[previous[1] : previous[2]]))
    return segments


def _names_the_block_above(
    body: str, previous: tuple[Kind, int, int], kind: Kind, start: int, end: int
) -> bool:
    """True for attribute-list lines right under a Markdown block: they are its own."""
    return (
        previous[0] == kind == "markdown"
        and body[previous[2] : start] == "\n"
        and _IAL_LINES.fullmatch(body, start, end) is not None
    )


# ---------------------------------------------------------------- HTML bodies


def _html_spans(body: str) -> Iterator[tuple[Kind, int, int]]:
    containers: _Containers | None = None
    for start, end in _block_spans(body):
        block = body[start:end]
        candidate = _FENCE.match(block) is not None or is_markdown_tail(block)
        if candidate and containers is None:
            containers = _Containers(body)  # only a body with Markdown blocks needs it
        markdown = candidate and containers is not None and not containers.inside_at(start)
        yield ("markdown" if markdown else "html"), start, end


def is_markdown_tail(block: str) -> bool:
    """Bare URLs, link lines and ``<>`` (a generator's footer), or ``>`` digest lines."""
    lines = block.split("\n")
    return all(_TAIL_LINE.match(line) for line in lines) or all(
        _QUOTE_LINE.match(line) and not _STARTS_WITH_TAG.match(line[line.index(">") + 1 :])
        for line in lines
    )


class _Containers:
    """Where a body's tags and open containers are, for asking about positions in order.

    One regular expression finds the container tags; whether a position is inside
    a tag is told by the last ``<`` before it and the ``>`` after that.
    """

    def __init__(self, body: str) -> None:
        self.body = body
        self.events = _CONTAINER_TAG.finditer(body)
        self.pending = next(self.events, None)
        self.open: list[str] = []

    def inside_at(self, position: int) -> bool:
        while self.pending is not None and self.pending.end() <= position:
            closing, name = self.pending.group(1), self.pending.group(2).lower()
            if not closing:
                self.open.append(name)
            elif name in self.open:
                while self.open.pop() != name:
                    pass
            self.pending = next(self.events, None)
        if self.open:
            return True
        body, opening = self.body, position
        while True:  # the last "<" that could start a tag
            opening = body.rfind("<", 0, opening)
            if opening < 0:
                return False
            if _TAG_CHAR.match(body, opening + 1):
                return body.find(">", opening, position) < 0


# ---------------------------------------------------------------- Markdown bodies


@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    # block structure only: the inline rules cost as much again and are not needed here;
    # nor are reference definitions (the lines no token covers are Markdown all the same)
    from markdown_it import MarkdownIt  # (not at start-up: HTML bodies need none)

    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    return parser.disable(["inline", "text_join", "reference"])


def _markdown_spans(body: str, nested: bool = False) -> Iterator[tuple[Kind, int, int]]:
    offsets = _line_offsets(body)
    blocks = [
        (kind, offsets[first], _line_end(body, offsets, end))
        for kind, first, end in top_level_blocks(body, _block_parser().parse)
    ]
    tags_across = _tags_across_blank_lines(body)
    closings: dict[str, int] = {}
    position = 0
    index = 0
    while index < len(blocks):
        kind, start, end = blocks[index]
        is_html = kind == "html_block"
        if body[position:start].strip():  # lines no token covers: reference definitions
            yield "markdown", *_trimmed(body, position, start)
        index += 1
        if kind == "code_block":  # indented code: whatever it holds, it is not HTML
            yield "code", start, end
            position = end
            continue
        if tags_across and _STARTS_WITH_TAG.match(body, start):
            while index < len(blocks) and _cut_inside(tags_across, start, end):
                end = blocks[index][2]  # a tag a blank line runs through is one tag
                index += 1
                is_html = True
            # (in a paragraph of text, CommonMark reads such a tag as text: so does this)
        if is_html:
            open_elements = _open_elements(body, start, end, [])
            while open_elements and index < len(blocks):
                _, next_start, next_end = blocks[index]
                separated = "\n" in body[end + 1 : next_start].replace(" ", "").replace("\t", "")
                if (
                    separated
                    and not _STARTS_WITH_TAG.match(body, next_start)
                    and not _closes_later(body, next_start, _holder(open_elements), closings)
                ):
                    break
                open_elements = _open_elements(body, next_start, next_end, open_elements)
                end = next_end
                index += 1
        # (one level: a markdown="1" element inside one is read as HTML, as a hostile
        # nesting of thousands must not recurse)
        if is_html and not nested and (inside := _markdown_inside(body, start, end)):
            yield from _split_around(body, start, end, *inside)
        else:
            yield ("html" if is_html else "markdown"), start, end
        position = end
    if body[position:].strip():
        yield "markdown", *_trimmed(body, position, len(body))


def _markdown_inside(body: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the content of an HTML block stands that kramdown reads as Markdown: an
    element alone on its first line with ``markdown="1"`` (or ``block``), closed alone
    on the block's last line; None for any other block."""
    opening = _MARKDOWN_OPENING.match(body, start, end)
    if opening is None:
        return None
    closing = re.compile(rf"\n[ \t]*</{opening.group(1)}\s*>[ \t]*", re.I)
    last = body.rfind("\n", opening.end() - 1, end)
    if last < opening.end() - 1 or not closing.fullmatch(body, last, end):
        return None
    return opening.end(), last


def _split_around(
    body: str, start: int, end: int, inner_start: int, inner_end: int
) -> Iterator[tuple[Kind, int, int]]:
    """The element's tags as HTML, its content as the segments it reads as."""
    yield "html", start, inner_start - 1
    inner = body[inner_start:inner_end]
    for kind, first, last in _markdown_spans(inner, nested=True):
        yield kind, inner_start + first, inner_start + last
    yield "html", inner_end + 1, end


def _tags_across_blank_lines(body: str) -> list[tuple[int, int]]:
    """Spans of the tags a blank line runs through (``<img alt="a\\n\\nb">``)."""
    spans: list[tuple[int, int]] = []
    if not _BLANK_LINE.search(body):
        return spans
    for candidate in _START_TAG_CANDIDATE.finditer(body):
        if not _BLANK_LINE.search(candidate.group()):
            continue
        tag = next(iter_tags(body, candidate.start(), candidate.end(), raw_text=False), None)
        if tag is not None and tag.start == candidate.start() and tag.end == candidate.end():
            spans.append((tag.start, tag.end))
    return spans


def _cut_inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """True when a block ``start``–``end`` ends inside one of these tags (in order,
    never overlapping) that starts in it."""
    index = bisect.bisect_left(spans, (end, end)) - 1
    return index >= 0 and start <= spans[index][0] < end < spans[index][1]


def _holder(open_elements: list[str]) -> str:
    """The open element a block after them would stand in: the outermost ``<pre>`` (or
    script, style, textarea) holds whatever is nested in it; else the innermost."""
    return next((name for name in open_elements if name in _RAW_CONTENT), open_elements[-1])


def _closes_later(body: str, position: int, name: str, closings: dict[str, int]) -> bool:
    """True when ``name`` is a heading, a table part or an element of raw content whose
    end tag comes after ``position``: its text set off by blank lines is still its own.
    ``closings`` remembers the end tags found (the positions asked about only grow)."""
    if name not in _NO_MARKDOWN_INSIDE and name not in _RAW_CONTENT:
        return False
    found = closings.get(name)
    if found is None or 0 <= found < position:
        match = re.compile(rf"</{name}\s*>", re.I).search(body, position)
        found = closings[name] = match.start() if match else -1
    return found >= 0


def _trimmed(body: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` without the blank lines at either end."""
    text = body[start:end]
    leading = len(text) - len(text.lstrip("\n \t"))
    leading = text.rfind("\n", 0, leading) + 1  # keep the first line's indentation
    return start + leading, start + len(text.rstrip())


def _open_elements(body: str, start: int, end: int, open_elements: list[str]) -> list[str]:
    """The non-void elements still open after ``body[start:end]``."""
    for tag in iter_tags(body, start, end):
        if tag.kind == "open":
            open_elements.append(tag.name)
        elif tag.kind == "close" and tag.name in open_elements:
            while open_elements.pop() != tag.name:
                pass
    return [name for name in open_elements if name not in ("p", "li")]


def _line_offsets(body: str) -> list[int]:
    offsets = [0]
    position = body.find("\n")
    while position >= 0:
        offsets.append(position + 1)
        position = body.find("\n", position + 1)
    return offsets


def _line_end(body: str, offsets: list[int], line: int) -> int:
    """The offset of the end of line ``line - 1`` (its newline not included)."""
    if line >= len(offsets):
        return len(body)
    return offsets[line] - 1


_RAW_START = re.compile(r"(<(pre|script|style|textarea)(?=[\s>/]))", re.I)
_TABLE_TAG = re.compile(r"<(/?)table(?=[\s>/])[^<>]*>", re.I)


def raw_html_blocks(body: str) -> list[tuple[int, int]]:
    """Spans of the ``<pre>`` (``<script>``, ``<style>``, ``<textarea>``) elements of a
    Markdown body, to their end tag, blank lines and all.

    A browser keeps such an element whole wherever it stands: nested in a list
    item its lines need not be indented, after text on a line it still holds
    every line up to its end tag. Converted apart, it stays in its place
    (:mod:`postconv.body`).
    """
    code = code_ranges(body)

    def in_code(offset: int) -> bool:
        return in_ranges(code, offset)

    tables = _Tables(body, in_code) if "<table" in body.lower() else None
    closings: dict[str, list[tuple[int, int]]] = {}
    spans: list[tuple[int, int]] = []
    position = 0
    for match in _RAW_START.finditer(body):
        start, name = match.start(1), match.group(2).lower()
        if start < position or in_code(start):
            continue
        if backslashes_before(body, start) % 2 or not _is_start_tag(body, start):
            continue
        if name not in closings:
            closings[name] = [m.span() for m in re.finditer(rf"</{name}\s*>", body, re.I)]
        ends = closings[name]
        index = bisect.bisect_left(ends, (start, start))
        if index == len(ends):
            continue
        table = tables.enclosing(start, ends[index][1]) if tables is not None else None
        if table is not None:  # a <pre> in a cell (a highlighter's gutter table): the table
            start, end = table
        else:
            line_start = body.rfind("\n", 0, start) + 1
            before = body[line_start:start]
            if before.strip() and _STARTS_WITH_TAG.match(before):
                continue  # after other tags on an HTML line: part of that HTML block
            if len(before.expandtabs(4)) >= 4 and _in_indented_code(body, start):
                continue
            end = ends[index][1]
        spans.append((start, end))
        position = end
    return spans


class _Tables:
    """The outermost ``<table>`` elements of a body, as ``(start, end)`` spans."""

    def __init__(self, body: str, in_code: Callable[[int], bool]) -> None:
        self.spans: list[tuple[int, int]] = []
        depth, opened = 0, 0
        for match in _TABLE_TAG.finditer(body):
            if in_code(match.start()):
                continue
            if not match.group(1):
                if depth == 0:
                    opened = match.start()
                depth += 1
            elif depth:
                depth -= 1
                if depth == 0:
                    self.spans.append((opened, match.end()))
        self.starts = [start for start, _ in self.spans]

    def enclosing(self, start: int, end: int) -> tuple[int, int] | None:
        index = bisect.bisect_right(self.starts, start) - 1
        if index >= 0 and self.spans[index][1] >= end:
            return self.spans[index]
        return None


def _in_indented_code(body: str, position: int) -> bool:
    """True when ``position`` is in an indented code block (at any depth: the parser
    knows a list item's content from code)."""
    return in_ranges(_indented_code(body), position)


@lru_cache(maxsize=4)
def _indented_code(body: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the indented code blocks of ``body``, in order."""
    offsets = _line_offsets(body)
    return sorted(
        (offsets[token.map[0]], _line_end(body, offsets, token.map[1]))
        for token in _block_parser().parse(body)
        if token.type == "code_block" and token.map is not None
    )


def _is_start_tag(body: str, start: int) -> bool:
    tag = next(iter_tags(body, start, min(len(body), start + 4096), raw_text=False), None)
    return tag is not None and tag.start == start and tag.kind == "open"


# ---------------------------------------------------------------- blocks


def markdown_blocks(body: str) -> list[str]:
    """Blank-line separated blocks; a fenced code block is one block, blank lines and all."""
    return [body[start:end] for start, end in _block_spans(body)]


def _block_spans(body: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` offsets of the blocks of ``body``."""
    if "```" not in body and "~~~" not in body:
        return _unfenced_block_spans(body)
    return _fenced_block_spans(body)


def _fenced_block_spans(body: str) -> Iterator[tuple[int, int]]:
    """Line by line, keeping a fenced code block whole, blank lines and all."""
    start: int | None = None
    end = 0
    fence: str | None = None
    position = 0
    for line in body.split("\n"):
        line_start, position = position, position + len(line) + 1
        opening = FENCE_LINE.match(line)
        if fence is not None:
            if opening and opening.group(1).startswith(fence) and not line[opening.end() :].strip():
                fence = None
            end = line_start + len(line)
            continue
        if opening:
            fence = opening.group(1)
        elif not line.strip(" \t\u3000"):
            if start is not None:
                yield start, end
                start = None
            continue
        if start is None:
            start = line_start
        end = line_start + len(line)
    if start is not None:
        yield start, end


def _unfenced_block_spans(body: str) -> Iterator[tuple[int, int]]:
    """The same spans for a body without code fences, found by regular expression."""
    for match in _NON_BLANK_LINES.finditer(body):
        yield match.start(), match.end()
