"""The lxml tree, handed to markdownify as the BeautifulSoup tree it works on."""

from __future__ import annotations

import threading

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag

from postconv.html.tree import Element

_SOUPS = threading.local()


def _empty_soup() -> BeautifulSoup:
    """One soup per thread, emptied for each conversion: making a new one costs more
    than a small fragment's whole conversion."""
    soup = getattr(_SOUPS, "soup", None)
    if soup is None:
        soup = _SOUPS.soup = BeautifulSoup("", "html.parser")
    else:
        soup.reset()
    return soup


def to_soup(root: Element) -> BeautifulSoup:
    """Build markdownify's BeautifulSoup tree straight from the lxml tree.

    The HTML is parsed once, by lxml; its tree is copied node by node into
    bs4 objects, linked as bs4's own parser would link them. No second
    parse, no serialisation (which would also percent-encode
    ``{{ site.baseurl }}`` in URLs).
    """
    soup = _empty_soup()
    builder = soup.builder
    last: PageElement = soup
    stack: list[tuple[Element | str, Tag]] = [(root, soup)]
    while stack:
        node, parent = stack.pop()
        if isinstance(node, str):
            string = NavigableString(node)
            string.setup(parent, last)
            parent.contents.append(string)
            last = string
            continue
        tag = Tag(None, builder, node.tag, attrs=dict(node.items()), parent=parent, previous=last)
        parent.contents.append(tag)
        last = tag
        if node.tail and node is not root:
            stack.append((node.tail, parent))
        for child in reversed(node):
            if isinstance(child.tag, str):
                stack.append((child, tag))
            elif child.tail:  # a comment the cleaning kept: only its tail is text
                stack.append((child.tail, tag))
        if node.text:
            stack.append((node.text, tag))
    return soup
