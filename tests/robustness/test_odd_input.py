"""Input that is odd but valid converts (issue 5).

Browsers render all of these; so must postconv: no error, the visible text
kept in order, the front matter byte for byte, and converting the output
again changes nothing.
"""

from __future__ import annotations

import re
import time

import pytest

from postconv.fidelity import first_missing, lost_text
from postconv.pipeline import convert

from .helpers import html_text, limits, rendered_text

HEADER = "---\ntitle: 测试\ndate: 2022-03-29 14:52:18 +0800\n---\n"

#: name → (HTML body, strings the rendered output must show, strings it must not contain)
ODD: dict[str, tuple[str, list[str], list[str]]] = {
    "unclosed-tags": (
        "<p>第一段<p>第二段<div>第三段<b>粗体<i>斜体",
        ["第一段", "第二段", "第三段", "粗体", "斜体"],
        [],
    ),
    "p-inside-span": ("<span>前<p>段落一</p><p>段落二</p>后</span>", ["段落一", "段落二"], []),
    "stray-closing-tags": ("<p>甲</p></div></div><p>乙</p></span></li>", ["甲", "乙"], ["</"]),
    "double-escaped-nbsp": (
        "<p>价格&amp;nbsp;上涨&amp;amp;百分之五</p>",
        ["价格&nbsp;上涨&amp;百分之五"],
        [],
    ),
    "ideographic-space-entity": (
        "<p>&#x3000;&#x3000;新华社北京电&#12288;记者报道</p>",
        ["新华社北京电", "记者报道"],
        [],
    ),
    "nbsp-only-paragraphs": ("<p>&nbsp;</p><p>正文</p><p> &nbsp; </p>", ["正文"], []),
    "cdata-section": ("<p>前<![CDATA[数据]]>后</p>", ["前", "后"], ["CDATA"]),
    "processing-instructions": (
        '<?xml version="1.0" encoding="utf-8"?>\n<p>正文<?php echo 1; ?>继续</p>',
        ["正文", "继续"],
        ["xml version", "php"],
    ),
    "ms-word-markup": (
        "<!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/>"
        "</o:OfficeDocumentSettings></xml><![endif]-->\n"
        '<p class="MsoNormal"><span lang="EN-US" style="font-family:宋体">'
        "文字<o:p></o:p></span></p>\n"
        '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
        '<p class=MsoNormal>第二段<st1:chsdate year="2022" month="3" day="29" w:st="on">'
        "3月29日</st1:chsdate>发布<o:p></o:p></p>",
        ["文字", "第二段", "3月29日", "发布"],
        ["o:p", "mso", "OfficeDocumentSettings", "st1"],
    ),
    "font-and-center": (
        "<center><font color=red size=3>红色标题</font></center>",
        ["红色标题"],
        [],
    ),
    "unquoted-and-duplicate-attributes": (
        "<p class=a class=b id=x>属性</p><a href=/path?x=1&y=2 title=链接>链接文字</a>",
        ["属性", "链接文字"],
        [],
    ),
    "markdown-lookalike-text": (
        "<p>1. 不是列表</p><p># 不是标题</p><p>*星号* _下划线_ `反引号` [方括号](链接)</p>"
        "<p>+ 加号</p><p>- 减号</p><p>&gt; 不是引用</p><p>a\\b 反斜杠</p>",
        [
            "1. 不是列表",
            "# 不是标题",
            "*星号* _下划线_ `反引号` [方括号](链接)",
            "+ 加号",
            "- 减号",
            "> 不是引用",
            "a\\b 反斜杠",
        ],
        [],
    ),
    "dashes-line-after-break": ("<p>中文<br>---</p><p>正文</p>", ["中文", "---"], []),
    "dashes-paragraph": ("<p>正文</p><p>---</p><p>***</p><p>___</p>", ["---", "***", "___"], []),
    "number-dot-after-block": ("<p>正文</p>\n0.\n<p>后</p>", ["0."], []),
    "comments-and-stock-markers": (
        "<p>正文<!-- EM_StockImg_Start -->内容<!-- EM_StockImg_End --></p><!-->",
        ["正文", "内容"],
        ["EM_StockImg"],
    ),
    "crlf-and-cr-line-ends": ("<p>第一行\r\n第二行\r第三行</p>\r\n<p>下一段</p>", ["第三行"], []),
    "empty-and-odd-links": (
        '<p><a>无链接</a> <a href="">空链接</a> <a href="javascript:void(0)">脚本</a></p>',
        ["无链接", "空链接", "脚本"],
        [],
    ),
    "images-without-src-or-alt": ('<p><img><img src=""><img alt="图片说明">文字</p>', ["文字"], []),
    "table-without-rows": ("<table></table><table><tr></tr></table><p>表后</p>", ["表后"], []),
    "list-soup": ("<ul><li>一<li>二<ol><li>三</ul><li>四</li>", ["一", "二", "三", "四"], []),
    "pre-with-blank-lines": (
        "<pre><code>line 1\n\n\nline   4 &lt;tag&gt;</code></pre>",
        ["line 1", "line   4 <tag>"],
        [],
    ),
    "script-style-noscript": (
        "<script>var a = '<p>不可见</p>';</script><style>p{color:red}</style><p>可见</p>",
        ["可见"],
        ["不可见", "color:red"],
    ),
}


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_input_converts(name: str) -> None:
    body, shown, absent = ODD[name]
    result = convert(HEADER + body)
    assert result.text.startswith(HEADER), "front matter changed"
    output = result.text[len(HEADER) :]
    assert lost_text(body, output) is None, f"text lost: {lost_text(body, output)!r}\n{output}"
    text = rendered_text(output)
    for wanted in shown:
        assert wanted in text, f"{wanted!r} not shown; rendered text {text!r}\noutput:\n{output}"
    for unwanted in absent:
        assert unwanted not in output, f"{unwanted!r} in output:\n{output}"
    assert convert(result.text).text == result.text, "not idempotent"


def test_unclosed_paragraphs_stay_separate() -> None:
    output = convert(HEADER + "<p>第一段<p>第二段<p>第三段").text[len(HEADER) :]
    assert re.search(r"第一段\n\n+第二段\n\n+第三段", output), output


def test_paragraphs_inside_span_stay_separate() -> None:
    output = convert(HEADER + "<span><p>段落一</p><p>段落二</p></span>").text[len(HEADER) :]
    assert re.search(r"段落一\n\n+段落二", output), output


def test_huge_table_converts() -> None:
    columns, rows = 12, 2000
    head = "".join(f"<th>列{c}</th>" for c in range(columns))
    cells = "".join(
        "<tr>" + "".join(f"<td>格{r}-{c}</td>" for c in range(columns)) + "</tr>"
        for r in range(rows)
    )
    body = f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>"
    start = time.monotonic()
    result = convert(HEADER + body)
    elapsed = time.monotonic() - start
    output = result.text[len(HEADER) :]
    assert lost_text(body, output) is None
    assert f"格{rows - 1}-{columns - 1}" in output
    assert elapsed < 30, f"{elapsed:.1f}s for a {rows}x{columns} table"


def test_ten_thousand_paragraphs() -> None:
    count = 10_000
    body = "\n".join(f"<p>第{i}段，内容。</p>" for i in range(count))
    start = time.monotonic()
    result = convert(HEADER + body)
    elapsed = time.monotonic() - start
    output = result.text[len(HEADER) :]
    assert lost_text(body, output) is None
    paragraphs = [block for block in output.split("\n\n") if block.strip()]
    assert len(paragraphs) == count, f"{len(paragraphs)} blocks for {count} paragraphs"
    assert paragraphs[0].strip() == "第0段，内容。"
    assert paragraphs[-1].strip() == f"第{count - 1}段，内容。"
    assert elapsed < 30, f"{elapsed:.1f}s for {count} paragraphs"
    assert convert(result.text).text == result.text


@pytest.mark.parametrize("anchor", ['<a href="https://t.co/x">', '<a name="x">', "<a>"])
@pytest.mark.parametrize("depth", [12, 30])
def test_paragraphs_nested_in_links_stay_linear(depth: int, anchor: str) -> None:
    """``<p>`` inside ``<a>`` (embedded tweets, WordPress anchors): time must not double
    with each level. Found by the fuzzer: with anchors that have no href, 20 levels took
    seconds and 40 exhausted memory.
    """
    body = f"<p>{anchor}" * depth + "推文"
    start = time.monotonic()
    with limits(seconds=3, megabytes=1024):
        output = convert(HEADER + body).text[len(HEADER) :]
    assert "推文" in output
    assert time.monotonic() - start < 3


def test_ten_thousand_unclosed_paragraphs() -> None:
    body = "".join(f"<p>第{i}段" for i in range(10_000))
    output = convert(HEADER + body).text[len(HEADER) :]
    assert lost_text(body, output) is None
    assert "第9999段" in output


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_input_plain_text_kept(name: str) -> None:
    """Stronger than word characters: the browser-visible text, punctuation included."""
    body, _, _ = ODD[name]
    output = convert(HEADER + body).text[len(HEADER) :]
    want = _squash(html_text(body))
    got = _squash(rendered_text(output))
    assert first_missing(want, got) is None, f"\nwant {want!r}\ngot  {got!r}"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
