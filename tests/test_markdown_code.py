"""Where Markdown reads code: the stretches no later step may touch."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postconv.post.markdown_code import backslashes_before, code_ranges, repair_outside_code


def code_of(markdown: str) -> list[str]:
    return [markdown[start:end] for start, end in code_ranges(markdown)]


CASES = [
    ("code spans", "a `b` c ``d ` e`` f", ["`b`", "``d ` e``"]),
    ("two spans side by side", "`a` `b`", ["`a`", "`b`"]),
    ("a run of three backticks mid-line is a span", "x ``` c ``` y", ["``` c ```"]),
    ("fenced code with tags", "```py\n<b>x</b>\n```\nafter `y`", ["```py\n<b>x</b>\n```", "`y`"]),
    ("tilde fence", "~~~\n<p>x</p>\n~~~", ["~~~\n<p>x</p>\n~~~"]),
    ("a longer fence holds a shorter one", "````\n```\nstill\n````\n", ["````\n```\nstill\n````"]),
    ("the other fence character does not close", "```\nx\n~~~\n```", ["```\nx\n~~~\n```"]),
    (
        "a fence line with an info string does not close",
        "- a\n\n  ```\n  x\n  ```html\n  <pre>y</pre>\n  ```\n",
        ["  ```\n  x\n  ```html\n  <pre>y</pre>\n  ```"],
    ),
    (
        "an unclosed fence runs to the end",
        "```\nnever closed\n<p>x</p>",
        ["```\nnever closed\n<p>x</p>"],
    ),
    ("backticks in an unclosed fence are no spans", "```\na `x` b", ["```\na `x` b"]),
    ("fence in a list item", "- item\n\n  ```\n  <i>x</i>\n  ```\n", ["  ```\n  <i>x</i>\n  ```"]),
    ("fence opening a list item", "1. ```\n   code\n   ```", ["1. ```\n   code\n   ```"]),
    ("fence in a quote", "> ```\n> <b>q</b>\n> ```\n", ["> ```\n> <b>q</b>\n> ```"]),
    ("span over a soft line break", "a `b\nc` d", ["`b\nc`"]),
    ("span in a list item", "- use `<br>` here", ["`<br>`"]),
    ("span in a quote", "> use `<br>`", ["`<br>`"]),
    ("an escaped backtick opens nothing", "\\`not` code`", ["` code`"]),
    ("no span across a blank line", "a `b\n\nc` d", []),
    ("no span across list items", "- a `b\n- c` d", []),
    ("no span out of a heading", "# head `x\nnext` y", []),
    ("no span across table cells", "| a | `b | c` |\n|---|---|\n| `d` | e |", ["`d`"]),
    ("a lone backtick", "it`s", []),
    ("no code", "plain <b>text</b>", []),
]


@pytest.mark.parametrize(("markdown", "code"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_code_ranges(markdown: str, code: list[str]) -> None:
    assert code_of(markdown) == code


MARKDOWN = st.lists(
    st.sampled_from(
        ["a", " ", "\n", "\n\n", "`", "``", "```", "~~~", "\\", "> ", "- ", "1. ", "|", "<b>"]
    ),
    max_size=30,
).map("".join)


@given(MARKDOWN)
def test_ranges_are_in_order_disjoint_and_within_the_text(markdown: str) -> None:
    ranges = code_ranges(markdown)
    position = 0
    for start, end in ranges:
        assert position <= start < end <= len(markdown)
        position = end


@given(MARKDOWN)
def test_each_range_is_a_span_or_a_fence(markdown: str) -> None:
    for start, end in code_ranges(markdown):
        code = markdown[start:end]
        opening = code.lstrip(" \t>-1.")
        assert opening.startswith(("`", "~~~")), code
        if "\n" not in code.strip("\n") and not opening.startswith(("```", "~~~")):
            assert code.endswith("`")


def test_repair_outside_code_leaves_code_alone() -> None:
    markdown = "a `b` c\n```\nd\n```\ne"
    assert repair_outside_code(markdown, str.upper) == "A `b` C\n```\nd\n```\nE"


def test_repair_outside_code_without_code_repairs_everything() -> None:
    assert repair_outside_code("a&#47;b", lambda text: text.replace("&#47;", "/")) == "a/b"


@pytest.mark.parametrize(
    ("text", "position", "count"),
    [("a\\\\\\b", 4, 3), ("ab", 1, 0), ("\\\\x", 2, 2), ("\\x", 0, 0)],
)
def test_backslashes_before(text: str, position: int, count: int) -> None:
    assert backslashes_before(text, position) == count
