"""Golden files: every ``fixtures/core/NAME.input.html`` converts to ``NAME.expected.md``.

One pair per behaviour; ``NAME.options.json`` holds the options a pair needs.
Every expected file is also converted again and must not change (idempotence).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from postconv.io.decode import decode_post
from postconv.options import Options
from postconv.pipeline import convert

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "core"
CASES = sorted(path.name.removesuffix(".input.html") for path in FIXTURES.glob("*.input.html"))
_md = MarkdownIt("commonmark", {"html": True}).enable("table")


def options_for(name: str) -> Options:
    path = FIXTURES / f"{name}.options.json"
    return Options(**json.loads(path.read_text())) if path.exists() else Options()


def read(path: Path) -> str:
    return decode_post(path.read_bytes()).text


def test_there_is_a_fixture_pair_per_behaviour() -> None:
    assert len(CASES) >= 25
    for name in CASES:
        assert (FIXTURES / f"{name}.expected.md").exists(), name


@pytest.mark.parametrize("name", CASES)
def test_fixture_converts_to_expected(name: str) -> None:
    source = read(FIXTURES / f"{name}.input.html")
    expected = read(FIXTURES / f"{name}.expected.md")
    assert convert(source, options_for(name)).text == expected


@pytest.mark.parametrize("name", CASES)
def test_fixture_output_is_a_fixed_point(name: str) -> None:
    expected = read(FIXTURES / f"{name}.expected.md")
    result = convert(expected, options_for(name))
    assert result.text == expected
    assert not result.changed


@pytest.mark.parametrize("name", CASES)
def test_fixture_output_renders_no_stray_emphasis_markers(name: str) -> None:
    """Bold/italic markers must render as emphasis, never as literal asterisks."""
    rendered = _md.render(read(FIXTURES / f"{name}.expected.md"))
    without_code = _strip_code(rendered)
    assert "**" not in without_code


def _strip_code(rendered: str) -> str:
    return re.sub(r"<(code|pre)\b[^>]*>.*?</\1>", "", rendered, flags=re.S)


def test_seed_matches_the_spec_exactly() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared"
    source = (shared / "corpus" / "seed.txt").read_text(encoding="utf-8")
    expected = (shared / "spec" / "seed.expected.md").read_text(encoding="utf-8")
    assert convert(source).text == expected
