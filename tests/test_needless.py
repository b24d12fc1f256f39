"""Backslashes only where they change what CommonMark shows: which are dropped, which kept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from postconv.html import needless
from postconv.html.needless import MAX_BLOCK, drop_needless_backslashes, reference_labels

_md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

#: settled by the rules alone, no rendering (a block's delimiter runs weighed together)
CHEAP = [
    ("a lone backtick", "\\`", "`"),
    (
        "an underscore whose others sit inside words",
        "\\_parse_html 扔给_get",
        "_parse_html 扔给_get",
    ),
    ("an asterisk at a line start that opens no list", "\\*我(指老外)", "*我(指老外)"),
    ("a first line of equals signs underlines nothing", "\\=====", "====="),
    ("asterisks of one run", "./\\*\\*/tags", "./**/tags"),
    ("asterisks that cannot pair", "f(\\*args, \\*\\*kw)", "f(*args, **kw)"),
    ("an escaped backslash before a letter", "x\\\\y", "x\\y"),
    ("a bracketed text no link can use", "FCC \\[FCC\\], see [↩](#n1)", "FCC [FCC], see [↩](#n1)"),
    ("raw HTML complete on its line asks no check", "x <b>y</b> \\*z", "x <b>y</b> *z"),
]

DROPPED = [
    ("brackets that make no link", "\\[修改桌面背景\\]", "[修改桌面背景]"),
    ("a number after a heading marker", "### 8\\. Flash", "### 8. Flash"),
    ("a parenthesis mid-line", "**1\\) Be patient** mid", "**1) Be patient** mid"),
    ("a lone underscore", "^\\_^", "^_^"),
    ("underscores inside a word", "snake\\_case\\_name", "snake_case_name"),
    ("a spaced asterisk", "a \\* b", "a * b"),
    ("a dash mid-line", "a \\- b", "a - b"),
    ("a > mid-line", "a \\> b", "a > b"),
    ("a < that opens no tag", "a \\< b", "a < b"),
    ("an & that opens no entity", "\\&foo;", "&foo;"),
    ("a hash that opens no heading", "\\#hashtag", "#hashtag"),
    ("a later list number continues the paragraph", "text\n2\\. continues", "text\n2. continues"),
    ("a bracket before a link", "\\[not\\] and [link](u)", "[not] and [link](u)"),
    ("a bracket after a link", "[link](u) and \\[not\\]", "[link](u) and [not]"),
    ("pluses that open no list", "\\+\\+i", "++i"),
    ("the same text from a bare line", "\\[a\\] b", "[a] b"),
    ("a number in emphasis at a line start", "*2\\) Run* it.", "*2) Run* it."),
    ("a list number in emphasis", "*1\\. First*", "*1. First*"),
    ("a hash in emphasis at a line start", "*\\# Return Output*", "*# Return Output*"),
    ("a dash before a hash is no bullet", "-\\# x", "-# x"),
    ("a hash in a list item's text", "- a \\# b", "- a # b"),
    *CHEAP,
]

KEPT = [
    ("an ordered list at a line start", "1\\. 这不是列表"),
    ("a parenthesised list number", "1\\) x"),
    ("a list that may start anywhere", "2020\\. year"),
    ("a first-item list interrupts a paragraph", "text\n1\\. interrupts"),
    ("a heading", "\\# 这不是标题"),
    ("a quote", "\\> quote"),
    ("a bullet", "\\- item"),
    ("a plus bullet", "\\+ x"),
    ("an asterisk bullet", "\\* x"),
    ("a setext underline", "a\n\\==="),
    ("a heading's closing hashes", "## h \\#"),
    ("a tag", "\\<b> tag"),
    ("an autolink", "\\<http://a.com>"),
    ("an email autolink", "\\<a@b.com>"),
    ("an entity", "\\&amp;"),
    ("a named entity", "\\&copy;"),
    ("a pipe in a table cell", "| a \\| b |\n|---|---|\n| c | d |"),
    ("a shortcode that would be read", "\\[php]x[/php]"),
    ("a backtick that would open a code span", "\\`a`"),
    ("an underscore that would open emphasis", "\\_a_"),
    ("a parenthesis that would end a link's destination", "[x](a\\)b)"),
    ("a parenthesis in a definition's destination", "[x]: (a\\))"),
    ("a backslash in a code span", "`a\\*b`"),
    ("a heading in a quote", "> \\# h"),
    ("a list in a list item", "- 1\\. x"),
    ("a heading's closing hash in a list item", "- ### Ticket \\#"),
    ("a heading's closing hash, not an empty heading", "- #\\#"),
    ("a heading's closing hash in a quoted list", "> 1. ## h \\#"),
    ("an asterisk ending a thematic break", "** \\*"),
    ("a dash ending a thematic break", "-- \\-"),
    ("an underscore ending a thematic break", "__ \\_"),
    ("a thematic break in a list item", "> - ** \\*"),
    ("a > that would close a comment", "<!-- a --\\>"),
    ("a dash that would close a comment", "<!-- a \\-->"),
    ("a backslash in an autolink is its URL's", "<http://a.com/~user/\\*star*>"),
    ("a backslash in a lone autolink", "<http://a.com/\\_x>"),
    ("a backslash ending an autolink", "<http://x\\>"),
    ("a backslash in an attribute", 'a <span title="x\\_y">b</span>'),
    ("a backslash in a comment", "<!-- \\[x -->"),
    ("a backslash in an HTML block", "<div>\na \\_ b\n</div>"),
    ("a backslash in an HTML block in a list", "- <div>\n  a \\_ b\n  </div>"),
    ("a backslash in a tag across a quote's lines", "> <b t='<b t='\n> \\['>"),
]

PARTLY = [
    ("emphasis keeps its opening escape", "\\*a\\*", "\\*a*"),
    ("strong keeps both opening escapes", "\\*\\*bold\\*\\*", "\\*\\*bold**"),
    ("a link keeps its opening bracket", "\\[x\\](u)", "\\[x](u)"),
    ("a rule keeps the first asterisk", "\\*\\*\\*", "\\***"),
    ("an image keeps its bracket, not its bang", "\\!\\[x\\](y)", "!\\[x](y)"),
    ("the first list number only", "2\\. not first\n3\\. list", "2\\. not first\n3. list"),
    ("a fence keeps its first backtick", "\\`\\`\\`", "\\```"),
]


@pytest.mark.parametrize(
    ("block", "expected"), [pytest.param(*c[1:], id=c[0]) for c in DROPPED + PARTLY]
)
def test_needless_backslashes_are_dropped(block: str, expected: str) -> None:
    assert drop_needless_backslashes(block) == expected


@pytest.mark.parametrize(("block", "expected"), [pytest.param(*c[1:], id=c[0]) for c in CHEAP])
def test_plain_cases_are_settled_without_rendering(
    block: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_renderer() -> None:
        raise AssertionError("rendered")

    monkeypatch.setattr(needless, "_renderer", no_renderer)
    assert drop_needless_backslashes(block) == expected


@pytest.mark.parametrize("block", [pytest.param(c[1], id=c[0]) for c in KEPT])
def test_needed_backslashes_are_kept(block: str) -> None:
    assert drop_needless_backslashes(block) == block


def test_brackets_keep_their_backslashes_when_the_document_defines_unknown_references() -> None:
    assert drop_needless_backslashes("\\[x\\] y", references=True) == "\\[x\\] y"
    assert drop_needless_backslashes("\\[x\\] y", references=False) == "[x] y"
    assert drop_needless_backslashes("\\[x\\] y") == "[x] y"


_DEFINITIONS = "[1]: http://x\n[Foo  Bar]: /fb\n> [q]: /q\n[x\\]y]: /xy\n\n[not]:\n"

#: (block, expected): brackets next to the labels of _DEFINITIONS
REFERENCED = [
    ("a label no one defined", "\\[via [X](http://a.com/)\\]", "[via [X](http://a.com/)]"),
    ("a defined label is a link", "\\[1\\] and \\[2\\]", "\\[1] and [2]"),
    ("a label matched as CommonMark does", "\\[foo\nbar\\] x", "\\[foo\nbar] x"),
    ("a label in a quote", "\\[Q\\]", "\\[Q]"),
    ("a label with an escaped bracket", "[x\\]y] \\[z\\]", "[x\\]y] [z]"),
    ("a collapsed reference", "\\[1\\]\\[\\]", "\\[1][]"),
    ("a full reference", "\\[see\\]\\[1\\]", "[see]\\[1]"),
    ("not a definition", "\\[not\\]", "[not]"),
]


def test_reference_labels_are_normalised_as_commonmark_matches_them() -> None:
    labels = reference_labels(["text [1] here", _DEFINITIONS, "    [code]: /c"])
    assert labels == {"1", "FOO BAR", "Q", "X\\]Y"}
    assert reference_labels([]) == frozenset()


def test_a_backslash_before_a_letter_stays_where_a_label_may_hold_it() -> None:
    definitions = "[a\\\\b]: /u"
    block = "see [a\\\\b]"
    result = drop_needless_backslashes(block, reference_labels([definitions]))
    assert _md.render(f"{result}\n\n{definitions}") == _md.render(f"{block}\n\n{definitions}")
    assert result == block


def test_a_bracket_pair_no_definition_names_is_settled_without_rendering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    labels = reference_labels(["[1]: /u"])
    monkeypatch.setattr(needless, "_renderer", lambda: pytest.fail("rendered"))
    assert drop_needless_backslashes("see \\[FCC\\] and [a][1]", labels) == "see [FCC] and [a][1]"
    # a pair that names a definition is a link once its backslashes go: rendered, kept
    monkeypatch.undo()
    block = "see \\[1\\] here"
    assert drop_needless_backslashes(block, labels) == "see \\[1] here"


def test_reference_labels_are_parsed_only_for_a_block_that_asks() -> None:
    labels = reference_labels([_DEFINITIONS])
    assert drop_needless_backslashes("a \\* b", labels) == "a * b"  # no bracket: no question
    assert labels._texts is not None
    assert drop_needless_backslashes("\\[Q\\]", labels) == "\\[Q]"
    assert labels._texts is None


@pytest.mark.parametrize(("block", "expected"), [pytest.param(*c[1:], id=c[0]) for c in REFERENCED])
def test_brackets_keep_their_backslashes_only_next_to_a_defined_label(
    block: str, expected: str
) -> None:
    labels = reference_labels([_DEFINITIONS])
    result = drop_needless_backslashes(block, labels)
    assert _md.render(f"{result}\n\n{_DEFINITIONS}") == _md.render(f"{block}\n\n{_DEFINITIONS}")
    assert result == expected


def test_a_block_too_long_to_check_keeps_its_backslashes() -> None:
    block = "x" * MAX_BLOCK + " \\[a\\]"
    assert drop_needless_backslashes(block) == block


_PIECES = ["\\[", "\\]", "\\*", "\\_", "\\.", "\\)", "\\-", "\\+", "\\<", "\\&", "\\`", "\\!"]
_PIECES += ["\\|", "\\=", "\\~", "\\>", "a", "b", "1", " ", "(u)", "[", "]", "*", "_", "`", "-"]
_PIECES += ["amp;", "x:", "@", "#", "\\#", "**", "--", "__", "<http://a/", "<b t='", "'>"]
_PIECES += ["<!-- ", " -->", "<div>", "\\\\", "|", "文", "(", ")", "/", "\t", "```", "\\`"]


def _lines(pieces: list[str]) -> st.SearchStrategy[list[str]]:
    line = st.lists(st.sampled_from(pieces), max_size=8).map("".join)
    return st.lists(
        line.map(lambda text: text.lstrip(" \t")), min_size=1, max_size=3
    )  # no indented code


#: every line of a block under the same container prefix (no lazy continuation lines)
_BLOCK = st.tuples(
    st.sampled_from(["", "> ", "- ", "* ", "> - ", "1. ", "> 1. "]), _lines(_PIECES)
).map(lambda block: "\n".join(block[0] + line for line in block[1]))


@settings(max_examples=600)
@given(_BLOCK)
def test_dropping_backslashes_never_changes_the_rendering(block: str) -> None:
    assert _md.render(drop_needless_backslashes(block)) == _md.render(block)


_LABELS = ["a", "A  b", "x\\]y", "1"]
_LABEL_PIECES = ["\\[", "\\]", "[", "]", "a", "b", "x", "y", "1", " ", "\\]y", "(u)", ":", "\\*"]


@settings(max_examples=200)
@given(
    st.lists(st.sampled_from(_LABEL_PIECES), max_size=10).map("".join),
    st.sets(st.sampled_from(_LABELS)),
)
def test_dropping_backslashes_never_changes_the_rendering_with_definitions(
    block: str, defined: set[str]
) -> None:
    definitions = "".join(f"\n[{label}]: /{number}" for number, label in enumerate(defined))
    result = drop_needless_backslashes(block, reference_labels([definitions]))
    assert _md.render(f"{result}\n{definitions}") == _md.render(f"{block}\n{definitions}")
