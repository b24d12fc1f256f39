"""Many inline HTML islands converted in one parse, one cleaning and one conversion.

Converting an island alone (:func:`postconv.html.fragments.inline_markdown`)
costs a parser, a tree, a soup and a converter run however small the island
is: on a line of thousands of links that fixed cost is most of the time. Here
the islands of a block are converted together, each as the content of a
``<div>`` of its own, a separator character after each ``<div>``:

- a ``<div>`` is what an island's root is when it is converted alone (the
  parser's ``<body>``, renamed): the cleaning passes and the converter stop at
  it as they stop at the root (a ``<br>`` moves no further out, a neighbour is
  looked for no further, whitespace at its edges goes, its Markdown is stripped);
- an island is batched only when it is made of inline tags the parser closes
  at ``</div>`` as it would at the end of the text, and of the tokens that
  stand for its Markdown text (:func:`batchable`): nothing in it can reach
  past its ``<div>``;
- after cleaning, the tree must still be one ``<div>`` per island with its
  separator after it; otherwise (a pass dropped an empty one) the islands are
  converted one by one.

``tests/test_island_batch.py`` checks on generated islands that the batch
gives what converting each alone gives.
"""

from __future__ import annotations

import re

from postconv.html.clean import INLINE_PASSES, clean, parse
from postconv.html.converter import to_markdown
from postconv.html.fragments import inline_markdown, stand_in
from postconv.html.tree import Element
from postconv.options import Options

#: after each island's ``<div>``: in the reserved range (a post's own are shielded) and
#: no token's character, so it can only be the separator
SEPARATOR = "\ue00f"
#: inline elements whose tags the parser ends at ``</div>`` and no pass moves past it
SAFE_TAGS = frozenset(
    {"a", "abbr", "b", "br", "cite", "code", "del", "em", "i", "img", "kbd", "mark"}
    | {"s", "samp", "small", "span", "strike", "strong", "sub", "sup", "u"}
)
#: an island nested deeper is converted alone (the batch adds a level, and the
#: parse flattens trees past a depth)
MAX_NESTING = 50
#: islands per batch: enough to make the fixed cost small, few enough to keep memory low
BATCH_SIZE = 256
#: the attribute that numbers the islands' ``<div>``
_INDEX = "data-island"
#: tokens and blanks between safe tags (a conservative reading: an attribute's
#: quotes closed, no ``<`` in a tag), no separator
_BATCHABLE = re.compile(
    r"(?:[ \t\ue000-\ue00e\ue010-\ue0ff]"
    rf"|</?(?:{'|'.join(sorted(SAFE_TAGS))})(?=[\s/>])(?:[^<>\"']|\"[^<\"]*\"|'[^<']*')*>)*",
    re.I,
)


def batchable(source: str) -> bool:
    """True when ``source`` (an island's HTML, its text tokens) converts inside a
    ``<div>`` among others as it does alone: only tags of :data:`SAFE_TAGS` (quotes
    closed, no ``<`` in them), text of tokens and blanks, no separator, no caption
    shortcode (the parse expands those across tags), fewer tags than
    :data:`MAX_NESTING` (so no deeper nesting)."""
    return (
        _BATCHABLE.fullmatch(source) is not None
        and SEPARATOR not in source
        and source.count("<") < MAX_NESTING
        and "[caption" not in source.lower()
    )


def inline_markdowns(fragments: list[tuple[str, str, str]], options: Options) -> list[str]:
    """:func:`~postconv.html.fragments.inline_markdown` of each ``(source, before,
    after)``, the :func:`batchable` ones converted together."""
    results: list[str | None] = [None] * len(fragments)
    batch: list[int] = []
    for index, (source, before, after) in enumerate(fragments):
        if batchable(source):
            batch.append(index)
        else:
            results[index] = inline_markdown(source, options, before, after)
    for first in range(0, len(batch), BATCH_SIZE):
        indices = batch[first : first + BATCH_SIZE]
        converted = _convert_together([fragments[index] for index in indices], options)
        for index, markdown in zip(indices, converted, strict=True):
            results[index] = markdown
    return [result if result is not None else "" for result in results]


def _convert_together(fragments: list[tuple[str, str, str]], options: Options) -> list[str]:
    stand_ins = [(stand_in(before), stand_in(after)) for _, before, after in fragments]
    root = parse(
        "".join(
            f'<div {_INDEX}="{index}">{left}{source}{right}</div>{SEPARATOR}'
            for index, ((source, _, _), (left, right)) in enumerate(
                zip(fragments, stand_ins, strict=True)
            )
        )
    )
    clean(root, options, INLINE_PASSES)
    kept = _kept(root, len(fragments))
    parts = to_markdown(root, options).split(SEPARATOR) if kept else []
    if len(parts) != len(fragments) + 1:
        return _one_by_one(fragments, options)
    return [
        _without_stand_ins(part.strip("\n"), left, right)
        if index in kept
        else inline_markdown(fragments[index][0], options, *fragments[index][1:])
        for index, (part, (left, right)) in enumerate(zip(parts, stand_ins, strict=False))
    ]


def _one_by_one(fragments: list[tuple[str, str, str]], options: Options) -> list[str]:
    return [inline_markdown(source, options, before, after) for source, before, after in fragments]


def _kept(root: Element, count: int) -> set[int]:
    """The islands whose ``<div>`` is still in the cleaned tree, each with its
    separator after it (a pass drops an empty one: its island is converted alone);
    none if the tree is not that."""
    kept: set[int] = set()
    if (root.text or "").strip(SEPARATOR):
        return set()
    for child in root:
        index = child.get(_INDEX)
        if child.tag != "div" or index is None or (child.tail or "").strip(SEPARATOR):
            return set()
        kept.add(int(index))
    separators = (root.text or "").count(SEPARATOR) + sum(
        (child.tail or "").count(SEPARATOR) for child in root
    )
    return kept if separators == count else set()


def _without_stand_ins(markdown: str, left: str, right: str) -> str:
    """As :func:`~postconv.html.fragments.inline_markdown` takes them off."""
    if left and markdown.startswith(left):
        markdown = markdown[len(left) :]
    if right and markdown.endswith(right):
        markdown = markdown[: -len(right)]
    return markdown
