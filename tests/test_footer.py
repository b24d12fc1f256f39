"""Trailing attribution, source URL and navigation → one footer line."""

from __future__ import annotations

import pytest

from postconv.options import Options
from postconv.post.footer import Footer, normalise_footer


@pytest.mark.parametrize(
    ("blocks", "footer"),
    [
        (
            ["正文。", "（文章来源：人民邮电报）", "<http://e.com/a>"],
            Footer("人民邮电报", "http://e.com/a"),
        ),
        (["正文。", "文章来源：新华社"], Footer("新华社", None)),
        (["正文。", "来源：[新华社](//x.cn/a)"], Footer("新华社", "https://x.cn/a")),
        (["Body.", "Source: Reuters"], Footer("Reuters", None)),
        (["正文。", "<http://e.com/a>", "<>"], Footer(None, "http://e.com/a")),
        (["正文。", "[返回首页](//e.com/)｜[返回新闻](//e.com/n)"], Footer()),
    ],
)
def test_footer_is_recognised(blocks: list[str], footer: Footer) -> None:
    rest, found = normalise_footer(blocks, Options())
    assert rest == blocks[:1]
    assert found == footer


def test_text_that_only_mentions_a_source_is_not_a_footer() -> None:
    blocks = ["正文。", "据悉，消息来源：知情人士透露，该公司将在下月发布新产品并扩大产能。"]
    assert normalise_footer(blocks, Options()) == (blocks, None)


def test_a_photo_credit_is_not_the_article_s_source() -> None:
    blocks = ["正文。", "图片来源：视觉中国", "<http://e.com/a>"]
    rest, found = normalise_footer(blocks, Options())
    assert rest == blocks[:2]
    assert found == Footer(None, "http://e.com/a")


def test_ordinary_links_are_not_navigation() -> None:
    blocks = ["正文。", "[相关报道](http://e.com/related)"]
    assert normalise_footer(blocks, Options()) == (blocks, None)


def test_kept_navigation_gets_absolute_urls() -> None:
    _, footer = normalise_footer(["正文。", "[返回首页](//e.com/)"], Options(keep_nav=True))
    assert footer is not None and footer.nav == ("[返回首页](https://e.com/)",)


@pytest.mark.parametrize(
    ("footer", "line"),
    [
        (Footer("X", "http://u"), "来源：[X](http://u)"),
        (Footer("X", None), "来源：X"),
        (Footer(None, "http://u"), "来源：<http://u>"),
    ],
)
def test_footer_line_forms(footer: Footer, line: str) -> None:
    assert footer.line("来源：") == line


def test_into_header_appends_keys_and_refuses_duplicates() -> None:
    footer = Footer('A "quoted" name', "http://u")
    header = "---\ntitle: x\n---\n"
    moved = footer.into_header(header, "yaml")
    assert moved == '---\ntitle: x\nsource: "A \\"quoted\\" name"\nsource_url: "http://u"\n---\n'
    assert footer.into_header(moved, "yaml") is None
