"""``--verify``: does the output show what the input showed? An equivalence check.

Both sides are read as their site shows them (:mod:`postconv.verify.sides`),
reduced to what a reader sees (:mod:`postconv.verify.view`) and compared
aspect by aspect (:mod:`postconv.verify.compare`).
"""

from __future__ import annotations

from postconv.options import Options
from postconv.pipeline import Result
from postconv.post import frontmatter
from postconv.post.footer import Footer
from postconv.post.reading import Reading
from postconv.verify.compare import Difference, differences
from postconv.verify.sides import input_view, output_view

__all__ = ["Difference", "verify", "verify_conversion"]


def verify_conversion(
    text: str, result: Result, options: Options, name: str | None = None
) -> list[Difference]:
    """:func:`verify` for a whole post ``text`` and what :func:`~postconv.pipeline.convert`
    made of it (with these ``options``, under this file ``name``)."""
    if result.reading is not None:  # the conversion read the body already: reused
        source = ""
    else:
        source = frontmatter.split(frontmatter.normalise_newlines(text)).body
    if result.header and result.text.startswith(result.header):
        output = result.text[len(result.header) :]
    else:
        output = frontmatter.split(result.text).body
    return verify(
        source,
        output,
        options.body,
        name,
        result.footer,
        result.footer_in_header,
        result.reading,
        keep_unsafe_links=options.allow_unsafe_links,
    )


def verify(
    source: str,
    output: str,
    choice: str = "auto",
    name: str | None = None,
    footer: Footer | None = None,
    footer_in_header: bool = False,
    reading: Reading | None = None,
    keep_unsafe_links: bool = False,
) -> list[Difference]:
    """What ``output`` (a converted body) lost of ``source`` (the input body), first
    difference first; empty when it shows all of it. Neither has front matter.

    ``choice`` and ``name`` read the source as the conversion did (``--body``, the
    file name); ``footer`` is the conversion's source footer, and
    ``footer_in_header`` says it went into the front matter; ``reading`` is the
    conversion's reading of ``source`` (read again when not given);
    ``keep_unsafe_links``: the conversion kept ``javascript:`` links (they count).
    """
    before = input_view(source, choice, name, reading, keep_unsafe_links)
    return differences(before, output_view(output, footer, footer_in_header))
