"""The pure core: ``convert(text, options) -> Result``. No I/O, no printing.

Data flows one way: split front matter → segment the body into HTML and
Markdown blocks → clean each HTML block (lxml) → convert it (markdownify) →
normalise the footer → join.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from postconv.body import convert_body
from postconv.errors import PostconvError
from postconv.options import Options
from postconv.post import frontmatter
from postconv.post.footer import Footer, label_for, normalise_footer
from postconv.post.reading import Reading

DEFAULT_OPTIONS = Options()


@dataclass(frozen=True)
class Result:
    """What one post became. ``changed`` compares with the input text as given."""

    text: str
    changed: bool
    footer: Footer | None = None
    footer_in_header: bool = False  # the source went into the front matter
    #: how the body was read (dialect, segments, tokens): what ``--verify`` reads it as
    reading: Reading | None = field(default=None, repr=False, compare=False)
    #: the front matter that starts ``text`` ("" for none): what follows is the body
    header: str = field(default="", repr=False, compare=False)


def convert(text: str, options: Options = DEFAULT_OPTIONS, name: str | None = None) -> Result:
    """Convert one post (front matter + HTML/Markdown body) to Markdown.

    ``name`` is the post's file name, if it has one: its extension is a hint
    to the body's dialect (``--body auto``). Raises :class:`PostconvError` for
    input that is not a post.
    """
    if "\x00" in text:
        raise PostconvError("binary data (NUL bytes) is not a post")
    normalised = frontmatter.normalise_newlines(text)
    if not normalised.strip():
        raise PostconvError("empty file")
    post = frontmatter.split(normalised)
    # U+FEFF inside a body is an invisible, deprecated no-break space; at the
    # start of the output it would be taken for a byte order mark and dropped
    body = convert_body(post.body.replace("\ufeff", ""), options, name)
    blocks, footer = normalise_footer(body.blocks, options)
    header = post.header
    if footer is not None:
        header, blocks = _place_footer(footer, header, blocks, post.kind, options)
    in_header = header != post.header
    if header and not header.endswith("\n"):
        header += "\n"  # the file ended right after the closing fence
    body_text = body.placeholders.restore("\n\n".join(blocks))
    if not header and frontmatter.opens_header(body_text + "\n"):
        body_text = "\\" + body_text  # text that would read as a front matter fence stays text
    if not header and not body_text:
        raise PostconvError("nothing to convert: no front matter and no visible text")
    if header and body_text:
        output = f"{header}\n{body_text}\n"
    else:
        output = f"{header}{body_text}\n" if body_text else header
    return Result(output, output != text, footer, in_header, body.reading, header)


def _place_footer(
    footer: Footer, header: str, blocks: list[str], kind: str | None, options: Options
) -> tuple[str, list[str]]:
    """Kept navigation goes last but one; the source line last, or into the header."""
    blocks = [*blocks, *footer.nav]
    if not footer.has_source:
        return header, blocks
    if options.source_to_front_matter:
        moved = footer.into_header(header, kind)
        if moved is not None:
            return moved, blocks
    line = footer.line(label_for(blocks, footer, options))
    return header, [*blocks, line] if line else blocks
