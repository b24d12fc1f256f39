"""Was any visible article text lost? Render both sides and compare.

Both the input body (HTML with Markdown lines) and the output Markdown are
rendered with markdown-it-py (raw HTML allowed), then reduced to the stream
of their visible word characters, link targets and image alts, in document
order. The output must contain the input's stream as a subsequence: text may
be added (a heading marker, ``https:``), moved punctuation and whitespace do
not count, but no letter, digit or CJK character may disappear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree, html
from markdown_it import MarkdownIt

from postconv.clean import is_hidden

_WORD = re.compile(r"\w+")
_INVISIBLE = {"script", "style", "template", "noscript", "head", "title"}
_md = MarkdownIt("commonmark", {"html": True}).enable("table")


def visible_words(markdown: str) -> str:
    """The visible word characters of ``markdown`` once rendered, in order."""
    rendered = _md.render(markdown)
    if not rendered.strip():
        return ""
    parser = html.HTMLParser(recover=True, huge_tree=True)
    root = html.fragment_fromstring(rendered, create_parent="div", parser=parser)
    return "".join(_WORD.findall(" ".join(_pieces(root))))


def _pieces(root: etree._Element) -> Iterator[str]:
    # iterative walk: inputs may nest deeper than Python's recursion limit.
    # The stack holds elements still to enter and strings (tails, link
    # targets) to emit once the elements above them are done.
    stack: list[etree._Element | str] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
            continue
        if item.tail and item is not root:
            stack.append(item.tail)
        if not isinstance(item.tag, str) or item.tag in _INVISIBLE or is_hidden(item):
            continue
        if item.tag == "a" and item.get("href"):
            stack.append(item.get("href"))
        stack.extend(reversed(item))
        if item.tag == "img":
            yield item.get("alt", "")
        if item.text:
            yield item.text


def lost_text(source: str, output: str) -> str | None:
    """Return the first missing stretch of ``source``'s visible text in ``output``, or None."""
    wanted = visible_words(source)
    found = visible_words(output)
    position = 0
    for index, char in enumerate(wanted):
        position = found.find(char, position)
        if position < 0:
            return wanted[max(0, index - 10) : index + 20]
        position += 1
    return None
