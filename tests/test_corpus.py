"""Every real post of ``../shared/corpus`` converts, loses no text, and is stable."""

from __future__ import annotations

from pathlib import Path

import pytest

from postconv.fidelity import lost_text
from postconv.io.decode import decode_post
from postconv.options import Options
from postconv.pipeline import convert
from postconv.post.frontmatter import normalise_newlines, split

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
POSTS = sorted(path for path in CORPUS.rglob("*") if path.is_file() and path.name != "README.md")


def _id(path: Path) -> str:
    return str(path.relative_to(CORPUS))[:70]


def test_the_corpus_is_there() -> None:
    assert len(POSTS) >= 50, f"expected the shared corpus beside the repository at {CORPUS}"


@pytest.fixture(scope="module")
def converted() -> dict[Path, tuple[str, str]]:
    results = {}
    for path in POSTS:
        source = normalise_newlines(decode_post(path.read_bytes()).text)
        results[path] = (source, convert(source).text)
    return results


@pytest.mark.parametrize("path", POSTS, ids=_id)
def test_no_visible_text_is_lost(path: Path, converted: dict[Path, tuple[str, str]]) -> None:
    source, output = converted[path]
    assert lost_text(split(source).body, split(output).body) is None


@pytest.mark.parametrize("path", POSTS, ids=_id)
def test_second_run_changes_nothing(path: Path, converted: dict[Path, tuple[str, str]]) -> None:
    _, output = converted[path]
    assert convert(output).text == output


@pytest.mark.parametrize("path", POSTS, ids=_id)
def test_front_matter_is_kept_byte_for_byte(
    path: Path, converted: dict[Path, tuple[str, str]]
) -> None:
    source, output = converted[path]
    header = split(source).header
    assert output.startswith(header)


@pytest.mark.parametrize("path", POSTS, ids=_id)
def test_every_option_combination_converts(path: Path) -> None:
    source = decode_post(path.read_bytes()).text
    for options in (
        Options(heading_level=3, keep_nav=True),
        Options(source_to_front_matter=True, source_label="Via: "),
    ):
        output = convert(source, options).text
        assert convert(output, options).text == output
