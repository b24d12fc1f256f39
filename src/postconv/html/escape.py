"""The one place that decides which characters of plain text need a backslash.

Only what would otherwise become Markdown is escaped, so Chinese prose and
ordinary English come out clean. Liquid tags (``{{ … }}``, ``{% … %}``) are
left exactly as they are: Jekyll expands them before Markdown is read.
"""

from __future__ import annotations

import re

from postconv.text import escape_line_starts

_LIQUID = re.compile(r"(\{\{.*?\}\}|\{%.*?%\})", re.S)

# Characters that start Markdown wherever they stand in a line.
_INLINE = re.compile(
    r"""
      \\(?=[!-/:-@\[-`{-~]|\s|$)    # a backslash that could escape the next character
    | [`*\[\]]                      # code spans, emphasis, links and images
    | _(?:(?<![^\W_]_)|(?![^\W_]))   # an underscore that is not inside a word
    | <(?=[A-Za-z/!?>])             # raw HTML, an autolink, or <> (an empty link)
    | &(?=\#?\w+;)                  # an entity reference
    | ~(?=~)                        # GFM strikethrough
    """,
    re.X,
)

_CLOSING_HASHES = re.compile(r"(^|[ \t])(#+[ \t]*)$")

# the characters _INLINE's branches open with (each opens with its character, not a
# lookbehind, so the engine skips ahead to them: three times faster on prose)
_INLINE_START = re.compile(r"[\\`*\[\]_<&~]")

# every character any rule above starts with; text without them is returned as is
_MAYBE_SPECIAL = re.compile(r"[\\`*\[\]_<&~#>+=\-.)]")


def escape_text(text: str, line_start: bool = True) -> str:
    """Escape ``text`` (one text node of the HTML) so it reads back as the same text.

    ``line_start`` says whether the text may open a line (it follows nothing,
    or a line break); only then can ``# ``, ``1. `` or ``- `` start a block.
    """
    if "{" in text and ("{{" in text or "{%" in text):
        parts = _LIQUID.split(text)
        return "".join(
            part if index % 2 else _escape_plain(part, line_start and index == 0)
            for index, part in enumerate(parts)
        )
    return _escape_plain(text, line_start)


def _escape_plain(text: str, line_start: bool) -> str:
    if _MAYBE_SPECIAL.search(text) is None:  # most CJK prose: nothing to do
        return text
    if _INLINE_START.search(text) is not None:
        text = _INLINE.sub(r"\\\g<0>", text)
    if not line_start:
        head, newline, rest = text.partition("\n")
        return head + newline + escape_line_starts(rest) if newline else text
    return escape_line_starts(text)


def escape_table_pipes(cell: str) -> str:
    """GFM splits a row at every pipe not right after a backslash, code spans included.

    Its splitter removes that backslash before anything else is read, so every
    pipe of a cell gets one more backslash, whatever stands before it already.
    """
    return cell.replace("|", "\\|")


def escape_closing_hashes(heading: str) -> str:
    """A heading's trailing ``#`` run would be read as an optional closing sequence."""
    return _CLOSING_HASHES.sub(r"\1\\\2", heading)
