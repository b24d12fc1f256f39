"""The README documents the code as it is: its list of cleaning passes is ``clean.PASSES``."""

from __future__ import annotations

import re
from pathlib import Path

from postconv.html import clean

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_lists_every_cleaning_pass_in_order() -> None:
    section = README.read_text(encoding="utf-8").split("### The cleaning passes", 1)[1]
    listed = re.findall(r"^\d+\. `(\w+)`", section.split("\n### ", 1)[0], re.M)
    assert listed == [cleaning_pass.__name__ for cleaning_pass in clean.PASSES]


def test_readme_documents_every_option_of_the_conversion() -> None:
    text = README.read_text(encoding="utf-8")
    for option in ("--body", "--heading-level", "--keep-nav", "--source-label"):
        assert f"`{option}" in text, option
