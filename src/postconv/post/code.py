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
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
#: the tags WordPress's editor writes into code it holds: line and paragraph breaks
_EDITOR_TAG = re.compile(r"</?(?:p|br)\b[^<>]*>", re.I)


def code_text(content: str, dialect: str) -> str:
    """The code a shortcode shows, from its content.

    Content written through WordPress's editor is HTML: ``<br>`` ends a line
    (with the line break after it, one line break), paragraph tags stand for
    the blank lines they replaced, formatting tags go and entities are
    decoded. Content typed as it is (an HTML, XML or PHP snippet: tags of its
    own, no ``&lt;``) is shown as it is, tags and all. In a Markdown body,
    content without any of that is Markdown text (exporters escaped it): its
    backslash escapes go.
    """
    if _typed_as_is(content):
        content = html.unescape(content)
    elif dialect == "html" or "<" in content or "&" in content:
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


def _typed_as_is(content: str) -> bool:
    """True when the content holds tags other than the editor's line and paragraph
    breaks and no escaped ``<``: code whose tags are its own (the editor escapes a
    ``<`` typed in it), which the shortcode shows as written."""
    return "&lt;" not in content and any(
        not _EDITOR_TAG.fullmatch(tag.group()) for tag in _TAG.finditer(content)
    )
