"""Helpers shared by the test modules: where things are, and running the real command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from hypothesis import settings

# In CI (CI=true) hypothesis draws the same examples every run: a landing must
# not depend on luck. Locally each run explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
SEED = CORPUS / "seed.txt"

#: Variables that would make Python pick UTF-8 for stdio by itself; the real
#: subprocess runs without them so that the command has to do it.
_ENCODING_VARIABLES = ("PYTHONIOENCODING", "PYTHONUTF8", "LANG", "LANGUAGE", "LC_CTYPE", "LC_ALL")


def corpus_post(pattern: str) -> Path:
    """The one corpus file whose name matches ``pattern`` (a glob below ``CORPUS``)."""
    found = sorted(CORPUS.rglob(pattern))
    assert len(found) == 1, f"{pattern!r} matches {len(found)} corpus files"
    return found[0]


def plain_env(**overrides: str) -> dict[str, str]:
    """The current environment in the C locale, without Python's UTF-8 switches.

    ``PYTHONCOERCECLOCALE=0`` and ``PYTHONUTF8=0`` keep Python from upgrading
    the C locale to UTF-8, so stdio really is ASCII unless the program says otherwise.
    """
    env = {key: value for key, value in os.environ.items() if key not in _ENCODING_VARIABLES}
    env.update(LC_ALL="C", PYTHONCOERCECLOCALE="0", PYTHONUTF8="0")
    env.update(overrides)
    return env


def run_postconv(
    *args: str | os.PathLike[str],
    input: bytes | str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m postconv ARGS`` as a real process, C locale; stdout/stderr as bytes."""
    data = input.encode() if isinstance(input, str) else input
    return subprocess.run(
        [sys.executable, "-m", "postconv", *map(str, args)],
        input=data if data is not None else b"",
        capture_output=True,
        env=dict(env) if env is not None else plain_env(),
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


class Planner:
    """A planner's stream of ``count`` tasks converting the seed into ``dest``, which
    records how far it was read ahead of the outcomes reported (``ahead``): an engine
    keeps memory flat when that stays within what it has in flight."""

    def __init__(self, dest: Path, count: int = 200) -> None:
        self.dest, self.count = dest, count
        self.reported: list = []
        self.ahead: list[int] = []

    def tasks(self) -> Iterator:
        from postconv.migrate.work import Task

        for number in range(self.count):
            self.ahead.append(number + 1 - len(self.reported))
            path = str(CORPUS / "seed.txt")
            yield Task(f"{number}.txt", str(self.dest / f"{number}.md"), "convert", path=path)

    def all_converted(self) -> bool:
        statuses = {outcome.status for outcome in self.reported}
        return len(self.reported) == self.count and statuses == {"converted"}
