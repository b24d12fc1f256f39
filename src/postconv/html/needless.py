"""Backslashes only where they change what CommonMark shows.

The converter escapes by local rules (:mod:`postconv.html.escape`): a ``[``,
a ``1.`` at a line start, a ``_`` at a word edge might start Markdown, so
each gets a backslash. Most would not: ``[修改桌面背景]`` is no link, ``8.`` after
``### `` opens no list, a lone ``_`` in ``^_^`` emphasises nothing. This pass
takes away every backslash whose removal leaves the rendering unchanged.

Two ways decide. Cheap rules settle the plain cases without rendering: a
bracket with no ``](``, ``][`` or ``]:`` after it (and no ``[label]`` the post
defines), the only ``*`` or ``_`` of a block away from a line start, a list or
heading marker where no block can start, a ``<`` that starts no tag and no
autolink, an ``&`` that starts no entity. The rest is checked for real: the
block is rendered with markdown-it-py (CommonMark with GFM tables and
strikethrough, as the output is read; an image's alt with its markup; the
post's reference definitions the block may use) and each remaining backslash
is taken away, the last first (of ``\\*a\\*`` the opening one stays, where the
reader expects it), when the rendering stays the same; then neighbours that only go
together (``![\\[\\]](x)``), two at a time.

A backslash in code, in raw HTML (a tag, a comment, an HTML block) or in an
autolink is no escape: CommonMark keeps it as written (in an autolink's URL,
as ``%5C``), so it is never touched.

A block with more such escapes than :data:`MAX_TRIES`, or longer than
:data:`MAX_BLOCK`, keeps them: the check costs one rendering per backslash,
and must stay linear in the size of a post. A block with raw HTML that may run on
where the rules cannot follow it (a tag across a quote's lines: a ``<`` that
starts no tag complete on its line; any tag in a table, a quote or a list, or
beside a tab) is rendered with all the cheap verdicts applied, as a check.
"""

from __future__ import annotations

import bisect
import html.entities
import math
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Set
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

from postconv.html.delimiters import CONTAINER_MARKERS, Run, delimiter_runs, run_around, run_flanks
from postconv.post.markdown_code import code_ranges, in_ranges
from postconv.post.templates import opens_shortcode

if TYPE_CHECKING:  # markdown-it is imported when a block needs it (not at start-up)
    from markdown_it import MarkdownIt

MAX_TRIES = 64
MAX_BLOCK = 20_000
_ESCAPE = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
#: what the converter escapes only because it may open a block where a line starts
_LINE_MARKERS = frozenset(".)-+=")
_THEMATIC_BREAK = re.compile(r"(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})")
#: the same, and the character after them: read with it, a "*" before "2)" is no bullet
_CONTAINER_MARKERS_THEN = re.compile(CONTAINER_MARKERS.pattern + r"[^\n]")
_TAG_OR_AUTOLINK = re.compile(
    r"<(?:[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$)|/[A-Za-z]|!|\?|[A-Za-z][\w+.-]*:[^\s<>]*>|[^\s<>@]+@)"
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|([A-Za-z][A-Za-z0-9]{1,31});)")
#: what CommonMark keeps as written, backslashes and all: a URL autolink, inline raw HTML
_AUTOLINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\x00-\x20]*>")
#: what may start raw HTML or an autolink, which the cheap rules do not read through
_RAW_HTML = re.compile(r"<[A-Za-z/!?]")
#: a line that opens a quote or a list item
_CONTAINER_LINE = re.compile(r"^[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$))", re.M)
#: a line where an HTML block may start (after quote and list markers)
_HTML_BLOCK_START = re.compile(r"^[ \t>*+\-0-9.)]*<", re.M)
#: the rest of a line that may end a thematic break, by the character it is made of
_RULE_TAIL = {char: re.compile(rf"[{char} \t]*(?:\n|\Z)") for char in "*-_"}
#: a bracketed text with no bracket inside: where a reference link's label stands
_LABEL = re.compile(r"\[([^\[\]]*)\]")


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    renderer.add_render_rule("image", _image_with_marked_up_alt)
    return renderer


@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    """The renderer's block structure only (HTML blocks, reference definitions)."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    return parser.disable(["inline", "text_join"])


def _image_with_marked_up_alt(self, tokens, idx, options, env) -> str:
    """An image whose alt keeps its markup: readers disagree on what a tag or an
    emphasis inside a description leaves of the alt text (markdown-it keeps a tag's
    source, others drop it), so an escape there counts as changing something."""
    token = tokens[idx]
    token.attrSet("alt", self.renderInline(token.children or [], options, env))
    return self.renderToken(tokens, idx, options, env)


def reference_labels(texts: Iterable[str]) -> ReferenceLabels:
    """The link reference labels these Markdown texts define, normalised as CommonMark
    matches them (case folded, whitespace collapsed): what ``references`` takes."""
    return ReferenceLabels(texts)


class ReferenceLabels(Set[str]):
    """A set of reference labels, found when first asked about: finding them costs a
    parse of every text that may define one, and most posts never ask (only a block
    with an escaped bracket does)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts: list[str] | None = [text for text in texts if "]:" in text]
        self._labels: frozenset[str] = frozenset()

    @property
    def labels(self) -> frozenset[str]:
        if self._texts is not None:
            found: set[str] = set()
            for text in self._texts:
                env: dict = {}
                _block_parser().parse(text, env)
                found.update(env.get("references", ()))
            self._labels, self._texts = frozenset(found), None
        return self._labels

    def __contains__(self, label: object) -> bool:
        return label in self.labels

    def __iter__(self) -> Iterator[str]:
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)


def drop_needless_backslashes(
    block: str,
    references: Collection[str] | bool | None = None,
    within: tuple[int, int] | None = None,
    expand: Callable[[str], str] | None = None,
) -> str:
    """``block`` without the escaping backslashes that change nothing once rendered.

    ``references``: the link reference labels the document defines
    (:func:`reference_labels`): a ``[label]`` may then be a link, and the block is
    rendered with those it may use. ``True``: it defines some, unknown: brackets keep
    their backslashes. ``False`` or ``None``: it defines none.
    ``within``: only the backslashes of ``block[start:end]`` may go (the rest is an
    author's Markdown, kept as written). ``expand``: what the block reads as once its
    tokens are put back (a template's ``[`` may close an emphasis): it is rendered so.
    """
    if "\\" not in block or len(block) > MAX_BLOCK:
        return block
    low, high = within or (0, len(block))
    literal = _literal_ranges(block)  # a backslash in code, raw HTML or an autolink is kept
    escapes = [
        match.start()
        for match in _ESCAPE.finditer(block, low, high)
        if _escaping(block, match.start()) and not in_ranges(literal, match.start())
    ]
    if not escapes:
        return block
    plain = _without(block, escapes, set())
    definitions = _definitions_used(plain, references)
    # a bracket is no link's by the rules (False), or one a definition makes a link may
    # hold it (None: rendered with those definitions), or the definitions are unknown
    brackets = True if definitions is None else None if definitions else False
    marks = _Marks(
        last_closer=max(plain.rfind(closer) for closer in ("](", "][", "]:")),
        first_angle=plain.find("<"),
        brackets=brackets,
        labels=_plain_labels(definitions),
        plainly=_reads_plainly(block, expand),
        escaped=frozenset(index - number for number, index in enumerate(escapes)),
        runs={},
    )
    verdicts = {
        index: _verdict(plain, index - number, marks) for number, index in enumerate(escapes)
    }
    doubtful = {index for index, verdict in verdicts.items() if verdict is None}
    needed = {index for index, verdict in verdicts.items() if verdict is True}
    if len(doubtful) > MAX_TRIES or (not doubtful and not _unchecked_html(plain, marks)):
        return _without(block, escapes, doubtful | needed)

    renderings: dict[str, str] = {}

    def render(text: str) -> str:  # a fresh env each time: the block may define labels too
        if text not in renderings:
            source = expand(text) if expand is not None else text
            env = {"references": dict(definitions or {})}
            renderings[text] = _renderer().render(source, env)
        return renderings[text]

    wanted = render(block)
    if render(_without(block, escapes, needed)) == wanted:
        return _without(block, escapes, needed)  # none of the doubtful ones was needed
    checked = _without(block, escapes, doubtful | needed)  # (the block, when no rule spoke)
    if checked != block and render(checked) != wanted:
        # a rule was wrong: raw HTML runs on where the rules do not follow it (a tag
        # across a quote's lines): then every backslash is doubtful
        doubtful = set(escapes) - needed
        if len(doubtful) > MAX_TRIES:
            return block
    kept: set[int] = doubtful | needed
    for position in sorted(doubtful, reverse=True):
        kept.discard(position)
        if render(_without(block, escapes, kept)) != wanted:
            kept.add(position)
    # some go only in pairs (``![\[\]](x)``: either alone unbalances the brackets)
    left = sorted(doubtful & kept, reverse=True)
    for later, earlier in pairwise(left):
        trial = kept - {later, earlier}
        if later in kept and render(_without(block, escapes, trial)) == wanted:
            kept = trial
    return _without(block, escapes, kept)


def _unchecked_html(plain: str, marks: _Marks) -> bool:
    """True when the block holds raw HTML the rules may not follow: a ``<`` that starts
    no tag or autolink complete on its line (a tag across a quote's lines), or any
    raw HTML in a block whose text is not what markdown-it reads inline (a table, a
    tab, a quote or a list: their lazy lines). The cheap verdicts are then checked by
    a rendering."""
    if not _RAW_HTML.search(plain):
        return False
    if not marks.plainly or _CONTAINER_LINE.search(plain):
        return True
    for start in _RAW_HTML.finditer(plain):
        found = _html_tag().match(plain, start.start()) or _AUTOLINK.match(plain, start.start())
        if found is None or "\n" in found.group():
            return True
    return False


def _definitions_used(plain: str, references: Collection[str] | bool | None) -> dict | None:
    """The reference definitions a ``[label]`` of the block may use, as markdown-it's
    env holds them (each its own destination, so that two stay apart); None when they
    are unknown (``references`` is True).

    A label is compared loosely, backslashes left out: a rendering settles the rest.
    """
    if references is True:
        return None
    if "[" not in plain or not references:
        return {}
    if isinstance(references, ReferenceLabels):
        references = references.labels
    labels, bracketed = _loose_labels(
        references if isinstance(references, frozenset) else frozenset(references)
    )
    used = {labels[key] for match in _LABEL.finditer(plain) if (key := _loose(match[1])) in labels}
    if bracketed:  # a label with escaped brackets in it: looked for as it is
        whole = _loose(plain)
        used.update(labels[key] for key in bracketed if key in whole)
    return {
        _normalized(label): {"href": f"#{number}", "title": ""}
        for number, label in enumerate(sorted(used))
    }


@lru_cache(maxsize=4)  # once per post, not once per block
def _loose_labels(references: frozenset[str]) -> tuple[dict[str, str], tuple[str, ...]]:
    """Each label by its loose form; the loose forms that hold a bracket."""
    labels = {_loose(label): label for label in references}
    return labels, tuple(key for key in labels if "[" in key or "]" in key)


def _loose(label: str) -> str:
    return _normalized(label.replace("\\", ""))


def _normalized(label: str) -> str:
    """A reference label as markdown-it compares them."""
    from markdown_it.common.utils import normalizeReference

    return normalizeReference(label)


@lru_cache(maxsize=1)
def _html_tag() -> re.Pattern[str]:
    """markdown-it's inline raw HTML pattern."""
    from markdown_it.common.html_re import HTML_TAG_RE

    return HTML_TAG_RE


def _literal_ranges(block: str) -> list[tuple[int, int]]:
    """Sorted, disjoint ``(start, end)`` spans where a backslash is kept as written:
    code, HTML blocks, inline raw HTML and autolinks."""
    ranges = code_ranges(block)
    if "<" not in block:
        return ranges
    if _HTML_BLOCK_START.search(block):
        lines = [0, *(index + 1 for index, char in enumerate(block) if char == "\n")]
        lines.append(len(block) + 1)
        ranges += [
            (lines[token.map[0]], lines[token.map[1]] - 1)
            for token in _block_parser().parse(block)
            if token.type == "html_block" and token.map
        ]
    position = block.find("<")
    while position >= 0:
        found = None
        if _escaping(block, position):
            found = _AUTOLINK.match(block, position) or _html_tag().match(block, position)
        if found:
            ranges.append((position, found.end()))
        position = block.find("<", found.end() if found else position + 1)
    return _merged(ranges)


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


class _Marks(NamedTuple):
    """What the cheap rules need to know of the whole block (``plain``, below)."""

    #: where the last ``](``, ``][`` or ``]:`` starts (-1: none)
    last_closer: int
    #: where the first ``<`` stands (-1: none): after it, a ``>`` or ``-`` may end a tag
    first_angle: int
    #: False when no reference definition can make a ``[label]`` of the block a link,
    #: None when one may, True when the definitions are unknown
    brackets: bool | None
    #: the labels of the definitions a bracket of the block may use (normalised), when
    #: each reads as written (no backslash or bracket in one); None when unknown
    labels: frozenset[str] | None
    #: True when the block's text is what markdown-it reads (:func:`_reads_plainly`):
    #: the rules that weigh the whole block (every delimiter run…) may then tell
    plainly: bool
    #: where the escaped characters stand in ``plain``
    escaped: frozenset[int]
    #: the delimiter runs of the block, by character, found when first asked for
    runs: dict[str, list[Run]]


def _verdict(plain: str, index: int, marks: _Marks) -> bool | None:
    """Whether a backslash is needed, by a rule that needs no rendering: False
    (needless), True (needed), None (only a rendering can tell).

    ``plain`` is the block with every escaping backslash taken out; ``index`` is
    where the escaped character stands in it.
    """
    char = plain[index]
    line_start = plain.rfind("\n", 0, index) + 1
    line = plain[line_start:index]
    if char in "*-_" and _in_rule(plain, index, line_start):
        return None  # "** *" is a thematic break, "** \\*" is not
    if char in "#>" or char in _LINE_MARKERS:
        # these open a block only where a block starts ("8." after "### " opens nothing)
        prefix = line.rstrip("0123456789") if char in ".)" else line
        if _only_markers(plain, line_start, line_start + len(prefix)):
            if char == "=" and not line_start and marks.plainly:
                return False  # no line above for it to underline
            return _block_start_verdict(plain, index, line_start, prefix)
        content = CONTAINER_MARKERS.match(plain, line_start).end()
        if char == "#" and plain.startswith("#", content):
            return None  # a heading's closing sequence (in a quote or a list item too)
        if char in "->" and -1 < marks.first_angle < index:
            return None  # "<!-- a --\\>" is no comment, "<!-- a -->" is one
        if char == ")" and ("](" in plain[:index] or "]:" in plain[:index]):
            return None  # it may end a link's destination: "[x](a\\)b)", "[x]: (a\\))"
        return False
    if char == "[" and opens_shortcode(plain, index):
        return True  # "[php]" as text: without it, a second run would see a shortcode
    if char in "[]" and marks.plainly:
        inner = _lone_escaped_pair(plain, index, marks.escaped)
        if inner is not None and (marks.brackets is False or _no_label(inner, marks.labels)):
            return False
    if char in "[]" and marks.brackets is not False:
        return marks.brackets  # a definition could make it a link: kept, or rendered with it
    if char == "[":
        return None if marks.last_closer > index else False
    if char == "]":  # it may close a link whose text runs on to a later "]("
        return None if marks.last_closer >= index else False
    if char in "*_":
        if _only_markers(plain, line_start, index):
            spaced = plain[index + 1 : index + 2] in ("", " ", "\t", "\n")
            if char == "*" and _block_start_verdict(plain, index, line_start, line):
                return True  # a list item
            if spaced or not marks.plainly:
                return None  # an empty list item, a table row, or emphasis at a line start
        if plain.count(char) == 1:
            return False
        start, end = run_around(plain, index)
        if marks.plainly and all(i in marks.escaped for i in range(start, end)):
            return None if _may_pair(plain, index, marks) else False
        return None if _flanking(plain, index) else False
    if char == "`" and marks.plainly:
        # no backtick of the block but these: a code span needs two runs; a fence opens
        # where three stand at a line start
        start, end = run_around(plain, index)
        if plain.count("`") > end - start or any(i not in marks.escaped for i in range(start, end)):
            return None
        return None if end - start >= 3 and _only_markers(plain, line_start, start) else False
    if char == "\\" and plain[index + 1 : index + 2].isalnum():
        # a lone backslash before a letter is as literal as an escaped one (not in a
        # reference label: the label would change)
        return False if marks.plainly and marks.brackets is False else None
    if char == "<":
        return None if _TAG_OR_AUTOLINK.match(plain, index) else False
    if char == "&":
        entity = _ENTITY.match(plain, index)
        if entity is None:
            return False
        return entity.group(1) is None or entity.group(1) + ";" in html.entities.html5
    return None


def _plain_labels(definitions: dict | None) -> frozenset[str] | None:
    if definitions is None or any(set(label) & set("\\[]") for label in definitions):
        return None
    return frozenset(definitions)


def _lone_escaped_pair(plain: str, index: int, escaped: Set[int]) -> str | None:
    """What the bracket at ``index`` and its partner bracket, when both are escaped and
    the partner is the nearest bracket on its other side, with no code and no tag
    between them: once both go they are a label followed by nothing that makes a link
    of it (no ``(``, ``[`` or ``:`` after it, no ``]`` before it), and balanced
    wherever a link around them stands; a definition of that label alone could make
    a link of it. None when the bracket is not one of such a pair."""
    if plain[index] == "[":
        start, end = index, _next_bracket(plain, index + 1)
    else:
        start, end = _previous_bracket(plain, index - 1), index
    if start < 0 or end < 0 or plain[start] != "[" or plain[end] != "]":
        return None
    if start not in escaped or end not in escaped:
        return None
    inner = plain[start + 1 : end]
    if "`" in inner or "<" in inner or plain[start - 1 : start] == "]":
        return None
    return None if plain[end + 1 : end + 2] in ("(", "[", ":") else inner


def _no_label(text: str, labels: frozenset[str] | None) -> bool:
    """True when ``text`` is known to be no label of ``labels`` (the block's definitions,
    when each reads as written)."""
    return labels is not None and _normalized(text) not in labels and _loose(text) not in labels


def _next_bracket(plain: str, position: int) -> int:
    found = [at for at in (plain.find("[", position), plain.find("]", position)) if at >= 0]
    return min(found) if found else -1


def _previous_bracket(plain: str, position: int) -> int:
    return max(plain.rfind("[", 0, position + 1), plain.rfind("]", 0, position + 1))


def _in_rule(plain: str, index: int, line_start: int) -> bool:
    """True when the ``*``, ``-`` or ``_`` at ``index`` ends its line among three or more
    of its kind and blanks alone, after quote and list markers: a thematic break, once
    its backslash is gone."""
    char = plain[index]
    tail = _RULE_TAIL[char].match(plain, index)
    if tail is None:
        return False
    run = line_start + len(plain[line_start:index].rstrip(char + " \t"))
    return plain.count(char, run, tail.end()) >= 3 and _only_markers(plain, line_start, run)


def _only_markers(plain: str, start: int, end: int) -> bool:
    """True when ``plain[start:end]`` holds only quote and list markers (and blanks), so
    that a block may start at ``end``; each marker read with what really follows it."""
    if end >= len(plain):
        return CONTAINER_MARKERS.fullmatch(plain, start) is not None
    return _CONTAINER_MARKERS_THEN.fullmatch(plain, start, end + 1) is not None


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
        if "|" in rest:
            return None  # a table's delimiter row under a header row?
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
    markers = CONTAINER_MARKERS.match(previous).group()
    content = previous[len(markers) :]
    return (
        markers.count(">") == prefix.count(">")
        and _PARAGRAPH_LINE.match(content) is not None
        and not _THEMATIC_BREAK.fullmatch(content)
    )


def _reads_plainly(block: str, expand: Callable[[str], str] | None) -> bool:
    """True when a block's delimiter runs can be weighed from its text: no token puts
    back text that may hold one, no table cell or tab makes the text markdown-it reads
    inline differ from the block's."""
    if "|" in block or "\t" in block:
        return False
    return expand is None or expand(block) == block


def _may_pair(plain: str, index: int, marks: _Marks) -> bool:
    """True when the run of escaped ``*`` or ``_`` at ``index`` may open emphasis that a
    later run of the block closes, or close what an earlier one opens, once their
    backslashes are gone (a run's characters go or stay together: one verdict)."""
    char = plain[index]
    runs = marks.runs.get(char)
    if runs is None:
        runs = marks.runs[char] = delimiter_runs(plain, char, marks.escaped)
    run = runs[bisect.bisect_right(runs, (index, math.inf)) - 1]
    can_open, can_close = run_flanks(plain, run.start, run.end)
    return (can_open and run.closer_after) or (can_close and run.opener_before)


def _flanking(text: str, index: int) -> bool:
    """True when the delimiter at ``index`` could open or close emphasis."""
    before = text[index - 1 : index] or " "
    after = text[index + 1 : index + 2] or " "
    return not (before.isspace() and after.isspace())


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
