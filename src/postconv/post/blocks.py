"""The top-level blocks of a Markdown body, as markdown-it-py's block parser finds them.

Parsing a whole body costs as much as converting it, yet most of a post is
blocks whose lines show what they are. Where nothing is open (the body's
start, the end of a block found here), a line opens a block whose extent its
own lines tell, with the rules of CommonMark as markdown-it-py applies them:

- a paragraph, until a blank line or a line that interrupts it (a fence, a
  heading, an HTML block that may interrupt one);
- an ATX heading (one line), a fenced code block (to its closing fence), an
  indented code block (to its last indented line), an HTML block (to its end
  condition: a blank line, or ``-->``, ``</pre>``…);
- a plain bullet list: items of one bullet on consecutive lines, and after
  the blank line that ends it, an unindented line that is no item of it.

Every other block (another list, a quote, a table, an underlined heading,
anything these rules are not sure of) starts a run that goes to the parser as
it stands; the run ends before the next unindented line after a blank line
that opens one of the blocks above (but a list: it may be the run's list going
on): no list item or quote goes on there. A run whose last block is a fence or
an HTML block left open would take in what follows: the parser then reads the
rest of the body at once, as it would have.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Protocol

#: ``(type, first line, line after the last)`` of a top-level block, as the opening
#: token's type and line map
Block = tuple[str, int, int]

#: what a line opens that these rules leave to the parser, or that interrupts a
#: paragraph (list items, delimiter rows, underlines, rules, headings, quotes, fences)
_OPENS_BLOCK = re.compile(
    r"[ \t]*(?:[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|[-:|][-:| \t]*$|=+[ \t]*$"
    r"|([*_])[ \t]*(?:\1[ \t]*){2,}$|#{1,6}(?:[ \t]|$)|>|`{3}|~{3})"
)
_DELIMITER_ROW = re.compile(r"[ \t]*[-:|][-:| \t]*$")
_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_RULE = re.compile(r"([-*_])[ \t]*(?:\1[ \t]*){2,}$")
_FENCE = re.compile(r"`{3,}|~{3,}")


class Token(Protocol):
    type: str
    level: int
    nesting: int
    map: list[int] | None


Parse = Callable[[str], Sequence[Token]]


def top_level_blocks(body: str, parse: Parse) -> list[Block]:
    """The top-level blocks ``parse`` (markdown-it's block parser, ``html`` on) finds
    in ``body``, each as its opening token's type and line map."""
    if "\r" in body or not body.strip(" \t\n"):  # (the parser reads "\r" as a line break)
        return _parsed(body, 0, parse)
    lines = body.split("\n")
    # as the parser counts lines: a last one of only spaces, no newline after it, is none
    line_max = len(lines) - 1 if not lines[-1].strip(" \t") else len(lines)
    blocks: list[Block] = []
    run: int | None = None  # the first line of a run for the parser
    line = 0
    while line < line_max:
        text = lines[line]
        if not text.strip(" \t"):
            line += 1
            continue
        if run is not None and (text[0] in " \t-*+" or lines[line - 1].strip(" \t")):
            line += 1  # (a list item or a quote of the run may go on here, or its list)
            continue
        found = _known_block(lines, line, line_max)
        if found is None:
            run = line if run is None else run
            line += 1
            continue
        if run is not None:
            parsed = _parsed("\n".join(lines[run:line]) + "\n", run, parse)
            if _left_open(parsed, line):
                return blocks + _parsed("\n".join(lines[run:]), run, parse)
            blocks += parsed
            run = None
        blocks.append(found)
        line = found[2]
    if run is not None:
        blocks += _parsed("\n".join(lines[run:]), run, parse)
    return blocks


def _parsed(text: str, first_line: int, parse: Parse) -> list[Block]:
    return [
        (token.type, first_line + token.map[0], first_line + token.map[1])
        for token in parse(text)
        if token.level == 0 and token.map is not None and token.nesting >= 0
    ]


def _left_open(blocks: list[Block], end_line: int) -> bool:
    """True when the last of a run's ``blocks`` is a fence or an HTML block that reached
    the run's end (``end_line``) unclosed: it would go on past it."""
    return bool(blocks) and blocks[-1][0] in ("fence", "html_block") and blocks[-1][2] >= end_line


def _known_block(lines: list[str], line: int, line_max: int) -> Block | None:
    """The block that opens at ``line`` (not blank, nothing open before it), or None
    when the parser must tell."""
    text = lines[line]
    following = lines[line + 1] if line + 1 < line_max else ""
    if "|" in text and _DELIMITER_ROW.match(following):
        return None  # a table may start here
    if _columns(text) >= 4:
        return "code_block", line, _code_end(lines, line, line_max)
    start = text.lstrip(" \t")
    fence = _fence_opening(start)
    if fence is not None:
        return "fence", line, _fence_end(lines, line, line_max, fence)
    if start[0] == "<" and (kind := _html_kind(start)) is not None:
        return "html_block", line, _html_end(lines, line, line_max, kind)
    if _HEADING.match(start):
        return "heading_open", line, line + 1
    if text[0] in "-*+" and (end := _bullet_list_end(lines, line, line_max)) is not None:
        return "bullet_list_open", line, end
    if _OPENS_BLOCK.match(text):
        return None
    end = _paragraph_end(lines, line, line_max)
    return None if end is None else ("paragraph_open", line, end)


def _paragraph_end(lines: list[str], line: int, line_max: int) -> int | None:
    """The line that ends the paragraph opening at ``line``: a blank one, or one that
    opens a fence, a heading or an HTML block that may interrupt a paragraph; None
    when a line may make it something else (an underline, a table, a list…)."""
    for index in range(line + 1, line_max):
        text = lines[index]
        start = text.lstrip(" \t")
        if not start:
            return index
        if _columns(text) >= 4:
            continue  # a lazy continuation line, whatever it holds
        if _OPENS_BLOCK.match(text):
            if _fence_opening(start) is not None:
                return index
            return index if _HEADING.match(start) else None
        if start[0] == "<" and (kind := _html_kind(start)) is not None and kind < 6:
            return index  # (the seventh kind cannot interrupt a paragraph)
    return line_max


def _bullet_list_end(lines: list[str], line: int, line_max: int) -> int | None:
    """Where a plain bullet list opening at ``line`` ends (the next block's line: the
    blank lines after it are the list's), or None when the parser must tell: every
    line of it an item of one bullet, unindented, one space after the bullet (no lazy
    line, no rule), and what follows the blank line after it unindented and no item
    of that bullet (nothing of an item goes on there)."""
    bullet = lines[line][0]
    index = line
    while index < line_max and lines[index].strip(" \t"):
        text = lines[index]
        if text[0] != bullet or text[1:2] != " " or text[2:3] in ("", " ", "\t"):
            return None
        if _RULE.match(text):
            return None
        index += 1
    while index < line_max and not lines[index].strip(" \t"):
        index += 1
    if index == line_max:
        return line_max
    following = lines[index]
    if following[0] in " \t" or (following[0] == bullet and following[1:2] in ("", " ", "\t")):
        return None
    return index


def _code_end(lines: list[str], line: int, line_max: int) -> int:
    """The line after the last indented line of an indented code block."""
    last = line + 1
    for index in range(line + 1, line_max):
        text = lines[index]
        if not text.strip(" \t"):
            continue
        if _columns(text) < 4:
            break
        last = index + 1
    return last


def _fence_opening(start: str) -> str | None:
    """The fence a line (from its first non-blank) opens: three backticks or tildes or
    more, no backtick in a backtick fence's info string."""
    fence = _FENCE.match(start)
    if fence is None or (start[0] == "`" and "`" in start[fence.end() :]):
        return None
    return fence.group()


def _fence_end(lines: list[str], line: int, line_max: int, opening: str) -> int:
    """The line after a fence's closing line (or the body's end, where it closes)."""
    closing = re.compile(rf"{re.escape(opening[0])}{{{len(opening)},}}[ \t]*$")
    for index in range(line + 1, line_max):
        text = lines[index]
        if closing.match(text.lstrip(" \t")) and _columns(text) < 4:
            return index + 1
    return line_max


def _html_end(lines: list[str], line: int, line_max: int, kind: int) -> int:
    """The line after an HTML block of ``kind`` (its end condition's line, included,
    or the blank line that ends it, not included)."""
    closing = _html_sequences()[kind][1]
    if kind >= 5:  # ended by a blank line
        for index in range(line + 1, line_max):
            if not lines[index].strip(" \t"):
                return index
        return line_max
    for index in range(line, line_max):
        if closing.search(lines[index].lstrip(" \t")):
            return index + 1
    return line_max


def _html_kind(start: str) -> int | None:
    """The index of the first of CommonMark's seven HTML block kinds (0–6, markdown-it's
    own patterns) that a line (from its ``<``) opens, or None."""
    for index, (opening, _, _) in enumerate(_html_sequences()):
        if opening.search(start):
            return index
    return None


@lru_cache(maxsize=1)
def _html_sequences() -> list[tuple[re.Pattern[str], re.Pattern[str], bool]]:
    """markdown-it's own patterns for the seven kinds: where each opens, where it ends."""
    from markdown_it.rules_block.html_block import HTML_SEQUENCES  # (Markdown bodies only)

    return HTML_SEQUENCES


def _columns(text: str) -> int:
    """The columns of a line's indentation (tab stops every four)."""
    if text[:1] not in (" ", "\t"):
        return 0
    return len(text[: len(text) - len(text.lstrip(" \t"))].expandtabs(4))
