"""Bodies mixing HTML and Markdown are cut into the right segments."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from postconv.post import segments
from postconv.post.segments import markdown_blocks, segment


def kinds(body: str) -> list[str]:
    return [part.kind for part in segment(body)]


def test_html_then_markdown_footer() -> None:
    body = "<p>正文</p>\n\n<http://e.com/a>\n\n[返回首页](//e.com/)\n"
    assert kinds(body) == ["html", "markdown"]


def test_autolinks_and_markdown_links_are_not_html() -> None:
    assert kinds("<http://e.com>\n\n<me@example.com>\n\n[t](u)") == ["markdown"]


def test_digest_quote_before_html() -> None:
    assert kinds("> 摘要。\n\n<p>正文</p>") == ["markdown", "html"]


def test_blank_lines_inside_an_html_container_stay_in_it() -> None:
    body = "<pre>a\n\n\nb</pre>\n\nafter"
    parts = segment(body)
    assert [part.kind for part in parts] == ["html", "markdown"]
    assert parts[0].text == "<pre>a\n\n\nb</pre>"


def test_tags_in_code_spans_or_escaped_are_not_html() -> None:
    assert kinds("the `<a>` element") == ["markdown"]
    assert kinds(r"\<script> is text") == ["markdown"]


def test_fenced_code_is_markdown_and_one_block() -> None:
    body = "```html\n<p>code</p>\n\n<div>\n```\n\n<p>real</p>"
    assert kinds(body) == ["markdown", "html"]
    assert markdown_blocks(body)[0] == "```html\n<p>code</p>\n\n<div>\n```"


def test_a_bracketed_link_destination_is_not_a_tag() -> None:
    assert kinds("[x](<s p a c e s>) and ![i](<{{ site.baseurl }}/a b.png>)") == ["markdown"]


@given(st.text(alphabet=" \t\u3000\nab<>中", max_size=80))
def test_the_fast_block_split_agrees_with_the_line_by_line_one(body: str) -> None:
    assert list(segments._unfenced_block_spans(body)) == list(segments._fenced_block_spans(body))
