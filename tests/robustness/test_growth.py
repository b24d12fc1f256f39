"""Time grows linearly with the input (issue 10, items 1–3): for each shape a hostile
or a huge post can take, converting twice as much takes at most 2.5 times as long.

Measured as a ratio in one run (never an absolute time), the best of five runs
taken in turns, with Python's cyclic garbage collector paused while a conversion
runs: its full collections grow with every live object, in any program, and would
blur what is measured here, the converter's own algorithms. Timings need the
machine to themselves: under pytest-xdist (``-n 2``, tests of other workers
running beside) these tests are skipped; ``.ci/run`` runs them in one process.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable

import pytest

from postconv.options import Options
from postconv.pipeline import convert
from postconv.verify import verify_conversion

from .shapes import MARKDOWN_SHAPES, SHAPES

MAX_GROWTH = 2.5
pytestmark = pytest.mark.skipif(
    "PYTEST_XDIST_WORKER" in os.environ,
    reason="timings need the machine to themselves (run without -n, as .ci/run does)",
)


def _growth(once: Callable[[], object], twice: Callable[[], object]) -> tuple[float, float]:
    """The best times of ``once`` and ``twice``, run in turns (a load that comes and goes
    then weighs on both alike)."""
    best = [float("inf"), float("inf")]
    for _ in range(5):
        for index, work in enumerate((once, twice)):
            gc.collect()
            gc.disable()
            try:
                started = time.perf_counter()
                work()
                best[index] = min(best[index], time.perf_counter() - started)
            finally:
                gc.enable()
    return best[0], best[1]


def _assert_linear(shape: str, n: int, work_for: Callable[[int], Callable[[], object]]) -> None:
    once, twice = _growth(work_for(n), work_for(2 * n))
    assert twice <= MAX_GROWTH * once, (
        f"{shape}: {once:.3f} s, then {twice:.3f} s for twice as much"
    )


def _post(body: str) -> str:
    return f"---\ntitle: t\n---\n{body}\n"


@pytest.mark.parametrize("shape", SHAPES)
def test_converting_twice_as_much_takes_at_most_two_and_a_half_times_as_long(shape: str) -> None:
    make, n = SHAPES[shape]

    def conversion(size: int) -> Callable[[], object]:
        text = _post(make(size))
        return lambda: convert(text, Options(), "post.html")

    _assert_linear(shape, n, conversion)


@pytest.mark.parametrize("shape", ["bold words", "table rows", "links", "one huge paragraph"])
def test_verifying_twice_as_much_takes_at_most_two_and_a_half_times_as_long(shape: str) -> None:
    make, n = SHAPES[shape]

    def verification(size: int) -> Callable[[], object]:
        text = _post(make(size))
        result = convert(text, Options(), "post.html")
        return lambda: verify_conversion(text, result, Options(), "post.html")

    # (verification is quicker: larger inputs keep the timings above the noise)
    _assert_linear(shape, 2 * n, verification)


@pytest.mark.parametrize("shape", MARKDOWN_SHAPES)
def test_markdown_with_inline_html_grows_linearly(shape: str) -> None:
    make, n = MARKDOWN_SHAPES[shape]

    def conversion(size: int) -> Callable[[], object]:
        text = _post(make(size))
        return lambda: convert(text, Options(), "post.md")

    _assert_linear(shape, n, conversion)
