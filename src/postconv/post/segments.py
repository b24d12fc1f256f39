"""Cut a post body into HTML blocks and Markdown blocks.

Bodies mix the two: an HTML article followed by Markdown lines (an autolink
to the source, navigation links), ``> digest`` lines before the HTML, or
WordPress text where blank lines separate paragraphs. Blocks are runs of
lines separated by blank lines; a block holding an HTML tag is HTML, and so
is every block up to the one that closes a container it opened (a ``<pre>``
with blank lines inside stays whole). Fenced code is always Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

_TAG_NAMES = (
    "a|abbr|acronym|address|article|aside|audio|b|big|blockquote|body|br|button|caption|center"
    "|cite|code|col|colgroup|dd|del|details|dfn|div|dl|dt|em|embed|figcaption|figure|font|footer"
    "|form|h[1-6]|head|header|hr|html|i|iframe|img|input|ins|kbd|label|li|main|mark|nav|noscript"
    "|o:p|object|ol|option|p|param|picture|pre|q|s|samp|script|section|select|small|source|span"
    "|strike|strong|style|sub|summary|sup|svg|table|tbody|td|textarea|tfoot|th|thead|time|tr|tt"
    "|u|ul|var|video|wbr"
)
# not escaped (\<a>), not a link destination in brackets ([x](<s p a c e s>))
_HTML_TAG = re.compile(
    rf"(?<!\\)(?<!\]\()<(?:/?(?:{_TAG_NAMES})(?=[\s/>])|!--|!\[CDATA\[|\?[a-zA-Z])", re.I
)
# containers whose content may hold blank lines that belong to them
_CONTAINER = re.compile(
    r"<(/?)(pre|table|ul|ol|dl|div|blockquote|figure|center|script|style|textarea|section"
    r"|article|object|video|audio)\b|(<!--|<\?|<!\[CDATA\[)|(-->|\?>|\]\]>)",
    re.I,
)
# runs of lines that are not blank (blank: nothing but spaces, tabs, U+3000)
_NON_BLANK_LINES = re.compile(
    r"^[ \t\u3000]*[^ \t\u3000\n].*(?:\n[ \t\u3000]*[^ \t\u3000\n].*)*", re.M
)
_CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BLANK_LINES = re.compile(r"\n[ \t\u3000]*\n[ \t\u3000\n]*")

Kind = Literal["html", "markdown"]


@dataclass(frozen=True)
class Segment:
    kind: Kind
    text: str


def segment(body: str) -> list[Segment]:
    """Split ``body`` into consecutive HTML and Markdown segments.

    An HTML segment is an exact slice of ``body``: blank lines inside a
    ``<pre>`` stay as they were.
    """
    spans: list[tuple[Kind, int, int]] = []
    open_containers = 0
    for start, end in _block_spans(body):
        block = body[start:end]
        is_html = open_containers > 0 or (_FENCE.match(block) is None and _has_html_tag(block))
        if is_html:
            open_containers = max(0, open_containers + _container_balance(block))
        kind: Kind = "html" if is_html else "markdown"
        if spans and spans[-1][0] == kind:
            start = spans.pop()[1]
        spans.append((kind, start, end))
    return [Segment(kind, body[start:end]) for kind, start, end in spans]


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
        stripped = line.strip()
        if fence is not None:
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            end = line_start + len(line)
            continue
        opening = _FENCE.match(line)
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


def _has_html_tag(block: str) -> bool:
    """True when ``block`` holds a tag outside code spans and not escaped (``\\<a>``)."""
    if _HTML_TAG.search(block) is None:
        return False
    return "`" not in block or _HTML_TAG.search(_CODE_SPAN.sub("", block)) is not None


def _container_balance(block: str) -> int:
    balance = 0
    for closing, _name, opaque_start, opaque_end in _CONTAINER.findall(block):
        # comments, processing instructions and CDATA count as containers too
        if opaque_end:
            balance -= 1
        elif opaque_start or not closing:
            balance += 1
        else:
            balance -= 1
    return balance
