"""Each side of a conversion as its site shows it, as a :class:`~postconv.verify.view.View`.

The input body is read in its dialect as the conversion reads it
(:func:`postconv.post.reading.read`): HTML segments as a browser parses
them, Markdown segments rendered as CommonMark with GFM tables and
strikethrough, template tags as the text they stay, code shortcodes as the
code they show. The output body is rendered the same way
(:mod:`postconv.verify.render`). The front matter is never read.
"""

from __future__ import annotations

import re

from postconv.html import tree
from postconv.html.clean import (
    drop_invisible,
    drop_unsafe_links,
    expand_caption_shortcodes,
    foster_stray_table_text,
)
from postconv.html.nesting import flatten_deep_html
from postconv.options import Options
from postconv.post.footer import Footer
from postconv.post.markdown_code import repair_outside_code
from postconv.post.placeholders import Item, Placeholders
from postconv.post.reading import Reading, read
from postconv.text import repair_escaped_slashes
from postconv.verify.render import render
from postconv.verify.view import View, url_key, view_of, words

# where HTML stands while the Markdown around it is rendered
_MARK, _MARK_END = "\ue0f0", "\ue0f1"
_MARKED = re.compile(f"<p>{_MARK}(\\d+){_MARK_END}</p>|{_MARK}(\\d+){_MARK_END}")
DEFAULT_OPTIONS = Options()
_MAY_HIDE = re.compile(r"hidden|display", re.I)
_SHORTCODE_TAGS = re.compile(r"\[/?caption\b[^\]]*\]", re.I)


def input_view(
    body: str,
    choice: str = "auto",
    name: str | None = None,
    reading: Reading | None = None,
    keep_unsafe_links: bool = False,
) -> View:
    """The view of a post body (no front matter) read in its dialect (as ``reading``
    says, when the conversion's reading of it is at hand). Links a browser would run
    (``javascript:``…) do not count, unless kept (``--allow-unsafe-links``)."""
    html = _input_html(reading or read(body, choice, name))
    return _view(html, browser=True, unsafe_links=keep_unsafe_links)


def output_view(markdown: str, footer: Footer | None = None, in_header: bool = False) -> View:
    """The view of a converted body. A source ``footer`` moved into the front matter
    (``in_header``) counts as the body's last block."""
    view = _view(render(markdown), link_targets=True)
    if footer is None or not footer.has_source:
        return view
    view.footer_last = not in_header
    if in_header:
        view.blocks.append(words(f"{footer.name or ''} {footer.url or ''}"))
        if footer.url:
            view.links[url_key(footer.url)] += 1
    return view


def _view(
    html: str,
    link_targets: bool = False,
    browser: bool = False,
    unsafe_links: bool = True,
) -> View:
    # a [caption] shows as WordPress shows it: a figure and its caption; stray markup goes
    if "aption" in html or "APTION" in html:
        html = _SHORTCODE_TAGS.sub(" ", expand_caption_shortcodes(html))
    root, too_deep = tree.parse_fragment(html)
    if too_deep:  # libxml2 stopped and dropped the rest: flattened, the text is all there
        root, _ = tree.parse_fragment(flatten_deep_html(html))
    if browser and _MAY_HIDE.search(html):  # (a hidden row out of its table stays hidden)
        drop_invisible(root, DEFAULT_OPTIONS)
    if browser:  # what libxml2 leaves inside a table outside its cells, a browser shows first
        foster_stray_table_text(root, DEFAULT_OPTIONS)
    if not unsafe_links:  # (the conversion drops them by design)
        drop_unsafe_links(root, DEFAULT_OPTIONS)
    return view_of(root, link_targets)


def _input_html(reading: Reading) -> str:
    """The input body as one HTML page: its Markdown rendered in one piece (reference
    definitions reach across it), its HTML put back where it stood."""
    placeholders = reading.placeholders
    html: list[str] = []

    def mark(fragment: str) -> str:
        html.append(fragment)
        return f"{_MARK}{len(html) - 1}{_MARK_END}"

    pieces: list[str] = []
    for part in reading.segments:
        if part.kind == "html":
            text = repair_escaped_slashes(part.text)
            pieces.append(mark("".join(_expanded(text, placeholders, lambda h: h))))
        else:  # Markdown, or a Markdown body's indented code: templates stay as written
            text = repair_outside_code(part.text, repair_escaped_slashes)
            pieces.append("".join(_restored(text, placeholders, mark)))
    rendered = render("\n\n".join(pieces))
    return _MARKED.sub(lambda found: html[int(found[1] or found[2])], rendered)


def _expanded(text: str, placeholders: Placeholders, place) -> list[str]:
    """``text`` with its tokens put back: template tags as their text, block tokens as
    the HTML a reader sees for them (through ``place``)."""
    return [
        placeholders.restore(piece) if item is None else place(_block_html(item, placeholders))
        for piece, item in placeholders.blocks(text)
    ]


def _restored(markdown: str, placeholders: Placeholders, place) -> list[str]:
    """Markdown with its tokens put back as the output has them, but for the HTML blocks
    (``<pre>``) the reading set apart: HTML, as a reader sees it (through ``place``)."""
    return [
        place(_raw_html(item.html, placeholders))
        if item is not None and item.html is not None
        else placeholders.restore(piece)
        for piece, item in placeholders.blocks(markdown)
    ]


def _block_html(item: Item, placeholders: Placeholders) -> str:
    """Raw HTML as written, code as code, a block template as the Markdown it stays."""
    if item.html is not None:
        return _raw_html(item.html, placeholders)
    return render(placeholders.text(item))


def _raw_html(source: str, placeholders: Placeholders) -> str:
    """An HTML block as a reader sees it: the template tags in it as their text."""
    return placeholders.restore(placeholders.html(source))
