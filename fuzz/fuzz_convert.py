"""Coverage-guided fuzzing of decode + convert with atheris (libFuzzer), for long release runs.

The oracle is the one the test suite's bounded fuzz run uses
(``tests/robustness/fuzzing.py``): any bytes may go in; only a one-line
``PostconvError`` may come out; converted output keeps its front matter and
is a fixed point. Anything else is a crash, and libFuzzer writes the input
to ``crash-<sha1>`` in the working directory.

    pip install atheris            # not in the test extra: CI uses the hypothesis run
    python fuzz/fuzz_convert.py -max_total_time=3600 -max_len=20000 \\
        -timeout=30 -rss_limit_mb=4096 fuzz/corpus ../shared/corpus/finews

The first directory collects the inputs that found new coverage (keep it
between runs; it is not checked in); the others only seed the run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the shared oracle lives with the tests

with atheris.instrument_imports(include=["postconv"]):
    from robustness.fuzzing import check_bytes

    import postconv.pipeline  # noqa: F401  (instrumented before the oracle imports it)


def test_one_input(data: bytes) -> None:
    check_bytes(data)


def main() -> None:
    sys.setrecursionlimit(3000)  # a RecursionError must show up as one, not as a segfault
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
