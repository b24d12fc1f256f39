"""Cleaning passes over the lxml tree of one HTML block.

Each pass is a small function ``pass_(root, options) -> None`` that rewrites
the tree in place; :data:`PASSES` lists them in the order they run. Reading
that list tells what cleaning does; each pass has its own fixture pair.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from lxml import etree

from postconv import text as t
from postconv.html import tree
from postconv.html.code import (
    code_line_breaks,
    highlighter_tables_to_code,
    label_code_languages,
    multiline_code_to_blocks,
)
from postconv.html.nesting import DISPLAY_NONE, INVISIBLE_TAGS, flatten_deep_html
from postconv.html.paragraphs import blank_lines_to_paragraphs
from postconv.html.tree import Element
from postconv.options import Options
from postconv.post.placeholders import holds_token

#: deeper trees are flattened: markdownify recurses twice per level (limit 1000)
MAX_DEPTH = 100
_deeper_than_max = etree.XPath("boolean(" + "*/" * MAX_DEPTH + "*)")

Pass = Callable[[Element, Options], None]

_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)
_CAPTION_SHORTCODE = re.compile(r"\[caption([^\]]*)\](.*?)\[/caption\]", re.S | re.I)
_SHORTCODE_CAPTION_ATTR = re.compile(r'\bcaption\s*=\s*"([^"]*)"', re.I)
#: the image a caption shortcode starts with (maybe linked): the caption follows it
_CAPTION_IMAGE = re.compile(r"\s*(?:<a\b[^<>]*>\s*)?<img\b[^<>]*>(?:\s*</a\s*>)?", re.I)

BLOCK_TAGS = frozenset(
    {"p", "div", "li", "td", "th", "dd", "dt", "blockquote", "figcaption", "caption"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer"}
)
_DECORATIVE_TAGS = (
    *("span", "font", "o:p", "big", "small", "abbr", "acronym", "time", "label"),
    *("u", "mark", "ins"),  # (Markdown has no underline nor highlight: their text stays)
)
_BOLD_TAGS = frozenset({"strong", "b"})
_BREAK_STOPS = BLOCK_TAGS | {"pre", "ul", "ol", "table", "tr", "figure"}
_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot", "tr"})
_TABLE_CHILDREN = {
    "table": {"thead", "tbody", "tfoot", "tr", "caption", "colgroup", "col"},
    "thead": {"tr"},
    "tbody": {"tr"},
    "tfoot": {"tr"},
    "tr": {"td", "th"},
}
_PROPER_PARENTS = {
    "thead": {"table"},
    "tbody": {"table"},
    "tfoot": {"table"},
    "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr"},
    "th": {"tr"},
}
_TABLE_PARTS = ("thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col")
_EMPHASIS = {"strong": "strong", "b": "strong", "em": "em", "i": "em", "cite": "em", "code": "code"}
_INLINE_MARKUP = frozenset({"strong", "b", "em", "i", "a", "code", "img", "u", "s", "del"})
_KEEP_EMPTY = frozenset(
    {"img", "br", "hr", "iframe", "video", "audio", "embed", "object", "source", "track", "param"}
)
_BLOCK_CONTENT = frozenset(
    {"p", "div", "figure", "table", "ul", "ol", "dl", "pre", "blockquote", "hr"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "iframe", "video", "audio"}
)
_EMBED_TAGS = frozenset({"iframe", "video", "audio"})
_EMBED_SOURCES = ("iframe", "video", "audio", "embed", "object", "source", "track")
_INLINE_TAGS = (
    *("a", "strong", "b", "em", "i", "u", "s", "strike", "del", "ins", "sup", "sub", "q"),
    *("code", "small", "big", "mark", "cite", "abbr", "font", "span", "tt", "kbd", "samp"),
)
_IN_CODE = etree.XPath(".//pre//* | .//code//*")
# text nodes with a line break, outside code (text and tails alike, per XPath's model)
_NOT_REFLOWED = ("pre", "code", "textarea", "kbd", "samp", "tt")
#: where a bold paragraph labels a cell or an item, and starts no section
_NO_SECTION_INSIDE = ("td", "th", "li", "dt", "dd", "caption", "figcaption")


# ---------------------------------------------------------------- parsing


def parse(source: str) -> Element:
    """Parse an HTML block into a ``<div>`` root, flattening absurd nesting first.

    libxml2 stops at its depth limit and silently drops the rest of the text,
    and markdownify recurses once per level: past :data:`MAX_DEPTH` levels the
    source is flattened (deeper tags removed, text kept) and parsed again.
    """
    source = t.autolinks_as_links(t.repair_escaped_slashes(t.drop_control_characters(source)))
    source = expand_caption_shortcodes(source)
    root, too_deep = tree.parse_fragment(source)
    if too_deep or _deeper_than_max(root):
        root, _ = tree.parse_fragment(flatten_deep_html(source, MAX_DEPTH))
    return root


def expand_caption_shortcodes(source: str) -> str:
    """WordPress ``[caption …]<img> Text[/caption]`` → ``<figure>`` with a ``<figcaption>``."""
    if "[caption" not in source and "[CAPTION" not in source:
        return source

    def figure(match: re.Match[str]) -> str:
        inner = match.group(2)
        # the image (maybe linked) comes first; the caption after it may hold tags too
        first = _CAPTION_IMAGE.match(inner)
        end_of_image = first.end() if first else inner.rfind(">") + 1
        image, trailing = inner[:end_of_image], inner[end_of_image:].strip()
        attribute = _SHORTCODE_CAPTION_ATTR.search(match.group(1))
        caption = trailing or (attribute.group(1) if attribute else "")
        return f"<figure>{image}<figcaption>{caption}</figcaption></figure>"

    return _CAPTION_SHORTCODE.sub(figure, source)


# ---------------------------------------------------------------- helpers


def is_hidden(element: etree._Element) -> bool:
    """True for elements a browser would not show: ``display:none`` or ``hidden``."""
    style = element.get("style")
    return (style is not None and DISPLAY_NONE.search(style) is not None) or (
        element.get("hidden") is not None
    )


def _elements(root: Element, *tags: str) -> list[Element]:
    return tree.elements(root, *tags)


def _all_elements(root: Element) -> Iterator[Element]:
    """The elements below ``root``, as the tree is while they are read."""
    return root.iterdescendants(etree.Element)


def _elements_in_code(root: Element) -> set[Element]:
    """The elements inside ``<pre>`` or ``<code>`` (the set keeps the proxies, so
    membership is identity)."""
    return set(_IN_CODE(root)) if tree.has_descendant(root, "pre", "code") else set()


def _text_of(element: Element) -> str:
    return t.strip_edges(tree.text_of(element))


def _has_text(element: Element) -> bool:
    """Whether ``_text_of(element)`` is not empty: the first piece of text that is not
    all blank says so (no join of a whole subtree's text)."""
    text = element.text
    if text and text.strip(t.EDGE_SPACE):  # the cheap test first: most have text of their own
        return True
    return any(piece.strip(t.EDGE_SPACE) for piece in element.itertext())


def _only_child(element: Element) -> Element | None:
    return tree.only_child(element, t.strip_edges)


def _is_image_block(element: Element) -> bool:
    """A paragraph-like element whose only content is one image (maybe linked)."""
    if element.tag not in ("p", "div"):  # <center> is a div and figures are gone by now
        return False
    child = _only_child(element)
    if child is not None and child.tag == "a":
        child = _only_child(child)
    return child is not None and child.tag == "img"


# ---------------------------------------------------------------- passes


def drop_invisible(root: Element, options: Options) -> None:
    """Scripts, styles, comments, processing instructions and hidden elements go."""
    for node in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        tree.drop_tree(node)
    # only elements with attributes can be hidden: the others are not listed
    for element in [el for el in _all_elements(root) if el.tag in INVISIBLE_TAGS or el.keys()]:
        if element.tag in INVISIBLE_TAGS or is_hidden(element):
            tree.drop_tree(element)


def wordpress_paragraphs(root: Element, options: Options) -> None:
    """Blank lines and ``<br><br>`` are paragraph breaks (:mod:`postconv.html.paragraphs`)."""
    blank_lines_to_paragraphs(root)


def repair_lists(root: Element, options: Options) -> None:
    """A list put directly inside a list nests under the item before it, and list items
    outside any list get one, as browsers show them."""
    for item in _elements(root, "li"):
        parent = item.getparent()
        if parent is None or parent.tag in ("ul", "ol", "menu"):
            continue
        previous = item.getprevious()
        if previous is not None and previous.tag == "ul" and not (previous.tail or "").strip():
            tail, item.tail = item.tail, None
            previous.append(item)
            previous.tail = (previous.tail or "") + (tail or "")
        else:
            listing = tree.new("ul")
            item.addprevious(listing)
            tail, item.tail = item.tail, None
            listing.append(item)
            listing.tail = tail
    for inner in _elements(root, "ul", "ol"):
        parent = inner.getparent()
        if parent is None or parent.tag not in ("ul", "ol"):
            continue
        previous = inner.getprevious()
        while previous is not None and not isinstance(previous.tag, str):
            previous = previous.getprevious()
        if previous is not None and previous.tag == "li":
            tail, inner.tail = inner.tail, None
            previous.append(inner)
            if tail and tail.strip():
                inner.tail = tail
        else:
            item = tree.new("li")
            inner.addprevious(item)
            item.append(inner)
    for listing in _elements(root, "ul", "ol", "menu"):
        _adopt_stray_content(listing)


def _adopt_stray_content(listing: Element) -> None:
    """Text and elements right inside a list but outside its items show on lines of
    their own: they become a block in the item before them (before the list when
    no item comes first), not words glued to an item."""
    runs: list[list[Element | str]] = [[]]
    owners: list[Element | None] = [None]
    if listing.text:
        runs[-1].append(listing.text)
    for child in list(listing):
        if child.tag == "li":
            runs.append([])
            owners.append(child)
        elif isinstance(child.tag, str):
            runs[-1].append(child)
        if child.tail:
            runs[-1].append(child.tail)
    if not any(_has_content(run) for run in runs):
        return
    listing.text = None
    for child in listing:
        child.tail = None
    for run, owner in zip(runs, owners, strict=True):
        if not _has_content(run):
            continue
        block = tree.new("div")
        for piece in run:
            if isinstance(piece, str):
                tree._append_text(block, block[-1] if len(block) else None, piece)
            else:
                block.append(piece)
        if owner is None:
            listing.addprevious(block)
        else:
            owner.append(block)


def _has_content(run: list[Element | str]) -> bool:
    return any(not isinstance(piece, str) or t.strip_edges(piece) for piece in run)


def caption_lists_to_figures(root: Element, options: Options) -> None:
    """WordPress's rendered caption ``<dl class="wp-caption"><dt><img><dd>Text`` is a figure."""
    for listing in _elements(root, "dl"):
        terms = [child for child in listing if child.tag == "dt"]
        details = [child for child in listing if child.tag == "dd"]
        if len(terms) != 1 or len(details) != 1 or not _holds_only_an_image(terms[0]):
            continue
        listing.tag = "figure"
        tree.drop_tag(terms[0])
        details[0].tag = "figcaption"


def _holds_only_an_image(element: Element) -> bool:
    child = _only_child(element)
    if child is not None and child.tag == "a":
        child = _only_child(child)
    return child is not None and child.tag == "img"


def foster_stray_table_text(root: Element, options: Options) -> None:
    """What sits inside a table but outside its cells shows before it, as in browsers.

    Cells right inside a table (no ``<tr>``) get the row a browser gives them;
    rows and cells elsewhere out of place (a ``<tr>`` in a ``<div>``) lose their tags;
    a row without cells shows nothing, and goes (a pipe table would end there).
    """
    for group in _elements(root, "table", "thead", "tbody", "tfoot"):
        _wrap_loose_cells(group)
    for part in _elements(root, *_PROPER_PARENTS):  # outer first: a dropped row frees cells
        parent = part.getparent()
        if parent is None or parent.tag not in _PROPER_PARENTS[part.tag]:
            tree.drop_tag(part)
    for table in _elements(root, "table"):
        parts = [el for el in table.iter(*_TABLE_PARTS) if el is not table]
        if not any(el.tag in ("td", "th") for el in parts):
            table.tag = "div"  # a table with no cell is only a wrapper
            for part in parts:
                tree.drop_tag(part)
            continue
        fostered = tree.new("div")
        for part in [table, *(el for el in parts if el.tag in _ROW_GROUPS)]:
            _foster(part, fostered)
        if len(fostered) or fostered.text:
            table.addprevious(fostered)
        for row in [el for el in parts if el.tag == "tr"]:
            if row.find("td") is None and row.find("th") is None:
                tree.drop_tree(row)


def unwrap_layout_tables(root: Element, options: Options) -> None:
    """A table of one cell around blocks (paragraphs, code, another table) is a box
    drawn around content, not data: the content stands on its own (a one-cell pipe
    table would make it a header, and code in it a mess)."""
    for table in reversed(_elements(root, "table")):
        cells = [el for el in table.iter("td", "th") if tree.owner_table(el) is table]
        if len(cells) != 1 or not any(el.tag in _BLOCK_CONTENT for el in cells[0].iter()):
            continue
        for part in [el for el in table.iter(*_TABLE_PARTS) if tree.owner_table(el) is table]:
            if part.tag == "caption":
                part.tag = "p"
            elif part.tag in ("colgroup", "col"):
                tree.drop_tree(part)
            else:
                tree.drop_tag(part)
        table.tag = "div"
        for name in list(table.attrib):
            del table.attrib[name]


def captions_before_tables(root: Element, options: Options) -> None:
    """A table's ``<caption>`` becomes a paragraph just before it; ``<colgroup>`` goes.

    A pipe table has no caption, and its first row must be the table's first
    child to be read as the header; column groups only size the columns.
    """
    for table in _elements(root, "table"):
        for part in [el for el in table if el.tag in ("caption", "colgroup", "col")]:
            if part.tag == "caption":
                part.tag = "p"
                tree.detach(part)
                part.tail = None
                table.addprevious(part)
            else:
                tree.drop_tree(part)


def _wrap_loose_cells(group: Element) -> None:
    row: Element | None = None
    for child in list(group):
        if child.tag in ("td", "th"):
            if row is None:
                row = tree.new("tr")
                child.addprevious(row)
            row.append(child)
        elif isinstance(child.tag, str):
            row = None


def _foster(part: Element, fostered: Element) -> None:
    """Move ``part``'s text and children that do not belong in it into ``fostered``."""
    allowed = _TABLE_CHILDREN[part.tag]
    if part.text and part.text.strip():
        _append_fostered(fostered, part.text)
    part.text = None
    for child in list(part):
        tail, child.tail = child.tail, None
        if child.tag not in allowed:
            fostered.append(child)
        if tail and tail.strip():
            _append_fostered(fostered, tail)


def _append_fostered(fostered: Element, text: str) -> None:
    if len(fostered):
        fostered[-1].tail = (fostered[-1].tail or "") + " " + text
    else:
        fostered.text = (fostered.text or "") + " " + text


def bold_style_to_strong(root: Element, options: Options) -> None:
    """``<span style="font-weight:bold">`` (and any element so styled) becomes bold markup."""
    for element in [el for el in _all_elements(root) if el.get("style")]:
        style = element.get("style")
        if _BOLD_STYLE.search(style) and element.tag not in _BOLD_TAGS:
            tree.wrap_content(element, "strong")


def unwrap_decorative(root: Element, options: Options) -> None:
    """Drop wrapper tags that carry no meaning, keeping their text.

    span, font, MS Word ``<o:p>``, eastmoney stock links (``<span web="1"
    href=…>``, ``<a class="keytip">``) and anchors without a target.
    """
    tree.drop_tags(
        [
            element
            for element in _elements(root, *_DECORATIVE_TAGS, "a")
            if element.tag != "a" or not element.get("href") or is_stock_link(element)
        ]
    )
    for element in _elements(root, "center", "section", "article", "header", "footer", "main"):
        element.tag = "div"


def is_stock_link(element: Element) -> bool:
    return element.get("class", "") in ("keytip", "infokey") and "eastmoney.com" in element.get(
        "href", ""
    )


def absolutise_urls(root: Element, options: Options) -> None:
    """Protocol-relative ``//host/…`` links and images become ``https://host/…``."""
    for element in _elements(root, "a", "img"):
        attribute = "href" if element.tag == "a" else "src"
        value = element.get(attribute)
        if value:
            element.set(attribute, t.absolute_url(value.strip()))


def drop_unsafe_links(root: Element, options: Options) -> None:
    """A link to ``javascript:``, ``vbscript:`` or ``data:`` keeps its text, not its
    destination; so does an image's ``src`` (a ``data:image/`` picture stays); an embed
    loads only http(s) or the site's own URLs (``--allow-unsafe-links`` keeps them all)."""
    if options.allow_unsafe_links:
        return
    for element in _elements(root, "a", "img", *_EMBED_SOURCES):
        if element.tag == "a":
            if t.unsafe_url(element.get("href") or ""):
                tree.drop_tag(element)
        elif element.tag == "img":
            if t.unsafe_url(element.get("src") or "", image=True):
                element.attrib.pop("src", None)
        else:
            for attribute in ("src", "data"):
                if not t.web_or_relative_url(element.get(attribute) or ""):
                    element.attrib.pop(attribute, None)


def join_source_lines(root: Element, options: Options) -> None:
    """Line breaks of the HTML source vanish between CJK characters, else become a space."""
    for text in tree.texts_with_newlines(root, _NOT_REFLOWED):
        owner = text.getparent()
        # most are a bare line break between two tags
        joined = " " if not text.strip(" \t\r\n") else t.join_lines(text)
        if text.is_tail:
            owner.tail = joined
        else:
            owner.text = joined


def unwrap_inline_around_blocks(root: Element, options: Options) -> None:
    """A link or bold wrapping whole paragraphs loses its tag: Markdown cannot nest so."""
    for element in reversed(_elements(root, *_INLINE_TAGS)):
        if any(descendant.tag in _BLOCK_CONTENT for descendant in element.iterdescendants()):
            tree.drop_tag(element)


def flatten_headings(root: Element, options: Options) -> None:
    """A heading is one line of Markdown: blocks nested in it lose their tags."""
    for heading in _elements(root, *t.HEADING_TAGS):
        for block in reversed(_elements(heading, *_BLOCK_CONTENT)):
            if block.tag not in _EMBED_TAGS:
                tree.drop_tag(block)


def lift_blocks_out_of_paragraphs(root: Element, options: Options) -> None:
    """A block inside a ``<p>`` (a figure, a list, a table) splits the paragraph around it."""
    for paragraph in reversed(_elements(root, "p")):
        if any(child.tag in _BLOCK_CONTENT for child in paragraph):
            tree.split(paragraph, lambda child: child.tag in _BLOCK_CONTENT, keep_boundary=True)


def split_double_breaks(root: Element, options: Options) -> None:
    """``<br><br>`` inside a paragraph ends it and starts a new one."""
    for paragraph in _elements(root, "p", "div"):
        if _holds_break_run(paragraph):
            tree.split(paragraph, _in_break_run, keep_boundary=False)


def _holds_break_run(paragraph: Element) -> bool:
    """Whether one of ``paragraph``'s children is :func:`_in_break_run`: a ``<br>`` with
    only whitespace between it and the next, a ``<br>`` too."""
    for br in paragraph.iterchildren("br"):
        tail = br.tail
        if not (tail and t.strip_edges(tail)):
            following = br.getnext()
            if following is not None and following.tag == "br":
                return True
    return False


def _in_break_run(element: Element) -> bool:
    """A ``<br>`` next to another one, with only whitespace between them."""
    if element.tag != "br":
        return False
    following, previous = element.getnext(), element.getprevious()
    return (
        following is not None and following.tag == "br" and not t.strip_edges(element.tail or "")
    ) or (previous is not None and previous.tag == "br" and not t.strip_edges(previous.tail or ""))


_BREAK_PARENTS = etree.XPath("descendant::*[br]")  # (not the root)


def breaks_out_of_inline(root: Element, options: Options) -> None:
    """A ``<br>`` ending (or opening) a bold, a link or a span moves just outside it.

    markdownify trims an inline element's text, which would cut the newline
    off the hard break and leave a lone backslash escaping the next character.
    """
    if all(parent.tag in _BREAK_STOPS for parent in _BREAK_PARENTS(root)):
        return  # (only the <br> looked at moves: one in a block stays, whatever the others do)
    breaks = _elements(root, "br")
    # first to last for runs that open an element, last to first for runs that end one
    for br in [*breaks, *reversed(breaks)]:
        while True:
            parent = br.getparent()
            if parent is None or parent is root or parent.tag in _BREAK_STOPS:
                break
            if br is parent[-1] and not t.strip_edges(br.tail or ""):
                br.tail, parent.tail = parent.tail, None  # the text after the parent
                parent.addnext(br)
            elif br is parent[0] and not t.strip_edges(parent.text or ""):
                br.tail, parent.text = None, (parent.text or "") + (br.tail or "")
                parent.addprevious(br)
            else:
                break


_STRUCTURE = frozenset({"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr"})
_HOLDS_BREAKS = etree.XPath("descendant-or-self::*[br]")
_STANDS_ALONE = _BLOCK_CONTENT | _EMBED_TAGS | {"embed", "object", "li", "dt", "dd"}


def drop_stray_breaks(root: Element, options: Options) -> None:
    """A ``<br>`` between list items or rows, beside a block or at an edge of the
    fragment breaks no line: it goes (left in, it would be a lone backslash)."""
    edges = _edge_breaks(root)
    after, before = _maybe_beside_blocks(root)
    for br in _elements(root, "br") if edges or after else ():
        if br in edges or (br in after and (br.getparent().tag in _STRUCTURE or _after_block(br))):
            tree.drop_tree(br)
    for br in reversed(_elements(root, "br")) if before else ():
        if br in before and _before_block(br):
            tree.drop_tree(br)


def _maybe_beside_blocks(root: Element) -> tuple[set[Element], set[Element]]:
    """The ``<br>`` that may be dropped as standing after a block (or in a list or a
    table), and those that may be dropped as standing before a block.

    Dropping a ``<br>`` makes its neighbours neighbours: a run of them after a block
    goes one by one. So a ``<br>`` can end up after a block only if the nearest element
    before it that is not a ``<br>`` is one (before: likewise). One walk over the
    children of each element holding ``<br>``, not two looks around every ``<br>``.
    """
    after: set[Element] = set()
    before: set[Element] = set()
    for parent in _HOLDS_BREAKS(root):
        in_structure = parent.tag in _STRUCTURE
        after.update(_breaks_after_blocks(parent.iterchildren(), in_structure))
        before.update(_breaks_after_blocks(parent.iterchildren(reversed=True), False))
    return after, before


def _breaks_after_blocks(children: Iterator[Element], in_structure: bool) -> Iterator[Element]:
    """The ``<br>`` among ``children`` whose nearest element before them that is not a
    ``<br>`` stands alone (all of them in a list or a table)."""
    block = in_structure
    for child in children:
        if child.tag == "br":
            if block:
                yield child
        else:
            block = in_structure or child.tag in _STANDS_ALONE


def _after_block(br: Element) -> bool:
    previous = br.getprevious()
    return (
        previous is not None
        and previous.tag in _STANDS_ALONE
        and not t.strip_edges(previous.tail or "")
    )


def _before_block(br: Element) -> bool:
    following = br.getnext()
    return (
        following is not None
        and following.tag in _STANDS_ALONE
        and not t.strip_edges(br.tail or "")
    )


def _edge_breaks(root: Element) -> set[Element]:
    """The ``<br>`` children of ``root`` with nothing but whitespace and breaks before
    them, or after them."""
    children = list(root)
    edges: set[Element] = set()
    blank_so_far = not t.strip_edges(root.text or "")
    for child in children:
        if not (blank_so_far and child.tag == "br"):
            break
        edges.add(child)
        blank_so_far = not t.strip_edges(child.tail or "")
    for child in reversed(children):
        if child.tag != "br" or t.strip_edges(child.tail or ""):
            break
        edges.add(child)
    return edges


def strip_edge_space(root: Element, options: Options) -> None:
    """``&nbsp;``, full-width spaces, zero-width characters and ``<br>`` at block edges go
    (not in code, where a block's spaces are its lines' indentation)."""
    in_code = _elements_in_code(root)
    for block in _elements(root, *BLOCK_TAGS):
        if block in in_code:
            continue
        while len(block) and block[-1].tag == "br" and not t.strip_edges(block[-1].tail or ""):
            tree.drop_tree(block[-1])
        while len(block) and block[0].tag == "br" and not t.strip_edges(block.text or ""):
            tree.drop_tag(block[0])
        # (a text is only set when it changes: lxml rewrites the node)
        text = block.text
        if text and (text[0] in t.EDGE_SPACE or (not len(block) and text[-1] in t.EDGE_SPACE)):
            block.text = (t.strip_edges(text) if not len(block) else t.lstrip_edge(text)) or None
        elif not text and len(block):
            _strip_leading_space_inside(block[0])
        if len(block):
            last = block[-1]
            tail = last.tail
            if tail and tail[-1] in t.EDGE_SPACE:
                last.tail = t.rstrip_edge(tail) or None
    for br in root.iterdescendants("br"):
        tail = br.tail
        if tail and tail[0] in t.EDGE_SPACE:  # (only tails that change are set)
            br.tail = t.lstrip_edge(tail) or None


def _strip_leading_space_inside(element: Element) -> None:
    """The indentation a block starts with inside its first inline element
    (``<p><strong>　　二：</strong>``) goes, as it does before it."""
    while element.tag in _INLINE_TAGS and element.tag not in t.CODE_SPAN_TAGS:
        text = element.text
        if text:
            if text[0] in t.EDGE_SPACE:
                element.text = t.lstrip_edge(text) or None
            return
        if not len(element):
            return
        element = element[0]


def drop_empty(root: Element, options: Options) -> None:
    """Paragraphs, wrappers and emphasis holding no text and no image go (not in code,
    where a line break is content); an emphasis holding a line break leaves it."""
    in_code = _elements_in_code(root)
    for element in reversed(_elements(root)):
        if element.tag in _KEEP_EMPTY or element.tag in ("td", "th", "tr"):
            continue
        if element in in_code:
            continue
        if _has_text(element):
            continue
        if any(
            descendant.tag in _KEEP_EMPTY and descendant.tag != "br"
            for descendant in element.iter()
        ):
            continue
        if element.tag in _INLINE_TAGS and element.find(".//br") is not None:
            tree.drop_tag(element)  # a<b><br></b>b: the line break stays between the words
            continue
        if element.tag in _INLINE_TAGS and _separates_words(element):
            element.tail = " " + (element.tail or "")  # a<i> </i>b still reads "a b"
        tree.drop_tree(element)


def _separates_words(element: Element) -> bool:
    """An empty inline element holding a space, between two words that are not CJK
    (Chinese and Japanese put no space between words: there it is an editor's slip)."""
    if not any(char.isspace() for char in element.xpath("string()")):
        return False
    previous = element.getprevious()
    before = (previous.tail if previous is not None else element.getparent().text) or ""
    after = element.tail or ""
    return not (before and after and t.is_cjk(before[-1]) and t.is_cjk(after[0]))


def unnest_emphasis(root: Element, options: Options) -> None:
    """Bold inside bold (italic inside italic) adds nothing but ``****``: unwrap it."""
    for element in _elements(root, *_EMPHASIS):
        kind = _EMPHASIS[element.tag]
        if any(_EMPHASIS.get(ancestor.tag) == kind for ancestor in element.iterancestors()):
            tree.drop_tag(element)


def merge_adjacent_emphasis(root: Element, options: Options) -> None:
    """``<b>a</b><b>b</b>`` → ``<b>ab</b>``, so no ``****`` appears between them."""
    moved: list[Element] = []  # containers of the merged content, unwrapped at the end
    for element in _elements(root, *_EMPHASIS):
        if element.getparent() is None or element.tag == "span":  # merged already
            continue
        following = element.getnext()
        while (
            following is not None
            and _EMPHASIS.get(following.tag) == _EMPHASIS[element.tag]
            and not (element.tail or "").strip()
        ):
            following.tag = "span"  # only a container while it is moved
            following.text = (element.tail or "") + (following.text or "")  # keep the gap
            element.tail, following.tail = following.tail, None
            element.append(following)
            moved.append(following)
            following = element.getnext()
    tree.drop_tags(moved)


def links_outside_emphasis(root: Element, options: Options) -> None:
    """``<b><a>x</a></b>`` → ``<a><b>x</b></a>``: ``**[x](u)**`` fails beside CJK text."""
    for emphasis in _elements(root, *_EMPHASIS):
        link = _only_child(emphasis)
        if link is None or link.tag != "a":
            continue
        before, after = emphasis.text or "", link.tail or ""  # blanks: kept outside the link
        emphasis.text, link.text = link.text, None
        inner = list(link)
        emphasis.remove(link)
        emphasis.extend(inner)
        emphasis.addprevious(link)
        if before:
            tree.append_text_before(link, before)
        link.tail = after + (emphasis.tail or "")
        emphasis.tail = None
        link.append(emphasis)


def bold_paragraphs_to_headings(root: Element, options: Options) -> None:
    """A short paragraph that is all bold, with no closing punctuation, is a heading;
    not in a table cell, a list item or a caption, where no section starts."""
    for paragraph in _elements(root, "p"):
        bold = _only_child(paragraph)
        if bold is None or bold.tag not in _BOLD_TAGS:
            continue
        if next(paragraph.iterancestors(*_NO_SECTION_INSIDE), None) is not None:
            continue
        title = _text_of(bold)
        if not title or not t.is_heading_like(title) or bold.find(".//img") is not None:
            continue
        paragraph.tag = f"h{options.heading_level}"
        tree.drop_tag(bold)


def shift_headings(root: Element, options: Options) -> None:
    """Real ``<h1>``…``<h6>`` move down so the top one sits at the configured level."""
    headings = _elements(root, *t.HEADING_TAGS)
    if not headings:
        return
    top = min(int(heading.tag[1]) for heading in headings)
    shift = max(0, options.heading_level - top)
    for heading in headings:
        heading.tag = f"h{min(6, int(heading.tag[1]) + shift)}"


def figures_to_captioned_images(root: Element, options: Options) -> None:
    """``<figure><img><figcaption>`` → an image paragraph and an italic caption paragraph."""
    for figure in _elements(root, "figure"):
        caption = figure.find(".//figcaption")
        if caption is not None and caption.getparent() is not figure:
            tree.detach(caption)  # nested deeper: it goes last
            figure.append(caption)
            caption.tail = None
        # what stands before the caption, the caption, what stands after: in that order
        before = list(caption.itersiblings(preceding=True))[::-1] if caption is not None else []
        after = list(caption.itersiblings()) if caption is not None else list(figure)
        paragraphs = []
        if caption is None:
            paragraphs.append(tree.new("p", *after, text=figure.text))
        else:
            tail, caption.tail = caption.tail, None
            paragraphs.append(tree.new("p", *before, text=figure.text))
            if _has_text(caption):
                caption.tag = "p"
                tree.wrap_content(caption, "em")
                paragraphs.append(caption)
            paragraphs.append(tree.new("p", *after, text=tail))
        for paragraph in paragraphs:
            if len(paragraph) or t.strip_edges(paragraph.text or ""):
                figure.addprevious(paragraph)
        figure.text = None
        tree.drop_tree(figure)


def captions_after_images(root: Element, options: Options) -> None:
    """A short line right after an image-only block is that image's caption."""
    for block in _elements(root, "p", "div"):
        if not _is_image_block(block):
            continue
        caption = block.getnext()
        if (
            caption is not None
            and caption.tag == "p"
            and not t.strip_edges(block.tail or "")
            and _is_plain_short_line(caption, t.MAX_CAPTION_WIDTH)
        ):
            tree.wrap_content(caption, "em")


def standalone_captions(root: Element, options: Options) -> None:
    """A short unpunctuated line of CJK text between two paragraphs of prose is a photo
    caption: Chinese news pages drop the photo and keep its caption. Elsewhere such a
    line is a subheading, a label or a line of code (``}``, ``---``, "to" between two
    code lines), and stays as written."""
    for paragraph in _elements(root, "p"):
        before, after = paragraph.getprevious(), paragraph.getnext()
        if getattr(before, "tag", None) != "p" or getattr(after, "tag", None) != "p":
            continue  # (the cheap test first: it stands between two paragraphs)
        if not _is_plain_short_line(paragraph, t.MAX_STANDALONE_CAPTION_WIDTH):
            continue
        line = _text_of(paragraph)
        if t.has_punctuation(line) or not t.has_cjk(line):
            continue
        if all(_is_body_paragraph(neighbour, line) for neighbour in (before, after)):
            tree.wrap_content(paragraph, "em")


def _is_plain_short_line(element: Element, max_width: int) -> bool:
    if not len(element) and len(element.text or "") > 2 * max_width:  # cheap: surely too long
        return False
    if any(child.tag in _INLINE_MARKUP or child.tag == "br" for child in element):
        return False  # (before the text is joined: a long line of <br> has many pieces)
    text = _text_of(element)
    return (
        bool(text)
        and not holds_token(text)  # a template (a gallery, an embed) is no caption
        and t.width(text) <= max_width
        and not t.ends_sentence(text)
    )


def _is_body_paragraph(element: Element | None, caption: str) -> bool:
    if element is None or element.tag != "p" or _is_code_line(element):
        return False
    text = _text_of(element)
    return t.width(text) >= 2 * t.width(caption) and t.ends_sentence(text)


def _is_code_line(paragraph: Element) -> bool:
    """A paragraph that holds nothing but code (``<p><code>x = 1;</code></p>``): no prose."""
    child = _only_child(paragraph)
    return child is not None and child.tag in t.CODE_SPAN_TAGS


#: The cleaning passes, in the order they run.
PASSES: list[Pass] = [
    drop_invisible,
    highlighter_tables_to_code,
    code_line_breaks,
    multiline_code_to_blocks,
    label_code_languages,
    wordpress_paragraphs,
    foster_stray_table_text,
    unwrap_layout_tables,
    captions_before_tables,
    repair_lists,
    bold_style_to_strong,
    unwrap_decorative,
    absolutise_urls,
    drop_unsafe_links,
    join_source_lines,
    caption_lists_to_figures,
    figures_to_captioned_images,
    unwrap_inline_around_blocks,
    flatten_headings,
    lift_blocks_out_of_paragraphs,
    split_double_breaks,
    drop_empty,
    drop_stray_breaks,
    breaks_out_of_inline,
    strip_edge_space,
    unnest_emphasis,
    merge_adjacent_emphasis,
    links_outside_emphasis,
    shift_headings,
    bold_paragraphs_to_headings,
    captions_after_images,
    standalone_captions,
]


#: The passes for inline HTML inside Markdown: no paragraphs, headings or captions there.
INLINE_PASSES: list[Pass] = [
    drop_invisible,
    foster_stray_table_text,
    code_line_breaks,
    bold_style_to_strong,
    unwrap_decorative,
    absolutise_urls,
    drop_unsafe_links,
    drop_empty,
    breaks_out_of_inline,
    unnest_emphasis,
    merge_adjacent_emphasis,
    links_outside_emphasis,
]


_TABLES = frozenset({"table", "thead", "tbody", "tfoot", "tr", "td", "th"})

#: Passes that only act on elements no pass creates from other elements (tables, line
#: breaks, lists, definition lists; headings until bold_paragraphs_to_headings, which
#: comes after the passes below; code blocks only come from code and tables): each with
#: the tags of which the parsed fragment must hold one for the pass to have anything to
#: do. Most fragments hold no table, code or list: those passes are not run for them.
_ONLY_WITH: dict[Pass, frozenset[str]] = {
    highlighter_tables_to_code: frozenset({"table"}),
    code_line_breaks: frozenset({"pre", "code", "table"}),
    multiline_code_to_blocks: frozenset({"code"}),
    label_code_languages: frozenset({"pre", "code", "table"}),
    foster_stray_table_text: _TABLES,
    unwrap_layout_tables: frozenset({"table"}),
    captions_before_tables: frozenset({"table"}),
    repair_lists: frozenset({"li", "ul", "ol", "menu"}),
    caption_lists_to_figures: frozenset({"dl"}),
    figures_to_captioned_images: frozenset({"figure", "dl"}),
    flatten_headings: t.HEADING_TAGS,
    shift_headings: t.HEADING_TAGS,
    drop_stray_breaks: frozenset({"br"}),
    breaks_out_of_inline: frozenset({"br"}),
}


def clean(root: Element, options: Options, passes: Iterable[Pass] = PASSES) -> None:
    """Run ``passes`` over ``root`` in order (but those with nothing to act on)."""
    present = {element.tag for element in root.iter()}  # the tags of the parsed fragment
    for cleaning_pass in passes:
        needs = _ONLY_WITH.get(cleaning_pass)
        if needs is None or not needs.isdisjoint(present):
            cleaning_pass(root, options)
