"""Inline HTML in Markdown: which runs are HTML, and what between their tags stays Markdown."""

from __future__ import annotations

import pytest

from postconv.inline_html import convert_inline_html
from postconv.options import Options
from postconv.post.islands import guard_line_start, islands, lone_start_tag, only_tags, split_island
from postconv.post.placeholders import Placeholders


def island_texts(markdown: str) -> list[str]:
    return [markdown[start:end] for start, end in islands(markdown)]


CASES = [
    ("an element from start to end tag", "a <i>b</i> c", ["<i>b</i>"]),
    ("a lone void tag", "a<br>b", ["<br>"]),
    ("nested elements are one island", "<b>one <i>two</i></b> x", ["<b>one <i>two</i></b>"]),
    ("two islands", "<i>a</i> and <sup>2</sup>", ["<i>a</i>", "<sup>2</sup>"]),
    ("a start tag closed elsewhere", "a <span>open", ["<span>"]),
    ("an end tag opened elsewhere", "x</b> y", ["</b>"]),
    ("a tag in a code span is code", "use `<b>` here", []),
    ("a tag in fenced code is code", "```\n<b>x</b>\n```", []),
    ("an escaped tag is text", "write \\<b> here", []),
    ("a bracketed link destination", "[x](<a b>)", []),
    ("an autolink", "<http://example.com>", []),
    ("no tag at all", "a < b", []),
]


@pytest.mark.parametrize(("markdown", "found"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_islands(markdown: str, found: list[str]) -> None:
    assert island_texts(markdown) == found


def test_the_markdown_between_tags_is_handed_back() -> None:
    markdown = "<b>one *two* <i>x</i></b>"
    assert split_island(markdown, 0, len(markdown)) == [
        (True, "<b>"),
        (False, "one *two* "),
        (True, "<i>"),
        (False, "x"),
        (True, "</i>"),
        (True, "</b>"),
    ]


def test_split_island_skips_escaped_tags() -> None:
    markdown = "<b>a \\<i> b</b>"
    assert split_island(markdown, 0, len(markdown)) == [
        (True, "<b>"),
        (False, "a \\<i> b"),
        (True, "</b>"),
    ]


@pytest.mark.parametrize(
    ("markdown", "guarded"),
    [
        ("<b>x", "\\<b>x"),  # would open an HTML block
        ("  <div>", "  \\<div>"),
        ("# h", "\\# h"),
        ("1. x\n2. y", "1\\. x\n2. y"),  # only the first line is guarded
        ("plain", "plain"),
        ("a < b", "a < b"),
    ],
)
def test_guard_line_start(markdown: str, guarded: str) -> None:
    assert guard_line_start(markdown) == guarded


@pytest.mark.parametrize(
    ("text", "expected"), [("<b> </b>\n<br>", True), ("<b>x</b>", False), ("", True)]
)
def test_only_tags(text: str, expected: bool) -> None:
    assert only_tags(text) is expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("<b>", True), ("<br>", False), ("</b>", False), ("<b></b>", False), ("<b/>", False)],
)
def test_lone_start_tag(tag: str, expected: bool) -> None:
    assert lone_start_tag(tag) is expected


@pytest.mark.parametrize(
    ("markdown", "converted"),
    [
        ("<span></p><!--", "\\<!--"),  # an unclosed comment opener is text: not an HTML block
        ("<span></span><b></b>- item", "\\- item"),  # not a list item
        ("<i></i> <i></i># x", " \\# x"),  # not a heading
        ("<span></span>text", "text"),
    ],
)
def test_text_after_islands_that_vanish_at_a_line_start_stays_text(
    markdown: str, converted: str
) -> None:
    """Several islands that all vanish where a line starts: what follows them opens the
    output's line, and must not open a block its source line did not."""
    assert convert_inline_html(markdown, Options(), Placeholders()) == converted


def test_an_escaped_backslash_before_a_less_than_of_text_stays() -> None:
    """The island's text ``\\<`` reads as a backslash and a "<": the escape is needed
    (it was checked while the "<" was still marked as text, and dropped)."""
    markdown = "<sup>\\\\<</sup>"
    assert convert_inline_html(markdown, Options(), Placeholders()) == markdown
