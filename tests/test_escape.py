"""The one escape function: only what would become Markdown gets a backslash."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from postconv.html.escape import _INLINE, escape_closing_hashes, escape_table_pipes, escape_text

_md = MarkdownIt("commonmark")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("中文正文，没有任何需要转义的字符。", "中文正文，没有任何需要转义的字符。"),
        ("a*b*c", r"a\*b\*c"),
        ("snake_case_name", "snake_case_name"),
        ("_emphasis_", r"\_emphasis\_"),
        ("# not a heading", r"\# not a heading"),
        ("1. not a list", r"1\. not a list"),
        ("2022) not a list", r"2022\) not a list"),
        ("- not a bullet", r"\- not a bullet"),
        ("+ not a bullet", r"\+ not a bullet"),
        ("> not a quote", r"\> not a quote"),
        ("===", r"\==="),
        ("<div> is text", r"\<div> is text"),
        ("a < b", "a < b"),
        ("&amp; is text", r"\&amp; is text"),
        ("[not](a link)", r"\[not\](a link)"),
        ("<> is not a link", r"\<> is not a link"),
        ("---", r"\---"),
        ("`code`", r"\`code\`"),
        ("~~struck~~", r"\~~struck\~~"),
        ("So cute~", "So cute~"),
        ("{{ site.base_url }}/a_*b", r"{{ site.base_url }}/a\_\*b"),
        ("{% include x_y.html %}", "{% include x_y.html %}"),
    ],
)
def test_escape(text: str, escaped: str) -> None:
    assert escape_text(text) == escaped


@pytest.mark.parametrize(
    "text", ["# h", "1. x", "- y", "> q", "*a*", "_b_", "<i>t</i>", "&copy;", "[l](u)", "`c`"]
)
def test_escaped_text_renders_as_itself(text: str) -> None:
    rendered = _md.render(escape_text(text))
    assert rendered.startswith("<p>")
    assert "<em>" not in rendered and "<a " not in rendered and "<code>" not in rendered


def test_markers_are_only_escaped_where_a_line_can_start() -> None:
    assert escape_text(" - mid-line", line_start=False) == " - mid-line"
    assert escape_text("x\n- next line", line_start=False) == "x\n\\- next line"


def test_pipes_are_escaped_in_table_cells_only() -> None:
    assert escape_table_pipes("`a|b`") == r"`a\|b`"
    assert escape_table_pipes(escape_text("\\|")) == r"\\\|"
    assert escape_text("a | b") == "a | b"


def test_closing_hashes_of_a_heading_stay_text() -> None:
    assert escape_closing_hashes("foo ###") == r"foo \###"
    assert escape_closing_hashes("C#") == "C#"


_UNDERSCORE_BY_LOOKBEHIND = re.compile(r"(?<![^\W_])_|_(?![^\W_])")


@given(st.text(alphabet="ab_ 中1é-\n*", max_size=12))
def test_underscores_outside_words_are_those_a_lookbehind_finds(text: str) -> None:
    """The underscore branch of the escaping pattern, written to open with ``_``, finds
    what the plain lookbehind/lookahead pair finds."""
    found = [m.start() for m in _INLINE.finditer(text) if m.group() == "_"]
    assert found == [m.start() for m in _UNDERSCORE_BY_LOOKBEHIND.finditer(text)]
