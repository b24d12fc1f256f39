"""Real archives convert right (issue 8, "Acceptance", second bullet).

Every post of ``../shared/corpus/archives`` (listed in its ``MANIFEST.tsv``)
converts, and per post:

1. no visible text is lost (:func:`postconv.fidelity.lost_text`);
2. every line of every input code block is a line of an output code block, of
   the input's language when the input names one;
3. the output has no fewer blocks than the input shows paragraphs;
4. no backslash is needless: removing it changes markdown-it's rendering
   (a backslash the source has as written, with its line's text around it,
   is the author's: a Markdown body is kept as written);
5. a second run changes nothing.

Checks 2–4 are independent of the converter: see :mod:`archive_checks` for how
the input's code and paragraphs are found and how backslashes are tried.

Counting for check 3 is conservative, so that a failure is a real merge:

- *Input paragraphs* are counted at the top level only. In an HTML body (and
  in each top-level HTML block of a Markdown body) a paragraph is a run of text
  with a word character, ended by the start or end of a block element (``<p>``,
  ``<div>``, a heading…) or by a blank line outside code (WordPress's paragraph
  break); ``<br><br>`` ends nothing. Whatever stands in a list, a table, a
  quote, a ``<dl>``, a figure, an embed, ``<pre>`` or code is not counted, nor
  is a run holding only template tags, shortcode code or markup. In a Markdown
  body a paragraph is a top-level markdown-it paragraph with a word character
  outside tags, unless a table, list, quote or figure that an HTML block left
  open is still open (kramdown and browsers read on to its end tag).
- *Output blocks* are markdown-it's top-level block tokens: paragraphs,
  headings, lists, quotes, fenced and indented code, tables, HTML blocks, rules.
  The footer counts as the block it is: its source line is made of the input's
  attribution paragraphs, which were counted on the input side.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest
from archive_checks import (
    count_output_blocks,
    missing_code_lines,
    needless_backslashes,
    read_input,
)

from postconv.fidelity import lost_text
from postconv.io.decode import decode_post
from postconv.pipeline import convert
from postconv.post.frontmatter import normalise_newlines, split
from postconv.post.reading import read

ARCHIVES = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "archives"
MANIFEST = ARCHIVES / "MANIFEST.tsv"


def _posts() -> list[str]:
    if not MANIFEST.exists():
        return []
    with MANIFEST.open(encoding="utf-8", newline="") as rows:
        return [row["local_path"] for row in csv.DictReader(rows, delimiter="\t")]


POSTS = _posts()


def test_the_archives_are_there() -> None:
    assert len(POSTS) >= 150, f"expected the archives corpus beside the repository at {ARCHIVES}"
    assert all((ARCHIVES / post).is_file() for post in POSTS)


@cache
def _converted(post: str) -> tuple[str, str]:
    """(source, output), both with normalised newlines."""
    path = ARCHIVES / post
    source = decode_post(path.read_bytes()).text
    return normalise_newlines(source), convert(source, name=path.name).text


@pytest.mark.parametrize("post", POSTS, ids=POSTS)
def test_archive_post_converts_right(post: str) -> None:
    name = Path(post).name
    source, output = _converted(post)
    source_body = split(source).body.replace("\ufeff", "")
    output_body = split(output).body
    problems: list[str] = []

    missing = lost_text(source_body, output_body, name=name)
    if missing is not None:
        problems.append(f"visible text lost: {missing!r}")

    found = read_input(source_body, read(source_body, "auto", name).dialect)
    problems += [f"code: {problem}" for problem in missing_code_lines(found.code, output_body)]

    blocks = count_output_blocks(output_body)
    if blocks < found.paragraphs:
        problems.append(
            f"paragraphs merged: the {found.dialect} input shows {found.paragraphs} top-level "
            f"paragraphs, the output has {blocks} top-level blocks"
        )

    problems += [
        f"needless backslash, body {where}"
        for where in needless_backslashes(output_body, source_body)
    ]

    if convert(output, name=name).text != output:
        problems.append("a second run changes the output")

    assert not problems, "\n".join(problems)
