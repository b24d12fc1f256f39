"""pytest hooks for the robustness suite (helpers live in ``helpers.py``)."""

from __future__ import annotations

import pytest

from .helpers import COMMONMARK_SUMMARY


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fuzz: time-bounded fuzzing (POSTCONV_FUZZ_SECONDS sets the budget)"
    )


def pytest_terminal_summary(terminalreporter) -> None:
    if COMMONMARK_SUMMARY:
        terminalreporter.section("CommonMark round trip")
        for line in COMMONMARK_SUMMARY:
            terminalreporter.write_line(line)
