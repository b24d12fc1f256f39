"""How a post body reads: its dialect, its segments, its opaque parts.

The conversion (:mod:`postconv.body`) and the check that no text was lost
(:mod:`postconv.fidelity`) read a body the same way, here: template tags
and code shortcodes become tokens, the dialect is decided, a Markdown body's
``<pre>`` blocks become tokens too (CommonMark keeps them whole wherever they
stand), and the rest is cut into HTML and Markdown segments.
"""

from __future__ import annotations

from dataclasses import dataclass

from postconv.post.dialect import Dialect, decide
from postconv.post.placeholders import Placeholders
from postconv.post.segments import Segment, raw_html_blocks, segment
from postconv.post.templates import protect


@dataclass
class Reading:
    dialect: Dialect
    segments: list[Segment]
    placeholders: Placeholders


def read(body: str, choice: str = "auto", name: str | None = None) -> Reading:
    """Read ``body`` (``choice``: auto, html or markdown; ``name``: its file name, a hint)."""
    placeholders = Placeholders()
    protected = protect(body, placeholders)
    dialect = decide(protected, choice, name)
    placeholders.dialect = dialect
    if dialect == "markdown":
        protected = _protect_raw_blocks(protected, placeholders)
    return Reading(dialect, segment(protected, dialect), placeholders)


def _protect_raw_blocks(markdown: str, placeholders: Placeholders) -> str:
    pieces: list[str] = []
    position = 0
    for start, end in raw_html_blocks(markdown):
        pieces += (markdown[position:start], placeholders.add("", html=markdown[start:end]))
        position = end
    pieces.append(markdown[position:])
    return "".join(pieces)
