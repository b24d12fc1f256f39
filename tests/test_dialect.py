"""The per-post dialect decision: a table of bodies, the dialect each is read in, and why."""

from __future__ import annotations

import pytest
from conftest import SEED, corpus_post
from hypothesis import given
from hypothesis import strategies as st

from postconv.io.decode import decode_post
from postconv.post import dialect, frontmatter
from postconv.post.dialect import decide, weigh


def body_of(path) -> str:
    text = frontmatter.normalise_newlines(decode_post(path.read_bytes()).text)
    return frontmatter.split(text).body


SEED_BODY = body_of(SEED)
WORDPRESS_MARKDOWN_FILE = body_of(corpus_post("*less-than-vs-less-than-or-equal-to.markdown"))
NEWS_MD_FILE = body_of(corpus_post("*2022-01-07-NW202201072239307540.md"))

WORDPRESS_HTML = (
    "<p>When dealing with <strong>integers</strong> we all know the rule.</p>\n"
    "<h2>Test environment</h2>\n"
    "<p>I ran these scripts from the command line.</p>\n"
    "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
)
KRAMDOWN = (
    "Intro with <sup>2</sup> and an <i>aside</i>.\n\n"
    "## Setup\n\n"
    "* Item with <i>exp</i> and `from`\n"
    "* Second, see [the docs](http://example.com)\n\n"
    '<div class="note">Be careful</div>\n'
)
MARKDOWN_NAMED_HTML = "# Notes\n\n## One\n\nSee [a](u), [b](v) and the *one* <i>aside</i>.\n\n[c]: http://example.com\n"
#: three HTML paragraphs and one Markdown link (weight 2): only a hint can settle it
BALANCED = "<p>one</p>\n<p>two</p>\n<p>three</p>\n\nSee [the docs](http://example.com).\n"
CODE_SAMPLES = (
    "Write it so:\n\n```html\n<p>x</p>\n<p>y</p>\n<b>z</b>\n```\n\nor inline: `<p>`, `<i>`.\n"
)
TABLE_AS_HTML = (
    "<table><tr><td><p>a</p><b>b</b><i>c</i><br></td></tr></table>\n\nA *note* under it.\n"
)
PIPE_TABLE = "| a | b |\n|---|---|\n| x<br>y | z<br>w |\n"
PLAIN = "Just plain text.\n\nAnother paragraph.\n"
#: a Jekyll post in Markdown with a few HTML paragraphs (a copyright line, a notice)
CODE_SPAN_AND_PARAGRAPHS = "`ng serve` 로 실행합니다.\n\n" + "".join(
    f"<p>문단 {number}.</p>\n" for number in range(1, 6)
)
RULE_AND_NOTICE = (
    "摘要文字\n\n----------\n\n"
    "<p>转载请注明出处：<a href='http://a.cn'>http://a.cn</a><br>\n"
    "本文源自<strong>谙忆的博客</strong></p>\n\n正文。\n"
)

CASES = [
    # (why, body, --body choice, file name, expected dialect)
    ("seed: HTML paragraphs, the Markdown tail does not count", SEED_BODY, "auto", None, "html"),
    ("seed saved as .md: HTML clearly dominates the hint", SEED_BODY, "auto", "seed.md", "html"),
    ("news post .md: HTML with a link-line tail", NEWS_MD_FILE, "auto", "post.md", "html"),
    (
        "WordPress export saved as .markdown (corpus)",
        WORDPRESS_MARKDOWN_FILE,
        "auto",
        "p.markdown",
        "html",
    ),
    (
        "WordPress HTML in .markdown: content overrules",
        WORDPRESS_HTML,
        "auto",
        "p.markdown",
        "html",
    ),
    ("WordPress HTML on stdin", WORDPRESS_HTML, "auto", None, "html"),
    ("kramdown with inline HTML in .md", KRAMDOWN, "auto", "post.md", "markdown"),
    (
        "kramdown with inline HTML on stdin: its syntax outweighs",
        KRAMDOWN,
        "auto",
        None,
        "markdown",
    ),
    ("Markdown named .html: content overrules", MARKDOWN_NAMED_HTML, "auto", "p.html", "markdown"),
    ("balanced body on stdin: HTML count wins", BALANCED, "auto", None, "html"),
    ("balanced body in .md: the hint tips it", BALANCED, "auto", "post.md", "markdown"),
    (
        "balanced body in .MARKDOWN: the hint ignores case",
        BALANCED,
        "auto",
        "POST.MARKDOWN",
        "markdown",
    ),
    ("balanced body in .mkdn", BALANCED, "auto", "post.mkdn", "markdown"),
    ("balanced body in .txt: no hint", BALANCED, "auto", "post.txt", "html"),
    ("balanced body in .html", BALANCED, "auto", "post.html", "html"),
    ("tags in fenced code and code spans never count", CODE_SAMPLES, "auto", None, "markdown"),
    ("what stands inside a <table> never counts", TABLE_AS_HTML, "auto", None, "markdown"),
    ("a <br> in a pipe table row is Markdown's line break", PIPE_TABLE, "auto", None, "markdown"),
    ("plain text is Markdown", PLAIN, "auto", None, "markdown"),
    (
        ".md: a code span outweighs a few HTML paragraphs",
        CODE_SPAN_AND_PARAGRAPHS,
        "auto",
        "post.md",
        "markdown",
    ),
    (".md: a thematic break counts as Markdown", RULE_AND_NOTICE, "auto", "post.md", "markdown"),
    ("--body html forces HTML on Markdown", KRAMDOWN, "html", "post.md", "html"),
    ("--body markdown forces Markdown on HTML", WORDPRESS_HTML, "markdown", "p.html", "markdown"),
    ("--body markdown forces Markdown on the seed", SEED_BODY, "markdown", None, "markdown"),
]


@pytest.mark.parametrize(
    ("body", "choice", "name", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_dialect(body: str, choice: str, name: str | None, expected: str) -> None:
    assert decide(body, choice, name) == expected


def test_a_body_without_tags_weighs_nothing_as_html() -> None:
    assert weigh(PLAIN).tags == 0
    assert weigh(PLAIN).html == 0


def test_the_markdown_tail_of_a_news_post_weighs_nothing() -> None:
    tail = (
        "<http://example.com/a>\n\n[返回新闻](//example.com/c.html)｜[返回首页](//example.com/)\n"
    )
    assert weigh("<p>正文</p>\n\n" + tail).markdown == 0


def test_a_table_delimiter_row_in_a_quote_still_counts() -> None:
    assert weigh("> | a | b |\n> |---|---|\n> | c | d |\n").markdown >= 3


def test_escaped_tags_are_text_not_html() -> None:
    assert weigh("Write \\<p> and \\<b> here.\n").html == 0


def test_underscores_in_attributes_are_not_emphasis() -> None:
    assert weigh('<p><a href="/a_b_c" class="x_y_z">link</a></p>\n').markdown == 0


def test_kramdown_attribute_lists_count_as_markdown() -> None:
    body = "A lead paragraph.\n{: .lead}\n\n<p>x</p>\n<p>y</p>\n"
    assert decide(body) == "markdown"
    assert decide(body.replace("{: .lead}\n", "")) == "html"


def test_counts_are_running_totals_of_the_whole_body() -> None:
    evidence = weigh("<p>a</p><p>b</p>\n\n# Title\n\n[x](u) and *y*\n")
    assert (evidence.tags, evidence.html, evidence.markdown) == (1, 2, 5)


_SYNTAX_PIECES = ["a", " ", "\n", "[", "]", "(", ")", ":", "#", "*", "_", "`", "\\", "-", "|"]
_SYNTAX_PIECES += ["{:", "}", "!", "1.", "<br>", "\t", "]:", "](", "][", "x y", "文"]


@given(st.lists(st.sampled_from(_SYNTAX_PIECES), max_size=30).map("".join))
def test_a_weighed_pattern_finds_nothing_without_its_strings(text: str) -> None:
    for pattern, _, needles in dialect._WEIGHED:
        if needles and not any(needle in text for needle in needles):
            assert pattern.findall(text) == [], pattern.pattern
