"""Which language a post body is written in: HTML (with a Markdown tail) or Markdown.

``--body html`` and ``--body markdown`` say it; ``auto`` (the default) weighs
the body, with the file name's extension as a hint:

- A body without any HTML tag is Markdown (plain text is Markdown too).
- Otherwise two counts are compared. *HTML markup*: the tags Markdown has a
  syntax for (``p``, ``br``, ``em``/``i``, ``strong``/``b``, ``h1``–``h6``,
  ``blockquote``, ``ul``/``ol``/``li``, ``pre``, ``code``, ``hr``): an author
  who wrote them wrote HTML. Links, images, ``div``, ``span``, tables and
  embeds are left out, and so is whatever stands inside a table, a ``<dl>`` or
  an embed: Markdown authors write those as HTML too (and so does postconv,
  whose output must read as Markdown again), and a ``<br>`` in a pipe table's
  row or an ATX heading. Tags in code and escaped ones never count. *Markdown
  syntax*, outside HTML blocks, code and template tags: reference definitions
  and fences (3 each), links and images, ATX headings, code spans and thematic
  breaks (2), emphasis, backslash escapes, hard breaks and list items (1),
  kramdown attribute lists and table delimiter rows (3). The blocks a news post
  ends with (a bare URL, a line of links) and ``>`` digest lines do not count:
  HTML posts have them too (a table delimiter row in a quote still does).
- The body is Markdown when its Markdown count, times the extension's weight,
  is at least its HTML count (postconv's own output, which keeps ``<sup>``,
  ``<dl>`` and spanning tables as HTML, reads as Markdown again).
  The weight is 4 for ``.md .markdown .mkd .mkdn .mdown`` (a Markdown file
  stays Markdown unless HTML clearly dominates, as in WordPress exports saved
  as ``.markdown``), 1/4 for ``.html .htm .xhtml`` and 1 otherwise (``.txt``,
  standard input). A ``.html`` file's HTML count starts at 1: Jekyll and Hugo
  never read such a file as Markdown, so only clear Markdown (4 points)
  overrules its name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Literal

from postconv.post.markdown_code import backslashes_before, code_ranges
from postconv.post.segments import is_markdown_tail

Dialect = Literal["html", "markdown"]
BODY_CHOICES = ("auto", "html", "markdown")
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mkdn", ".mdown")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")

_HTML_MARKUP = frozenset(
    {"p", "br", "em", "i", "strong", "b", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    | {"ul", "ol", "li", "pre", "code", "hr"}
)
#: raw HTML that Markdown keeps as HTML (postconv's own output too): what is inside
#: says nothing about the language of the rest
_KEPT_AS_HTML = frozenset({"table", "dl", "iframe", "video", "audio", "object", "embed"})
# any start or end tag (its name, and the end tag's slash), or a comment
_ANY_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>")
_COUNTED_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*(?=[\s/>])(?=[^<>]*>)|!--)")
_BLOCKS = re.compile(r"^[ \t]*\S.*(?:\n[ \t]*\S.*)*", re.M)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)
_BLOCK_TAG_NAMES = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd"
    "|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset"
    "|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol"
    "|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title"
    "|tr|track|ul"
)
_ATTRIBUTES = r"""(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*"""
#: CommonMark's HTML block starts (kinds 1 to 7): a line that starts with any other
#: tag (``<strong>2. Gzip</strong>``) starts a paragraph, Markdown like any other
_HTML_BLOCK_START = re.compile(
    r" {0,3}(?:<(?:pre|script|style|textarea)(?:[\s>]|$)|<!--|<\?|<![A-Za-z]|<!\[CDATA\["
    rf"|</?(?:{_BLOCK_TAG_NAMES})(?:[\s>]|/>|$)"
    rf"|(?:<[A-Za-z][A-Za-z0-9-]*{_ATTRIBUTES}\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)[ \t]*(?:\n|$))",
    re.I,
)
_FENCE_LINE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})", re.M)
_INDENTED_TAG = re.compile(r"^(?: {4}|\t)[ \t]*<", re.M)
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_TABLE_DELIMITER_ROW = re.compile(
    r"^(?:\|[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|"  # | --- | (one column or more)
    r"|\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?)[ \t]*$",  # --- | ---
    re.M,
)
_ROW_OR_HEADING = re.compile(
    r"(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t])))*"  # quote and list markers
    r"[ \t]*(?:\||#{1,6}[ \t])"
)
_QUOTE_MARKER = re.compile(r"^ {0,3}> ?", re.M)
#: each pattern with its weight, and the strings it cannot match without one of (none:
#: no such string): most blocks of prose hold none, and looking for a string costs far
#: less than a search
_WEIGHED: tuple[tuple[re.Pattern[str], int, tuple[str, ...]], ...] = (
    (re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S", re.M), 3, ("]:",)),  # reference definition
    (  # link
        re.compile(r"!?\[[^\]\n]*\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\)|\]\[[^\]\n]*\]"),
        2,
        ("](", "]["),
    ),
    (re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.M), 2, ("#",)),  # ATX heading
    # emphasis: ``*`` may stand inside a word (CJK text has no spaces), ``_`` may not
    (
        re.compile(r"(?<![A-Za-z0-9*\\])(\*\*?)(?=\S)[^*\n]{0,200}?\S\1(?![A-Za-z0-9*])"),
        1,
        ("*",),
    ),
    (re.compile(r"(?<![\w\\])(__?)(?=\S)[^_\n]{0,200}?\S\1(?!\w)"), 1, ("_",)),
    (re.compile(r"`[^`\n]+`"), 2, ("`",)),  # code span (rare in text, unlike * and _)
    (  # thematic break (or a setext underline): a line of three or more alone
        re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$", re.M),
        2,
        ("-", "*", "_"),
    ),
    (re.compile(r"\\[\\`*_{}\[\]()#+\-.!<>]|\\$", re.M), 1, ("\\",)),  # escape, hard break
    (re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?!.*<br)\S", re.M), 1, ()),  # list item
    (re.compile(r"^\{:.*\}[ \t]*$", re.M), 3, ("{:",)),  # kramdown attribute list
    (_TABLE_DELIMITER_ROW, 3, ("|",)),
)


@dataclass(frozen=True)
class Evidence:
    """How much of a body is written in each language (see the module docstring)."""

    tags: int
    html: int
    markdown: int


def decide(body: str, choice: str = "auto", name: str | None = None) -> Dialect:
    """The dialect of ``body``: ``choice`` unless it is ``auto``, else by content."""
    if choice in ("html", "markdown"):
        return choice  # type: ignore[return-value]
    weight = _weight(name)
    syntax = _markdown_syntax(body)
    markdown = next(syntax)
    # a .html file starts as HTML: its Markdown must outweigh that
    base = 1 if weight < 1 else 0
    totals = chain((0,), _html_markup(body)) if base else _html_markup(body)
    # both counts run only as far as the verdict needs (most bodies settle early)
    for html in totals:
        html += base
        while markdown * weight < html:
            markdown = next(syntax, None)
            if markdown is None:
                return "html"
    return "markdown"


def _weight(name: str | None) -> float:
    suffix = name[name.rfind(".") :].lower() if name and "." in name else ""
    if suffix in MARKDOWN_SUFFIXES:
        return 4
    if suffix in HTML_SUFFIXES:
        return 0.25
    return 1


def weigh(body: str) -> Evidence:
    """Count HTML markup and Markdown syntax in ``body`` (see the module docstring)."""
    html = tags = markdown = 0
    for html in _html_markup(body):  # noqa: B007 - the last running total
        tags = 1
    for markdown in _markdown_syntax(body):  # noqa: B007 - the last running total
        pass
    return Evidence(tags=tags, html=html, markdown=markdown)


def _markdown_syntax(body: str) -> Iterator[int]:
    """The running total of Markdown syntax, block by block (and 0 first)."""
    markdown = 0
    yield markdown
    fence: str | None = None
    for block in _BLOCKS.finditer(body):
        text = block.group()
        if fence is not None or _FENCE.match(text):
            markdown += 3 if fence is None else 0
            fence = _fence_state(text, fence)
            yield markdown
            continue
        if _HTML_BLOCK_START.match(text):
            continue
        inner_fence = _FENCE_LINE.search(text, 1)
        if inner_fence:  # a fence interrupts a paragraph
            fence = _fence_state(text[inner_fence.start() :], None)
            text = text[: inner_fence.start()]
            markdown += 3
        if is_markdown_tail(text):  # but a table in a quote is no digest line
            markdown += 3 * len(_TABLE_DELIMITER_ROW.findall(_QUOTE_MARKER.sub("", text)))
            yield markdown
            continue
        text = _without_tags(text)  # an attribute's underscores are not Markdown
        for pattern, weight, needles in _WEIGHED:
            if not needles or any(needle in text for needle in needles):
                markdown += weight * len(pattern.findall(text))
        yield markdown


def _without_tags(text: str) -> str:
    """Tags out of the way (an attribute's underscores are no emphasis), each left as
    a mark that is not a space: ``<b>1) Be patient</b>`` starts no list item."""
    return _ANY_TAG.sub("\ufffc", text) if "<" in text else text


def _html_markup(body: str) -> Iterator[int]:
    """The running total of tags Markdown has a syntax for, outside code and
    kept-as-HTML elements, at each tag (none: the body has no tag at all)."""
    code = code_ranges(body)
    if _INDENTED_TAG.search(body):
        code = sorted([*code, *_indented_code(body)])
    index = markup = 0
    kept: list[str] = []
    for match in _COUNTED_TAG.finditer(body):
        start = match.start()
        while index < len(code) and code[index][1] <= start:
            index += 1
        if index < len(code) and code[index][0] <= start:
            continue
        if body[start - 1 : start] == "\\" and backslashes_before(body, start) % 2:
            continue  # an escaped "<" is text
        closing, name = match.group(1), match.group(2).lower()
        if name in _KEPT_AS_HTML:
            if not closing:
                kept.append(name)
            elif name in kept:
                while kept.pop() != name:
                    pass
        elif not kept and not closing and name in _HTML_MARKUP:
            markup += name != "br" or not _in_row_or_heading(body, start)
        yield markup


def _indented_code(body: str) -> list[tuple[int, int]]:
    """Blocks every line of which is indented four columns or more, after a paragraph
    of text or at the start: code, as a Markdown reader reads them (after a list item
    they are its content, after HTML the HTML's, as kramdown reads an open element).
    Close enough for counting; :mod:`postconv.post.segments` asks the parser."""
    spans: list[tuple[int, int]] = []
    after_text = True
    for block in _BLOCKS.finditer(body):
        lines = block.group().split("\n")
        if all(len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip()) >= 4 for line in lines):
            if after_text:
                spans.append(block.span())
        else:
            first = lines[0].lstrip()
            after_text = not first.startswith("<") and _LIST_ITEM.match(first) is None
    return spans


def _in_row_or_heading(body: str, position: int) -> bool:
    """True on a pipe table's row or an ATX heading: a ``<br>`` is how Markdown breaks
    a line there."""
    line_start = body.rfind("\n", 0, position) + 1
    return _ROW_OR_HEADING.match(body, line_start, position) is not None


def _fence_state(block: str, fence: str | None) -> str | None:
    """The fence still open after ``block`` (fenced code may hold blank lines)."""
    for line in block.split("\n"):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif (
            fence is not None
            and line.strip().startswith(fence)
            and not line.strip(fence[0] + " \t")
        ):
            fence = None
    return fence


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and not stripped.strip(fence[0])
