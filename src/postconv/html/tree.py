"""Small lxml tree operations the cleaning passes are written with.

Plain ``lxml.etree`` elements (not ``lxml.html``'s, whose per-access class
lookup cost a tenth of the conversion time), so the few conveniences of
``lxml.html`` we need live here.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice

from lxml import etree

Element = etree._Element

_PARSER_OPTIONS = {"recover": True, "remove_blank_text": False, "huge_tree": True}
#: HTML5 void elements libxml2 does not know: it would make the rest of the page their content
_UNKNOWN_VOID = ("embed", "source", "track", "wbr", "keygen")


def parse_fragment(source: str) -> tuple[Element, bool]:
    """Parse an HTML fragment into a ``<div>`` root.

    Also says whether libxml2 stopped at its nesting limit (it then silently
    drops the rest of the text, so the caller must flatten and parse again).
    """
    parser = etree.HTMLParser(**_PARSER_OPTIONS)
    document = etree.fromstring(f"<html><body>{source}</body></html>", parser)
    root = document.find("body")
    if root is None:  # pragma: no cover - libxml2 always makes a body for this input
        root = etree.SubElement(document, "body")
    root.tag = "div"
    too_deep = any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log)
    for void in list(root.iter(*_UNKNOWN_VOID)):
        _empty_void(void)
    return root, too_deep


def _empty_void(element: Element) -> None:
    """Move what libxml2 put inside a void element out, right after it, in order."""
    children = list(element)
    if element.text is None and not children:
        return
    tail = element.tail
    element.tail, element.text = element.text, None
    for child in reversed(children):
        element.addnext(child)
    if children:
        children[-1].tail = (children[-1].tail or "") + (tail or "")
    else:
        element.tail = (element.tail or "") + (tail or "")


def elements(root: Element, *tags: str) -> list[Element]:
    """Elements below ``root`` (a snapshot, safe to mutate while looping)."""
    return list(root.iterdescendants(*tags)) if tags else list(root.iterdescendants(_ELEMENTS))


_ELEMENTS = etree.Element  # as a tag filter: elements, no comments nor processing instructions


# (descendant:: rather than .//, whose descendant-or-self::node() step lists every node)
_TEXTS_WITH_NEWLINE = etree.XPath("descendant::text()[contains(., '\n')]")


def has_descendant(root: Element, *tags: str) -> bool:
    """Whether an element named in ``tags`` stands below ``root``: lxml's tag-filtered
    walk, far cheaper than an XPath over the whole tree (most posts hold no code)."""
    return next(root.iterdescendants(*tags), None) is not None


def texts_with_newlines(root: Element, outside: tuple[str, ...]) -> list:
    """The text nodes (texts and tails, lxml smart strings) of ``root`` holding a line
    break, except those inside an element named in ``outside`` (``pre``, ``code``…).

    One XPath without ancestor tests; the ancestors are looked at only when the
    tree has such elements at all (most posts have no code).
    """
    texts = _TEXTS_WITH_NEWLINE(root)
    excluded = set(root.iter(*outside)) if outside else set()
    if not excluded:
        return texts
    return [text for text in texts if not text_inside(text, excluded)]


def text_inside(text, elements: set[Element]) -> bool:
    """True when the text node ``text`` stands inside one of ``elements``."""
    holder = text.getparent()
    if text.is_tail:
        holder = holder.getparent()
    return holder is not None and (
        holder in elements or any(ancestor in elements for ancestor in holder.iterancestors())
    )


def owner_table(element: Element) -> Element | None:
    """The table a row or a cell belongs to: its nearest ``<table>`` ancestor."""
    return next(element.iterancestors("table"), None)


def text_of(element: Element) -> str:
    return "".join(element.itertext())


def new(tag: str, *children: Element, text: str | None = None) -> Element:
    element = etree.Element(tag)
    element.text = text
    element.extend(children)
    return element


def empty_copy(element: Element) -> Element:
    """A new element with ``element``'s tag and attributes, no content.

    libxml2 accepts tag names that lxml refuses to create (``<cod<``): such
    junk becomes a ``<span>``, which the cleaning unwraps anyway.
    """
    try:
        return element.makeelement(element.tag, dict(element.attrib))
    except ValueError:
        return etree.Element("span")


def append_text_before(element: Element, text: str) -> None:
    """Put ``text`` right before ``element``: after its previous sibling, or its parent's text."""
    _append_text(element.getparent(), element.getprevious(), text)


def _append_text(parent: Element, previous: Element | None, text: str) -> None:
    if previous is None:
        parent.text = (parent.text or "") + text
    else:
        previous.tail = (previous.tail or "") + text


def drop_tree(element: Element) -> None:
    """Remove ``element`` and its content, keeping its tail text."""
    parent = element.getparent()
    if element.tail:
        _append_text(parent, element.getprevious(), element.tail)
    parent.remove(element)


detach = drop_tree  # taking an element out to reuse it: same steps, its tail stays behind


def drop_tag(element: Element) -> None:
    """Remove the tag of ``element``, keeping its text and children in place."""
    parent = element.getparent()
    previous = element.getprevious()
    if element.text:
        _append_text(parent, previous, element.text)
    if element.tail:
        if len(element):
            last = element[-1]
            last.tail = (last.tail or "") + element.tail
        else:
            _append_text(parent, previous, element.tail)
        element.tail = None
    for child in reversed(element):
        element.addnext(child)
    parent.remove(element)


def drop_tags(elements: list[Element]) -> None:
    """:func:`drop_tag` for many elements at once, in time linear in the size of their
    parents: one by one, each unwrapping would copy the growing text beside it
    (160,000 ``<span>`` in a paragraph: quadratic). Nested ones may be among them."""
    doomed = set(elements)
    by_parent: dict[Element, list[Element]] = {}
    for element in elements:
        parent = element.getparent()
        if parent is not None:
            by_parent.setdefault(parent, []).append(element)
    # the innermost first: an unwrapped element's content moves up into its own parent
    for parent in sorted(by_parent, key=lambda node: -sum(1 for _ in node.iterancestors())):
        _unwrap_children(parent, doomed)


def _unwrap_children(parent: Element, doomed: set[Element]) -> None:
    """Rebuild ``parent``'s content with its children in ``doomed`` unwrapped."""
    text: list[str] = [parent.text or ""]
    sequence: list[tuple[Element, list[str]]] = []  # the children to be, and their tails
    for node in list(parent):
        if node in doomed:
            (sequence[-1][1] if sequence else text).append(node.text or "")
            sequence.extend((child, [child.tail or ""]) for child in node)
            (sequence[-1][1] if sequence else text).append(node.tail or "")
        else:
            sequence.append((node, [node.tail or ""]))
    for node in list(parent):
        parent.remove(node)
    parent.text = "".join(text) or None
    for node, tail in sequence:
        parent.append(node)  # (moved out of an unwrapped element)
        node.tail = "".join(tail) or None


def only_child(element: Element, strip: Callable[[str], str]) -> Element | None:
    """The single child element when ``element`` holds nothing else but whitespace."""
    children = list(islice(element.iterchildren(etree.Element), 2))  # a second one is enough
    if len(children) != 1 or strip(element.text or ""):
        return None
    child = children[0]
    return None if strip(child.tail or "") else child


def wrap_content(element: Element, tag: str) -> None:
    """Put all of ``element``'s content inside a new ``<tag>`` child."""
    wrapper = new(tag, *list(element), text=element.text)
    element.text = None
    element.append(wrapper)


def split(paragraph: Element, is_boundary: Callable[[Element], bool], keep_boundary: bool) -> None:
    """Cut ``paragraph`` into paragraphs at each child where ``is_boundary`` holds.

    Only pieces with content are made: splitting nested paragraphs inside out
    must not multiply empty ones (that was exponential in the depth).
    """
    boundaries = {child for child in paragraph if is_boundary(child)}  # before anything moves
    pieces: list[Element] = []
    current: Element | None = None
    if paragraph.text and paragraph.text.strip():
        current = new(paragraph.tag, text=paragraph.text)
        pieces.append(current)
    for child in list(paragraph):
        if child not in boundaries:
            if current is None:
                current = new(paragraph.tag)
                pieces.append(current)
            current.append(child)
            continue
        tail, child.tail = child.tail, None
        if keep_boundary:
            pieces.append(child)
        current = None
        if tail and tail.strip():
            current = new(paragraph.tag, text=tail)
            pieces.append(current)
    tail, paragraph.tail = paragraph.tail, None
    for piece in pieces:
        paragraph.addprevious(piece)
    if tail:
        _append_text(paragraph.getparent(), paragraph.getprevious(), tail)
    paragraph.getparent().remove(paragraph)
