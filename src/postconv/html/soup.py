"""The lxml tree, handed to markdownify as the BeautifulSoup tree it works on."""

from __future__ import annotations

import re
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
#: the fields of a Tag, in the order Tag.__init__ sets them (bs4 4.13 to 4.15): set in
#: that order, the tags share one key table, as those bs4 makes do (a third less memory)
_TAG_FIELDS = (
    *("parser_class", "name", "namespace", "_namespaces", "prefix", "sourceline"),
    *("sourcepos", "attribute_value_list_class", "attrs", "known_xml", "contents"),
    *("parent", "previous_element", "next_element", "next_sibling", "previous_sibling"),
    *("hidden", "can_be_empty_element", "cdata_list_attributes", "preserve_whitespace_tags"),
    "interesting_string_types",
)


class _Templates(dict):
    """Per tag name, the fields ``Tag(None, builder, name)`` gives a tag but its own ones,
    and the names of its attributes the builder splits into lists (``class``).

    What the builder decides for a tag depends on its name only: worked out once
    per name, not in each ``Tag.__init__`` (a third of the time the soup took).
    """

    def __init__(self, builder: Any) -> None:
        super().__init__()
        self.builder = builder
        #: whether bs4's Tag has exactly the fields _new_tag sets
        self.known_fields = tuple(vars(Tag(None, builder, "p"))) == _TAG_FIELDS

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


def _new_tag(template: dict[str, Any], attrs: dict[str, Any], known_fields: bool) -> Tag:
    """A tag as ``Tag(None, builder, name, attrs)`` makes it, not linked yet."""
    tag = _bare_tag(Tag)
    if not known_fields:  # another bs4: the same fields, in one dict
        tag.__dict__.update(template, _namespaces={}, contents=[], attrs=attrs)
        tag.next_element = tag.next_sibling = None
        return tag
    tag.parser_class = template["parser_class"]
    tag.name = template["name"]
    tag.namespace = template["namespace"]
    tag._namespaces = {}
    tag.prefix = template["prefix"]
    tag.sourceline = template["sourceline"]
    tag.sourcepos = template["sourcepos"]
    tag.attribute_value_list_class = template["attribute_value_list_class"]
    tag.attrs = attrs
    tag.known_xml = template["known_xml"]
    tag.contents = []
    tag.parent = tag.previous_element = tag.next_element = None
    tag.next_sibling = tag.previous_sibling = None
    tag.hidden = template["hidden"]
    tag.can_be_empty_element = template["can_be_empty_element"]
    tag.cdata_list_attributes = template["cdata_list_attributes"]
    tag.preserve_whitespace_tags = template["preserve_whitespace_tags"]
    tag.interesting_string_types = template["interesting_string_types"]
    return tag


def to_soup(root: Element) -> BeautifulSoup:
    """Build markdownify's BeautifulSoup tree straight from the lxml tree.

    The HTML is parsed once, by lxml; its tree is copied node by node into
    bs4 objects, linked as bs4's own parser would link them. No second
    parse, no serialisation (which would also percent-encode
    ``{{ site.baseurl }}`` in URLs).
    """
    # one loop, the linking inlined: it runs for each node of every HTML fragment
    soup, templates = _empty_soup()
    known_fields = templates.known_fields
    cdata_lists = soup.builder._replace_cdata_list_attribute_values  # class="a b" → a list
    list_class = soup.builder.attribute_value_list_class
    last: PageElement = soup  # the node made before: bs4's previous_element
    parents: list[Tag] = [soup]
    parent: Tag = soup
    for event, node in etree.iterwalk(root, events=_EVENTS):
        if event == "start":
            name = node.tag
            template, list_names = templates[name]
            attributes = dict(node.items())
            if attributes and not list_names.isdisjoint(attributes):
                if known_fields:  # the builder's split, without its per-call set-up
                    for key in list_names.intersection(attributes):
                        attributes[key] = list_class(_WORDS.findall(attributes[key]))
                else:
                    attributes = cdata_lists(name, attributes)
            tag = _new_tag(template, attributes, known_fields)
            siblings = parent.contents
            previous = siblings[-1] if siblings else None
            tag.parent = parent
            tag.previous_element = last
            tag.previous_sibling = previous
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
        string = _bare_string(NavigableString, text)
        string.hidden = False  # the fields in the order bs4 sets them
        string.parent = parent
        string.previous_element = last
        string.next_element = None
        string.next_sibling = None
        string.previous_sibling = previous
        last.next_element = string
        if previous is not None:
            previous.next_sibling = string
        siblings.append(string)
        last = string
    return soup


def release(soup: BeautifulSoup) -> None:
    """Unlink every node of ``soup`` once it has been converted.

    Each node links its parent, children and neighbours, and they link it back:
    left alone, a converted tree waits for the cycle collector, whose runs over
    them took a twentieth of an HTML body's conversion. Unlinked, it is freed at
    once. The soup itself is emptied for the next fragment by ``reset()``.
    """
    stack = [soup.contents]
    while stack:
        for node in stack.pop():
            contents = node.__dict__.get("contents")  # (a string has none)
            if contents:
                stack.append(contents)
            node.__dict__.clear()


_EVENTS = ("start", "end", "comment", "pi")
_WORDS = re.compile(r"\S+")  # how bs4's builder splits a list attribute
_bare_tag = Tag.__new__
_bare_string = str.__new__
