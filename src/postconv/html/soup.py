"""The lxml tree, handed to markdownify as the BeautifulSoup tree it works on."""

from __future__ import annotations

import threading
from typing import Any

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from lxml import etree

from postconv.html.tree import Element

_SOUPS = threading.local()


def _empty_soup() -> tuple[BeautifulSoup, _Templates]:
    """One soup per thread, emptied for each conversion: making a new one costs more
    than a small fragment's whole conversion. With it, its tag templates."""
    soup = getattr(_SOUPS, "soup", None)
    if soup is None:
        soup = _SOUPS.soup = BeautifulSoup("", "html.parser")
        _SOUPS.templates = _Templates(soup.builder)
    else:
        soup.reset()
    return soup, _SOUPS.templates


#: what each tag has of its own, never shared, and its links to other nodes
_PER_TAG = frozenset({"_namespaces", "contents", "attrs"})
_LINKS = frozenset(
    {"parent", "previous_element", "next_element", "previous_sibling", "next_sibling"}
)
_MAX_TEMPLATES = 1000


class _Templates(dict):
    """Per tag name, the fields ``Tag(None, builder, name)`` gives a tag but its own ones,
    and the names of its attributes the builder splits into lists (``class``).

    What the builder decides for a tag depends on its name only: worked out once
    per name, not in each ``Tag.__init__`` (a third of the time the soup took).
    """

    def __init__(self, builder: Any) -> None:
        super().__init__()
        self.builder = builder

    def __missing__(self, name: str) -> tuple[dict[str, Any], frozenset[str]]:
        model = Tag(None, self.builder, name)
        template = {
            key: value
            for key, value in vars(model).items()
            if key not in _PER_TAG and key not in _LINKS
        }
        lists = self.builder.cdata_list_attributes or {}
        list_names = frozenset(lists.get("*", set()) | lists.get(name.lower(), set()))
        if len(self) >= _MAX_TEMPLATES:  # junk names (<cod<) must not pile up
            self.clear()
        self[name] = template, list_names
        return template, list_names


def to_soup(root: Element) -> BeautifulSoup:
    """Build markdownify's BeautifulSoup tree straight from the lxml tree.

    The HTML is parsed once, by lxml; its tree is copied node by node into
    bs4 objects, linked as bs4's own parser would link them. No second
    parse, no serialisation (which would also percent-encode
    ``{{ site.baseurl }}`` in URLs).
    """
    # one loop, every step inlined: it runs for each node of every HTML fragment
    soup, templates = _empty_soup()
    cdata_lists = soup.builder._replace_cdata_list_attribute_values  # class="a b" → a list
    last: PageElement = soup  # the node made before: bs4's previous_element
    parents: list[Tag] = [soup]
    parent: Tag = soup
    for event, node in etree.iterwalk(root, events=_EVENTS):
        if event == "start":
            name = node.tag
            template, list_names = templates[name]
            attributes = dict(node.items())
            if attributes and not list_names.isdisjoint(attributes):
                attributes = cdata_lists(name, attributes)
            siblings = parent.contents
            previous = siblings[-1] if siblings else None
            tag = _new_tag(Tag)
            tag.__dict__ = {
                **template,
                "_namespaces": {},
                "contents": [],
                "attrs": attributes,
                "parent": parent,
                "previous_element": last,
                "next_element": None,
                "previous_sibling": previous,
                "next_sibling": None,
            }
            last.next_element = tag
            if previous is not None:
                previous.next_sibling = tag
            siblings.append(tag)
            last = parent = tag
            parents.append(tag)
            text = node.text
            if not text:
                continue
        elif event == "end":
            parents.pop()
            parent = parents[-1]
            text = node.tail
            if not text or node is root:
                continue
        else:  # a comment the cleaning kept: only its tail is text
            text = node.tail
            if not text:
                continue
        siblings = parent.contents
        previous = siblings[-1] if siblings else None
        string = _new_string(NavigableString, text)
        string.__dict__ = {
            "hidden": False,
            "parent": parent,
            "previous_element": last,
            "next_element": None,
            "previous_sibling": previous,
            "next_sibling": None,
        }
        last.next_element = string
        if previous is not None:
            previous.next_sibling = string
        siblings.append(string)
        last = string
    return soup


_EVENTS = ("start", "end", "comment", "pi")
_new_tag = Tag.__new__
_new_string = str.__new__
