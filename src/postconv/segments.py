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
_HTML_TAG = re.compile(rf"(?<!\\)<(?:/?(?:{_TAG_NAMES})(?=[\s/>])|!--|!\[CDATA\[|\?[a-zA-Z])", re.I)
# containers whose content may hold blank lines that belong to them
_CONTAINER = re.compile(
    r"<(/?)(pre|table|ul|ol|dl|div|blockquote|figure|center|script|style|textarea|section"
    r"|article|object|video|audio|!--)\b|(-->)",
    re.I,
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
    """Split ``body`` into consecutive HTML and Markdown segments."""
    segments: list[Segment] = []
    open_containers = 0
    for block in markdown_blocks(body):
        is_html = open_containers > 0 or (_FENCE.match(block) is None and _has_html_tag(block))
        if is_html:
            open_containers = max(0, open_containers + _container_balance(block))
        kind: Kind = "html" if is_html else "markdown"
        if segments and segments[-1].kind == kind:
            segments[-1] = Segment(kind, segments[-1].text + "\n\n" + block)
        else:
            segments.append(Segment(kind, block))
    return segments


def markdown_blocks(body: str) -> list[str]:
    """Blank-line separated blocks; a fenced code block is one block, blank lines and all."""
    blocks: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in body.split("\n"):
        if fence is not None:
            current.append(line)
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = opening.group(1)
        if not line.strip(" \t\u3000") and fence is None:
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def _has_html_tag(block: str) -> bool:
    """True when ``block`` holds a tag outside code spans and not escaped (``\\<a>``)."""
    if _HTML_TAG.search(block) is None:
        return False
    return "`" not in block or _HTML_TAG.search(_CODE_SPAN.sub("", block)) is not None


def _container_balance(block: str) -> int:
    balance = 0
    for closing, name, comment_end in _CONTAINER.findall(block):
        if comment_end:
            balance -= 1
        elif name:
            balance += -1 if closing else 1
    return balance
