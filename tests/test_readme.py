"""The README is a front door and docs/ the reference: both match the code as it is.

The README starts with the two commands a newcomer runs, shows an example that
converts exactly as shown, stays short, and links the docs pages; every link
resolves; every option a shown command uses is one the command has; the list of
cleaning passes in docs/conversion.md is ``clean.PASSES``.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from postconv.html import clean
from postconv.pipeline import convert

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]
_FENCED = re.compile(r"^(`{3,})(\w*)\n(.*?)^\1$", re.M | re.S)
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def blocks(path: Path, language: str | None = None) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [m[3] for m in _FENCED.finditer(text) if language is None or m[2] == language]


def test_readme_starts_with_the_two_commands() -> None:
    first = blocks(README)[0].splitlines()
    assert first[0].startswith("python3 -m venv .venv && .venv/bin/pip install -e '.[test]'")
    assert first[0].endswith(".venv/bin/postconv ../shared/corpus/seed.txt")
    assert first[1] == ".venv/bin/pytest"


def test_readme_is_a_front_door_not_the_reference() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 150


def test_the_readme_example_converts_as_shown() -> None:
    (before,) = blocks(README, "html")
    (after,) = blocks(README, "markdown")
    assert convert(before, name="post.html").text == after


_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1", re.S)


def prose(path: Path) -> str:
    """The text of a page without its code blocks and code spans (examples, not links)."""
    return _CODE_SPAN.sub("", _FENCED.sub("", path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_link_resolves(page: Path) -> None:
    for target in _LINK.findall(prose(page)):
        if target.startswith(("http://", "https://")):
            continue
        file, _, anchor = target.partition("#")
        linked = (page.parent / file).resolve() if file else page
        assert linked.exists(), f"{page.name}: {target}"
        if anchor:
            headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"), re.M)
            assert anchor in {_anchor(heading) for heading in headings}, f"{page.name}: {target}"


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def test_every_docs_page_is_linked_from_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    assert all(f"(docs/{page.name})" in text for page in DOCS)


def shown_commands() -> list[list[str]]:
    """Every ``$ postconv …`` line of the console blocks of README.md and docs/."""
    commands = []
    for page in PAGES:
        for block in blocks(page, "console"):
            for line in block.splitlines():
                if line.startswith("$ postconv"):
                    words = shlex.split(line[2:].split("  #", 1)[0].replace("|", ""))
                    commands.append(words)
    return commands


def _help(subcommand: str | None) -> str:
    args = [subcommand, "--help"] if subcommand else ["--help"]
    done = subprocess.run(
        [sys.executable, "-m", "postconv", *args], capture_output=True, timeout=60
    )
    return done.stdout.decode()


def test_every_option_of_a_shown_command_is_one_the_command_has() -> None:
    helps = {None: _help(None), "migrate": _help("migrate")}
    commands = shown_commands()
    assert len(commands) >= 10
    for words in commands:
        subcommand = "migrate" if words[1:2] == ["migrate"] else None
        for word in words:
            if word.startswith("-") and word not in ("-", "-o"):
                option = word.split("=", 1)[0]
                assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", helps[subcommand]), (
                    f"{' '.join(words)}: {option} is not an option of postconv {subcommand or ''}"
                )


def test_docs_list_every_cleaning_pass_in_order() -> None:
    text = (ROOT / "docs" / "conversion.md").read_text(encoding="utf-8")
    section = text.split("## The cleaning passes", 1)[1]
    listed = re.findall(r"^\d+\. `(\w+)`", section.split("\n## ", 1)[0], re.M)
    assert listed == [cleaning_pass.__name__ for cleaning_pass in clean.PASSES]


def test_docs_document_every_option_of_the_conversion() -> None:
    text = (ROOT / "docs" / "usage.md").read_text(encoding="utf-8")
    for option in ("--body", "--heading-level", "--keep-nav", "--source-label", "--exclude"):
        assert f"`{option}" in text, option
