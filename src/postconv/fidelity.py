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

from lxml import etree
from markdown_it import MarkdownIt

from postconv.html import tree
from postconv.html.clean import is_hidden
from postconv.html.nesting import INVISIBLE_TAGS, flatten_deep_html
from postconv.post.footer import ATTRIBUTION_LABELS, is_navigation

_WORD = re.compile(r"\w+")
# WordPress [caption …] shortcode markup is not text; the caption inside it is
_SHORTCODE_TAGS = re.compile(r"\[/?caption\b[^\]]*\]", re.I)
# the footer rewrites "文章来源：X" as "来源：X": labels are not article text
_LABELS = re.compile(ATTRIBUTION_LABELS, re.I)
_md = MarkdownIt("commonmark", {"html": True}).enable("table")


def visible_words(markdown: str, link_targets: bool = False) -> str:
    """The visible word characters of ``markdown`` once rendered, in order.

    With ``link_targets`` each link's URL follows its text (a footer turns
    ``<http://…>`` into ``[name](http://…)``: the URL is kept, not shown).
    Without, links that only navigate (``[返回首页](…)``) are left out.
    Attribution labels (文章来源, Source) do not count: the footer rewrites them.
    """
    words = html_words(_md.render(_SHORTCODE_TAGS.sub(" ", markdown)), link_targets)
    return _LABELS.sub("", words)


def html_words(fragment: str, link_targets: bool = False) -> str:
    """The visible word characters of an HTML fragment (no Markdown rendering), in order.

    Text and image alts count, link targets too with ``link_targets``; script,
    style and hidden elements do not. Safe on any nesting depth.
    """
    if not fragment.strip():
        return ""
    root, too_deep = tree.parse_fragment(fragment)
    if too_deep:  # libxml2 stopped and dropped the rest: deep text would vanish on both sides
        root, _ = tree.parse_fragment(flatten_deep_html(fragment))
    return "".join(_WORD.findall(" ".join(_pieces(root, link_targets))))


def _pieces(root: etree._Element, link_targets: bool) -> Iterator[str]:
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
        if not isinstance(item.tag, str) or item.tag in INVISIBLE_TAGS or is_hidden(item):
            continue
        if item.tag == "a":
            if link_targets and item.get("href"):
                stack.append(item.get("href"))
            elif not link_targets and is_navigation("".join(item.itertext())):
                continue
        stack.extend(reversed(item))
        if item.tag == "img":
            yield item.get("alt", "")
        if item.text:
            yield item.text


def lost_text(source: str, output: str) -> str | None:
    """Return the first missing stretch of ``source``'s visible text in ``output``, or None."""
    return first_missing(visible_words(source), visible_words(output, link_targets=True))


def first_missing(wanted: str, found: str) -> str | None:
    """None when ``wanted`` is a subsequence of ``found``, else the stretch around the miss."""
    position = 0
    for index, char in enumerate(wanted):
        position = found.find(char, position)
        if position < 0:
            return wanted[max(0, index - 10) : index + 20]
        position += 1
    return None
