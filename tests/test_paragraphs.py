"""Blank lines and ``<br><br>`` in raw HTML are paragraph breaks, as WordPress shows them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from postconv.html import clean
from postconv.html.paragraphs import blank_lines_to_paragraphs


def run(source: str) -> str:
    root = clean.parse(source)
    blank_lines_to_paragraphs(root)
    inner = etree.tostring(root, encoding="unicode", method="html", with_tail=False)
    return inner.removeprefix("<div>").removesuffix("</div>")


CASES = [
    (
        "blank lines in a div are three paragraphs",
        "<div>\n\nFirst.\n\n<strong>1) Be patient</strong>\n\nSecond.\n\n</div>",
        "<div><p>First.</p><p><strong>1) Be patient</strong></p><p>Second.</p></div>",
    ),
    (
        "bolds on either side of a break are never merged",
        "on line <strong>8</strong>\n\n<strong>Fatal error</strong>: x",
        "<p>on line <strong>8</strong></p><p><strong>Fatal error</strong>: x</p>",
    ),
    (
        "a break inside an inline element splits it",
        "<strong>a\n\nb</strong>",
        "<p><strong>a</strong></p><p><strong>b</strong></p>",
    ),
    (
        "a break in nested inline elements splits each",
        "<em>a <b>b\n\nc</b> d</em>",
        "<p><em>a <b>b</b></em></p><p><em><b>c</b> d</em></p>",
    ),
    (
        "a link split in two keeps its target",
        "<a href=u>link\n\ntext</a>",
        '<p><a href="u">link</a></p><p><a href="u">text</a></p>',
    ),
    ("a break inside a <p> splits it", "<p>a\n\nb</p>", "<p>a</p><p>b</p>"),
    (
        "a quote",
        "<blockquote>q1\n\nq2</blockquote>",
        "<blockquote><p>q1</p><p>q2</p></blockquote>",
    ),
    (
        "a list item; blank lines between items are only whitespace",
        "<ul>\n\n<li>a</li>\n\n<li>b\n\nc</li>\n\n</ul>",
        "<ul><li>a</li><li><p>b</p><p>c</p></li></ul>",
    ),
    (
        "a table's structure is only whitespace",
        "<table>\n\n<tr><td>a</td></tr>\n\n</table>",
        "<table><tr><td>a</td></tr></table>",
    ),
    ("a heading stays one heading", "<h5>\n\nHello\n\n</h5>", "<h5> Hello </h5>"),
    ("a term stays one line", "<dl><dt>a\n\nb</dt></dl>", "<dl><dt>a b</dt></dl>"),
    ("two <br> are a break", "one<br><br>two<br>three", "<p>one</p><p>two<br>three</p>"),
    ("<br> with line breaks between", "one<br>\n<br>\ntwo", "<p>one</p><p>\ntwo</p>"),
    ("an empty block ends the line before it", "text<div></div>more", "<p>text</p><p>more</p>"),
    ("a full-width space line is blank", "a\n\n\u3000\n\nb", "<p>a</p><p>b</p>"),
    ("an image is content", "<img src=x>\n\ntext", '<p><img src="x"></p><p>text</p>'),
    ("an empty inline run is dropped", "<span></span>\n\ntext", "<p>text</p>"),
    ("existing paragraphs stay", "<p>keep</p>\n\n<p>as is</p>", "<p>keep</p><p>as is</p>"),
]

UNTOUCHED = [
    ("pre", "<pre>a\n\nb</pre>"),
    ("code", "<p>x<code>a\n\nb</code>y</p>"),
    ("script", "<script>a\n\nb</script>"),
    ("textarea", "<textarea>a\n\nb</textarea>"),
    ("<br><br> in a table cell", "<table><tr><td>a<br><br>b</td></tr></table>"),
    ("one <br> with line breaks", "a\n<br>\nb"),
    ("no blank line", "just one paragraph"),
]


@pytest.mark.parametrize(("source", "expected"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_blank_lines_are_paragraph_breaks(source: str, expected: str) -> None:
    assert run(source) == expected


@pytest.mark.parametrize("source", [pytest.param(c[1], id=c[0]) for c in UNTOUCHED])
def test_no_paragraphs_where_wordpress_makes_none(source: str) -> None:
    assert run(source) == etree.tostring(
        clean.parse(source), encoding="unicode", method="html", with_tail=False
    ).removeprefix("<div>").removesuffix("</div>")


HTML = st.lists(
    st.sampled_from(
        [
            *("a", "b", " ", "\n", "\n\n", "<br>", "<b>", "</b>", "<a href=u>", "</a>"),
            *("<div>", "</div>", "<p>", "</p>", "<li>", "<blockquote>", "<pre>x\n\ny</pre>"),
            "<h3>",
        ]
    ),
    max_size=20,
).map("".join)


def visible(root) -> str:
    return re.sub(r"\s+", "", "".join(root.itertext()))


@given(HTML)
def test_no_text_is_lost_or_moved(source: str) -> None:
    root = clean.parse(source)
    before = visible(root)
    blank_lines_to_paragraphs(root)
    assert visible(root) == before


@given(HTML)
def test_code_keeps_its_blank_lines(source: str) -> None:
    root = clean.parse(source)
    blank_lines_to_paragraphs(root)
    assert all(pre.text == "x\n\ny" for pre in root.iter("pre"))
