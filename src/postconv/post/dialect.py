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
  whose output must read as Markdown again). Tags in code never count. *Markdown
  syntax*, outside HTML blocks, code and template tags: reference definitions
  and fences (3 each), links and images and ATX headings (2), emphasis, code
  spans, backslash escapes, hard breaks and list items (1), kramdown attribute lists and
  table delimiter rows (3). The blocks a news post ends with (a bare URL, a
  line of links) and ``>`` digest lines do not count: HTML posts have them too.
- The body is Markdown when its Markdown count, times the extension's weight,
  is at least its HTML count. The weight is 4 for ``.md .markdown .mkd .mkdn
  .mdown`` (a Markdown file stays Markdown unless HTML clearly dominates, as in
  WordPress exports saved as ``.markdown``), 1/4 for ``.html .htm .xhtml`` and 1
  otherwise (``.txt``, standard input).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from postconv.post.markdown_code import code_ranges
from postconv.post.segments import is_markdown_tail
from postconv.post.tags import iter_tags

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
_BLOCKS = re.compile(r"^[ \t]*\S.*(?:\n[ \t]*\S.*)*", re.M)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.M)
_HTML_BLOCK_START = re.compile(r" {0,3}<(?![a-zA-Z][\w+.-]*:[^\s<>]*>)(?:[A-Za-z/!?])")
_WEIGHED: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S", re.M), 3),  # reference definition
    (re.compile(r"!?\[[^\]\n]*\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\)|\]\[[^\]\n]*\]"), 2),  # link
    (re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.M), 2),  # ATX heading
    (re.compile(r"(?<![\w*])(\*\*?|__?)(?=\S)[^*_\n]{0,200}?\S\1(?![\w*])"), 1),  # emphasis
    (re.compile(r"`[^`\n]+`"), 1),  # code span
    (re.compile(r"\\[\\`*_{}\[\]()#+\-.!<>]|\\$", re.M), 1),  # backslash escape, hard break
    (re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?!.*<br)\S", re.M), 1),  # list item
    (re.compile(r"^\{:.*\}[ \t]*$", re.M), 3),  # kramdown attribute list
    (re.compile(r"^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$", re.M), 3),  # table
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
    evidence = weigh(body)
    if not evidence.tags:
        return "markdown"
    return "markdown" if evidence.markdown * _weight(name) >= evidence.html else "html"


def _weight(name: str | None) -> float:
    suffix = name[name.rfind(".") :].lower() if name and "." in name else ""
    if suffix in MARKDOWN_SUFFIXES:
        return 4
    if suffix in HTML_SUFFIXES:
        return 0.25
    return 1


def weigh(body: str) -> Evidence:
    """Count HTML markup and Markdown syntax in ``body`` (see the module docstring)."""
    html, tags = _html_markup(body)
    markdown = 0
    fence: str | None = None
    for block in _BLOCKS.finditer(body):
        text = block.group()
        if fence is not None or _FENCE.match(text):
            markdown += 3 if fence is None else 0
            fence = _fence_state(text, fence)
            continue
        if _HTML_BLOCK_START.match(text) or is_markdown_tail(text):
            continue
        text = _without_tags(text)  # an attribute's underscores are not Markdown
        for pattern, weight in _WEIGHED:
            markdown += weight * len(pattern.findall(text))
    return Evidence(tags=tags, html=html, markdown=markdown)


def _without_tags(text: str) -> str:
    if "<" not in text:
        return text
    pieces, position = [], 0
    for tag in iter_tags(text):
        pieces += (text[position : tag.start], " ")
        position = tag.end
    pieces.append(text[position:])
    return "".join(pieces)


def _html_markup(body: str) -> tuple[int, int]:
    """``(tags Markdown has a syntax for, all tags)`` outside code and kept-as-HTML elements."""
    code = code_ranges(body)
    index = markup = tags = 0
    kept: list[str] = []
    for tag in iter_tags(body):
        while index < len(code) and code[index][1] <= tag.start:
            index += 1
        if index < len(code) and code[index][0] <= tag.start:
            continue
        tags += 1
        if tag.name in _KEPT_AS_HTML:
            if tag.kind == "open":
                kept.append(tag.name)
            elif tag.kind == "close" and tag.name in kept:
                while kept.pop() != tag.name:
                    pass
        elif not kept and tag.name in _HTML_MARKUP and tag.kind != "close":
            markup += 1
    return markup, tags


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
