"""Hypothesis strategies for realistic post files.

A post is front matter (YAML between ``---``, TOML between ``+++``, or none)
with CJK and ASCII values, then an HTML body built from the tags real
Chinese news and blog exports use, nested at random (including nestings a
browser has to repair, such as ``<p>`` inside ``<span>``), with CJK text and
punctuation and the ASCII characters that mean something in Markdown.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

import yaml
from hypothesis import strategies as st

CJK = "中国联通让老百姓实在用网明白消费今年的政府工作报告指出要推动持续恢复新华社北京电记者金融"
CJK_PUNCTUATION = "“”‘’，。！？、：；（）《》【】…—·"
ASCII_WORDS = ["APP", "5G", "2022", "Python", "iPhone", "A股", "GDP", "v1.2", "x", "OK"]
#: characters that mean something in Markdown or HTML: the escaper must keep them literal
MARKUP_CHARS = list("*_#`[]()<>&!|\\-+.~=:\"'")

INLINE_TAGS = ["strong", "b", "em", "i", "span", "font", "a", "code", "u", "sup", "sub"]
BLOCK_TAGS = ["p", "div", "blockquote", "center", "h1", "h2", "h3", "h4", "h5", "h6"]


@dataclass(frozen=True)
class GeneratedPost:
    header: str  # front matter with its fences and final newline, "" for none
    body: str  # the HTML body

    @property
    def text(self) -> str:
        return self.header + self.body


# ---------------------------------------------------------------- text


def _pieces() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(alphabet=CJK, min_size=1, max_size=12),
        st.text(alphabet=CJK_PUNCTUATION, min_size=1, max_size=2),
        st.sampled_from(ASCII_WORDS),
        st.sampled_from([" ", " ", "\u3000", "\xa0"]),
        st.sampled_from(MARKUP_CHARS),
        st.from_regex(r"[0-9]{1,4}[.)]?", fullmatch=True),
    )


#: raw text (not escaped): joined pieces, never empty
raw_text = st.lists(_pieces(), min_size=1, max_size=8).map("".join)


def escaped(text: str) -> str:
    return html.escape(text, quote=False)


text_node = raw_text.map(escaped)


# ---------------------------------------------------------------- HTML

_HREFS = ["https://example.com/news/1.html", "/a/b?x=1&amp;y=2", "#top", "mailto:a@b.cn"]


@st.composite
def _inline_element(draw, children: st.SearchStrategy[str]) -> str:
    tag = draw(st.sampled_from(INLINE_TAGS))
    if tag == "code":
        return f"<code>{draw(text_node)}</code>"
    attrs = ""
    if tag == "a":
        attrs = f' href="{draw(st.sampled_from(_HREFS))}"'
    elif tag == "font":
        attrs = ' color="red"'
    elif tag == "span" and draw(st.booleans()):
        attrs = ' style="font-weight:bold"'
    inner = draw(st.lists(children, min_size=1, max_size=3).map("".join))
    return f"<{tag}{attrs}>{inner}</{tag}>"


_image = st.builds(lambda alt: f'<img src="/img/1.png" alt="{html.escape(alt)}">', raw_text)

#: phrasing content: text, line breaks, images and inline elements nested a few deep
inline_fragment = st.recursive(
    st.one_of(text_node, text_node, text_node, st.just("<br>"), _image),
    lambda children: _inline_element(children),
    max_leaves=12,
)

_inline_run = st.lists(inline_fragment, min_size=1, max_size=3).map("".join)


@st.composite
def _block_element(draw, children: st.SearchStrategy[str]) -> str:
    kind = draw(st.sampled_from(["block", "block", "list", "table", "pre", "repair"]))
    if kind == "list":
        tag = draw(st.sampled_from(["ul", "ol"]))
        items = draw(st.lists(st.one_of(_inline_run, children), min_size=1, max_size=4))
        return f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"
    if kind == "table":
        columns = draw(st.integers(1, 3))
        row = st.lists(_inline_run, min_size=columns, max_size=columns)
        head = "".join(f"<th>{cell}</th>" for cell in draw(row))
        rows = draw(st.lists(row, max_size=3))
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>" for cells in rows)
        return f"<table><tr>{head}</tr>{body}</table>"
    if kind == "pre":
        code = draw(st.lists(raw_text, min_size=1, max_size=3).map("\n".join))
        return f"<pre><code>{escaped(code)}</code></pre>"
    if kind == "repair":  # nestings a browser repairs: <p> in <span>, <div> in <p>
        outer = draw(st.sampled_from(["span", "strong", "font", "p"]))
        inner = draw(st.sampled_from(["p", "div"]))
        parts = draw(st.lists(_inline_run, min_size=1, max_size=3))
        return f"<{outer}>" + "".join(f"<{inner}>{p}</{inner}>" for p in parts) + f"</{outer}>"
    tag = draw(st.sampled_from(BLOCK_TAGS))
    if tag == "p" or tag.startswith("h"):
        return f"<{tag}>{draw(_inline_run)}</{tag}>"
    inner = draw(st.lists(st.one_of(children, _inline_run), min_size=1, max_size=3))
    return f"<{tag}>" + "".join(inner) + f"</{tag}>"


#: flow content: blocks (paragraphs, divs, quotes, headings, lists, tables, code) nested
html_fragment = st.recursive(
    _inline_run.map(lambda inner: f"<p>{inner}</p>"),
    lambda children: _block_element(children),
    max_leaves=8,
)

#: a whole body: a few top-level blocks, one per line as exported posts have them
#: (it starts with an element: a body with no tag at all is Markdown, by design)
html_body = st.builds(
    lambda first, rest: "\n".join([first, *rest]),
    html_fragment,
    st.lists(st.one_of(html_fragment, _inline_run), max_size=5),
)


# ---------------------------------------------------------------- front matter

_fm_text = st.lists(
    st.one_of(
        st.text(alphabet=CJK, min_size=1, max_size=10),
        st.text(alphabet=CJK_PUNCTUATION + ":#'\"-[]{}&*!|>%@`", min_size=1, max_size=2),
        st.sampled_from([*ASCII_WORDS, " "]),
    ),
    min_size=1,
    max_size=6,
).map("".join)

_fm_values = st.fixed_dictionaries(
    {"title": _fm_text},
    optional={
        "layout": st.just("post"),
        "date": st.sampled_from(["2022-03-29 14:52:18 +0800", "2021-12-01", ""]),
        "categories": _fm_text,
        "tags": st.lists(_fm_text, max_size=3),
        "author": _fm_text,
        "draft": st.booleans(),
        "weight": st.integers(0, 100),
    },
)


@st.composite
def yaml_header(draw) -> str:
    values = draw(_fm_values)
    flow = draw(st.sampled_from([False, None]))
    source = yaml.safe_dump(values, allow_unicode=True, sort_keys=False, default_flow_style=flow)
    if draw(st.booleans()):
        source = "# 注释：导出自 WordPress\n" + source
    return f"---\n{source}---\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string


@st.composite
def toml_header(draw) -> str:
    values = draw(_fm_values)
    lines = [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    return "+++\n" + "\n".join(lines) + "\n+++\n"


header = st.one_of(yaml_header(), toml_header(), st.just(""))


@st.composite
def posts(draw) -> GeneratedPost:
    return GeneratedPost(header=draw(header), body=draw(html_body))
