"""What a reader sees of a page: its text block by block, its code, links, images, structure.

A :class:`View` is built from an lxml tree (:func:`view_of`), the same way for
the input as a browser shows it and for the output as a CommonMark renderer
shows it, so that the two can be compared (:mod:`postconv.verify.compare`):

- *blocks*: the words of each block (a paragraph, a heading, a list item's
  text, a table cell…), in order. A word is a run of letters and digits; a
  CJK character is a word of its own. Raw text breaks into paragraphs at
  blank lines, as WordPress shows it (not in code);
- *code*: each code block's lines, and each inline code span's text
  (whitespace collapsed, as a browser shows it);
- *links* and *images*: the ``href`` and ``src`` of each, counted;
- *counts*: list items, table cells, headings, block quotes, ``sup``, ``sub``.

What a reader does not see is left out: scripts, styles, hidden elements,
an embed's fallback content, a code table's line-number gutter.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote

from lxml import etree

from postconv.html.clean import is_hidden, is_stock_link
from postconv.html.code import on_lines_of_its_own
from postconv.html.nesting import INVISIBLE_TAGS
from postconv.post.footer import ATTRIBUTION_LABELS_IN_TEXT, is_navigation
from postconv.text import absolute_url

Element = etree._Element

_CJK = "\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
#: a CJK character, or a run of other letters and digits
WORD = re.compile(rf"(?=\w)[{_CJK}]|[^\W_{_CJK}]+")
#: attribution labels (文章来源, Source) are not the article's: a footer rewrites them
_LABELS = re.compile(ATTRIBUTION_LABELS_IN_TEXT, re.I)
_LABEL_HINT = re.compile("[来來出]|(?i:source|via|originally)")

_CJK_CHAR = re.compile(f"[{_CJK}]")
_LETTER_RUN = re.compile(r"[^\W_]+")
_BLANK_LINE = re.compile(r"\n[ \t\r\u3000]*\n")
_SPACES = re.compile(r"\s+")
_URL_BLANKS = re.compile(r"[\t\n\r]")
_NUMBER_LINES = re.compile(r"\s*\d+(?:\s+\d+)+\s*")

#: elements that start and end a block of text
BLOCKS = frozenset(
    {"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "table", "tr", "td", "th"}
    | {"caption", "figure", "figcaption", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"section", "article", "header", "footer", "nav", "aside", "main", "center", "address"}
    | {"details", "summary", "form", "fieldset", "legend", "pre", "body", "textarea"}
)
_CELLS = frozenset({"td", "th"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: the fallback content of an embed is not shown: the embed is
_EMBEDS = frozenset({"iframe", "object", "video", "audio"})
#: elements counted in :attr:`View.counts`, by the name a refusal gives them
COUNTED = {"li": "list item", "blockquote": "block quote", "sup": "sup", "sub": "sub"}
_NOT_SHOWN = INVISIBLE_TAGS | _EMBEDS
_NO_LINK_AROUND = BLOCKS | {"a"}
#: elements the view takes note of (the others only hold text, or start a block)
_MARKED = frozenset({"table", "pre", "code", "a", "img", "br"} | _CELLS | _HEADINGS | set(COUNTED))


@dataclass
class View:
    blocks: list[list[str]] = field(default_factory=list)
    #: blocks whose words are only images' descriptions, or addresses (a bare link, an
    #: image's link): no paragraphs of their own
    image_blocks: set[int] = field(default_factory=set)
    code_blocks: list[list[str]] = field(default_factory=list)
    #: code blocks holding blocks (``<p>`` in ``<pre>``): their blank lines are margins
    loose_code: set[int] = field(default_factory=set)
    code_spans: list[str] = field(default_factory=list)
    links: Counter[str] = field(default_factory=Counter)
    images: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    #: the last block is a source footer: the attribution and the URL, gathered
    footer_last: bool = False


def words(text: str) -> list[str]:
    """The words of ``text`` (:data:`WORD`)."""
    if text.isascii() or not _CJK_CHAR.search(text):
        return _LETTER_RUN.findall(text)  # (the same words, found faster)
    return WORD.findall(text)


def joined(found: list[str]) -> str:
    """Words as text again: CJK characters side by side, other words a space apart."""
    pieces: list[str] = []
    for index, word in enumerate(found):
        if index and not (_CJK_CHAR.match(word) and _CJK_CHAR.match(found[index - 1])):
            pieces.append(" ")
        pieces.append(word)
    return "".join(pieces)


def url_key(url: str) -> str:
    """A link or image address as compared: protocol-relative made https, escapes decoded,
    tabs and line breaks gone (a browser drops them from a URL)."""
    return unquote(absolute_url(_URL_BLANKS.sub("", url.strip())))


def code_lines(text: str) -> list[str]:
    """A code block's lines; blank lines at its edges do not count, nor a no-break space."""
    return text.replace("\xa0", " ").strip("\n").split("\n")


def view_of(root: Element, link_targets: bool = False) -> View:
    """The :class:`View` of ``root``. With ``link_targets``, the addresses of a block's
    links count as words after its text (a footer shows ``<http://…>`` as
    ``[name](http://…)``). Attribution labels (文章来源, Source) do not count, on
    either side, wherever they stand: a footer rewrites the label of the attribution
    it takes in, and which paragraph that is only the footer knows (an attribution
    left in the middle of a post keeps its label)."""
    builder = _Builder(link_targets)
    builder.walk(root)
    return builder.finish()


class _Builder:
    def __init__(self, link_targets: bool) -> None:
        self.view = View()
        self.link_targets = link_targets
        self.done: list[tuple[str, str, bool]] = []  # text, link addresses, only images?
        self.text: list[str] = []  # the pieces of the block being read
        self.targets: list[str] = []  # …and its links' addresses, read after its text
        self.only_images = True  # …and whether they are all image descriptions
        self.shown = 0  # how many pieces with a word or an image were read so far
        self.in_table = 0
        self.in_cell = 0
        self.in_code = 0
        self.in_heading = 0
        self.bare_links: set[Element] = set()  # the bare links being read
        self.layout_tables: dict[Element, bool] = {}

    def walk(self, root: Element) -> None:
        # lxml walks the tree (at any depth); what was shown before each element entered
        # tells, once it is left, whether it showed anything
        walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
        shown_before: list[int] = []
        enter, leave, add = self.enter, self.leave, self.add
        for event, element in walker:
            if event == "start":
                if enter(element):
                    shown_before.append(self.shown)
                    if element.text:
                        add(element.text)
                else:
                    shown_before.append(-1)
                    walker.skip_subtree()
                continue
            if event == "end":
                before = shown_before.pop()
                if before >= 0:
                    leave(element, self.shown > before)
            # (a comment or a processing instruction is not shown; what follows it is)
            if element.tail and element is not root:
                add(element.tail)

    def enter(self, element: Element) -> bool:
        """Take in what ``element`` is; False when its content is not read on."""
        tag = element.tag
        if tag.__class__ is not str or tag in _NOT_SHOWN or is_hidden(element):
            return False
        if tag in BLOCKS:
            self.block_edge()
        if tag not in _MARKED:
            return True
        if tag == "table":
            self.in_table += 1
        elif tag in _CELLS and self.in_table:  # elsewhere, a browser ignores the tag
            if _is_gutter(element):
                return False
            self.in_cell += 1
        elif tag == "pre":
            self.code_block(element, _text(element))
            return False
        elif tag == "code":
            text = _text(element)
            if _is_multiline(element, text):
                self.code_block(element, text)
                return False
            if not self.in_code:  # a span in a span is part of it
                self.view.code_spans.append(_SPACES.sub(" ", text).strip())
            self.in_code += 1
        elif tag in _HEADINGS:
            self.in_heading += 1
        elif tag == "a":
            shown = "".join(element.itertext()).strip()
            if is_navigation(shown):
                return False  # navigation is dropped by design, text and all
            if shown and shown == (element.get("href") or "").strip():
                self.bare_links.add(element)  # an address shown as it is: no paragraph of its own
        elif tag == "img":
            self.image(element)
        elif tag == "br":
            self.text.append("\n")
        return True

    def leave(self, element: Element, shown: bool) -> None:
        tag = element.tag
        if tag in _MARKED:
            self.leave_marked(element, tag, shown)
        if tag in BLOCKS:
            self.block_edge()

    def leave_marked(self, element: Element, tag: str, shown: bool) -> None:
        if tag == "table":
            self.in_table -= 1
        elif tag in _CELLS and self.in_table:
            self.in_cell -= 1
            if shown and not self.is_layout_cell(element):
                self.view.counts["table cell"] += 1
        elif tag == "code":
            self.in_code -= 1
        elif tag in _HEADINGS:
            self.in_heading -= 1
            self.view.counts["heading"] += shown
        elif shown and tag in COUNTED and not self.in_code:  # code shows text only
            self.view.counts[COUNTED[tag]] += 1
        elif tag == "a":
            href = element.get("href") or ""
            self.bare_links.discard(element)
            if shown and _linked(element):  # a link around nothing is no link
                self.view.links[url_key(href)] += 1
                if self.link_targets:
                    self.targets.append(href)

    def block_edge(self) -> None:
        """A block starts or ends: a new block of text, or in a table cell (one block
        however many paragraphs it holds) a word break."""
        if self.in_cell:
            self.text.append(" ")
        else:
            self.flush()

    def add(self, text: str) -> None:
        # a blank line in raw text is a paragraph break, except in a heading or a cell
        # (one line, however spaced out)
        splits = text.count("\n") > 1 and not (self.in_cell or self.in_heading)
        if text.isspace():  # most often, the line breaks between tags
            if splits and _BLANK_LINE.search(text):
                self.flush()
            else:
                self.text.append(" ")
        elif splits and _BLANK_LINE.search(text):
            first, *rest = _BLANK_LINE.split(text)
            self.add_words(first)
            for paragraph in rest:
                self.flush()
                self.add_words(paragraph)
        else:
            self.add_words(text)

    def add_words(self, text: str) -> None:
        self.text.append(text)
        if text and not text.isspace():
            self.shown += 1
            if self.only_images and not self.bare_links and WORD.search(text):
                self.only_images = False

    def flush(self) -> None:
        """The block read so far is done: its words are taken out in :meth:`finish`."""
        text = "".join(self.text)
        if self.targets or (text and not text.isspace()):
            self.done.append((text, " ".join(self.targets), self.only_images))
        self.text, self.targets, self.only_images = [], [], True

    def finish(self) -> View:
        """The blocks' words, attribution labels left out."""
        self.flush()
        for text, targets, only_images in self.done:
            if _LABEL_HINT.search(text):
                text = _LABELS.sub(" ", text)
            found = words(text)
            if targets:
                found += words(targets)
            if found:
                if only_images:
                    self.view.image_blocks.add(len(self.view.blocks))
                self.view.blocks.append(found)
        return self.view

    def code_block(self, element: Element, text: str) -> None:
        if not text.strip():
            return  # a code block of blanks shows nothing
        if self.in_cell and _NUMBER_LINES.fullmatch(text):
            return  # a highlighter's line-number gutter
        self.flush()
        if any(isinstance(inner.tag, str) and inner.tag in BLOCKS for inner in element.iter()):
            self.view.loose_code.add(len(self.view.code_blocks))
        self.view.code_blocks.append(code_lines(text))
        self.add_words(text)  # code is text too: a converter may have read it as code
        self.flush()

    def image(self, element: Element) -> None:
        src = element.get("src")
        if src and src.strip():
            self.view.images[url_key(src)] += 1
        self.shown += 1
        self.text.append(f" {element.get('alt') or ''} ")  # an image parts the words beside it

    def is_layout_cell(self, cell: Element) -> bool:
        """A cell of a table that only lays out the page or a code listing (one cell
        that shows something, a table inside, or code): such tables are not kept as
        tables, Markdown has none of their kind."""
        table = next(cell.iterancestors("table"), None)
        if table is None:
            return False
        layout = self.layout_tables.get(table)
        if layout is None:
            shown = (other for other in table.iter("td", "th") if _shows_something(other))
            fewer_than_two = next(shown, None) is None or next(shown, None) is None
            nested = table.find(".//table") is not None
            layout = self.layout_tables[table] = fewer_than_two or nested or _holds_code(table)
        return layout


def _text(element: Element) -> str:
    """The text of ``element`` as a reader sees it: ``<br>`` a line end, a block on lines
    of its own, hidden parts left out."""
    if not len(element):  # most: text only
        return element.text or ""
    return "".join(_pieces(element))


def _pieces(element: Element) -> Iterator[str]:
    stack: list[Element | str] = [element]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
            continue
        if item is not element and item.tail:
            stack.append(item.tail)
        if not isinstance(item.tag, str) or item.tag in INVISIBLE_TAGS or is_hidden(item):
            continue
        if item.tag == "br" and not (item.tail or "").startswith("\n"):
            yield "\n"  # "<br />" and a line end after it are one line end, as WordPress writes
        if item is not element and item.tag in BLOCKS:
            yield "\n"
            stack.append("\n")
        stack.extend(reversed(item))
        if item.text:
            yield item.text


def _is_multiline(code: Element, text: str) -> bool:
    """A ``<code>`` outside ``<pre>`` of two lines or more (``text``), on lines of its
    own: a code block (mid-sentence, a span)."""
    if "\n" not in text.strip():
        return False
    lines = [line for line in text.split("\n") if line.strip()]
    return len(lines) >= 2 and on_lines_of_its_own(code)


def _shows_something(element: Element) -> bool:
    return bool(words(_text(element))) or any(True for _ in element.iter("img"))


def _is_gutter(cell: Element) -> bool:
    """A cell of line numbers counting up, before the cell of code they number (a
    highlighter's table)."""
    if cell.getnext() is None and cell.find(".//pre") is None:
        return False
    numbers = [int(word) for word in words(_text(cell)) if word.isdigit()]
    if not numbers or len(numbers) != len(words(_text(cell))):
        return False
    counting = numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    row = cell.getparent()
    return counting and (len(numbers) > 1 or (row is not None and _holds_code(row)))


def _holds_code(element: Element) -> bool:
    return element.find(".//pre") is not None


def _linked(link: Element) -> bool:
    """A link with an address, around text (a link around whole paragraphs goes:
    Markdown cannot say that; a link around a link is closed by the inner one, as
    browsers do)."""
    href = link.get("href")
    return (
        bool(href and href.strip())
        and not is_stock_link(link)
        and not any(
            isinstance(inner.tag, str) and inner.tag in _NO_LINK_AROUND
            for inner in link.iterdescendants()
        )
    )
