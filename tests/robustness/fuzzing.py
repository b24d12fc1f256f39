"""The fuzz target and its input generators, shared by ``test_fuzz.py`` and ``fuzz/``.

:func:`check_bytes` is the oracle: any bytes go in; the only exception allowed
out is :class:`PostconvError` (bad input, refused with one line). When the
bytes do convert, the front matter must come out byte for byte and the output
must be a fixed point. :func:`check_post` adds the text-kept invariant for
well-formed generated posts.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path

from hypothesis import strategies as st

from postconv.errors import PostconvError
from postconv.fidelity import first_missing, html_words, visible_words
from postconv.io.decode import decode_post
from postconv.options import Options
from postconv.pipeline import convert
from postconv.post import frontmatter

#: keep the fuzz inputs small: conversion cost grows with size, coverage does not
SEED_BYTES = 6000


class FuzzFinding(AssertionError):
    """An invariant broke (not a crash, which keeps its own exception type)."""


def check_bytes(data: bytes, options: Options | None = None) -> str | None:
    """Run ``data`` through decode and convert; return the output, None if refused."""
    try:
        text = decode_post(data).text
    except PostconvError as error:
        _one_line(error)
        return None
    return check_text(text, options)


def check_text(text: str, options: Options | None = None) -> str | None:
    options = options or Options()
    try:
        output = convert(text, options).text
    except PostconvError as error:
        _one_line(error)
        return None
    header = frontmatter.split(frontmatter.normalise_newlines(text)).header
    if not output.startswith(header):
        raise FuzzFinding(f"front matter changed: {header[:200]!r} → {output[:200]!r}")
    if output:
        try:  # what postconv writes, postconv must be able to read back
            decode_post(output.encode("utf-8"))
        except PostconvError as error:
            raise FuzzFinding(f"the output is not a readable post: {error}") from None
        try:
            again = convert(output, options).text
        except PostconvError as error:
            raise FuzzFinding(f"the output is refused when converted again: {error}") from None
        if again != output:
            raise FuzzFinding(f"not idempotent:\n--- once\n{output}\n--- twice\n{again}")
    return output


def check_post(header: str, body: str) -> None:
    """A well-formed generated post: also no visible word may be lost."""
    output = check_text(header + body, Options(keep_nav=True))
    wanted = html_words(body)
    if output is None:
        if not header and not wanted.strip():
            return  # nothing visible and no header: refused on purpose ("no visible text")
        raise FuzzFinding("a well-formed post was refused")
    missing = first_missing(wanted, visible_words(output[len(header) :]))
    if missing is not None:
        raise FuzzFinding(f"text lost near {missing!r}")


def _one_line(error: PostconvError) -> None:
    message = str(error)
    if not message or "\n" in message:
        raise FuzzFinding(f"PostconvError message is not one line: {message!r}")


# ---------------------------------------------------------------- inputs

#: fragments that steer a mutation towards the parser's and the escaper's corners
TOKENS: list[bytes] = [
    s.encode()
    for s in [
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<span>",
        "</span>",
        "<br>",
        "<br/>",
        "<hr>",
        "<strong>",
        "</strong>",
        "<b>",
        "</b>",
        "<em>",
        "</em>",
        "<i>",
        "</i>",
        '<a href="',
        '">',
        "</a>",
        '<img src="x.png" alt="',
        "<ul>",
        "<ol>",
        "<li>",
        "</li>",
        "</ul>",
        "<table>",
        "<tr>",
        "<td>",
        "<th>",
        "</td>",
        "</table>",
        "<pre>",
        "</pre>",
        "<code>",
        "</code>",
        "<blockquote>",
        "</blockquote>",
        "<h1>",
        "<h2>",
        "</h2>",
        "<h6>",
        "<font color=red>",
        "<center>",
        "<o:p>",
        "</o:p>",
        "<script>",
        "</script>",
        "<style>",
        "</style>",
        '<p style="display:none">',
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<?xml ?>",
        "<!DOCTYPE html>",
        "&",
        "&amp;",
        "&nbsp;",
        "&#",
        "&#x",
        "&#12288;",
        "&#x3000;",
        ";",
        "&amp;nbsp;",
        "\n",
        "\n\n",
        "\r\n",
        "    ",
        "\t",
        "---\n",
        "+++\n",
        "...\n",
        "```",
        "~~~",
        "*",
        "**",
        "_",
        "__",
        "`",
        "[",
        "]",
        "](",
        "(",
        ")",
        ">",
        "> ",
        "\\",
        "|",
        "#",
        "# ",
        "1. ",
        "- ",
        "+ ",
        "=",
        "!",
        "<",
        "http://",
        "https://example.com/",
        "来源：",
        "来源：新华社",
        "Source:",
        "原文链接",
        "返回首页",
        "“",
        "”",
        "，",
        "。",
        "！",
        "？",
        "、",
        "\u3000",
        "\xa0",
        "\u200b",
        "\ufeff",
        "{{ site.baseurl }}",
        "[caption]",
        "[/caption]",
        "title: ",
        "title = ",
        "<!-- EM_StockImg_Start -->",
        "<!-- EM_StockImg_End -->",
        "中国",
        "A股",
    ]
]
TOKENS += [b"\x00", b"\xff", b"\xe4\xb8", b"\xc3", b"\x1b", b"\x7f"]

_BUILTIN_SEEDS = [
    "---\ntitle: 标题\ndate: 2022-03-29\n---\n<p>今年的政府工作报告指出，要“推动消费”。</p>\n"
    "<p><strong>小标题</strong></p>\n<p>正文<a href='https://x.cn/1'>链接</a>。</p>\n"
    "来源：[新华社](https://x.cn)\n",
    '+++\ntitle = "标题"\n+++\n<ul><li>一</li><li>二</li></ul><table><tr><td>格</td></tr>'
    "</table><pre><code>code\n\n  more</code></pre>\n",
    "<p>*星号* _下划线_ `反引号` [方括号] # 井号 1. 列表 &amp;nbsp; \\ |</p>\n\n> 摘要\n\n正文",
]


def seed_corpus(*directories: Path, extra: Iterable[bytes] = ()) -> list[bytes]:
    """Seed inputs: the real posts (cut to SEED_BYTES), crash fixtures, built-in posts."""
    seeds = [seed.encode() for seed in _BUILTIN_SEEDS]
    for directory in directories:
        if directory.is_dir():
            for path in sorted(directory.rglob("*")):
                if path.is_file() and path.suffix in {".md", ".markdown", ".html", ".txt", ""}:
                    if path.name.lower() == "readme.md":
                        continue
                    seeds.append(path.read_bytes()[:SEED_BYTES])
    seeds.extend(extra)
    return seeds


def mutate(data: bytes, rng: random.Random, seeds: list[bytes], rounds: int) -> bytes:
    """Apply ``rounds`` random edits (token insertions, deletions, splices, byte flips)."""
    buffer = bytearray(data)
    for _ in range(rounds):
        position = rng.randint(0, len(buffer))
        operation = rng.randrange(7)
        if operation <= 1:  # insert a token (twice as likely)
            buffer[position:position] = rng.choice(TOKENS)
        elif operation == 2 and buffer:  # delete a stretch
            buffer[position : position + rng.randint(1, 40)] = b""
        elif operation == 3:  # splice a stretch of another seed
            other = rng.choice(seeds)
            start = rng.randint(0, max(0, len(other) - 1))
            buffer[position:position] = other[start : start + rng.randint(1, 200)]
        elif operation == 4 and buffer:  # duplicate a stretch (nesting, repetition)
            stretch = bytes(buffer[position : position + rng.randint(1, 30)])
            buffer[position:position] = stretch * rng.randint(2, 50)
        elif operation == 5 and buffer:  # flip a byte
            index = min(position, len(buffer) - 1)
            buffer[index] = rng.randrange(256)
        else:  # wrap a stretch in a tag
            tag = rng.choice([b"p", b"div", b"span", b"b", b"a", b"li", b"td", b"pre", b"h2"])
            end = min(len(buffer), position + rng.randint(0, 80))
            buffer[end:end] = b"</" + tag + b">"
            buffer[position:position] = b"<" + tag + b">"
    return bytes(buffer[: SEED_BYTES * 4])


def mutated_inputs(seeds: list[bytes]) -> st.SearchStrategy[bytes]:
    """Hypothesis strategy: a seed with random edits (shrinks towards fewer edits)."""
    return st.builds(
        lambda seed, rng_seed, rounds: mutate(seed, random.Random(rng_seed), seeds, rounds),
        st.sampled_from(seeds),
        st.integers(0, 2**32 - 1),
        st.integers(0, 12),
    )


_SOUP = st.lists(
    st.one_of(
        st.sampled_from([token.decode("utf-8", "replace") for token in TOKENS]),
        st.text(alphabet="中文字，。abc 123", min_size=1, max_size=6),
    ),
    max_size=60,
).map("".join)

#: tag soup built from the tokens: dense in markup, short
soup_inputs = _SOUP.map(lambda text: text.encode("utf-8"))
