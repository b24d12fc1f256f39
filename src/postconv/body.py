"""A post body → its Markdown blocks, read in the body's dialect.

1. The body is read (:mod:`postconv.post.reading`): template tags and code
   shortcodes become tokens, the dialect is decided, the body is cut into HTML
   and Markdown segments.
2. HTML segments are parsed, cleaned and converted (:mod:`postconv.html.fragments`).
   Markdown segments are kept as written, except the HTML inside them: each
   ``<pre>`` block is converted where it stands (nested in a list item too),
   and so is each inline HTML island (:mod:`postconv.inline_html`). A Markdown
   body's indented code is kept as written, whatever tags it holds (fenced only
   where HTML before it became a list, which would take it in).

Template tokens are put back by the caller, once the footer has been read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from postconv.html.fragments import block_markdown
from postconv.html.needless import drop_needless_backslashes, reference_labels
from postconv.inline_html import convert_inline_html
from postconv.options import Options
from postconv.post.dialect import Dialect
from postconv.post.markdown_code import code_ranges, in_ranges, repair_outside_code
from postconv.post.placeholders import Placeholders
from postconv.post.reading import Reading, read
from postconv.post.segments import markdown_blocks, segment
from postconv.text import fence_for, repair_escaped_slashes, strip_edges

_HARD_BREAK = re.compile(r"(?: {2,}|\\)$")
_TRAILING_SPACE = re.compile(r"[^\S\n](?:\n|\Z)")  # (what a line's rstrip() takes)
_LIST_START = re.compile(r" {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_INNER_LINE = re.compile(r"\n([^\n]*)")
#: what kind of block a line opens (indented lines continue the block above them)
_BLOCK_KIND = re.compile(
    r" {0,3}(?:(?P<fence>`{3}|~{3})|(?P<list>(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$))|(?P<quote>>)"
    r"|(?P<table>\|)|(?P<html><[A-Za-z/!?])|(?P<heading>#{1,6}(?:[ \t]|$))"
    r"|(?P<rule>(?:[-=][ \t]*)+$))"
)


@dataclass
class Body:
    """A converted body: its Markdown blocks, and how it was read (the tokens still to
    put back are its reading's placeholders)."""

    blocks: list[str]
    reading: Reading

    @property
    def placeholders(self) -> Placeholders:
        return self.reading.placeholders

    @property
    def dialect(self) -> Dialect:
        return self.reading.dialect


def convert_body(body: str, options: Options, name: str | None = None) -> Body:
    """Convert ``body`` to Markdown blocks (joined later by blank lines)."""
    reading = read(body, options.body, name)
    placeholders = reading.placeholders
    _convert_html_items(placeholders, options)
    references = reference_labels(p.text for p in reading.segments if p.kind == "markdown")
    blocks: list[str] = []
    for part in reading.segments:
        if part.kind == "html":
            markdown = block_markdown(placeholders.html(part.text), options)
            pieces = [
                drop_needless_backslashes(b, references, expand=placeholders.restore)
                for b in _blocks_of(markdown)
            ]
        elif part.kind == "code":
            pieces = [_fenced(part.text) if _ends_in_list(blocks) else part.text]
        else:
            markdown = part.text
            if "&#" in markdown:  # (what the repair looks for: no code to find without it)
                markdown = repair_outside_code(markdown, repair_escaped_slashes)
            converted = convert_inline_html(markdown, options, placeholders, references)
            # a Markdown segment is one top-level block, unless its HTML changed that
            pieces = [converted] if converted == part.text else _blocks_of(converted)
        if placeholders.has_separate(pieces):
            pieces = _blocks_of(placeholders.restore_separate("\n\n".join(pieces)))
        if part.kind == "code":  # its trailing spaces are code too
            blocks.extend(piece.strip("\n") for piece in pieces)
        else:
            blocks.extend(_tidy(block) for block in pieces)
    return Body([block for block in blocks if strip_edges(block)], reading)


def _fenced(indented: str) -> str:
    """An indented code block as a fenced one: after a list (HTML converted to one),
    its indentation would make it the last item's content."""
    code = "\n".join(_outdented(line) if line.strip() else "" for line in indented.split("\n"))
    fence = fence_for(code)
    return f"{fence}\n{code}\n{fence}"


def _ends_in_list(blocks: list[str]) -> bool:
    """True when the last of ``blocks`` belong to a list (an item, and its indented
    paragraphs after it)."""
    for block in reversed(blocks):
        if not block[:1].isspace():
            return _LIST_START.match(block) is not None
    return False


def _outdented(line: str) -> str:
    """``line`` without the four columns of indentation that made it code."""
    column = index = 0
    while index < len(line) and column < 4 and line[index] in " \t":
        column = column + 1 if line[index] == " " else (column // 4 + 1) * 4
        index += 1
    return line[index:]


def _blocks_of(markdown: str) -> list[str]:
    """Blocks cut as a Markdown reader cuts them: a paragraph and the list right under
    it are two blocks, a blank line apart, as a second run would write them; a fence
    in a list item is one block, blank lines and all.

    Blank lines cut most; the block parser is asked only where a line inside a block
    could open another one (a list, a quote, a fence, HTML…).
    """
    blocks: list[str] = []
    for block in markdown_blocks(markdown):
        if _may_hold_two_blocks(block):
            blocks.extend(part.text for part in segment(block, "markdown"))
        else:
            blocks.append(block)
    return blocks


def _may_hold_two_blocks(block: str) -> bool:
    """True when a line after the first could open a block of another kind."""
    first = _kind(block)
    if first == "fence" or "\n" not in block:
        return False
    inner = (_kind(match.group(1)) for match in _INNER_LINE.finditer(block))
    return any(kind not in (first, "text") for kind in inner)


def _kind(line: str) -> str:
    found = _BLOCK_KIND.match(line)
    return found.lastgroup or "text" if found else "text"


def _convert_html_items(placeholders: Placeholders, options: Options) -> None:
    """The ``<pre>`` blocks a Markdown body's reading set apart, converted where they stand."""
    for index, item in enumerate(placeholders.items):
        if item.html is not None:
            markdown = block_markdown(placeholders.html(item.html), options).strip("\n")
            placeholders.items[index] = replace(item, text=markdown)


def _tidy(block: str) -> str:
    """Trailing spaces go, except a hard line break inside the block and code's own
    (a fence in a list item too); no edge newlines."""
    if block.lstrip().startswith(("```", "~~~")):
        return block.rstrip()
    if (" " not in block and "\t" not in block) or not _TRAILING_SPACE.search(block):
        return block.strip("\n")
    code = code_ranges(block) if "```" in block or "~~~" in block else []
    lines = block.split("\n")
    last = len(lines) - 1
    tidy, end = [], -1
    for index, line in enumerate(lines):
        end += len(line) + 1  # the offset of the line's newline
        keep = index < last and (_HARD_BREAK.search(line) or in_ranges(code, end))
        tidy.append(line if keep else line.rstrip())
    return "\n".join(tidy).strip("\n")
