"""Inputs that were 'internal error, please report' get converted, or a specific message
(issue 10, item 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from postconv.errors import PostconvError
from postconv.pipeline import convert

from .helpers import run_postconv


@pytest.mark.parametrize(
    "body",
    ["<p>a &#xFFFF; b \ufffe c</p>", "<p>a &#xfdd0; b &#x10FFFF; c</p>", "a \uffff b <b>c</b>"],
    ids=["html", "html-more-noncharacters", "markdown"],
)
def test_noncharacters_are_no_text_and_no_error(body: str) -> None:
    """U+FFFF and its kind show nothing, and an XML tree (lxml's) cannot hold them."""
    output = convert(f"---\ntitle: t\n---\n{body}\n", name="p.html").text
    assert "a" in output and "b" in output and "c" in output


def test_toml_nested_absurdly_deep_is_a_front_matter_error() -> None:
    text = "+++\na = " + "[" * 100_000 + "]" * 100_000 + "\n+++\n<p>x</p>\n"
    with pytest.raises(PostconvError, match=r"^TOML front matter nested too deeply$"):
        convert(text)


def test_toml_nested_absurdly_deep_through_the_command(tmp_path: Path) -> None:
    post = tmp_path / "deep.html"
    post.write_text("+++\na = " + "[" * 100_000 + "]" * 100_000 + "\n+++\n<p>x</p>\n", "utf-8")
    done = run_postconv(post)
    assert done.returncode == 2
    assert done.stderr.decode() == f"postconv: error: {post}: TOML front matter nested too deeply\n"
