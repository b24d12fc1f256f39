"""Source attribution and trailing links → one footer (stub, being written)."""

from __future__ import annotations

from dataclasses import dataclass

from postconv.options import Options


@dataclass(frozen=True)
class Footer:
    name: str | None
    url: str | None

    def blocks(self, options: Options, body_blocks: list[str]) -> list[str]:
        return []

    def into_header(self, header: str, kind: str | None) -> str:
        return header


def normalise_footer(blocks: list[str], options: Options) -> tuple[list[str], Footer | None]:
    return blocks, None
