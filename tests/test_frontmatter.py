"""The header is kept byte for byte and validated; bad headers are one-line errors."""

from __future__ import annotations

import pytest

from postconv.errors import FrontMatterError, PostconvError
from postconv.pipeline import convert
from postconv.post.frontmatter import normalise_newlines, split


def test_yaml_header_is_split_exactly() -> None:
    post = split("---\ntitle:  x  \n---\nbody")
    assert (post.header, post.body, post.kind) == ("---\ntitle:  x  \n---\n", "body", "yaml")


def test_toml_header() -> None:
    post = split('+++\ntitle = "x"\n+++\n<p>b</p>')
    assert post.kind == "toml" and post.body == "<p>b</p>"


def test_no_header() -> None:
    assert split("<p>only body</p>").header == ""


def test_bom_and_crlf_are_normalised() -> None:
    assert normalise_newlines("\ufeff---\r\na: 1\r\n---\r\nx\ry") == "---\na: 1\n---\nx\ny"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\ntitle: [unclosed\n---\nbody", 3, "invalid YAML"),
        ("---\ntitle: x\n  bad: indent\n---\n", 3, "invalid YAML"),
        ('+++\ntitle = "x\n+++\n', 2, "invalid TOML"),
        ("---\ntitle: x\nno end", 1, "never closed"),
        ("---\n- a list\n---\n", 2, "not a mapping"),
    ],
)
def test_bad_headers_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(FrontMatterError) as raised:
        split(text)
    assert raised.value.line == line
    assert words in str(raised.value)
    assert "\n" not in str(raised.value)


def test_impossible_date_is_an_error_not_a_crash() -> None:
    with pytest.raises(FrontMatterError):
        split("---\ndate: 2008-13-45 12:00:00\n---\n")


@pytest.mark.parametrize("text", ["", "  \n\n", "a\x00b"])
def test_empty_or_binary_input_is_refused(text: str) -> None:
    with pytest.raises(PostconvError):
        convert(text)


def test_header_only_post() -> None:
    assert convert("---\ntitle: x\n---\n").text == "---\ntitle: x\n---\n"
    assert convert("---\ntitle: x\n---").text == "---\ntitle: x\n---\n"
