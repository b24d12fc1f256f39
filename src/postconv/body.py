"""Body → list of Markdown blocks (stub, being written)."""

from __future__ import annotations

from markdownify import markdownify

from postconv.options import Options


def convert_body(body: str, options: Options) -> list[str]:
    text = markdownify(body, heading_style="atx").strip()
    return [block.strip() for block in text.split("\n\n") if block.strip()]
