"""Verify on real posts (issue 9, "Acceptance"): no false refusal, and every kind of damage
a converter can do is refused and named.

1. Every post of ``../shared/corpus`` (all folders, ``archives/`` included) and
   every round-trip case of ``../shared/fidelity`` passes verification of its
   own conversion.
2. Mutations: each converted post of the corpus is damaged, one kind of damage
   at a time, where the damage shows (a site is taken only where a reader
   would see the difference: two paragraphs the input has apart, a list whose
   items the input has as many of…); verify must refuse every mutant and name
   the kind of difference. Each kind must be tried on several posts.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from postconv.errors import PostconvError
from postconv.io.decode import decode_post
from postconv.options import Options
from postconv.pipeline import Result, convert
from postconv.verify import verify
from postconv.verify.sides import input_view, output_view
from postconv.verify.view import View, words

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
CASES = SHARED / "fidelity" / "cases.jsonl"
POSTS = sorted(path for path in CORPUS.rglob("*") if path.is_file() and path.name != "README.md")
#: each kind of damage must be tried on at least this many posts
MIN_MUTANTS = 3

_blocks = MarkdownIt("commonmark").enable("table")


@dataclass(frozen=True)
class Converted:
    name: str
    result: Result
    before: View  # the input as a reader sees it

    @property
    def body(self) -> str:
        return self.result.text[len(self.result.header) :]

    def verify(self, body: str) -> list:
        result = self.result
        return verify(
            "", body, "auto", self.name, result.footer, result.footer_in_header, result.reading
        )


@cache
def converted(path: Path) -> Converted:
    result = convert(decode_post(path.read_bytes()).text, Options(), path.name)
    return Converted(path.name, result, input_view("", "auto", path.name, result.reading))


def _id(path: Path) -> str:
    return str(path.relative_to(CORPUS))[:70]


# --- 1. no false refusal ------------------------------------------------------------------


def test_the_corpus_and_the_cases_are_there() -> None:
    assert len(POSTS) >= 200, f"expected the shared corpus beside the repository at {CORPUS}"
    assert CASES.exists()


@pytest.mark.parametrize("path", POSTS, ids=_id)
def test_no_post_of_the_corpus_is_refused(path: Path) -> None:
    post = converted(path)
    assert post.verify(post.body) == []


def test_no_round_trip_case_is_refused() -> None:
    options = Options(body="html")
    refused = []
    for line in CASES.read_text("utf-8").splitlines():
        case = json.loads(line)
        try:
            result = convert(case["html"], options)
        except PostconvError:  # nothing to convert: a documented refusal of the converter
            continue
        found = verify(case["html"], result.text[len(result.header) :], "html", None, result.footer)
        if found:
            refused.append(f"{case['id']}: {found[0].message}")
    assert refused == []


# --- 2. mutations -------------------------------------------------------------------------

Mutator = Callable[[Converted], str | None]


def _lines(post: Converted) -> list[str]:
    return post.body.split("\n")


def _tokens(post: Converted) -> list:
    return _blocks.parse(post.body)


def _code_lines(post: Converted) -> list[int]:
    """Line numbers of the non-blank lines of the first fenced block with two or more."""
    lines = _lines(post)
    for token in _tokens(post):
        if token.type == "fence" and token.map:
            inside = [n for n in range(token.map[0] + 1, token.map[1] - 1) if lines[n].strip()]
            if len(inside) >= 2:
                return inside
    return []


def drop_a_code_line(post: Converted) -> str | None:
    inside = _code_lines(post)
    if not inside:
        return None
    lines = _lines(post)
    del lines[inside[len(inside) // 2]]
    return "\n".join(lines)


def glue_two_code_lines(post: Converted) -> str | None:
    inside = _code_lines(post)
    pairs = [(a, b) for a, b in pairwise(inside) if b == a + 1]
    if not pairs:
        return None
    first, second = pairs[len(pairs) // 2]
    lines = _lines(post)
    lines[first : second + 1] = [lines[first] + lines[second].strip()]
    return "\n".join(lines)


def merge_two_paragraphs(post: Converted) -> str | None:
    """Two top-level paragraphs a blank line apart that the input has as two blocks."""
    lines = _lines(post)
    tokens = [t for t in _tokens(post) if t.type == "paragraph_open" and t.level == 0]
    wanted = {tuple(block) for block in post.before.blocks}
    pairs = pairwise(post.before.blocks)
    neighbours = {(tuple(a), tuple(b)) for a, b in pairs}
    for first, second in pairwise(tokens):
        (a, b), (c, d) = first.map, second.map
        if c != b + 1 or any(re.fullmatch(r"\s*=+\s*", line) for line in lines[c:d]):
            continue
        one, two = tuple(words(" ".join(lines[a:b]))), tuple(words(" ".join(lines[c:d])))
        if one in wanted and (one, two) in neighbours:
            del lines[b]
            return "\n".join(lines)
    return None


_LINK = re.compile(r"(?<!!)\[([^\[\]\n]+)\]\((https?://[^()\s]+)\)")
_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]\(([^()\s]+)\)")


def _first_that_shows(post: Converted, candidates, damage, shows) -> str | None:
    for candidate in candidates:
        mutant = damage(candidate)
        if shows(output_view(mutant)):
            return mutant
    return None


def drop_a_link_target(post: Converted) -> str | None:
    body, before = post.body, output_view(post.body)
    return _first_that_shows(
        post,
        (m for m in _LINK.finditer(body) if post.before.links[m[2]]),
        lambda m: body[: m.start()] + m[1] + body[m.end() :],
        lambda after: sum(after.links.values()) < sum(before.links.values()),
    )


def change_an_image_src(post: Converted) -> str | None:
    body = post.body
    return _first_that_shows(
        post,
        (m for m in _IMAGE.finditer(body) if post.before.images),
        lambda m: body[: m.start(2)] + m[2] + "-changed" + body[m.end(2) :],
        lambda after: any(key.endswith("-changed") for key in after.images),
    )


def _same_count(post: Converted, kind: str) -> bool:
    return post.before.counts[kind] == output_view(post.body).counts[kind] > 0


def drop_a_list_item(post: Converted) -> str | None:
    if not _same_count(post, "list item"):
        return None
    lines, body = _lines(post), post.body
    items = [t.map for t in _tokens(post) if t.type == "list_item_open" and t.map]
    single = [a for a, b in items if b == a + 1 and words(lines[a])]
    mutants = ("\n".join(lines[:a] + lines[a + 1 :]) for a in single)
    count = output_view(body).counts["list item"]
    return next((m for m in mutants if output_view(m).counts["list item"] < count), None)


def drop_a_table_cell(post: Converted) -> str | None:
    if not _same_count(post, "table cell"):
        return None
    lines = _lines(post)
    for token in _tokens(post):
        if token.type == "tbody_open" and token.map:
            for number in range(*token.map):
                cells = lines[number].strip().strip("|").split("|")
                if len(cells) >= 2 and words(cells[-1]) and words(cells[0]):
                    lines[number] = "| " + " | ".join(cells[:-1]) + " |"
                    return "\n".join(lines)
    return None


def flatten_a_sup(post: Converted) -> str | None:
    if not _same_count(post, "sup"):
        return None
    return _first_that_shows(
        post,
        re.finditer(r"<sup>(.*?)</sup>", post.body),
        lambda m: post.body[: m.start()] + m[1] + post.body[m.end() :],
        lambda after: after.counts["sup"] < post.before.counts["sup"],
    )


def _paragraph_lines(post: Converted) -> list[int]:
    return [n for t in _tokens(post) if t.type == "paragraph_open" and t.map for n in range(*t.map)]


def lose_a_word(post: Converted) -> str | None:
    lines = _lines(post)
    addresses = " ".join(post.before.links) + " " + " ".join(output_view(post.body).links)
    for number in _paragraph_lines(post):
        for found in re.finditer(r"(?<![\w\\/.:@#&=-])[A-Za-z]{4,}(?![\w/.:@#&=-])", lines[number]):
            if (
                found[0] not in addresses
                and "](" not in lines[number][found.end() : found.end() + 2]
            ):
                line = lines[number]
                lines[number] = line[: found.start()] + line[found.end() :]
                mutant = "\n".join(lines)
                if len(_all_words(mutant)) < len(_all_words(post.body)):
                    return mutant
                lines[number] = line
    return None


def lose_a_cjk_character(post: Converted) -> str | None:
    lines = _lines(post)
    for number in _paragraph_lines(post):
        found = re.search(r"[\u4e00-\u9fff]", lines[number][len(lines[number]) // 2 :])
        if found:
            line, at = lines[number], len(lines[number]) // 2 + found.start()
            lines[number] = line[:at] + line[at + 1 :]
            mutant = "\n".join(lines)
            if len(_all_words(mutant)) < len(_all_words(post.body)):  # (not in a link title)
                return mutant
            lines[number] = line
    return None


def _all_words(body: str) -> list[str]:
    return [word for block in output_view(body).blocks for word in block]


MUTATIONS: dict[str, tuple[Mutator, str]] = {
    "drop a code line": (drop_a_code_line, "code"),
    "glue two code lines": (glue_two_code_lines, "code"),
    "merge two paragraphs": (merge_two_paragraphs, "paragraphs"),
    "drop a link target": (drop_a_link_target, "link"),
    "change an image src": (change_an_image_src, "image"),
    "drop a list item": (drop_a_list_item, "list item"),
    "drop a table cell": (drop_a_table_cell, "table cell"),
    "flatten a sup": (flatten_a_sup, "sup"),
    "lose a word": (lose_a_word, "text"),
    "lose a CJK character": (lose_a_cjk_character, "text"),
}


@pytest.mark.parametrize("damage", MUTATIONS)
def test_every_mutant_is_refused_and_named(damage: str) -> None:
    mutate, kind = MUTATIONS[damage]
    tried, missed = Counter[str](), []
    for path in POSTS:
        post = converted(path)
        mutant = mutate(post)
        if mutant is None or mutant == post.body:
            continue
        tried[damage] += 1
        found = post.verify(mutant)
        if kind not in [difference.kind for difference in found]:
            missed.append(f"{_id(path)}: {found[0].message if found else 'accepted'}")
    assert missed == [], f"{damage}: {len(missed)} of {tried[damage]} mutants not refused as {kind}"
    assert tried[damage] >= MIN_MUTANTS, f"{damage}: tried on {tried[damage]} posts only"
