"""What produced each output in DEST, so that a re-run redoes exactly what changed.

``DEST/.postconv-manifest.jsonl`` holds one JSON line per output written: the
input's path, size, modification time and SHA-256, the output's path, and the
*key* of what shaped it (postconv's version and the settings that change an
output). A re-run skips an input only when its output exists and was made from
the same bytes with the same key; otherwise it is converted again. Lines are
appended as outputs are written, so a killed run keeps what it recorded; a run
that ends rewrites the file with one line per input (the last).

Outputs with no line (written by a postconv that kept no manifest, or by a run
killed between the write and the line) are judged as before: kept when not
older than their input.

In an object store (DEST an fsspec URL) nothing can be appended to: the
manifest is written once, whole, when the run ends (a killed run leaves the
one before; what it wrote is judged by time).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import IO, TYPE_CHECKING

from postconv import __version__
from postconv.io import remote
from postconv.io.files import write_atomically

if TYPE_CHECKING:
    from postconv.migrate.batch import Settings

NAME = ".postconv-manifest.jsonl"


@dataclass(frozen=True)
class Record:
    input: str  # relative path in SRC
    output: str  # relative path in DEST
    key: str  # settings_key() of the run that wrote it ("copy" for copies)
    size: int  # the input's size and modification time when it was read
    mtime: float
    sha256: str | None  # of the input's bytes (copies: None)

    def to_json(self) -> str:
        return json.dumps(vars(self))  # (its fields in order, as asdict gives them, uncopied)


def settings_key(settings: Settings) -> str:
    """What shapes a converted output: postconv's version and the settings (a digest)."""
    shaping = {
        "version": __version__,
        "options": asdict(settings.options),
        "verify": settings.verify,
        "encoding": settings.encoding,
    }
    text = json.dumps(shaping, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Manifest:
    """The records of DEST: read when the run starts, appended to as outputs are
    written, rewritten compact when the run ends (see the module docstring)."""

    def __init__(self, dest: str) -> None:
        self.remote = remote.is_url(dest)
        self.path = remote.join(dest, NAME) if self.remote else os.path.join(dest, NAME)
        self.records = _load_remote(self.path) if self.remote else _load(self.path)
        self._stream: IO[str] | None = None
        self.added = False

    def get(self, rel: str) -> Record | None:
        return self.records.get(rel)

    def add(self, record: Record) -> None:
        self.records[record.input] = record
        self.added = True
        if self.remote:
            return  # written whole by close()
        if self._stream is None:
            self._stream = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
        self._stream.write(record.to_json() + "\n")
        self._stream.flush()

    def close(self, compact: bool) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        if compact and self.records:
            lines = "".join(
                record.to_json() + "\n"
                for record in sorted(self.records.values(), key=lambda record: record.input)
            )
            if self.remote:
                if self.added:
                    with contextlib.suppress(OSError):  # the next run judges by time
                        remote.write(self.path, lines.encode("utf-8"))
                return
            with contextlib.suppress(OSError):  # the appended lines hold the same
                write_atomically(self.path, lines.encode("utf-8"))


def _load(path: str) -> dict[str, Record]:
    """The last record of each input; lines that do not read (a run killed mid-line,
    an edit) are ignored: their outputs are judged by time."""
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            return _records(stream)
    except OSError:
        return {}


def _load_remote(url: str) -> dict[str, Record]:
    fs, path = remote.filesystem(url)
    try:
        text = fs.cat_file(path).decode("utf-8", "replace")
    except FileNotFoundError:
        return {}
    return _records(text.splitlines())


def _records(lines: Iterable[str]) -> dict[str, Record]:
    records: dict[str, Record] = {}
    for line in lines:
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            record = Record(**json.loads(line))
            records[record.input] = record
    return records
