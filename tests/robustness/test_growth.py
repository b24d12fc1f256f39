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

MAX_GROWTH = 2.5
pytestmark = pytest.mark.skipif(
    "PYTEST_XDIST_WORKER" in os.environ,
    reason="timings need the machine to themselves (run without -n, as .ci/run does)",
)

SHAPES: dict[str, tuple[Callable[[int], str], int]] = {
    # shape: (body for n, n)
    "backtick run": (lambda n: "<p>" + "`" * n + "</p>", 40_000),
    "star and underscore runs": (lambda n: "<p>" + "*_" * n + "</p>", 20_000),
    "bold run": (lambda n: "<p>" + "<b>x</b>" * n + "</p>", 10_000),
    "bold words": (lambda n: "<p>" + "<b>x</b> " * n + "</p>", 10_000),
    "span run": (lambda n: "<p>" + "<span>word</span> " * n + "</p>", 10_000),
    "emphasis alternating": (lambda n: "<p>" + "<em>a</em><b>b</b>" * n + "</p>", 4_000),
    "nested spans": (lambda n: "<span>" * n + "x" + "</span>" * n, 4_000),
    "one huge paragraph": (lambda n: "<p>" + "一段很长的文字，" * n + "</p>", 20_000),
    "sibling paragraphs": (lambda n: "".join(f"<p>p{i}</p>" for i in range(n)), 4_000),
    "table rows": (lambda n: "<table>" + "<tr><td>a</td><td>b</td></tr>" * n + "</table>", 2_000),
    "links": (
        lambda n: "<p>" + "".join(f'<a href="/{i}">l</a> ' for i in range(n)) + "</p>",
        4_000,
    ),
    "line breaks": (lambda n: "<p>" + "x<br>" * n + "</p>", 10_000),
    "long attribute": (lambda n: f'<p><img src="/a.png" alt="{"a" * n}"></p>', 200_000),
    "entity run": (lambda n: "<p>" + "&amp;&lt;&#x4e2d;" * n + "</p>", 20_000),
}


#: Markdown bodies with inline HTML: each island is converted in its place, and must
#: find its line and paragraph without searching the text around it
MARKDOWN_SHAPES: dict[str, tuple[Callable[[int], str], int]] = {
    "links on one line": (lambda n: "".join(f'<a href="/{i}">l</a> ' for i in range(n)), 1_000),
    "escapes on one line": (lambda n: "".join(f"<b>a*b_{i}</b> " for i in range(n)), 4_000),
    "unclosed tags then stray end tags": (lambda n: "x " + "<i>" * n + "</b>" * n, 4_000),
    "line breaks on one line": (lambda n: "x<br>" * n, 8_000),
    "islands holding blocks": (lambda n: "x " + "<span><p>a</p><p>b</p></span> " * n, 1_000),
    "a dash line of islands": (lambda n: "<span>-</span>" * n, 1_000),
}


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


@pytest.mark.parametrize("shape", SHAPES)
def test_converting_twice_as_much_takes_at_most_two_and_a_half_times_as_long(shape: str) -> None:
    make, n = SHAPES[shape]

    def conversion(size: int) -> Callable[[], object]:
        text = f"---\ntitle: t\n---\n{make(size)}\n"
        return lambda: convert(text, Options(), "post.html")

    once, twice = _growth(conversion(n), conversion(2 * n))
    assert twice <= MAX_GROWTH * once, (
        f"{shape}: {once:.3f} s, then {twice:.3f} s for twice as much"
    )


@pytest.mark.parametrize("shape", ["bold words", "table rows", "links", "one huge paragraph"])
def test_verifying_twice_as_much_takes_at_most_two_and_a_half_times_as_long(shape: str) -> None:
    make, n = SHAPES[shape]
    n *= 2  # (verification is quicker: larger inputs keep the timings above the noise)

    def verification(size: int) -> Callable[[], object]:
        text = f"---\ntitle: t\n---\n{make(size)}\n"
        result = convert(text, Options(), "post.html")
        return lambda: verify_conversion(text, result, Options(), "post.html")

    once, twice = _growth(verification(n), verification(2 * n))
    assert twice <= MAX_GROWTH * once, (
        f"{shape}: {once:.3f} s, then {twice:.3f} s for twice as much"
    )


@pytest.mark.parametrize("shape", MARKDOWN_SHAPES)
def test_markdown_with_inline_html_grows_linearly(shape: str) -> None:
    make, n = MARKDOWN_SHAPES[shape]

    def conversion(size: int) -> Callable[[], object]:
        text = f"---\ntitle: t\n---\n{make(size)}\n"
        return lambda: convert(text, Options(), "post.md")

    once, twice = _growth(conversion(n), conversion(2 * n))
    assert twice <= MAX_GROWTH * once, (
        f"{shape}: {once:.3f} s, then {twice:.3f} s for twice as much"
    )
