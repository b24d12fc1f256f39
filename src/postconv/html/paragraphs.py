"""Blank lines and ``<br><br>`` in raw HTML are paragraph breaks, as WordPress shows them.

WordPress stores posts without ``<p>`` tags and adds them when it shows a
post (``wpautop``): a blank line, or two ``<br>`` in a row, ends a paragraph
wherever it stands, inside a ``<div>``, a ``<blockquote>``, a list item too,
but never inside ``<pre>``, ``<code>``, ``<script>``, ``<style>`` or
``<textarea>``. Exporters (jekyll-import, wordpress-to-hugo) copy that raw
text, so the tree built from it has the blank lines in its text nodes.
:func:`blank_lines_to_paragraphs` turns them into the paragraphs WordPress
showed:

1. each blank-line run in a text node, each run of ``<br>`` (outside table
   cells, where they stay line breaks) and each empty block (``<div></div>``)
   becomes a break marker element;
2. a marker inside an inline element (``<strong>``, ``<a>``…) or a ``<p>``
   splits that element in two around it, as a browser closes and reopens
   them, until the marker stands in a block container;
3. in each container holding markers, the inline content between markers
   and blocks is wrapped in ``<p>``; the markers go.
"""

from __future__ import annotations

import re

from lxml import etree

from postconv.html import tree
from postconv.html.tree import Element

_MARKER = "postconv-break"
_BLANK_LINES = re.compile(r"\n[ \t\u3000]*\n[ \t\u3000\n]*")
_BREAKS_IN_CODE = etree.XPath(".//pre//br | .//code//br")
_NOT_PARAGRAPHS = ("pre", "code", "script", "style", "textarea", "kbd", "samp")
#: where paragraphs can stand: a marker stops climbing here
_FLOW_CONTAINERS = frozenset(
    {"div", "li", "td", "th", "dd", "blockquote", "section", "article", "header", "footer"}
    | {"main", "aside", "nav", "figure", "figcaption", "center", "form", "details", "body"}
    | {"caption", "fieldset", "address"}
)
#: where a blank line is only whitespace between children
_STRUCTURE = frozenset(
    {"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup", "select"}
)
_ONE_LINE = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "dt", "title", "option"})
#: children that are blocks of their own, never part of a paragraph
_BLOCKS = frozenset(
    {"p", "div", "ul", "ol", "dl", "table", "pre", "blockquote", "hr", "figure", "section"}
    | {"article", "header", "footer", "main", "aside", "nav", "form", "center", "address"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "details", "fieldset", "iframe", "video", "audio"}
    | {_MARKER}
)


def blank_lines_to_paragraphs(root: Element) -> None:
    """Turn the blank lines of raw HTML into paragraph breaks (see the module docstring)."""
    pending = _place_markers(root)
    containers: dict[int, Element] = {}
    while pending:  # one level up per round; all markers of a parent split it at once
        by_parent: dict[int, tuple[Element, list[Element]]] = {}
        for marker in pending:
            parent = marker.getparent()
            by_parent.setdefault(id(parent), (parent, []))[1].append(marker)
        pending = []
        for parent, markers in by_parent.values():
            if parent is root or parent.tag in _FLOW_CONTAINERS:
                containers[id(parent)] = parent
            elif parent.tag in _STRUCTURE or parent.tag in _ONE_LINE:
                for marker in markers:
                    _dissolve(marker, " " if parent.tag in _ONE_LINE else "")
            else:
                _split_at(parent, markers)
                pending.extend(markers)
    for container in containers.values():
        _wrap_paragraphs(container)


def _place_markers(root: Element) -> list[Element]:
    markers: list[Element] = _break_runs(root) + _empty_blocks(root)
    candidates = [text for text in tree.texts_with_newlines(root, ()) if _BLANK_LINES.search(text)]
    excluded = set(root.iter(*_NOT_PARAGRAPHS)) if candidates else set()
    for text in candidates:
        if excluded and tree.text_inside(text, excluded):
            continue
        pieces = _BLANK_LINES.split(text)
        owner = text.getparent()
        new = [tree.new(_MARKER) for _ in pieces[1:]]
        for marker, piece in zip(new, pieces[1:], strict=True):
            marker.tail = piece or None
        if text.is_tail:
            owner.tail = pieces[0] or None
            for marker in reversed(new):
                owner.addnext(marker)
        else:
            owner.text = pieces[0] or None
            for index, marker in enumerate(new):
                owner.insert(index, marker)
        markers.extend(new)
    return markers


def _break_runs(root: Element) -> list[Element]:
    """Each run of two or more ``<br>`` (whitespace between) becomes one marker."""
    markers: list[Element] = []
    for br in _loose_breaks(root):
        if (br.tail or "").strip():  # text after it: no run starts here (the cheap test first)
            continue
        if br.getparent() is None:  # already part of a run
            continue
        previous = br.getprevious()
        if previous is not None and previous.tag == "br" and not (previous.tail or "").strip():
            continue  # not the first of its run
        run = [br]
        following = br.getnext()
        while following is not None and following.tag == "br" and not (run[-1].tail or "").strip():
            run.append(following)
            following = following.getnext()
        if len(run) < 2 or _in_cell(br):
            continue
        marker = tree.new(_MARKER)
        marker.tail = run[-1].tail
        br.addprevious(marker)
        for element in run:
            element.tail = None  # only whitespace between the breaks of a run
            tree.drop_tree(element)
        markers.append(marker)
    return markers


_EMPTY_BLOCKS = ("div", "p", "section", "article", "header", "footer", "center", "aside")


def _loose_breaks(root: Element) -> list[Element]:
    """The ``<br>`` outside ``<pre>`` and ``<code>``, in document order (an ancestor test
    for each one cost more than the rest of the pass on a long run of them)."""
    breaks = list(root.iterdescendants("br"))
    if not breaks or not tree.has_descendant(root, "pre", "code"):
        return breaks
    in_code = set(_BREAKS_IN_CODE(root))  # the set keeps the proxies: membership is identity
    return [br for br in breaks if br not in in_code]


def _empty_blocks(root: Element) -> list[Element]:
    """An empty block (``text <div></div> text``, ``<p><br></p>``) still ends the line of
    text before it."""
    markers = []
    for block in list(root.iter(*_EMPTY_BLOCKS)):
        if block is not root and _shows_nothing(block):
            for child in list(block):
                block.remove(child)
            block.tag, block.text = _MARKER, None
            block.attrib.clear()
            markers.append(block)
    return markers


def _shows_nothing(block: Element) -> bool:
    """No text in it, nothing but line breaks."""
    return not (block.text or "").strip() and all(
        child.tag == "br" and not (child.tail or "").strip() for child in block
    )


def _in_cell(element: Element) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in ("td", "th"):
            return True
        if ancestor.tag in _FLOW_CONTAINERS:
            return False
    return False


def _dissolve(marker: Element, replacement: str) -> None:
    marker.tail = replacement + (marker.tail or "")
    tree.drop_tree(marker)


def _split_at(parent: Element, markers: list[Element]) -> None:
    """``<b>x[m]y[m]z</b>`` → ``<b>x</b>[m]<b>y</b>[m]<b>z</b>``: the markers rise a level.

    One pass over the children, whatever the number of markers.
    """
    is_marker = {id(marker) for marker in markers}
    pieces: list[Element] = []
    current: Element | None = None
    for child in list(parent):
        if id(child) in is_marker:
            current = tree.empty_copy(parent)
            current.text, child.tail = child.tail, None
            parent.remove(child)
            pieces += (child, current)
        elif current is not None:
            current.append(child)
    pieces[-1].tail, parent.tail = parent.tail, None
    anchor = parent
    for piece in pieces:
        anchor.addnext(piece)
        anchor = piece


def _wrap_paragraphs(container: Element) -> None:
    """Wrap each run of inline content between blocks and markers in a ``<p>``."""
    run: list[Element] = []
    leading = container.text
    container.text = None
    children = list(container)
    paragraphs: list[tuple[str | None, list[Element], Element | None]] = []
    text = leading
    for child in children:
        if isinstance(child.tag, str) and child.tag in _BLOCKS:
            paragraphs.append((text, run, child))
            run, text = [], child.tail
            child.tail = None
        else:
            run.append(child)
    paragraphs.append((text, run, None))
    for text, inline, block in paragraphs:
        if _has_content(text, inline):
            paragraph = tree.new("p", *inline, text=text)
            container.insert(len(container) if block is None else container.index(block), paragraph)
        elif inline:  # whitespace and empty inline elements: dropped with the run
            for element in inline:
                container.remove(element)
        if block is not None and block.tag == _MARKER:
            container.remove(block)


def _has_content(text: str | None, inline: list[Element]) -> bool:
    if text and text.strip():
        return True
    return any(
        (element.tail and element.tail.strip()) or not _is_blank(element) for element in inline
    )


def _is_blank(element: Element) -> bool:
    if not isinstance(element.tag, str):
        return True  # a comment
    if element.tag in ("img", "br", "iframe", "embed", "object", "input"):
        return element.tag == "br"
    return not "".join(element.itertext()).strip() and all(_is_blank(child) for child in element)
