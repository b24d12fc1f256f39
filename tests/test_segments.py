"""A body is cut into HTML and Markdown segments by its dialect."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postconv.post import segments
from postconv.post.segments import markdown_blocks, segment


def kinds(body: str, dialect: str = "html") -> list[str]:
    return [part.kind for part in segment(body, dialect)]


# ---------------------------------------------------------------- HTML bodies


def test_html_then_markdown_footer() -> None:
    body = "<p>正文</p>\n\n<http://e.com/a>\n\n[返回首页](//e.com/)\n"
    assert kinds(body) == ["html", "markdown", "markdown"]


def test_digest_quote_before_html() -> None:
    assert kinds("> 摘要。\n\n<p>正文</p>") == ["markdown", "html"]


def test_text_outside_tags_is_html_text_not_markdown() -> None:
    body = "<p>Intro</p>\n\n1984. by George Orwell\n\n* not a list"
    assert kinds(body) == ["html"]
    assert segment(body, "html")[0].text == body


def test_blank_lines_inside_a_tag_or_a_container_do_not_split_the_html() -> None:
    for body in ('<img alt="a\n\nb" src=x>', "<h5>\n\nHello\n\n</h5>", "<pre>a\n\n\nb</pre>"):
        assert kinds(body) == ["html"], body
    body = "<div>\n\n<http://e.com/>\n\n</div>"
    assert kinds(body) == ["html"], "a URL line inside an open container is HTML text"


def test_fenced_code_is_markdown_and_one_block() -> None:
    body = "```html\n<p>code</p>\n\n<div>\n```\n\n<p>real</p>"
    assert kinds(body) == ["markdown", "html"]
    assert markdown_blocks(body)[0] == "```html\n<p>code</p>\n\n<div>\n```"


def test_an_unclosed_paragraph_does_not_swallow_the_markdown_tail() -> None:
    assert kinds("<p>正文\n\n<http://e.com/a>") == ["html", "markdown"]


# ---------------------------------------------------------------- Markdown bodies


def test_markdown_with_inline_html_is_one_markdown_segment() -> None:
    assert kinds("* Item with <i>exp</i> and `from`\n* Second", "markdown") == ["markdown"]


def test_an_html_block_is_html_and_the_markdown_around_it_stays() -> None:
    body = 'Intro *text*.\n\n<div class="x">\n<p>raw</p>\n</div>\n\n## After'
    parts = segment(body, "markdown")
    assert [part.kind for part in parts] == ["markdown", "html", "markdown"]
    assert parts[1].text == '<div class="x">\n<p>raw</p>\n</div>'


def test_a_spaced_out_indented_table_stays_one_html_block() -> None:
    body = (
        "<table>\n  <tr>\n    <td>\n    </td>\n  \n    <td>\n      a\n    </td>\n  </tr>\n</table>"
    )
    assert kinds(body, "markdown") == ["html"]


@pytest.mark.parametrize(
    "opening",
    ['<div><pre class="brush:csharp">', "<div><pre><code>", "<section><script>"],
)
def test_a_pre_opened_after_another_tag_keeps_its_blank_lines(opening: str) -> None:
    """Its indented lines after a blank line are still its own: not indented code."""
    closing = "".join(f"</{name}>" for name in reversed(re.findall(r"<(\w+)", opening)))
    code = 'namespace A\n{\n    using System;\n\n    [Table("T")]\n    class T {}\n}\n'
    body = f"Text\n{opening}{code}{closing}\n\nMore\n\n{opening}b\n\n    c\n{closing}"
    parts = segment(body, "markdown")
    assert [part.kind for part in parts] == ["markdown", "html", "markdown", "html"]
    assert parts[1].text == f"{opening}{code}{closing}"


def test_an_attribute_list_stays_on_the_line_under_its_block() -> None:
    """kramdown gives ``{: .x}`` to the block right above it: no blank line may come
    between them; one that stands after a blank line is left where it is."""
    texts = [part.text for part in segment("# Title\n{: .no_toc }\n\nText.", "markdown")]
    assert texts == ["# Title\n{: .no_toc }", "Text."]
    texts = [part.text for part in segment("> Note\n>\n{: .prompt-info}\n\nB", "markdown")]
    assert texts == ["> Note\n>\n{: .prompt-info}", "B"]
    texts = [part.text for part in segment("# Title\n\n{: .x }\nText.", "markdown")]
    assert texts == ["# Title", "{: .x }\nText."]


@pytest.mark.parametrize("value", ['"1"', "'1'", "1", '"block"'])
def test_markdown_inside_a_kramdown_markdown_element_is_markdown(value: str) -> None:
    body = f'<div class="proof" markdown={value}>\n**Proof.** Trivial.\n- a\n- b\n</div>\n\nEnd.'
    parts = segment(body, "markdown")
    assert [part.kind for part in parts] == ["html", "markdown", "markdown", "html", "markdown"]
    assert [part.text for part in parts[1:3]] == ["**Proof.** Trivial.", "- a\n- b"]


def test_an_element_without_markdown_1_or_not_closed_on_its_last_line_stays_html() -> None:
    assert kinds('<div class="x">\n**Bold** text\n</div>', "markdown") == ["html"]
    assert kinds('<div markdown="1">\n**Bold**\n</div>\nmore', "markdown") == ["html"]


def test_markdown_between_a_container_s_tags_stays_markdown() -> None:
    body = '<div class="notice">\n\n**Bold** markdown\n\n</div>'
    assert kinds(body, "markdown") == ["html", "markdown", "html"]


def test_reference_definitions_are_kept_as_markdown() -> None:
    body = "See [the site][1].\n\n[1]: http://example.com/"
    assert "".join(part.text for part in segment(body, "markdown")) == body.replace("\n\n", "")
    assert kinds(body, "markdown") == ["markdown", "markdown"]


def test_tags_in_fenced_code_are_not_html() -> None:
    assert kinds("```\n<div>\n\ncode\n```", "markdown") == ["markdown"]


@given(st.text(alphabet=" \t\u3000\nab<>中", max_size=80))
def test_the_fast_block_split_agrees_with_the_line_by_line_one(body: str) -> None:
    assert list(segments._unfenced_block_spans(body)) == list(segments._fenced_block_spans(body))


@given(st.text(alphabet="<>/ab \n\"'=-!`*#", max_size=120), st.sampled_from(["html", "markdown"]))
def test_segments_are_slices_of_the_body_in_order(body: str, dialect: str) -> None:
    position = 0
    for part in segment(body, dialect):  # type: ignore[arg-type]
        found = body.find(part.text, position)
        assert found >= 0 and not body[position:found].strip()
        position = found + len(part.text)
    assert not body[position:].strip()
