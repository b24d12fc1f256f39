"""What happened to each input of a migration, the running totals, and the JSONL report."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Literal

from postconv.io.files import printable

Status = Literal["converted", "unchanged", "copied", "skipped", "failed", "refused"]

#: Display order of the summary, and the complete status vocabulary.
STATUSES: tuple[Status, ...] = ("converted", "unchanged", "copied", "skipped", "failed", "refused")

#: Statuses that make the run fail (exit code 1).
PROBLEMS: frozenset[str] = frozenset({"failed", "refused"})

#: Reasons of the ordinary skips; other skips (links, FIFOs, devices) are worth a line.
UP_TO_DATE = "up to date"
NOT_A_POST = "not a post"
ORDINARY_SKIPS: frozenset[str] = frozenset({UP_TO_DATE, NOT_A_POST})


@dataclass(frozen=True)
class Outcome:
    """One input's fate. ``error`` is a one-line reason (also for skips); ``seconds`` its time.

    ``encoding`` is the codec that decoded a post (``utf-8`` for most);
    ``differences`` are what verification found, ``(kind, message)`` each, when
    it refused the post (``error`` is the first); ``warning`` what the user should
    know of a post written all the same.
    """

    input: str
    status: Status
    output: str | None = None
    error: str | None = None
    encoding: str | None = None
    seconds: float = 0.0
    differences: tuple[tuple[str, str], ...] = ()
    warning: str | None = None  # a post written all the same (stray control characters)
    digest: str | None = None  # SHA-256 of the post's bytes (for the manifest, not reported)

    @property
    def worth_a_line(self) -> bool:
        """Problems, and skips the user would not expect, get a line on stderr."""
        unusual_skip = self.status == "skipped" and self.error not in ORDINARY_SKIPS
        return self.status in PROBLEMS or unusual_skip or self.warning is not None

    @property
    def line(self) -> str:
        """Its line on stderr: ``PATH: STATUS: reason`` (or ``PATH: warning: …``)."""
        if self.warning is not None and self.status not in PROBLEMS:
            return printable(f"{self.input}: warning: {self.warning}")
        return printable(f"{self.input}: {self.status}: {self.error}")

    def to_json(self) -> str:
        record = dict(vars(self))  # (flat: no asdict, which deep-copies every value)
        del record["digest"]
        record["input"] = printable(self.input)
        record["output"] = printable(self.output) if self.output is not None else None
        record["error"] = printable(self.error) if self.error is not None else None
        record["seconds"] = round(self.seconds, 6)
        record["differences"] = [{"kind": kind, "message": text} for kind, text in self.differences]
        return json.dumps(record, ensure_ascii=False)


@dataclass
class Summary:
    """Running totals of a migration."""

    counts: Counter[str] = field(default_factory=Counter)
    encodings: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    stale_temps_removed: int = 0
    interrupted: bool = False  # stopped early (Ctrl-C …): re-run to finish

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.status] += 1
        if outcome.encoding not in (None, "utf-8", "ascii"):
            self.encodings[outcome.encoding] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def posts(self) -> int:
        """Posts actually converted (written), changed or not."""
        return self.counts["converted"] + self.counts["unchanged"]

    @property
    def posts_per_second(self) -> float:
        return self.posts / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def ok(self) -> bool:
        return not any(self.counts[status] for status in PROBLEMS)


class ReportWriter:
    """Writes one JSON line per outcome to an open text file, flushed per line."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def __call__(self, outcome: Outcome) -> None:
        self.stream.write(outcome.to_json() + "\n")
        self.stream.flush()
