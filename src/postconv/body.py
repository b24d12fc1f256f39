"""A post body → its Markdown blocks.

HTML segments are parsed once with lxml, cleaned by the passes of
:mod:`postconv.html.clean`, then converted by :mod:`postconv.html.converter`; Markdown
segments are kept verbatim apart from whitespace.
"""

from __future__ import annotations

import re

from postconv.html.clean import clean, parse
from postconv.html.converter import to_markdown
from postconv.options import Options
from postconv.post.segments import markdown_blocks, segment
from postconv.text import strip_edges

_HARD_BREAK = re.compile(r"(?: {2,}|\\)$")


def convert_body(body: str, options: Options) -> list[str]:
    """Convert ``body`` to a list of Markdown blocks (joined later by blank lines)."""
    blocks: list[str] = []
    for part in segment(body):
        markdown = part.text if part.kind == "markdown" else _convert_html(part.text, options)
        blocks.extend(_tidy(block) for block in markdown_blocks(markdown))
    return [block for block in blocks if strip_edges(block)]


def _convert_html(source: str, options: Options) -> str:
    root = parse(source)
    clean(root, options)
    return to_markdown(root, options)


def _tidy(block: str) -> str:
    """Trailing spaces go, except a hard line break inside the block; no edge newlines."""
    if block.lstrip().startswith(("```", "~~~")):
        return block.rstrip()
    lines = block.split("\n")
    last = len(lines) - 1
    tidy = [
        line if index < last and _HARD_BREAK.search(line) else line.rstrip()
        for index, line in enumerate(lines)
    ]
    return "\n".join(tidy).strip("\n")
