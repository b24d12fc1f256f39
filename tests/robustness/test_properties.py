"""Property tests over generated post files (issue 5).

For every generated post: converting never raises, the output is a fixed
point (converting it again changes nothing), the front matter comes out
byte for byte, and every visible character of the body shows up in the
rendered output, in order.

The text property runs with ``keep_nav=True``: by default the core drops
trailing navigation back-links on purpose, and a generated body may end in
a link that looks like one.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, assume, example, given, settings

from postconv.errors import PostconvError
from postconv.fidelity import first_missing, html_words, visible_words
from postconv.options import Options
from postconv.pipeline import convert

from .helpers import html_text, rendered_text
from .strategies import GeneratedPost, html_fragment, posts

KEEP_ALL = Options(keep_nav=True)
PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("POSTCONV_PROPERTY_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _body_of(post: GeneratedPost, output: str) -> str:
    assert output.startswith(post.header), "front matter changed"
    return output[len(post.header) :]


def _convert(post: GeneratedPost, options: Options | None = None) -> str:
    """Convert a generated post; one with no header and nothing visible is refused.

    Such a refusal is right (see test_nothing_visible_is_refused) and ends the example.
    """
    try:
        return convert(post.text, options or Options()).text
    except PostconvError as error:
        assert not post.header and not html_words(post.body), f"refused: {error}"
        assume(False)
        raise  # unreachable: assume(False) stops the example


@PROPERTY_SETTINGS
@given(posts())
@example(GeneratedPost("---\ntitle: 标题\n---\n", "<p>正文</p>"))
@example(GeneratedPost('+++\ntitle = "标题"\n+++\n', "<span><p>段一</p><p>段二</p></span>"))
def test_convert_never_fails_and_keeps_front_matter(post: GeneratedPost) -> None:
    output = _convert(post)
    _body_of(post, output)
    assert output.endswith("\n")


@PROPERTY_SETTINGS
@given(posts())
@example(GeneratedPost("", "<p>*a* _b_ 1. # x</p>"))
@example(  # found by the property test: a backslash before a "<" of text in inline HTML
    GeneratedPost("---\ntitle: 中\n---\n", "<p><sup>\\&lt;</sup></p>")
)
def test_output_is_idempotent(post: GeneratedPost) -> None:
    once = _convert(post)
    twice = convert(once).text
    assert twice == once


def test_nothing_visible_is_refused() -> None:
    """A post with no header and nothing visible is refused: converting it to '' would
    write a file that is itself refused as empty."""
    for body in ("<p><br></p>", "<p>&nbsp;</p>", "<div><!-- 注释 --></div>", "</p>\ufeff"):
        with pytest.raises(PostconvError, match="no visible text"):
            convert(body)


@PROPERTY_SETTINGS
@given(posts())
@example(  # found by the property test: a | in an image alt splits the table row
    GeneratedPost(
        "---\ntitle: 中\n---\n",
        '<table><tr><th>中</th></tr><tr><td>中<img src="/img/1.png" alt="|中"></td></tr></table>',
    )
)
def test_visible_words_kept_in_order(post: GeneratedPost) -> None:
    output = _body_of(post, _convert(post, KEEP_ALL))
    missing = first_missing(html_words(post.body), visible_words(output))
    assert missing is None, f"lost near {missing!r}\noutput:\n{output}"


@PROPERTY_SETTINGS
@given(posts())
@example(  # found by the property test: "0." left unescaped reads as an empty list item
    GeneratedPost("---\ntitle: 中\n---\n", "<p><strong><br></strong>\u30000.</p>")
)
@example(  # found by the property test: a backslash before a pipe in a table cell
    GeneratedPost("---\ntitle: 中\n---\n", "<table><tr><th>\\|</th></tr></table>")
)
@example(  # found by the property test: a backslash before a space, then the space trimmed
    GeneratedPost("---\ntitle: 中\n---\n", "<p><em>\\ </em></p>")
)
@example(  # found by the property test: a | in inline code inside a table cell
    GeneratedPost("", "<table><tr><th>中</th></tr><tr><td>中<code>|</code></td></tr></table>")
)
def test_visible_characters_kept_in_order(post: GeneratedPost) -> None:
    """Punctuation too (“”，。！？、 and Markdown's own characters), not only word characters."""
    output = _body_of(post, _convert(post, KEEP_ALL))
    want = re.sub(r"\s+", "", html_text(post.body))
    got = re.sub(r"\s+", "", rendered_text(output))
    missing = first_missing(want, got)
    assert missing is None, f"lost near {missing!r}\nwant {want!r}\ngot  {got!r}\n{output}"


@PROPERTY_SETTINGS
@given(html_fragment)
def test_bare_fragments_convert(fragment: str) -> None:
    """A body with no front matter at all, starting with any tag."""
    try:
        once = convert(fragment).text
    except PostconvError as error:  # see test_nothing_visible_is_refused
        assert "no visible text" in str(error)
        assume(False)
    assert convert(once).text == once
