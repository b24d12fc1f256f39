"""A Markdown body's top-level blocks are found as markdown-it-py's block parser finds
them, most without running it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postconv.post.blocks import top_level_blocks
from postconv.post.segments import _block_parser

#: lines that open, continue, interrupt or close blocks, and lines that only look so
LINES = [
    *("", "  ", "\t", "text", "  text", "   text", "    code", "\tcode", "      deep", "文字"),
    *("- item", "* item", "+ item", "1. item", "2) item", "-", "1.", "  - nested", "\t- x"),
    *("> quote", "   > quote", ">", "# heading", "###### h", "####### no", "#tag", "  # h"),
    *("```", "```py", "``` a`b", "~~~", "~~~~", "````", "  ```", "    ```", "``", "```  "),
    *("---", "***", "* * *", "___", "===", "=", "--", "- - -", "  ---", "-x", "**bold**"),
    *("| a | b |", "|---|---|", "a | b", "--|--", ":-:|", "| x", "|", "a|b|c", "-|-"),
    *("<div>", "</div>", "  <div>", "    <div>", "<div>text", "<pre>", "</pre>", "<pre>x</pre>"),
    *("<!--", "-->", "<!-- x -->", "<?php", "?>", "<!DOCTYPE html>", "<![CDATA[", "]]>"),
    *("<span>", "<span>text", "<img src=x>", "<b>x</b>", "<custom-tag>", "</custom-tag>"),
    *("<script>", "</script>", "<style>", "</style>", "<textarea>", "text <div>", "<>", "< a"),
    *("[a]: /url", "[a]", "  1. two", "10. ten", "text\\", "a  ", "<http://e.com/>", "\u3000x"),
]


def blocks_both_ways(body: str) -> tuple[list, list]:
    parse = _block_parser().parse
    whole = [
        (t.type, t.map[0], t.map[1])
        for t in parse(body)
        if t.level == 0 and t.map is not None and t.nesting >= 0
    ]
    return top_level_blocks(body, parse), whole


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINES), max_size=24), st.sampled_from(["", "\n", "\n\n"]))
def test_blocks_are_the_parsers_blocks(lines: list[str], end: str) -> None:
    found, parsed = blocks_both_ways("\n".join(lines) + end)
    assert found == parsed


def recording_parser() -> tuple[list[str], Callable[[str], list]]:
    """markdown-it's block parser, and the texts it was given."""
    calls: list[str] = []

    def parse(text: str) -> list:
        calls.append(text)
        return _block_parser().parse(text)

    return calls, parse


def test_paragraphs_and_html_blocks_need_no_parser() -> None:
    calls, parse = recording_parser()
    body = "Para one\nstill one\n\n<div>\n\nx\n</div>\n\n# Title\nPara ```\n\n    code\n\nEnd"
    found = top_level_blocks(body, parse)
    assert [kind for kind, _, _ in found] == [
        *("paragraph_open", "html_block", "paragraph_open", "html_block", "heading_open"),
        *("paragraph_open", "code_block", "paragraph_open"),
    ]
    assert calls == []


def test_a_list_goes_to_the_parser_up_to_the_next_unindented_block() -> None:
    calls, parse = recording_parser()
    body = "Intro\n\n- a\n\n  still a\n\nOutro\n"
    assert [kind for kind, _, _ in top_level_blocks(body, parse)] == [
        "paragraph_open",
        "bullet_list_open",
        "paragraph_open",
    ]
    assert calls == ["- a\n\n  still a\n\n"]


def test_a_fence_left_open_in_a_run_takes_the_rest() -> None:
    body = "- a\n```\n\ntext\n\n# not a heading\n"
    found, parsed = blocks_both_ways(body)
    assert found == parsed
    assert parsed[-1][0] == "fence"


LIST_CASES = [
    "- a\n- b\n\nAfter",  # a plain list: found from its lines
    "- a\n\n- b\n\nAfter",  # a loose list goes on past a blank line
    "- a\n- b\n\n  more\n\nAfter",  # an item's paragraph after a blank line
    "- a\n\n* b",  # another bullet, another list
    "1. x\n- a\n\n- b\n\nAfter",  # a list the run before it may go on with
    "- a\nlazy\n\n- b",  # a lazy line
    "- a\n- ```\n\ncode\n\n```",  # a fence in an item ends with the item
    "* a\n* b\n\n***\n",  # a rule after a list
]


@pytest.mark.parametrize("body", LIST_CASES)
def test_lists_are_the_parsers_lists(body: str) -> None:
    found, parsed = blocks_both_ways(body)
    assert found == parsed


def test_a_plain_list_needs_no_parser() -> None:
    calls, parse = recording_parser()
    found = top_level_blocks("- a\n- b\n\nAfter\n", parse)
    assert found == [("bullet_list_open", 0, 3), ("paragraph_open", 3, 4)]
    assert calls == []
