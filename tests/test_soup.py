"""The soup built from the lxml tree is the one ``Tag(...)`` and ``NavigableString(...)``
would build, node for node: markdownify and bs4 read nothing else."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, NavigableString, PageElement, Tag

from postconv.html import clean, soup
from postconv.html.tree import Element


def reference_soup(root: Element) -> BeautifulSoup:
    """The soup made with bs4's own constructors, linked by ``setup``."""
    soup = BeautifulSoup("", "html.parser")
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
        attrs = dict(node.items())
        tag = Tag(None, soup.builder, node.tag, attrs=attrs, parent=parent, previous=last)
        parent.contents.append(tag)
        last = tag
        if node.tail and node is not root:
            stack.append((node.tail, parent))
        for child in reversed(node):
            if isinstance(child.tag, str):
                stack.append((child, tag))
            elif child.tail:
                stack.append((child.tail, tag))
        if node.text:
            stack.append((node.text, tag))
    return soup


def described(soup: BeautifulSoup) -> list[tuple[str, str, list[tuple[str, object]]]]:
    """Every node's type, name or text, and fields (a link as the linked node's index)."""
    nodes = list(soup.descendants)
    index = {id(node): number for number, node in enumerate(nodes)} | {id(soup): -1}

    def value(field: object) -> object:
        return ("node", index[id(field)]) if isinstance(field, PageElement) else field

    out = []
    for node in nodes:
        fields = {key: value(field) for key, field in vars(node).items() if key != "contents"}
        if isinstance(node, Tag):
            fields["contents"] = [index[id(child)] for child in node.contents]
        label = node.name if isinstance(node, Tag) else str(node)
        out.append((type(node).__name__, label, sorted(fields.items())))
    return out


@pytest.mark.parametrize("known_fields", [True, False])
def test_soup_is_what_bs4_constructors_make(
    known_fields: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both ways of making tags: field by field (bs4's fields as this module knows them),
    and the template dict (any other bs4)."""
    if not known_fields:
        monkeypatch.setattr(soup, "_TAG_FIELDS", ())
    monkeypatch.setattr(soup._SOUPS, "soup", None, raising=False)  # a new soup and templates
    monkeypatch.setattr(soup._SOUPS, "templates", None, raising=False)
    root = clean.parse(
        '<p class="a  b" id=x>hi <!-- c --> there<b>bold</b> t<?pi x?>ail<br>x'
        '<a href="/u" rel="nofollow x">l</a></p><script>s</script><ul><li>a<li>b</ul>'
        "<table><tr><td headers='h1 h2'>c</td></tr></table><o:p>w</o:p>tail"
    )
    expected = described(reference_soup(root))
    assert described(soup.to_soup(root)) == expected
    assert described(soup.to_soup(root)) == expected  # the soup reused for the next fragment
    assert soup._SOUPS.templates.known_fields is known_fields


def test_a_released_soup_holds_no_links() -> None:
    root = clean.parse("<p>a <b>b <i>c</i></b></p><ul><li>d</li></ul>")
    made = soup.to_soup(root)
    nodes = list(made.descendants)
    soup.release(made)
    assert nodes and all(not vars(node) for node in nodes)
