"""Islands converted together (postconv.island_batch) give what each gives alone."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postconv import island_batch
from postconv.html.fragments import inline_markdown
from postconv.inline_html import convert_inline_html
from postconv.island_batch import SEPARATOR, batchable, inline_markdowns
from postconv.options import Options
from postconv.post.placeholders import Placeholders

OPTIONS = Options()

_START_TAGS = [
    *("<b>", "<i>", "<em>", "<strong>", "<code>", "<span>", "<kbd>", "<s>", "<sup>"),
    *('<a href="/x">', '<a href="javascript:x">', "<a>", '<a href="/y" title="t">'),
    *('<span style="font-weight:bold">', '<b style="display:none">', "<i hidden>"),
]
_LONE_TAGS = ["<br>", "<br/>", '<img src="/p.png" alt="*a*">', "<img>", "<b/>", "<!-- c -->"]
_NAMES = ["b", "i", "em", "strong", "code", "span", "kbd", "s", "sup", "a"]
_TEXT = st.text(alphabet="ab *_`[]<&\\ ", max_size=6)


@st.composite
def _element(draw: st.DrawFn, depth: int = 0) -> str:
    """Some HTML: an element with content, a lone tag, a stray end tag, text."""
    kind = draw(st.sampled_from(["element", "element", "lone", "stray", "unclosed", "text"]))
    if kind == "lone":
        return draw(st.sampled_from(_LONE_TAGS))
    if kind == "stray":
        return f"</{draw(st.sampled_from(_NAMES))}>"
    if kind == "text" or depth > 2:
        return draw(_TEXT)
    start = draw(st.sampled_from(_START_TAGS))
    inner = "".join(draw(st.lists(_element(depth + 1), max_size=3)))
    if kind == "unclosed":
        return start + inner
    name = start[1:].split(">")[0].split(" ")[0]
    return f"{start}{inner}</{name}>"


def _tokenised(html: str, text: Placeholders) -> str:
    """``html`` as an island's source is: its text between tags made tokens."""
    pieces, position = [], 0
    while position < len(html):
        lt = html.find("<", position)
        end = html.find(">", lt) + 1 if lt >= 0 else 0
        if lt < 0 or end <= 0:
            lt = end = len(html)
        if html[position:lt].strip():
            pieces.append(text.add(html[position:lt].strip()))
        pieces.append(html[lt:end])
        position = end
    return "".join(pieces)


_NEIGHBOURS = st.sampled_from(["", " ", "a", "*", ".", "\u4e00"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_element(), _NEIGHBOURS, _NEIGHBOURS, st.booleans()), max_size=8))
def test_a_batch_converts_as_each_alone(islands: list[tuple[str, str, str, bool]]) -> None:
    fragments = []
    for html, before, after, tokens in islands:
        source = _tokenised(html, Placeholders("island")) if tokens else html
        fragments.append((source, before, after))
    alone = [inline_markdown(source, OPTIONS, before, after) for source, before, after in fragments]
    assert inline_markdowns(fragments, OPTIONS) == alone


@st.composite
def _markdown_line(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(_element(), _TEXT, st.just(" "), st.just("\n")), max_size=10))
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_markdown_line())
def test_inline_html_converts_as_with_each_island_alone(markdown: str) -> None:
    batched = convert_inline_html(markdown, OPTIONS, Placeholders())
    with mock.patch.object(island_batch, "batchable", return_value=False):
        alone = convert_inline_html(markdown, OPTIONS, Placeholders())
    assert batched == alone


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<b>\ue004\ue010\ue001</b>", True),
        ('<a href="/x"><i>\ue004\ue010\ue001</i> </a>', True),
        ("<b>text</b>", False),  # text in a batch is only tokens
        ("<p>\ue004\ue010\ue001</p>", False),  # a block's tags may reach past the <div>
        ("<pre>x</pre>", False),
        ('<a title="[caption]">x</a>', False),
        (f"<b>{SEPARATOR}</b>", False),
        ("<b>" * 60 + "</b>" * 60, False),
    ],
)
def test_batchable(source: str, expected: bool) -> None:
    assert batchable(source) is expected


def test_an_island_a_pass_drops_whole_is_converted_alone() -> None:
    # an empty <span> holding a line break: drop_empty would take the batch's <div> too
    fragments = [("<span><br></span>", "", ""), ("<b>\ue004\ue010\ue001</b>", " ", " ")]
    alone = [inline_markdown(source, OPTIONS, before, after) for source, before, after in fragments]
    assert inline_markdowns(fragments, OPTIONS) == alone


def test_a_line_of_links_is_converted_in_batches() -> None:
    markdown = "".join(f'<a href="/{i}">l{i}</a> ' for i in range(600))
    converted = convert_inline_html(markdown, OPTIONS, Placeholders())
    assert converted == "".join(f"[l{i}](/{i}) " for i in range(600))
