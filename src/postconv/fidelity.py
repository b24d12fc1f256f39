"""Was any visible article text lost? Read both sides as a reader sees them and compare.

The input body is read in its dialect, cut as the conversion cuts it
(:mod:`postconv.post.segments`): its HTML segments as a browser parses them,
its Markdown segments rendered with markdown-it-py (raw HTML allowed), code
shortcodes as the code they show and template tags as their text. The output
Markdown is rendered with markdown-it-py. Both are reduced to the stream of
their visible word characters, link targets and image alts, in document
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
from postconv.post.markdown_code import repair_outside_code
from postconv.post.placeholders import Item, Placeholders
from postconv.post.reading import read
from postconv.text import repair_escaped_slashes

_WORD = re.compile(r"\w+")
# WordPress [caption …] shortcode markup is not text; the caption inside it is
_SHORTCODE_TAGS = re.compile(r"\[/?caption\b[^\]]*\]", re.I)
# the footer rewrites "文章来源：X" as "来源：X": labels are not article text
_LABELS = re.compile(ATTRIBUTION_LABELS, re.I)
# where a block token stood, while a segment is rendered around it
_MARK, _MARK_END = "\ue0f0", "\ue0f1"
_MARKED = re.compile(f"{_MARK}(\\d+){_MARK_END}")
# what is inside an embed is fallback content: browsers show the embed instead
_EMBEDS = frozenset({"iframe", "object", "video", "audio"})
_md = MarkdownIt("commonmark", {"html": True}).enable("table")


def visible_words(markdown: str, link_targets: bool = False, env: dict | None = None) -> str:
    """The visible word characters of ``markdown`` once rendered, in order.

    With ``link_targets`` each link's URL follows its text (a footer turns
    ``<http://…>`` into ``[name](http://…)``: the URL is kept, not shown).
    Without, links that only navigate (``[返回首页](…)``) are left out.
    Attribution labels (文章来源, Source) do not count: the footer rewrites them.
    """
    rendered = _md.render(_SHORTCODE_TAGS.sub(" ", markdown), {} if env is None else env)
    words = html_words(rendered, link_targets)
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
        if item.tag in _EMBEDS:
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


def source_words(body: str, body_choice: str = "auto", name: str | None = None) -> str:
    """The visible word characters of a post body, read in its dialect, in order.

    Read as the conversion reads it (:func:`postconv.post.reading.read`): HTML
    segments as a browser parses them, Markdown segments rendered (with the
    reference definitions of the whole body), template tags as the Markdown
    text they stay, code shortcodes as their code, a Markdown body's ``<pre>``
    blocks as HTML, each in its place.
    """
    reading = read(body, body_choice, name)
    placeholders = reading.placeholders
    env: dict = {}  # reference definitions reach across segments: collect them all first
    _md.parse("\n\n".join(p.text for p in reading.segments if p.kind == "markdown"), env)
    fragments: list[str] = []
    for part in reading.segments:
        if part.kind == "html":
            text = repair_escaped_slashes(part.text)
        else:
            text = repair_outside_code(part.text, repair_escaped_slashes)
        marked: list[str] = []
        blocks: list[str] = []
        for piece, item in placeholders.blocks(text):
            if item is None:
                marked.append(placeholders.restore(piece))
            else:
                marked.append(f"{_MARK}{len(blocks)}{_MARK_END}")
                blocks.append(_block_html(item, placeholders, env))
        fragment = "".join(marked)
        if part.kind != "html":  # Markdown, or a Markdown body's indented code
            fragment = _md.render(_SHORTCODE_TAGS.sub(" ", fragment), env)
        fragments.append(_MARKED.sub(lambda m, found=blocks: found[int(m.group(1))], fragment))
    return _LABELS.sub("", "".join(html_words(_SHORTCODE_TAGS.sub(" ", f)) for f in fragments))


def _block_html(item: Item, placeholders: Placeholders, env: dict) -> str:
    """The HTML a reader sees for a block token: raw HTML as written, code as code,
    a block template as the Markdown it stays in the output."""
    if item.html is not None:
        return placeholders.html(item.html)
    return _md.render(placeholders.text(item), env)


def lost_text(
    source: str, output: str, body_choice: str = "auto", name: str | None = None
) -> str | None:
    """The first stretch of the source body's visible text missing from the output body.

    ``source`` and ``output`` are post bodies (no front matter); None when
    nothing is missing.
    """
    wanted = source_words(source, body_choice, name)
    return first_missing(wanted, visible_words(output, link_targets=True))


def first_missing(wanted: str, found: str) -> str | None:
    """None when ``wanted`` is a subsequence of ``found``, else the stretch around the miss."""
    position = 0
    for index, char in enumerate(wanted):
        position = found.find(char, position)
        if position < 0:
            return wanted[max(0, index - 10) : index + 20]
        position += 1
    return None
