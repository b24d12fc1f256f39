"""Bold and italic must render as bold and italic under CommonMark, beside CJK text too."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from postconv.html.emphasis import emphasise
from postconv.pipeline import convert

_md = MarkdownIt("commonmark")


def rendered_counts(html_body: str) -> tuple[int, int, str]:
    markdown = convert(html_body).text
    rendered = _md.render(markdown)
    return rendered.count("<strong>"), rendered.count("<em>"), markdown


@pytest.mark.parametrize(
    ("html_body", "strong", "em"),
    [
        ("<p>中国联通<strong>“服务再升级”</strong>行动</p>", 1, 0),
        ("<p>中国联通<b>（服务）</b>行动</p>", 1, 0),
        ("<p>这是<em>“强调”</em>的文字</p>", 0, 1),
        ("<p>他说<strong>“好！”</strong>然后走了</p>", 1, 0),
        ("<p>A <strong> spaced </strong> word</p>", 1, 0),
        ("<p>前文<strong>粗体<em>斜体</em></strong>后文</p>", 1, 1),
        ('<p>看<strong><a href="http://e.com">链接</a></strong>吧</p>', 1, 0),
        ("<p>数字<b>100%</b>增长</p>", 1, 0),
        ("<p>标点<strong>，</strong>不加粗</p>", 0, 0),
    ],
)
def test_emphasis_renders(html_body: str, strong: int, em: int) -> None:
    strong_count, em_count, markdown = rendered_counts(html_body)
    assert (strong_count, em_count) == (strong, em), markdown
    assert "**" not in _md.render(markdown).replace("<strong>", "")


def test_the_issue_example_moves_quotes_outside() -> None:
    markdown = convert("<p>中国联通<strong>“服务再升级”</strong>行动</p>").text
    assert markdown == "中国联通“**服务再升级**”行动\n"


@pytest.mark.parametrize(
    ("html_body", "markdown"),
    [
        (
            "<p>the pair <strong>$usuario</strong> + <em>@user</em></p>",
            "the pair **$usuario** + *@user*",
        ),
        (
            "<p><strong>Note:</strong> this, <strong>Why?</strong> ok.</p>",
            "**Note:** this, **Why?** ok.",
        ),
        ("<p>See <em>Id.</em> at 2.</p>", "See *Id.* at 2."),
        ("<p>中国联通<strong>“服务再升级”</strong>行动</p>", "中国联通“**服务再升级**”行动"),
        ("<p><strong>注意：</strong>文字</p>", "**注意**：文字"),
    ],
)
def test_edge_punctuation_stays_inside_where_the_markers_render_there(
    html_body: str, markdown: str
) -> None:
    """Moved outside only where CommonMark would not open or close the markers: beside a
    CJK letter, not in Latin text set off by spaces (``$**usuario**`` split a name)."""
    converted = convert(html_body).text
    assert converted == markdown + "\n"
    assert "**" not in _md.render(converted).replace("<strong>", "")


def test_emphasis_of_only_punctuation_is_dropped() -> None:
    assert emphasise("。！", "**", "中", "文") == "。！"


def test_emphasis_that_cannot_open_keeps_its_text() -> None:
    # "[" is link syntax and cannot move outside; beside CJK text ** could not open
    assert emphasise("[x](u)", "**", "中", "文") == "[x](u)"
    assert emphasise("[x](u)", "**", " ", " ") == "**[x](u)**"
