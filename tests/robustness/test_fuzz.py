"""A time-bounded fuzz run, and the inputs earlier runs found (issue 5).

``test_fuzz_bounded`` keeps starting hypothesis runs over three input kinds
(mutated real posts, tag soup, generated well-formed posts) until
``POSTCONV_FUZZ_SECONDS`` (default 5; CI uses 90) have passed. Each run has
its own seed, derived from ``POSTCONV_FUZZ_SEED`` (default: CI's, so that a
plain ``pytest`` is repeatable; ``random`` explores), and a failure replays
with the seed in its message.

A failing input is written, shrunk, to ``POSTCONV_FUZZ_CRASH_DIR`` (default:
the test's tmp dir). Copy it into ``fixtures/robustness/crashes/`` with a
name that says what broke; ``test_crash_fixture`` then converts it forever.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from postconv.errors import PostconvError
from postconv.io.decode import decode_post
from postconv.post import frontmatter

from .fuzzing import (
    check_bytes,
    check_post,
    mutated_inputs,
    seed_corpus,
    soup_inputs,
)
from .helpers import CORPUS, CRASHES, memory_capped, time_limit
from .strategies import posts

DEFAULT_SEED = "20261126"
FUZZ_SECONDS = float(os.environ.get("POSTCONV_FUZZ_SECONDS", "5"))
#: one input taking longer than this is a finding (catastrophic backtracking, quadratic loops)
SLOW_INPUT_SECONDS = float(os.environ.get("POSTCONV_FUZZ_SLOW_SECONDS", "20"))

#: more memory than this (on top of what the test process holds) is a finding, not a swap storm
MEMORY_MB = int(os.environ.get("POSTCONV_FUZZ_MEMORY_MB", "3072"))
#: shrinking a finding may take hypothesis up to 5 minutes; the CI budget is 2 in all
SHRINK_SECONDS = int(os.environ.get("POSTCONV_FUZZ_SHRINK_SECONDS", "20"))
#: write each input here before trying it, to catch one that kills the process
INPUT_LOG = os.environ.get("POSTCONV_FUZZ_INPUT_LOG", "")

#: real posts and built-in ones; the crash fixtures have their own test (and join the
#: seeds once the core handles them: add CRASHES here then)
SEEDS = seed_corpus(CORPUS)
_failures: list[bytes] = []

_BATCH = settings(
    max_examples=60,
    deadline=None,
    database=None,
    phases=[Phase.generate, Phase.target, Phase.shrink],
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)


def _guarded(data: bytes, run: Callable[[], object]) -> None:
    if INPUT_LOG:  # the input being tried, for a run that dies (OOM killer, hang)
        Path(INPUT_LOG).write_bytes(data)
    try:
        with time_limit(SLOW_INPUT_SECONDS):
            run()
    except PostconvError:  # pragma: no cover - the checks catch these themselves
        raise
    except BaseException:
        _failures.append(data)
        raise


@_BATCH
@given(mutated_inputs(SEEDS))
def _fuzz_mutated(data: bytes) -> None:
    _guarded(data, lambda: check_bytes(data))


@_BATCH
@given(soup_inputs)
def _fuzz_soup(data: bytes) -> None:
    _guarded(data, lambda: check_bytes(data))


@_BATCH
@given(posts())
def _fuzz_posts(post) -> None:
    _guarded(post.text.encode(), lambda: check_post(post.header, post.body))


TARGETS = [_fuzz_mutated, _fuzz_mutated, _fuzz_soup, _fuzz_posts]


def _save(data: bytes, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"fuzz-{hashlib.sha1(data).hexdigest()[:12]}.html"
    path.write_bytes(data)
    return path


@pytest.mark.fuzz
def test_fuzz_bounded(tmp_path: Path) -> None:
    seed = os.environ.get("POSTCONV_FUZZ_SEED") or DEFAULT_SEED
    base = random.SystemRandom().randrange(2**31) if seed == "random" else int(seed)
    crash_dir = Path(os.environ.get("POSTCONV_FUZZ_CRASH_DIR") or tmp_path / "crashes")
    keep_going = os.environ.get("POSTCONV_FUZZ_KEEP_GOING", "") not in ("", "0")
    deadline = time.monotonic() + FUZZ_SECONDS
    with _shrinking_capped(SHRINK_SECONDS), memory_capped(MEMORY_MB):
        _fuzz_until(deadline, base, crash_dir, keep_going)


@contextlib.contextmanager
def _shrinking_capped(seconds: int) -> Iterator[None]:
    """Hypothesis shrinks a finding for up to 5 minutes: too long for a CI budget."""
    try:
        from hypothesis.internal.conjecture import engine  # internal: may move
    except ImportError:
        yield
        return
    previous = getattr(engine, "MAX_SHRINKING_SECONDS", None)
    engine.MAX_SHRINKING_SECONDS = seconds
    try:
        yield
    finally:
        if previous is not None:
            engine.MAX_SHRINKING_SECONDS = previous


def _fuzz_until(deadline: float, base: int, crash_dir: Path, keep_going: bool) -> None:
    runs = 0
    findings: dict[str, str] = {}  # kind of failure → report
    slowest: tuple[float, int, str] = (0.0, 0, "")
    while runs == 0 or time.monotonic() < deadline:
        target = TARGETS[runs % len(TARGETS)]
        run_seed = base + runs
        runs += 1
        _failures.clear()
        started = time.monotonic()
        try:
            seed(run_seed)(target)()
        except BaseException as error:
            if not _failures or isinstance(error, KeyboardInterrupt):
                raise
            saved = _save(_failures[-1], crash_dir)  # the last failure is the shrunk one
            first_line = (str(error).strip().splitlines() or [""])[0]
            kind = f"{type(error).__name__}: {first_line[:120]}"
            findings.setdefault(
                kind,
                f"{target.__name__} (POSTCONV_FUZZ_SEED={base}, run seed {run_seed}) found "
                f"{kind}\n  input {_failures[-1][:300]!r}\n  saved to {saved}",
            )
            if not keep_going:
                raise AssertionError(findings[kind] + f"\n{error}") from error
        finally:
            slowest = max(slowest, (time.monotonic() - started, run_seed, target.__name__))
    print(
        f"\nfuzz: {runs} runs x {_BATCH.max_examples} inputs in {FUZZ_SECONDS:.0f}s, seed {base}; "
        f"slowest run {slowest[0]:.1f}s ({slowest[2]}, seed {slowest[1]})"
    )
    assert not findings, f"{len(findings)} kinds of failure:\n" + "\n".join(findings.values())


def _crash_fixtures() -> list[Path]:
    if not CRASHES.is_dir():
        return []
    return sorted(p for p in CRASHES.iterdir() if p.is_file() and p.name != "README.md")


@pytest.mark.parametrize("path", _crash_fixtures(), ids=lambda p: p.name)
def test_crash_fixture(path: Path) -> None:
    """Inputs the fuzzer once broke postconv with: refused cleanly or converted stably.

    ``text-*`` files are well-formed posts: every visible word must be kept too.
    """
    data = path.read_bytes()
    with time_limit(5), memory_capped(1024):  # some of them once ran away
        if path.name.startswith("text-"):
            post = frontmatter.split(frontmatter.normalise_newlines(decode_post(data).text))
            check_post(post.header, post.body)
        else:
            check_bytes(data)


def test_seed_corpus_converts() -> None:
    """The unmutated seeds are fine, so a finding is the mutation's doing."""
    for data in SEEDS:
        check_bytes(data)


@given(st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    check_bytes(data)
