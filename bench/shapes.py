"""Time postconv's core on 10 MB of each hostile shape (issue 10: each under 30 s).

Usage (from the repository root)::

    .venv/bin/python bench/shapes.py              # every shape, 10 MB each
    .venv/bin/python bench/shapes.py --mb 2       # smaller
    .venv/bin/python bench/shapes.py --only links --only "bold run"

The shapes are those of the growth test (``tests/robustness/shapes.py``): HTML
bodies (read as HTML) and Markdown bodies with inline HTML (read as Markdown).
Each is made as close to the size asked as its unit allows, converted once in
this process (the garbage collector paused, as in the growth test), and
printed with its time and MB/s; a shape over the limit (``--limit``, 30 s)
is marked, and the exit status is 1 when one is.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "robustness"))

from shapes import MARKDOWN_SHAPES, SHAPES, Shapes

from postconv.options import Options
from postconv.pipeline import convert


def body_of_size(make, target: int) -> str:  # type: ignore[no-untyped-def]
    """``make(n)`` for the ``n`` that gives about ``target`` characters."""
    unit = max(1, len(make(1000).encode()) // 1000)
    return make(max(1, target // unit))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=10.0, help="size of each shape (MB)")
    parser.add_argument("--limit", type=float, default=30.0, help="seconds allowed per shape")
    parser.add_argument("--only", action="append", help="a shape's name (repeatable)")
    args = parser.parse_args()
    target = int(args.mb * 2**20)
    tables: list[tuple[str, Shapes, str]] = [
        ("HTML", SHAPES, "post.html"),
        ("Markdown", MARKDOWN_SHAPES, "post.md"),
    ]
    over = 0
    print(f"{'shape':44s} {'MB':>6s} {'seconds':>8s} {'MB/s':>6s}")
    for dialect, shapes, name in tables:
        for shape, (make, _n) in shapes.items():
            if args.only and shape not in args.only:
                continue
            text = f"---\ntitle: t\n---\n{body_of_size(make, target)}\n"
            megabytes = len(text.encode()) / 2**20
            gc.collect()
            gc.disable()
            started = time.perf_counter()
            convert(text, Options(), name)
            seconds = time.perf_counter() - started
            gc.enable()
            mark = "  OVER" if seconds > args.limit else ""
            over += bool(mark)
            label = f"{shape} ({dialect})"
            print(f"{label:44s} {megabytes:6.1f} {seconds:8.1f} {megabytes / seconds:6.2f}{mark}")
            sys.stdout.flush()
    print(f"{over} shape(s) over {args.limit:g} s")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
