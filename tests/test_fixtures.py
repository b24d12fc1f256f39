"""Golden files: every ``fixtures/core/NAME.input.*`` converts to ``NAME.expected.md``.

One pair per behaviour; ``NAME.options.json`` holds the options a pair needs.
``NAME.input.html`` is converted as stdin is, its body's dialect decided by
content; ``NAME.input.md`` is converted under a ``.md`` file name, the
extension hinting at the Markdown dialect as it does for a file on disk.
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
INPUTS = {path.name.partition(".input")[0]: path for path in FIXTURES.glob("*.input.*")}
CASES = sorted(INPUTS)
_md = MarkdownIt("commonmark", {"html": True}).enable("table")


def options_for(name: str) -> Options:
    path = FIXTURES / f"{name}.options.json"
    return Options(**json.loads(path.read_text())) if path.exists() else Options()


def read(path: Path) -> str:
    return decode_post(path.read_bytes()).text


def file_name_for(name: str) -> str | None:
    """The name a post is converted under: none for ``.html`` inputs (as stdin)."""
    return "post.md" if INPUTS[name].suffix == ".md" else None


def test_there_is_a_fixture_pair_per_behaviour() -> None:
    assert len(CASES) >= 25
    for name in CASES:
        assert (FIXTURES / f"{name}.expected.md").exists(), name


@pytest.mark.parametrize("name", CASES)
def test_fixture_converts_to_expected(name: str) -> None:
    source = read(INPUTS[name])
    expected = read(FIXTURES / f"{name}.expected.md")
    assert convert(source, options_for(name), name=file_name_for(name)).text == expected


@pytest.mark.parametrize("name", CASES)
def test_fixture_output_is_a_fixed_point(name: str) -> None:
    expected = read(FIXTURES / f"{name}.expected.md")
    result = convert(expected, options_for(name), name=file_name_for(name))
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
