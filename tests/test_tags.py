"""Finding HTML tags without a tree, as CommonMark's raw-HTML grammar reads them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postconv.post.tags import _Finder, _start_tag_at, _tag_at, iter_tags


def found(text: str, **kwargs) -> list[tuple[str, str, str]]:
    return [(text[t.start : t.end], t.kind, t.name) for t in iter_tags(text, **kwargs)]


CASES = [
    ("start and end tags", "<p>x</p>", [("<p>", "open", "p"), ("</p>", "close", "p")]),
    (
        "names are lower case",
        "<A HREF=x>y</A >",
        [("<A HREF=x>", "open", "a"), ("</A >", "close", "a")],
    ),
    ("void elements", "<br><img src=x>", [("<br>", "void", "br"), ("<img src=x>", "void", "img")]),
    ("self-closing", "<span/>", [("<span/>", "void", "span")]),
    ("a > in a quoted value", '<p title="a>b">', [('<p title="a>b">', "open", "p")]),
    ("a tag over lines", '<p\nclass="x"\n>', [('<p\nclass="x"\n>', "open", "p")]),
    (
        "a blank line in an attribute value",
        '<img alt="a\n\nb" src=x>',
        [('<img alt="a\n\nb" src=x>', "void", "img")],
    ),
    ("comment", "a <!-- c --> b", [("<!-- c -->", "comment", "")]),
    ("empty comment", "<!-->", [("<!-->", "comment", "")]),
    ("processing instruction", "<?php echo 1; ?>", [("<?php echo 1; ?>", "other", "")]),
    ("declaration", "<!DOCTYPE html>", [("<!DOCTYPE html>", "other", "")]),
    ("CDATA", "<![CDATA[<b>]]>", [("<![CDATA[<b>]]>", "other", "")]),
    ("less-than signs in text", "a < b and <3 and 1<2", []),
    ("an unclosed quote", '<a href="x>y', []),
    ("an unclosed comment", "<!-- never", []),
    ("an autolink is no tag", "<http://a.com>", []),
]


@pytest.mark.parametrize(("text", "tags"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_iter_tags(text: str, tags: list[tuple[str, str, str]]) -> None:
    assert found(text) == tags


def test_script_content_is_text() -> None:
    assert found('<script>if (a<b) {"</p>"}</script><b>') == [
        ("<script>", "open", "script"),
        ("</script>", "close", "script"),
        ("<b>", "open", "b"),
    ]


def test_without_raw_text_every_tag_counts() -> None:
    names = [name for _, _, name in found("<style>p</p></style>", raw_text=False)]
    assert names == ["style", "p", "style"]


def test_an_unclosed_script_swallows_the_rest() -> None:
    assert found("<script>x <b>y</b>") == [("<script>", "open", "script")]


def test_a_slice_of_the_text() -> None:
    text = "<b>x</b><i>"
    assert [(t.start, t.end) for t in iter_tags(text, 3, 8)] == [(4, 8)]
    assert list(iter_tags(text, 0, 5)) == [next(iter_tags(text))]  # "</b>" is cut


@given(
    st.lists(st.sampled_from(["<", ">", "a", " ", '"', "'", "/", "!", "-", "=", "p"])).map("".join)
)
def test_tags_are_in_order_and_delimited(text: str) -> None:
    position = 0
    for tag in iter_tags(text):
        assert position <= tag.start < tag.end <= len(text)
        assert text[tag.start] == "<" and text[tag.end - 1] == ">"
        position = tag.end


@settings(max_examples=1000)
@given(st.text(alphabet="ab_:=\"'`/<> \n", max_size=30))
def test_a_start_tag_read_whole_is_read_as_step_by_step(rest: str) -> None:
    text = "<a" + rest
    assert _tag_at(text, 0, len(text), _Finder(text, len(text))) == _start_tag_at(
        text, 0, len(text), _Finder(text, len(text))
    )
