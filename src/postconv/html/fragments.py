"""An HTML fragment → Markdown: parse (lxml), clean (the passes), convert (markdownify).

Two entry points: :func:`block_markdown` for HTML that stands as blocks (an
HTML body, or an HTML block of a Markdown body), :func:`inline_markdown` for
inline HTML inside a line of Markdown.
"""

from __future__ import annotations

from postconv.html.clean import INLINE_PASSES, clean, parse
from postconv.html.converter import to_markdown
from postconv.html.emphasis import is_punctuation
from postconv.options import Options

# stand-ins for the characters around an inline fragment: the converter decides
# whether emphasis can open or close by its neighbours (a letter, punctuation, space)
_LETTER, _PUNCTUATION = "x", "%"


def block_markdown(source: str, options: Options) -> str:
    """Markdown for an HTML fragment that stands as one or more blocks."""
    root = parse(source)
    clean(root, options)
    return to_markdown(root, options)


def inline_markdown(source: str, options: Options, before: str = "", after: str = "") -> str:
    """Markdown for inline HTML, written where ``before`` and ``after`` stand around it.

    The fragment is converted between stand-ins for its neighbours, so that
    emphasis markers are only used where CommonMark will read them.
    """
    left, right = stand_in(before), stand_in(after)
    root = parse(f"{left}{source}{right}")
    clean(root, options, INLINE_PASSES)
    markdown = to_markdown(root, options)
    if left and markdown.startswith(left):
        markdown = markdown[len(left) :]
    if right and markdown.endswith(right):
        markdown = markdown[: -len(right)]
    return markdown


def stand_in(char: str) -> str:
    """What stands for ``char`` beside a fragment: a letter, punctuation, or nothing
    (a space, or no neighbour), as far as emphasis is concerned."""
    if not char or char.isspace():
        return ""
    return _PUNCTUATION if is_punctuation(char) else _LETTER
