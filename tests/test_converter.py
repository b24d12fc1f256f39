"""The converter's hand-made replacements for markdownify's and bs4's own steps give
what the originals give."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag
from markdownify import MarkdownConverter

from postconv.html import converter
from postconv.options import Options

TABLES = [
    "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
    "<table><tr><th>h</th><th>i</th></tr><tr><td colspan=2>c</td></tr></table>",
    "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>x</td></tr></tbody></table>",
    "<table><thead><tr><td>a</td></tr><tr><td>b</td></tr></thead></table>",
    "<table><tbody><tr><td>x</td></tr><tr><td>y</td></tr></tbody></table>",
    "<table><caption>c</caption><tbody><tr><td>x</td></tr></tbody></table>",
    "<table> <tr><td>a<table><tr><th>n</th></tr></table></td></tr> </table>",
    "<table><tr><td colspan=x>a</td><td colspan=3>b</td></tr></table>",
]


@pytest.mark.parametrize("html", TABLES)
def test_rows_as_markdownify_writes_them(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    ours = converter.converter_for(Options())
    base = MarkdownConverter(table_infer_header=True)
    for row in soup.find_all("tr"):
        assert ours._markdownify_tr(row, "x |") == base.convert_tr(row, "x |", set())


@pytest.mark.parametrize("html", TABLES)
def test_searches_find_what_bs4_finds(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        for names in (("td", "th"), ("tr",), ("thead",), ("table", "p")):
            assert list(converter._tags_below(tag, names)) == tag.find_all(list(names))
            assert converter._first_below(tag, names) is tag.find(list(names))
        assert converter._previous_tag(tag) is tag.find_previous_sibling()
        assert converter._next_named(tag, "tr") is tag.find_next_sibling("tr")
        assert isinstance(tag, Tag)
