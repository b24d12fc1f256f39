"""Backslashes only where they change what CommonMark shows.

The converter escapes by local rules (:mod:`postconv.html.escape`): a ``[``,
a ``1.`` at a line start, a ``_`` at a word edge might start Markdown, so
each gets a backslash. Most would not: ``[修改桌面背景]`` is no link, ``8.`` after
``### `` opens no list, a lone ``_`` in ``^_^`` emphasises nothing. This pass
takes away every backslash whose removal leaves the rendering unchanged.

Two ways decide. Cheap rules settle the plain cases without rendering: a
bracket with no ``](``, ``][`` or ``]:`` after it (and no reference definition
to meet), the only ``*`` or ``_`` of a block away from a line start, a list or
heading marker where no block can start, a ``<`` that starts no tag and no
autolink, an ``&`` that starts no entity. The rest is checked for real: the
block is rendered with markdown-it-py (CommonMark with GFM tables and
strikethrough, as the output is read; an image's alt with its markup) and each
remaining backslash is taken away, the last first (of ``\\*a\\*`` the opening
one stays, where the reader expects it), when the rendering stays the same.

A block with more such escapes than :data:`MAX_TRIES`, or longer than
:data:`MAX_BLOCK`, keeps them: the check costs one rendering per backslash,
and must stay linear in the size of a post.
"""

from __future__ import annotations

import bisect
import html.entities
import re
from functools import lru_cache

from markdown_it import MarkdownIt

from postconv.post.markdown_code import code_ranges
from postconv.post.templates import opens_shortcode

MAX_TRIES = 64
MAX_BLOCK = 20_000
_ESCAPE = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
#: what the converter escapes only because it may open a block where a line starts
_LINE_MARKERS = frozenset(".)-+=")
_THEMATIC_BREAK = re.compile(r"(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})")
#: what may stand before a block's start on its line: quote markers and list markers
_CONTAINER_MARKERS = re.compile(r"(?:[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)))*[ \t]*")
_TAG_OR_AUTOLINK = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$)|/[A-Za-z]|!|\?|[A-Za-z][\w+.-]*:[^\s<>]*>|[^\s<>@]+@)"
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|([A-Za-z][A-Za-z0-9]{1,31});)")


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    renderer = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    renderer.add_render_rule("image", _image_with_marked_up_alt)
    return renderer


def _image_with_marked_up_alt(self, tokens, idx, options, env) -> str:
    """An image whose alt keeps its markup: readers disagree on what a tag or an
    emphasis inside a description leaves of the alt text (markdown-it keeps a tag's
    source, others drop it), so an escape there counts as changing something."""
    token = tokens[idx]
    token.attrSet("alt", self.renderInline(token.children or [], options, env))
    return self.renderToken(tokens, idx, options, env)


def drop_needless_backslashes(block: str, references: bool = False) -> str:
    """``block`` without the escaping backslashes that change nothing once rendered.

    ``references``: the document defines link references (a ``[x]`` may then be a
    link): its brackets keep their backslashes.
    """
    if "\\" not in block or len(block) > MAX_BLOCK:
        return block
    code = code_ranges(block)  # a backslash in code is code
    escapes = [
        match.start()
        for match in _ESCAPE.finditer(block)
        if _escaping(block, match.start()) and not _inside(code, match.start())
    ]
    if not escapes:
        return block
    plain = _without(block, escapes, set())
    last_closer = max(plain.rfind(closer) for closer in ("](", "][", "]:"))
    verdicts = {
        index: _verdict(plain, index - number, last_closer, references)
        for number, index in enumerate(escapes)
    }
    doubtful = {index for index, verdict in verdicts.items() if verdict is None}
    needed = {index for index, verdict in verdicts.items() if verdict is True}
    if not doubtful or len(doubtful) > MAX_TRIES:
        return _without(block, escapes, doubtful | needed)
    render = _renderer().render
    wanted = render(block)
    if render(_without(block, escapes, needed)) == wanted:
        return _without(block, escapes, needed)  # none of the doubtful ones was needed
    kept: set[int] = doubtful | needed
    for position in sorted(doubtful, reverse=True):
        kept.discard(position)
        if render(_without(block, escapes, kept)) != wanted:
            kept.add(position)
    return _without(block, escapes, kept)


def _verdict(plain: str, index: int, last_closer: int, references: bool) -> bool | None:
    """Whether a backslash is needed, by a rule that needs no rendering: False
    (needless), True (needed), None (only a rendering can tell).

    ``plain`` is the block with every escaping backslash taken out; ``index`` is
    where the escaped character stands in it; ``last_closer`` where its last
    ``](``, ``][`` or ``]:`` starts (-1: none).
    """
    char = plain[index]
    line_start = plain.rfind("\n", 0, index) + 1
    line = plain[line_start:index]
    if char in "#>" or char in _LINE_MARKERS:
        # these open a block only where a block starts ("8." after "### " opens nothing)
        prefix = line.rstrip("0123456789") if char in ".)" else line
        if _CONTAINER_MARKERS.fullmatch(prefix):
            return _block_start_verdict(plain, index, line_start, prefix)
        if char == "#" and line.lstrip(" \t>").startswith("#"):
            return None  # a heading's closing sequence
        return False
    if references and char in "[]":
        return True  # a definition elsewhere could make it a link: kept, unrendered
    if char == "[" and opens_shortcode(plain, index):
        return True  # "[php]" as text: without it, a second run would see a shortcode
    if char == "[":
        return None if last_closer > index else False
    if char == "]":  # it may close a link whose text runs on to a later "]("
        return None if last_closer >= index else False
    if char in "*_":
        if _CONTAINER_MARKERS.fullmatch(line):
            if char == "*" and _block_start_verdict(plain, index, line_start, line):
                return True  # a list item
            return None  # a rule, or emphasis at a line start
        if plain.count(char) == 1:
            return False
        return None if _flanking(plain, index) else False
    if char == "<":
        return None if _TAG_OR_AUTOLINK.match(plain, index) else False
    if char == "&":
        entity = _ENTITY.match(plain, index)
        if entity is None:
            return False
        return entity.group(1) is None or entity.group(1) + ";" in html.entities.html5
    return None


def _block_start_verdict(plain: str, index: int, line_start: int, prefix: str) -> bool | None:
    """The verdict on a marker where a block may start (after ``prefix``, the line's
    quote and list markers): what it would open there is plain in most cases."""
    char = plain[index]
    line_end = plain.find("\n", index)
    rest = plain[index + 1 : None if line_end < 0 else line_end]
    spaced = rest[:1] in ("", " ", "\t")  # the marker stands alone, as markers must
    if char == "#":
        run = len(rest) - len(rest.lstrip("#")) + 1
        return run <= 6 and rest[run - 1 : run] in ("", " ", "\t")  # an ATX heading
    if char == ">":
        return True  # a quote, wherever a block can start
    if char in "-+*":
        if spaced and rest.strip():
            return True  # a list item: it interrupts a paragraph too
        return None if not rest.strip(f"{char} \t") or char == "*" else False
    if char == "=":
        return None if not rest.strip("= \t") else False  # a setext underline?
    digits = plain[line_start + len(prefix) : index]  # "." and ")" end a list number
    if not digits or len(digits) > 9 or not spaced:
        return False
    # only a list starting at 1 interrupts a paragraph
    return int(digits) == 1 or not _continues_paragraph(plain, line_start, prefix)


_PARAGRAPH_LINE = re.compile(r"[^\s#|<`~]")


def _continues_paragraph(plain: str, line_start: int, prefix: str) -> bool:
    """True when the line at ``line_start`` continues the paragraph of the line above."""
    if not line_start or prefix.strip(" \t>"):
        return False  # the block's first line, or a list item's first line
    previous_start = plain.rfind("\n", 0, line_start - 1) + 1
    previous = plain[previous_start : line_start - 1]
    markers = _CONTAINER_MARKERS.match(previous).group()
    content = previous[len(markers) :]
    return (
        markers.count(">") == prefix.count(">")
        and _PARAGRAPH_LINE.match(content) is not None
        and not _THEMATIC_BREAK.fullmatch(content)
    )


def _flanking(text: str, index: int) -> bool:
    """True when the delimiter at ``index`` could open or close emphasis."""
    before = text[index - 1 : index] or " "
    after = text[index + 1 : index + 2] or " "
    return not (before.isspace() and after.isspace())


def _inside(ranges: list[tuple[int, int]], position: int) -> bool:
    index = bisect.bisect_right(ranges, (position, float("inf"))) - 1
    return index >= 0 and position < ranges[index][1]


def _escaping(text: str, position: int) -> bool:
    """True when the backslash at ``position`` is not itself escaped."""
    count = 0
    while position - count > 0 and text[position - count - 1] == "\\":
        count += 1
    return count % 2 == 0


def _without(block: str, escapes: list[int], kept: set[int]) -> str:
    """``block`` with the backslashes at ``escapes`` not in ``kept`` taken out."""
    pieces, position = [], 0
    for index in escapes:
        if index not in kept:
            pieces.append(block[position:index])
            position = index + 1
    pieces.append(block[position:])
    return "".join(pieces)
