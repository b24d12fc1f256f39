"""``postconv.verify``: what each side shows, and each kind of difference (issue 9).

Each check is tried alone on small bodies: the difference it must find, and
the documented rewrites it must let through. The whole corpus and a mutation
test are in ``test_verify_corpus.py``.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from postconv.cli import main
from postconv.options import Options
from postconv.pipeline import convert
from postconv.post.footer import Footer
from postconv.verify import verify, verify_conversion
from postconv.verify.sides import input_view, output_view
from postconv.verify.view import joined


def kinds(source: str, output: str, choice: str = "html", **extra) -> list[str]:
    return [found.kind for found in verify(source, output, choice, **extra)]


def messages(source: str, output: str, choice: str = "html") -> list[str]:
    return [found.message for found in verify(source, output, choice)]


def blocks(body: str, choice: str = "html") -> list[str]:
    return [joined(block) for block in input_view(body, choice).blocks]


# --- what a reader sees -------------------------------------------------------------------


def test_words_are_letter_runs_and_cjk_characters_one_by_one() -> None:
    assert input_view("<p>Hello, wörld 42! 中文，好。</p>").blocks == [
        ["Hello", "wörld", "42", "中", "文", "好"]
    ]


def test_a_blank_line_in_raw_html_is_a_paragraph_break_as_wordpress_shows_it() -> None:
    assert blocks("<div>\n\nFirst.\n\n<strong>1) Be patient</strong>\n\nSecond.\n\n</div>") == [
        "First",
        "1 Be patient",
        "Second",
    ]


def test_a_heading_or_cell_spaced_out_by_blank_lines_is_one_block() -> None:
    assert blocks("<h5>\n\nHello\n\n</h5>") == ["Hello"]
    assert blocks("<table><tr><td>a\n\nb</td><td>c</td></tr></table>") == ["a b", "c"]


def test_what_is_not_shown_is_not_read() -> None:
    body = (
        "<p>seen<script>no1</script><span style='display:none'>no2</span>"
        "<span hidden>no3</span><!-- no4 --> after</p><iframe>no5</iframe>"
    )
    assert blocks(body) == ["seen after"]


def test_text_after_a_comment_is_read() -> None:
    # (lxml's tree walk skips comments, and their tails with them, unless asked)
    assert blocks("<!-- filter -->\n\nOkay, I made this up") == ["Okay I made this up"]


def test_navigation_links_are_dropped_by_design() -> None:
    view = input_view("<p>Text</p><p><a href='/'>返回首页</a></p>")
    assert (view.blocks, dict(view.links)) == ([["Text"]], {})


def test_attribution_labels_do_not_count() -> None:
    assert blocks("<p>文章来源：新华社</p>") == ["新华社"]


def test_an_attribution_left_mid_post_keeps_its_label_and_loses_nothing() -> None:
    # the footer takes in only a trailing attribution: one a few paragraphs before the
    # end stays a paragraph, label and all, on both sides of the comparison
    paragraphs = "".join(f"<p>第{n}段正文。</p>" for n in range(1, 5))
    text = (
        "---\ntitle: t\n---\n<p>导语。</p><p>（文章来源：每日经济新闻）</p>"
        f"{paragraphs}\n\n<http://example.com/a>\n\n[返回首页](//example.com/)\n"
    )
    result = convert(text)
    assert "（文章来源：每日经济新闻）" in result.text
    assert result.footer is not None and result.footer.name is None
    assert verify_conversion(text, result, Options()) == []


def test_a_highlighter_gutter_is_no_text_and_no_code() -> None:
    body = (
        "<table><tr><td><pre>1\n2\n3</pre></td><td><pre>a = 1\nb = 2\nc = 3</pre></td></tr></table>"
    )
    view = input_view(body)
    assert view.code_blocks == [["a = 1", "b = 2", "c = 3"]]
    assert view.counts["table cell"] == 0  # a table of code is no table
    assert [joined(block) for block in view.blocks] == ["a 1 b 2 c 3"]


def test_code_lines_br_and_a_line_end_after_it_are_one_line_end() -> None:
    view = input_view("<pre>import os<br />\nimport sys<br>x = 1</pre>")
    assert view.code_blocks == [["import os", "import sys", "x = 1"]]


def test_a_multiline_code_on_lines_of_its_own_is_a_code_block() -> None:
    view = input_view(
        "<p>Run:</p>\n<code>make<br>make install</code>\n<p>then <code>a\nb</code> it</p>"
    )
    assert view.code_blocks == [["make", "make install"]]
    assert view.code_spans == ["a b"]


def test_links_images_and_counts() -> None:
    view = input_view(
        "<ul><li><a href='//x.com/a%20b'>x</a></li><li><img src='p.png' alt='P'></li></ul>"
        "<p>E = mc<sup>2</sup>, H<sub>2</sub>O</p><blockquote><p>q</p></blockquote><h2>T</h2>"
    )
    assert dict(view.links) == {"https://x.com/a b": 1}
    assert dict(view.images) == {"p.png": 1}
    assert dict(view.counts) == {"list item": 2, "sup": 1, "sub": 1, "block quote": 1, "heading": 1}


def test_a_link_around_nothing_or_a_stock_link_is_no_link() -> None:
    view = input_view(
        "<p><a href='http://w.org/Backtracking'> </a>"
        "<a class='infokey' href='http://quote.eastmoney.com/x'>券商</a>中国</p>"
    )
    assert (dict(view.links), view.blocks) == ({}, [["券", "商", "中", "国"]])


def test_a_caption_shortcode_shows_its_caption() -> None:
    body = '[caption id="" caption="Ariel and me"]<img src="a.jpg" alt="">[/caption]'
    assert blocks(body) == ["Ariel and me"]


# --- each kind of difference --------------------------------------------------------------


def test_glued_code_lines_are_refused_and_named() -> None:
    found = messages("<pre>import os<br />\nimport sys</pre>", "```\nimport osimport sys\n```")
    assert found[0] == "code line 1 of block 1 changed: “import osimport sys”"


def test_a_lost_code_line_and_a_lost_code_block() -> None:
    assert messages("<pre>a\nb\nc</pre>", "```\na\nb\n```")[0] == "code line 3 of block 1 lost: “c”"
    assert messages("<pre>a</pre><pre>b</pre>", "```\na\n```\n\nb")[0] == "code block 2 lost: “b”"


def test_code_holding_blocks_compares_its_lines_not_its_blank_lines() -> None:
    source = "<pre><p>// Date: 2011-5-1</p><p>int status;</p></pre>"
    assert kinds(source, "```\n// Date: 2011-5-1\n\nint status;\n```") == []


def test_inline_code_side_by_side_may_be_one_span() -> None:
    assert kinds("<p><code>sub</code> <code>{}</code></p>", "`sub {}`") == []
    assert kinds("<p><code>sub</code> x</p>", "sub x") == ["inline code"]


def test_link_and_image_addresses_are_counted() -> None:
    source = "<p><a href='http://a.com/'>a</a> <a href='http://a.com/'>b</a> <img src='x.png'></p>"
    assert kinds(source, "[a](http://a.com/) [b](http://a.com/) ![](x.png)") == []
    assert kinds(source, "[a](http://a.com/) b ![](x.png)") == ["link"]
    assert kinds(source, "[a](http://a.com/) [b](http://a.com/) ![](y.png)") == ["image"]
    assert kinds("<p><a href='//h.org/p'>h</a></p>", "[h](https://h.org/p)") == []


def test_structure_counts() -> None:
    assert kinds("<ul><li>a</li><li>b</li></ul>", "- a b")[0] == "list item"  # (then: merged)
    assert kinds("<p>x<sup>2</sup></p>", "x2") == ["sup"]
    table = "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>"
    assert kinds(table, "| a | b |\n| --- | --- |\n| 1 | 2 |") == []
    assert kinds(table, "| a | b |\n| --- | --- |\n| 1 2 |")[0] == "table cell"
    assert kinds("<h2>Title</h2>", "**Title**") == ["heading"]
    assert kinds("<p><b>Bold title</b></p>", "## Bold title") == []  # more headings: fine


def test_merged_paragraphs_are_refused_split_ones_are_not() -> None:
    assert kinds("<p>One.</p><p>Two.</p>", "One.\nTwo.") == ["paragraphs"]
    assert kinds("<p>One.<br><br>Two.</p>", "One.\n\nTwo.") == []


def test_a_lost_word_is_named_where_the_loss_begins() -> None:
    source = "<p>" + " ".join(f"w{n}" for n in range(30)) + "</p>"
    output = " ".join(f"w{n}" for n in range(30) if n != 12)
    assert messages(source, output) == ["text lost: “w12 w13 w14 w15 w16 w17 w18 w19”"]


def test_a_lost_cjk_character() -> None:
    assert kinds("<p>中国学生往往非常聪明。</p>", "中国学生往往非聪明。") == ["text"]


def test_the_source_footer_may_gather_the_attribution_and_the_url() -> None:
    post = "---\ntitle: t\n---\n<p>正文。</p>\n<p>文章来源：新华社</p>\n\n<http://xinhua.net/a>\n"
    result = convert(post)
    assert "来源：[新华社](http://xinhua.net/a)" in result.text
    assert verify_conversion(post, result, Options()) == []
    moved = convert(post, Options(source_to_front_matter=True))
    assert "xinhua.net" not in moved.text[len(moved.header) :]
    assert verify_conversion(post, moved, Options(source_to_front_matter=True)) == []


def test_a_footer_moved_into_the_front_matter_counts_as_the_last_block() -> None:
    footer = Footer(name="新华社", url="http://xinhua.net/a")
    view = output_view("正文。", footer, in_header=True)
    assert [joined(block) for block in view.blocks][-1] == "新华社 http xinhua net a"
    assert dict(view.links) == {"http://xinhua.net/a": 1}


def test_image_descriptions_and_bare_links_are_no_paragraphs_of_their_own() -> None:
    source = "<p>Before <img src='a.png' alt='Fig 1'> after</p><p>Next</p>"
    assert kinds(source, "Before\n\n![Fig 1](a.png)\n\nafter\n\nNext") == []
    embed = "<p>One</p><p><a href='http://v.com/x.swf'>http://v.com/x.swf</a></p><p>Two</p>"
    assert kinds(embed, "One\n\n<http://v.com/x.swf>\n\nTwo") == []


def test_a_markdown_body_is_read_as_markdown() -> None:
    source = "* Item with <i>exp</i>\n* Second\n\n```\n<b>kept</b>\n```\n"
    assert kinds(source, "- Item with *exp*\n- Second\n\n```\n<b>kept</b>\n```", "markdown") == []
    assert kinds(source, "- Item with *exp*\n- Second\n\n```\nkept\n```", "markdown")[0] == "code"


# --- the cases of the issue: the front matter is not read; raw HTML is HTML --------------


@pytest.mark.parametrize("fence", ["```", "~~~"])
def test_a_fence_in_a_front_matter_value_is_no_code(tmp_path, fence: str) -> None:
    post = tmp_path / "excerpt.html"
    excerpt = f"excerpt: |\n  Try this:\n  {fence}\n  rm -rf\n"
    post.write_text(f"---\ntitle: t\n{excerpt}---\n<p>Body text.</p>\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-i", str(post)])
    assert result.exit_code == 0, result.stderr
    assert post.read_text("utf-8").endswith("---\n\nBody text.\n")


def test_tab_indented_html_after_a_blank_line_in_a_div_is_html(tmp_path) -> None:
    post = tmp_path / "indented.html"
    body = (
        "<div>\n<p>Intro.</p>\n\n\t<p>Indented <em>one</em>.</p>\n\n"
        "\t<ul>\n\t<li>x</li>\n\t</ul>\n</div>\n"
    )
    post.write_text(f"---\ntitle: t\n---\n{body}", encoding="utf-8")
    result = CliRunner().invoke(main, ["-i", str(post)])
    assert result.exit_code == 0, result.stderr
    assert post.read_text("utf-8").endswith("Intro.\n\nIndented *one*.\n\n- x\n")


def test_verify_report_lists_every_difference(tmp_path, monkeypatch) -> None:
    import postconv.cli.format as format_module

    post = tmp_path / "p.html"
    post.write_text("---\ntitle: t\n---\n<pre>a\nb</pre>\n<p>x<sup>2</sup></p>\n", encoding="utf-8")

    def damaged(text, options=None, name=None):
        from dataclasses import replace

        result = convert(text, options or Options(), name)
        return replace(result, text=result.text.replace("a\nb", "ab").replace("<sup>2</sup>", "2"))

    monkeypatch.setattr(format_module, "convert", damaged)
    report = tmp_path / "report.jsonl"
    result = CliRunner().invoke(main, ["--check", "--verify-report", str(report), str(post)])
    assert result.exit_code == 2
    assert "refused: code line 1 of block 1 changed: “ab” (see --no-verify)" in result.stderr
    import json

    [record] = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    assert record["file"] == str(post)
    assert [found["kind"] for found in record["differences"]] == ["code", "sup", "text"]
