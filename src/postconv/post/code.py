"""The code a WordPress code shortcode shows, and the fence that holds it."""

from __future__ import annotations

import html
import re

_BR = re.compile(r"<br\s*/?>[ \t]*\n?", re.I)
_PARAGRAPH_BREAK = re.compile(r"</p>\s*<p\b[^>]*>", re.I)
_FORMATTING_TAG = re.compile(
    r"</?(?:p|div|span|font|b|strong|i|em|u|a|code|pre|tt|small|big|sup|sub|s|strike|del"
    r"|ins|mark)\b[^<>]*>",
    re.I,
)
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def code_text(content: str, dialect: str) -> str:
    """The code a shortcode shows, from its content.

    Content written through WordPress's editor is HTML: ``<br>`` ends a line
    (with the line break after it, one line break), paragraph tags stand for
    the blank lines they replaced, formatting tags go and entities are
    decoded. In a Markdown body, content without any of that is Markdown text
    (exporters escaped it): its backslash escapes go.
    """
    if dialect == "html" or "<" in content or "&" in content:
        content = _BR.sub("\n", content)
        content = _PARAGRAPH_BREAK.sub("\n\n", content)
        content = html.unescape(_FORMATTING_TAG.sub("", content))
    else:  # Markdown that an exporter wrote: its escapes are not part of the code
        content = _MARKDOWN_ESCAPE.sub(r"\1", content)
    lines = content.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(line.rstrip() for line in lines)
