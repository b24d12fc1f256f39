"""Conversion options: one frozen, picklable dataclass, defaults in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    #: Level given to bold-only paragraphs; real <h1>..<h6> are shifted so none is above it.
    heading_level: int = 2
    #: Keep trailing navigation back-links (made absolute) instead of dropping them.
    keep_nav: bool = False
    #: Footer label; None picks "来源：" for CJK posts and "Source:" otherwise.
    source_label: str | None = None
    #: Move the source attribution into the front matter (source:, source_url:).
    source_to_front_matter: bool = False
    #: The body's language: "html", "markdown", or "auto" (by extension and content).
    body: str = "auto"
    #: Keep javascript:, vbscript: and data: link destinations (dropped: the site would run them).
    allow_unsafe_links: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.heading_level <= 6:
            raise ValueError(f"heading level must be 1..6, got {self.heading_level}")
        if self.body not in ("auto", "html", "markdown"):
            raise ValueError(f"body must be auto, html or markdown, got {self.body!r}")
