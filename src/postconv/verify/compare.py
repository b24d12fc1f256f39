"""Does the output show what the input showed? One check per kind of difference.

Each check compares one aspect of two :class:`~postconv.verify.view.View`
objects and says what differs, first difference first. The output may show
more than the input (a heading made of a bold paragraph, ``https:`` before
``//host``, a paragraph split at ``<br><br>``), never less:

- code: every code block of the input, line for line, in order; every inline
  code span's text;
- structure: no fewer list items, table cells, headings, block quotes,
  ``sup`` and ``sub``;
- links and images: every address, as often as the input has it;
- text: every word, in order, and no two blocks of the input in one block of
  the output (an image's description is no block of its own; a source footer
  gathers the attribution and the URL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from postconv.verify.view import View, joined

_SHOWN = 40  # characters of text a refusal quotes
_SETTLED = 8  # words in a row found one after the other: the text follows the input again


@dataclass(frozen=True)
class Difference:
    kind: str  # code, inline code, link, image, list item, table cell, … , paragraphs, text
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


Check = Callable[[View, View], list[Difference]]


def code_blocks(before: View, after: View) -> list[Difference]:
    """Every input code block is an output code block, line for line, in order."""
    position = 0
    for number, lines in enumerate(before.code_blocks, start=1):
        loose = number - 1 in before.loose_code
        found = _code_index(after.code_blocks, lines, position, loose)
        if found is not None:
            position = found + 1
            continue
        if position >= len(after.code_blocks):
            return [Difference("code", f"code block {number} lost: “{_quote(lines[0])}”")]
        other = after.code_blocks[position]
        if loose:
            lines, other = _filled(lines), _filled(other)
        return [Difference("code", _changed_line(number, lines, other))]
    return []


def _code_index(blocks: list[list[str]], lines: list[str], start: int, loose: bool) -> int | None:
    """Where ``lines`` are a code block, from ``start`` on; ``loose``: blank lines aside."""
    if not loose:
        return _index(blocks, lines, start)
    wanted = _filled(lines)
    return next((i for i in range(start, len(blocks)) if _filled(blocks[i]) == wanted), None)


def _filled(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip()]


def inline_code(before: View, after: View) -> list[Difference]:
    """Every input code span's text is in an output code span, in order (code spans side
    by side may be one: ``<code>sub</code> <code>{}</code>`` is `` `sub {}` ``)."""
    index, offset = 0, 0
    spans = after.code_spans
    for span in before.code_spans:
        if not span:
            continue
        while index < len(spans) and (found := spans[index].find(span, offset)) < 0:
            index, offset = index + 1, 0
        if index == len(spans):
            return [Difference("inline code", f"inline code “{_quote(span)}” lost or changed")]
        offset = found + len(span)
    return []


def links(before: View, after: View) -> list[Difference]:
    return _addresses("link", "link to", before.links, after.links)


def images(before: View, after: View) -> list[Difference]:
    return _addresses("image", "image", before.images, after.images)


def structure(before: View, after: View) -> list[Difference]:
    """No fewer list items, table cells, headings, block quotes, sup and sub."""
    return [
        Difference(kind, f"{kind}s: {count} in the input, {after.counts[kind]} in the output")
        for kind, count in before.counts.items()
        if after.counts[kind] < count
    ]


def text(before: View, after: View) -> list[Difference]:
    """Every word of the input in order, each input block in output blocks of its own.

    Greedy, in one pass over both: an input block opens the output block after
    the one where the previous block ended (an input block may run over several
    output blocks; two may not share one, and none may vanish). An image's
    description or a bare link is no block of its own, on either side.
    """
    reader = _Reader(after)
    previous_soft = True
    for index, block in enumerate(before.blocks):
        soft = index in before.image_blocks
        found = reader.read(block, opens=not soft and not previous_soft)
        if found is not None:
            return [found]
        previous_soft = soft
    return []


class _Reader:
    """The output's words, read on input block by input block."""

    def __init__(self, after: View) -> None:
        self.starts, self.words = _flattened(after.blocks)
        self.soft = after.image_blocks
        #: a source footer gathers the attribution and the URL: blocks may share it
        self.joinable = len(after.blocks) - 1 if after.footer_last else -1
        self.position = 0  # after the last word found

    def read(self, block: list[str], opens: bool) -> Difference | None:
        """Find ``block``'s words; ``opens``: it must open the next output block."""
        ended = self.position
        openings = self._next_block() if opens and self.position else None
        if openings and ended < self.position and _starts(self.words, ended, block):
            return _merged(block)  # it goes on right where the last one ended
        began = self.position
        if self.words[began : began + len(block)] == block and (not openings or began in openings):
            self.position += len(block)  # the block as it was, word for word: most are
            return None
        suspect, run = None, 0  # where words stopped following each other, and since when
        for number, word in enumerate(block):
            if self.position < len(self.words) and self.words[self.position] == word:
                self.position += 1  # most words come right after the one before
                run += 1
                suspect = None if run >= _SETTLED else suspect
                continue
            found = _find(self.words, word, self.position)
            if found is None or (number == 0 and openings is not None and found not in openings):
                if _follows(self.words, block, ended, began):
                    return _merged(block)
                start = number if suspect is None else suspect  # (the loss began there)
                return Difference(
                    "text", f"text lost: “{_quote(joined(block[start : start + 8]))}”"
                )
            self.position, run = found + 1, 0
            suspect = number if suspect is None else suspect
        return None

    def _next_block(self) -> set[int] | None:
        """Move to the output block after the current one; where an input block may open
        (there, or after the images and bare links that follow)."""
        current = _block_at(self.starts, self.position - 1)
        if current == self.joinable:
            return None
        if current + 1 >= len(self.starts):
            self.position = len(self.words)
            return None
        following = current + 1
        while following in self.soft and following + 1 < len(self.starts):
            following += 1
        self.position = self.starts[current + 1]
        return set(self.starts[current + 1 : following + 1])


def _starts(words: list[str], position: int, block: list[str]) -> bool:
    """True when ``block`` (two words or more) is read right at ``position``."""
    opening = block[:4]
    return len(block) > 1 and words[position : position + len(opening)] == opening


def _merged(block: list[str]) -> Difference:
    return Difference("paragraphs", f"paragraphs merged before “{_quote(joined(block[:8]))}”")


CHECKS: list[Check] = [code_blocks, inline_code, structure, links, images, text]


def differences(before: View, after: View) -> list[Difference]:
    """What the output lost of the input, each check in :data:`CHECKS` order."""
    return [found for check in CHECKS for found in check(before, after)]


# ---------------------------------------------------------------- helpers


def _follows(output: list[str], block: list[str], start: int, end: int) -> bool:
    """True when ``block`` opens right after ``output[start - 1]``, before ``end``: where
    the previous block ended, in its output block (two paragraphs merged)."""
    first = _find(output[:end], block[0], start) if block else None
    if first is None:
        return False
    opening = block[: min(len(block), 8)]
    return output[first : first + len(opening)] == opening or first == start


def _index(items: list, wanted: object, start: int) -> int | None:
    for index in range(start, len(items)):
        if items[index] == wanted:
            return index
    return None


def _changed_line(number: int, lines: list[str], other: list[str]) -> str:
    for line_number, line in enumerate(lines, start=1):
        if line_number > len(other):
            return f"code line {line_number} of block {number} lost: “{_quote(line)}”"
        if other[line_number - 1] != line:
            shown = _quote(other[line_number - 1])
            return f"code line {line_number} of block {number} changed: “{shown}”"
    return f"code block {number} has {len(other) - len(lines)} more line(s)"


def _addresses(kind: str, label: str, before, after) -> list[Difference]:
    return [
        Difference(kind, f"{label} “{_quote(address, 80)}” lost")
        for address, count in before.items()
        if after[address] < count
    ]


def _flattened(blocks: list[list[str]]) -> tuple[list[int], list[str]]:
    starts, words = [], []
    for block in blocks:
        starts.append(len(words))
        words.extend(block)
    return starts, words


def _block_at(starts: list[int], position: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:  # the last block starting at or before position
        middle = (low + high + 1) // 2
        if starts[middle] <= position:
            low = middle
        else:
            high = middle - 1
    return low


def _find(words: list[str], word: str, start: int) -> int | None:
    try:
        return words.index(word, start)
    except ValueError:
        return None


def _quote(text: str, limit: int = _SHOWN) -> str:
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= limit else text[: limit - 1] + "…"
