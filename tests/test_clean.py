"""Each cleaning pass alone: a table of (pass, input HTML, expected HTML) cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from postconv.html import clean
from postconv.options import Options


def run(cleaning_pass: clean.Pass, source: str, options: Options | None = None) -> str:
    root = clean.parse(source)
    cleaning_pass(root, options or Options())
    inner = etree.tostring(root, encoding="unicode", method="html", with_tail=False)
    return inner.removeprefix("<div>").removesuffix("</div>")


CASES = [
    (clean.drop_invisible, "<p>a</p><script>x()</script><!-- c --><p hidden>h</p>", "<p>a</p>"),
    (clean.drop_invisible, '<p style="display: none">h</p><p>b</p>', "<p>b</p>"),
    (
        clean.bold_style_to_strong,
        '<span style="font-weight:700">粗</span>',
        '<span style="font-weight:700"><strong>粗</strong></span>',
    ),
    (clean.unwrap_decorative, '<p><font color="red">红</font><span>字</span></p>', "<p>红字</p>"),
    (
        clean.unwrap_decorative,
        '<p><span web="1" href="http://quote.eastmoney.com/x">蔚来</span></p>',
        "<p>蔚来</p>",
    ),
    (
        clean.unwrap_decorative,
        '<p><a class="keytip" href="http://quote.eastmoney.com/1">股</a><a href="/x">l</a></p>',
        '<p>股<a href="/x">l</a></p>',
    ),
    (clean.unwrap_decorative, "<center>c</center>", "<div>c</div>"),
    (
        clean.absolutise_urls,
        '<a href="//h.com/a">a</a><img src="//h.com/i.png">',
        '<a href="https://h.com/a">a</a><img src="https://h.com/i.png">',
    ),
    (
        clean.drop_unsafe_links,
        '<a href="javascript:x()">a</a><a href=" JAVA&#10;script:x">b</a><a href="/ok">c</a>'
        '<img src="data:image/png;base64,AA" alt="p"><img src="data:text/html,x" alt="q">'
        '<iframe src="file:///etc/passwd"></iframe><video src="https://v.example/v.mp4"></video>',
        'ab<a href="/ok">c</a><img src="data:image/png;base64,AA" alt="p"><img alt="q">'
        '<iframe></iframe><video src="https://v.example/v.mp4"></video>',
    ),
    (
        clean.unwrap_layout_tables,
        '<table class="box"><tr><td><p>a</p><table><tr><td>1</td><td>2</td></tr></table>'
        "</td></tr></table>",
        "<div><p>a</p><table><tr><td>1</td><td>2</td></tr></table></div>",
    ),
    (
        clean.captions_before_tables,
        "<table><caption>Sales</caption><colgroup><col></colgroup><tr><td>1</td></tr></table>x",
        "<p>Sales</p><table><tr><td>1</td></tr></table>x",
    ),
    (clean.join_source_lines, "<p>中文\n中文 and\nEnglish</p>", "<p>中文中文 and English</p>"),
    (clean.join_source_lines, "<pre>keep\nlines</pre>", "<pre>keep\nlines</pre>"),
    (clean.join_source_lines, "<pre><b>a\nb</b>\nc</pre>", "<pre><b>a\nb</b>\nc</pre>"),
    (
        clean.figures_to_captioned_images,
        '<figure><img src="a.png"><figcaption>说明</figcaption></figure>',
        '<p><img src="a.png"></p><p><em>说明</em></p>',
    ),
    (
        clean.lift_blocks_out_of_paragraphs,
        '<p>before<figure><img src="x"></figure>after</p>',
        '<p>before</p><figure><img src="x"></figure><p>after</p>',
    ),
    (clean.split_double_breaks, "<p>一<br><br>二<br>三</p>", "<p>一</p><p>二<br>三</p>"),
    (clean.strip_edge_space, "<p>\u3000\u3000&nbsp;\u200b文字\u3000</p>", "<p>文字</p>"),
    (clean.strip_edge_space, "<p><br>文字<br></p>", "<p>文字</p>"),
    (clean.breaks_out_of_inline, "<p><b>粗<br></b>行</p>", "<p><b>粗</b><br>行</p>"),
    (
        clean.breaks_out_of_inline,
        '<p>前<a href="/x"><br>链</a></p>',
        '<p>前<br><a href="/x">链</a></p>',
    ),
    (
        clean.drop_empty,
        "<p>a</p><p> </p><p><span></span></p><p><img src=x></p>",
        '<p>a</p><p><img src="x"></p>',
    ),
    (clean.merge_adjacent_emphasis, "<b>加</b><b>粗</b>尾", "<b>加粗</b>尾"),
    (clean.merge_adjacent_emphasis, "<b>加</b><strong>粗</strong>", "<b>加粗</b>"),
    (clean.unnest_emphasis, "<b>a<strong>b<em>c<i>d</i></em></strong></b>", "<b>ab<em>cd</em></b>"),
    (
        clean.links_outside_emphasis,
        '<strong><a href="/u">链接</a></strong>',
        '<a href="/u"><strong>链接</strong></a>',
    ),
    (clean.bold_paragraphs_to_headings, "<p><strong>小标题</strong></p>", "<h2>小标题</h2>"),
    (
        clean.bold_paragraphs_to_headings,
        "<p><strong>完整的一句话。</strong></p>",
        "<p><strong>完整的一句话。</strong></p>",
    ),
    (clean.shift_headings, "<h1>a</h1><h3>b</h3>", "<h2>a</h2><h4>b</h4>"),
    (
        clean.captions_after_images,
        '<p><img src="a.png"></p><p>图片来源：官网</p>',
        '<p><img src="a.png"></p><p><em>图片来源：官网</em></p>',
    ),
]


@pytest.mark.parametrize(
    ("cleaning_pass", "source", "expected"),
    CASES,
    ids=[f"{case[0].__name__}-{index}" for index, case in enumerate(CASES)],
)
def test_pass(cleaning_pass: clean.Pass, source: str, expected: str) -> None:
    assert run(cleaning_pass, source) == expected


def test_standalone_caption_needs_body_paragraphs_around_it() -> None:
    body = "这是一段足够长的正文，它以句号结尾，用来衬托中间的图片说明文字。"
    between = f"<p>{body}</p><p>记者正在采访</p><p>{body}</p>"
    assert "<em>记者正在采访</em>" in run(clean.standalone_captions, between)
    alone = f"<p>记者正在采访</p><p>{body}</p>"
    assert "<em>" not in run(clean.standalone_captions, alone)


@pytest.mark.parametrize(
    "line",
    ["to", "}", "---", "# Return Output", "+1 Dria and Brian", "Step two"],
)
def test_a_short_line_of_other_text_is_no_caption(line: str) -> None:
    """Only Chinese news drops a photo and keeps its caption as a line of its own:
    a short line of English, code or a rule between two paragraphs stays as it is."""
    body = "This paragraph is long enough to stand around a caption, and it ends."
    between = f"<p>{body}</p><p>{line}</p><p>{body}</p>"
    assert "<em>" not in run(clean.standalone_captions, between)


def test_code_lines_are_no_body_paragraphs_around_a_caption() -> None:
    code = "<p><code>// 这一行是代码，它足够长\nvar test = parseInt('09', 10);</code></p>"
    between = f"{code}<p>或者</p>{code}"
    assert "<em>" not in run(clean.standalone_captions, between)


@pytest.mark.parametrize(
    "where",
    ["<table><tr><td>{}</td></tr></table>", "<ul><li>{}</li></ul>", "<dl><dd>{}</dd></dl>"],
)
def test_a_bold_paragraph_in_a_cell_or_an_item_is_no_heading(where: str) -> None:
    html = run(clean.bold_paragraphs_to_headings, where.format("<p><strong>值</strong></p>"))
    assert "<h2>" not in html and "<strong>值</strong>" in html


def test_indentation_inside_a_block_s_first_bold_goes() -> None:
    html = run(clean.strip_edge_space, "<p><strong>\u3000\u3000二：</strong>文字</p>")
    assert html == "<p><strong>二：</strong>文字</p>"
    html = run(clean.strip_edge_space, "<p><b><i>\u00a0 x</i></b></p>")
    assert html == "<p><b><i>x</i></b></p>"


def test_spaces_inside_a_block_s_first_code_are_code() -> None:
    html = "<p><code>  indented</code> text</p>"
    assert run(clean.strip_edge_space, html) == html


def test_heading_level_option_sets_the_bold_heading_level() -> None:
    html = run(clean.bold_paragraphs_to_headings, "<p><b>标题</b></p>", Options(heading_level=4))
    assert html == "<h4>标题</h4>"


def test_passes_run_in_the_documented_order() -> None:
    names = [cleaning_pass.__name__ for cleaning_pass in clean.PASSES]
    assert names.index("drop_invisible") == 0
    assert names.index("shift_headings") < names.index("bold_paragraphs_to_headings")
    assert names.index("figures_to_captioned_images") < names.index("captions_after_images")


@pytest.mark.parametrize(
    ("shortcode", "caption"),
    [
        (
            '[caption id="1"]<img src="c.jpg"> Photo by <a href="http://f.com/x">John</a>'
            " (CC-BY)[/caption]",
            'Photo by <a href="http://f.com/x">John</a> (CC-BY)',
        ),
        (
            '[caption id="1"]<a href="big.jpg"><img src="c.jpg"></a> By <em>Ann</em>[/caption]',
            "By <em>Ann</em>",
        ),
    ],
)
def test_a_caption_with_tags_is_cut_after_its_image(shortcode: str, caption: str) -> None:
    assert clean.expand_caption_shortcodes(shortcode).endswith(
        f"<figcaption>{caption}</figcaption></figure>"
    )


def test_caption_shortcode_becomes_a_figure() -> None:
    source = '[caption id="a" caption="说明"]<img src="x.png" alt="alt">[/caption]'
    assert clean.expand_caption_shortcodes(source) == (
        '<figure><img src="x.png" alt="alt"><figcaption>说明</figcaption></figure>'
    )


def test_absurd_nesting_keeps_all_text() -> None:
    source = "<p>start</p>" + "<div><span>" * 5000 + "deep" + "</span></div>" * 5000 + "<p>end</p>"
    text = "".join(clean.parse(source).itertext())
    assert "start" in text and "deep" in text and "end" in text


@pytest.mark.parametrize("depth", [150, 500, 1500, 3000])
def test_nesting_between_recursion_and_parser_limits_is_flattened(depth: int) -> None:
    # deeper than Python's recursion allows markdownify, shallower than libxml2's limit
    root = clean.parse("<div>" * depth + "x" + "</div>" * depth)
    assert "".join(root.itertext()) == "x"
    assert not clean._deeper_than_max(root)


def test_merging_emphasis_keeps_the_space_between() -> None:
    assert run(clean.merge_adjacent_emphasis, "<b>a</b> <b>b</b>") == "<b>a b</b>"
    assert run(clean.merge_adjacent_emphasis, "<code>a</code><code>b</code>") == "<code>ab</code>"


def test_unsafe_links_are_kept_when_asked() -> None:
    source = '<a href="javascript:x()">a</a>'
    assert run(clean.drop_unsafe_links, source, Options(allow_unsafe_links=True)) == source


def _drop_stray_breaks_one_by_one(root: etree._Element) -> None:
    """drop_stray_breaks as first written: every <br> looked at, after then before."""
    edges = clean._edge_breaks(root)
    for br in clean._elements(root, "br"):
        if br.getparent().tag in clean._STRUCTURE or br in edges or clean._after_block(br):
            clean.tree.drop_tree(br)
    for br in reversed(clean._elements(root, "br")):
        if clean._before_block(br):
            clean.tree.drop_tree(br)


_PIECES = ["<br>", "<br> ", "x", " ", "<p>p</p>", "<ul><li>i</li><br></ul>", "<b><br>b</b>"]


@given(st.lists(st.sampled_from(_PIECES), max_size=10), st.sampled_from(["", "div", "li"]))
def test_stray_breaks_found_as_when_each_was_looked_at(pieces: list[str], wrapper: str) -> None:
    source = "".join(pieces)
    source = f"<{wrapper}>{source}</{wrapper}>" if wrapper else source
    expected, root = clean.parse(source), clean.parse(source)
    _drop_stray_breaks_one_by_one(expected)
    clean.drop_stray_breaks(root, Options())
    assert etree.tostring(root) == etree.tostring(expected)


@given(st.lists(st.sampled_from(["<br>", "<br> ", "<br>\u00a0", "x", "<b>b</b>"]), max_size=8))
def test_a_break_run_is_found_from_the_first_break_of_it(pieces: list[str]) -> None:
    paragraph = clean.parse(f"<p>{''.join(pieces)}</p>")[0]
    expected = any(clean._in_break_run(child) for child in paragraph)
    assert clean._holds_break_run(paragraph) == expected


_FIXTURE_INPUTS = sorted(Path(__file__).parents[1].glob("fixtures/*/*.input.*"))


@pytest.mark.parametrize("passes", [clean.PASSES, clean.INLINE_PASSES], ids=["block", "inline"])
def test_passes_left_out_for_want_of_their_tags_would_change_nothing(
    passes: list[clean.Pass],
) -> None:
    """clean() does not run a pass whose tags the parsed fragment lacks: run anyway, on
    every fixture, each of them leaves the tree as it is."""
    assert _FIXTURE_INPUTS
    for path in _FIXTURE_INPUTS:
        source = path.read_text(encoding="utf-8")
        skipping, running = clean.parse(source), clean.parse(source)
        clean.clean(skipping, Options(), passes)
        for cleaning_pass in passes:
            cleaning_pass(running, Options())
        assert etree.tostring(skipping) == etree.tostring(running), path.name
