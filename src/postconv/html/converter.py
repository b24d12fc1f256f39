"""HTML → Markdown: a markdownify converter subclass with our output conventions.

Conventions: ATX headings, ``-`` bullets, ``**``/``*``, backslash hard
breaks, fenced code, GFM pipe tables when simple and clean HTML when not.
Each override says which behaviour of the base class it corrects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from functools import lru_cache
from html import escape as html_escape
from types import SimpleNamespace

from bs4 import Comment, Doctype, NavigableString, PageElement, Tag
from markdownify import (
    ATX,
    BACKSLASH,
    MarkdownConverter,
    should_remove_whitespace_inside,
    should_remove_whitespace_outside,
)

from postconv.html.emphasis import emphasise
from postconv.html.escape import escape_closing_hashes, escape_table_pipes, escape_text
from postconv.html.soup import release, to_soup
from postconv.html.tree import Element
from postconv.options import Options
from postconv.post.placeholders import inline_tokens
from postconv.text import CODE_SPAN_TAGS, autolink, fence_for, link_destination

#: markdownify's whitespace rules (``wrap`` off, as postconv uses it)
_NEWLINE_WHITESPACE = re.compile(r"[\t \r\n]*[\r\n][\t \r\n]*")
_WHITESPACE = re.compile(r"[\t ]+")
_BACKTICK_RUN = re.compile(r"`+")
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")
_LANGUAGE_CLASS = re.compile(r"(?:^|\s)(?:language|lang)-([\w+#.-]+)")
_OPENS_LINE = frozenset(
    {"br", "p", "div", "ul", "ol", "li", "table", "blockquote", "pre", "hr", "figure", "dl"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "iframe", "video", "audio"}
)
#: the first and last characters written for an element, whatever its content (not an
#: emphasis: its ``*`` run merges with the one beside it, what flanks them is its text)
_EDGE_MARKS = {
    **dict.fromkeys(CODE_SPAN_TAGS, ("`", "`")),
    **dict.fromkeys(("del", "s", "strike"), ("~", "~")),
    **dict.fromkeys(("sup", "sub"), ("<", ">")),
    "a": ("[", ")"),
    "img": ("!", ")"),
}
#: elements written with markers around their content
_MARKED = frozenset(_EDGE_MARKS) | {"b", "strong", "em", "i", "cite"}
#: inline elements written without a marker of their own: only their content shows
_UNMARKED_INLINE = frozenset({"span", "font", "u", "small", "big", "mark", "abbr", "ins", "time"})
_RAW_HTML_PARENTS = frozenset({"[document]", "div", "p", "figure", "section", "article"})
_EMBEDS = ("iframe", "video", "audio", "embed", "object")
_EMBED_ATTRIBUTES = ("src", "width", "height", "title", "allowfullscreen", "poster", "type")
_ROW_GROUPS = frozenset({"thead", "tbody", "tfoot"})
_TABLE_CELL_ATTRIBUTES = ("colspan", "rowspan")
_INLINE_HTML_ATTRIBUTES = {"a": ("href", "title"), "img": ("src", "alt", "title")}


def _edge_text(node: object, last: bool) -> str:
    """The character of ``node`` that touches its neighbour (last or first), as written:
    a code span ends in a backtick, a link in ")", an emphasis in its marker."""
    if node is None:
        return ""
    current = node
    while isinstance(current, Tag):
        if current.name in _OPENS_LINE:
            return "\n"  # a block (a line break) stands between
        marks = _EDGE_MARKS.get(current.name)
        if marks is not None and (current.name != "a" or current.get("href")):
            return marks[1] if last else marks[0]
        if not current.contents:
            return ""
        current = current.contents[-1] if last else current.contents[0]
    content = str(current) if isinstance(current, NavigableString) else ""
    return content[-1:] if last else content[:1]


_OTHER_MARKER = {
    "ul": (re.compile(r"^- ", re.M), "* "),
    "ol": (re.compile(r"^(\d+)\. ", re.M), r"\1) "),
}


def _previous_block(el: Tag) -> Tag | None:
    """The previous sibling that is an element, skipping whitespace between them."""
    node = el.previous_sibling
    while node is not None and isinstance(node, NavigableString) and not node.strip():
        node = node.previous_sibling
    return node if isinstance(node, Tag) else None


def _next_content(el: Tag) -> Tag | NavigableString | None:
    """The next sibling that is an element or text, skipping whitespace."""
    node = el.next_sibling
    while node is not None and isinstance(node, NavigableString) and not node.strip():
        node = node.next_sibling
    return node


_NEWLINES = re.compile(r"[ \t]*\n\s*")
_JOINS_NEXT = frozenset("!<&~")
_STARTS_MARKUP = {
    "<": re.compile(r"[A-Za-z/!?>]"),
    "&": re.compile(r"#?\w+;"),
    "~": re.compile("~"),
}


def _neighbour(el: PageElement, direction: str) -> PageElement | None:
    """What stands next to ``el`` on the same line (``direction``: "next_sibling" or
    "previous_sibling"): its sibling, or the sibling of its inline parent."""
    while getattr(el, direction) is None:
        el = el.parent
        if el is None or el.name in _OPENS_LINE or el.name in ("td", "th", "[document]"):
            return None
    return getattr(el, direction)


def _just_before(el: PageElement) -> PageElement | None:
    """What is written right before ``el``, no marker between: its previous sibling, or
    that of a parent that writes none (a ``<span>``; not ``<b>``, whose ``**`` stands
    between)."""
    while el.previous_sibling is None:
        el = el.parent
        if el is None or el.name not in _UNMARKED_INLINE:
            return None
    return el.previous_sibling


def _ends_in_code(node: PageElement | None) -> bool:
    """True when the last thing written of ``node`` on its line is a code span's backtick
    (not a literal one: that one is escaped)."""
    current = node
    while isinstance(current, Tag):
        if current.name in CODE_SPAN_TAGS:
            return True
        if current.name in _OPENS_LINE or current.name in _MARKED or not current.contents:
            return False  # a block, or another element's marker, ends it
        current = current.contents[-1]
    return False


def _escape_join(text: str, following: PageElement | None) -> str:
    """Escape a last ``!``, ``<``, ``&`` or ``~`` that the next node would complete.

    ``!`` then a link reads as an image; ``<`` then ``p>`` as a tag; ``&``
    then ``amp;`` as an entity; ``~`` then ``~`` as strikethrough.
    """
    last = text[-1]
    if last == "!":
        completes = getattr(following, "name", None) == "a"
    else:
        after = str(following) if isinstance(following, NavigableString) else ""
        if isinstance(following, Tag):
            after = following.get_text()[:12]
        completes = _STARTS_MARKUP[last].match(after) is not None
    return text[:-1] + "\\" + last if completes and not text.endswith("\\" + last) else text


_REMOVE_INSIDE = frozenset(
    {"p", "blockquote", "article", "div", "section", "ol", "ul", "li", "dl", "dt", "dd"}
    | {"table", "thead", "tbody", "tfoot", "tr", "td", "th"}
)
_HEADING_NAME = re.compile(r"h[1-6]$")


def _is_heading(name: str) -> bool:
    return _HEADING_NAME.match(name) is not None


class _ByName(dict):
    """A predicate on tag names, worked out once per name: ``table[name]`` is a bool
    (``None``, a text node's name, is false)."""

    def __init__(self, predicate: Callable[[str], bool]) -> None:
        super().__init__()
        self.predicate = predicate

    def __missing__(self, name: str | None) -> bool:
        value = name is not None and bool(self.predicate(name))
        if len(self) < _MAX_NAMES:  # junk names (<cod<) must not pile up
            self[name] = value
        return value


_MAX_NAMES = 1000
#: whitespace at the edges of its content is not converted
_REMOVES_INSIDE = _ByName(lambda name: name in _REMOVE_INSIDE or _is_heading(name))
#: whitespace beside it is not converted
_REMOVES_OUTSIDE = _ByName(lambda name: _REMOVES_INSIDE[name] or name == "pre")
#: markdownify's own should_remove_whitespace_inside/_outside, whose heading test differs
#: (``h7`` counts): they strip the edges of converted text
_MARKDOWNIFY_STRIPS_INSIDE = _ByName(
    lambda name: should_remove_whitespace_inside(SimpleNamespace(name=name))
)
_MARKDOWNIFY_STRIPS_OUTSIDE = _ByName(
    lambda name: should_remove_whitespace_outside(SimpleNamespace(name=name))
)
_NO_TAGS: frozenset[str] = frozenset()
_UNKNOWN = object()  # not in the cache of conversion functions yet


@lru_cache(maxsize=4096)
def _child_tags(parent_tags: frozenset[str], name: str) -> frozenset[str]:
    """The ``parent_tags`` markdownify hands the children of a ``name`` element."""
    tags = {name}
    if name in ("td", "th") or _is_heading(name):
        tags.add("_inline")
    if name in ("pre", "code", "kbd", "samp"):
        tags.add("_noformat")
    return parent_tags | tags


def _ignorable_text(el: NavigableString, remove_inside: bool) -> bool:
    """markdownify's rule for children not worth converting (whitespace at block edges)."""
    if el.__class__ is not NavigableString and isinstance(el, (Comment, Doctype)):
        return True
    if el.strip():
        return False
    previous, following = el.previous_sibling, el.next_sibling
    if remove_inside and (previous is None or following is None):
        return True
    return (previous is not None and _REMOVES_OUTSIDE[previous.name]) or (
        following is not None and _REMOVES_OUTSIDE[following.name]
    )


def _join_collapsing_newlines(strings: list[str]) -> str:
    """Join child outputs; newlines where two meet collapse to the larger count, at most 2,
    and so do spaces, to one (``<b>x </b> y``: the bold's space moves out, beside another)."""
    parts = [""]
    last = ""  # the last character written so far
    for string in strings:
        if last == " " and string[0] == " ":
            string = string[1:]
            if not string:
                continue
        last = string[-1]
        if string[0] != "\n" and string[-1] != "\n":
            parts += ("", string, "")
            continue
        unled = string.lstrip("\n")  # leading newlines, content, trailing newlines
        leading = string[: len(string) - len(unled)]
        content = unled.rstrip("\n")
        trailing = unled[len(content) :]
        if parts[-1] and leading:
            previous = parts.pop()
            leading = "\n" * min(2, max(len(previous), len(leading)))
        parts += (leading, content, trailing)
    return "".join(parts)


def _title(title: str | None) -> str:
    if not title:
        return ""
    # "<" as an entity: a raw "<a>" would make the line look like HTML; on one line, as
    # a line break (and the indentation after it) could start a code block
    escaped = re.sub(r"\s", " ", title).replace('"', '\\"').replace("<", "&lt;")
    return f' "{escaped}"'


def _clean_html(tag: Tag, keep: dict[str, tuple[str, ...]], pre: bool = False) -> str:
    """Serialise ``tag`` with only the attributes in ``keep`` (by tag name), on one line
    (code in ``<pre>`` keeps its lines; a blank one, which would end the HTML block, is
    written ``&#10;``)."""
    if isinstance(tag, NavigableString):
        if tag.parent.name in _EMBEDS:
            return ""  # fallback content of an embed: browsers show the embed instead
        if pre:
            text = html_escape(inline_tokens(str(tag)), quote=False)
            return _BLANK_LINES.sub(_blank_lines_as_entities, text)
        return html_escape(inline_tokens(re.sub(r"\s+", " ", str(tag))), quote=False)
    attributes = "".join(
        f' {name}="{html_escape(_one_line(tag[name]))}"' if tag[name] else f" {name}"
        for name in keep.get(tag.name, ())
        if tag.has_attr(name)
    )
    if tag.name in ("br", "img", "hr", "source", "embed"):
        return f"<{tag.name}{attributes}>"
    pre = pre or tag.name == "pre"
    inner = "".join(_clean_html(child, keep, pre) for child in tag.children)
    if tag.name in ("td", "th"):
        inner = inner.strip()
    return f"<{tag.name}{attributes}>{inner}</{tag.name}>"


def _blank_lines_as_entities(match: re.Match[str]) -> str:
    """``\\n\\n  x`` → ``\\n&#10;  x``: the same lines of code, and no blank line."""
    lines = match.group().split("\n")
    return "\n" + "&#10;" * (len(lines) - 2) + lines[-1]


def _one_line(value: object) -> str:
    """An attribute value on one line: raw HTML must not span a blank line."""
    return " ".join(str(value).split())


def _raw_html_fits(parent_tags: set[str]) -> bool:
    """Raw HTML keeps its place only among plain blocks, not in lists, quotes or inline."""
    return parent_tags <= _RAW_HTML_PARENTS


_ALIGNED = {"left": " :-- ", "center": " :-: ", "right": " --: "}
_TEXT_ALIGN = re.compile(r"text-align\s*:\s*(left|center|right)", re.I)


def _column_alignments(row: Tag) -> list[str]:
    """Each column's alignment, from the cells of ``row`` (``align`` or ``text-align``)."""
    aligns: list[str] = []
    for cell in [child for child in row.contents if child.name in _CELLS]:
        align = (cell.get("align") or "").lower()
        style = _TEXT_ALIGN.search(cell.get("style") or "")
        align = align if align in _ALIGNED else (style.group(1).lower() if style else "")
        span = cell.get("colspan", "1")
        aligns += [align] * (min(int(span), 1000) if span.isdigit() and int(span) > 0 else 1)
    return aligns


def _is_simple_table(table: Tag) -> bool:
    """A table GFM can express: no spans, no nested tables, lists or code in its cells."""
    for cell in _tags_below(table, _CELLS):
        if cell.get("colspan", "1") not in ("", "1") or cell.get("rowspan", "1") not in ("", "1"):
            return False
        if _first_below(cell, _NOT_IN_SIMPLE_CELLS) is not None:
            return False
    return _first_below(table, ("tr",)) is not None


_CELLS = frozenset({"td", "th"})
_NOT_IN_SIMPLE_CELLS = frozenset(
    {"table", "ul", "ol", "pre", "blockquote", "h1", "h2", "h3", "p", "div"}
)


def _tags_below(el: Tag, names: Collection[str]) -> Iterator[Tag]:
    """The elements inside ``el`` named in ``names``, in document order: bs4's
    ``find_all(names)`` without its filter objects (which cost more than the rest of
    a table's conversion)."""
    return (node for node in el.descendants if node.name in names)


def _first_below(el: Tag, names: Collection[str]) -> Tag | None:
    """bs4's ``find(names)``: the first element inside ``el`` named in ``names``."""
    return next(_tags_below(el, names), None)


def _previous_tag(el: PageElement) -> Tag | None:
    """bs4's ``find_previous_sibling()``: the nearest element (not text) before ``el``."""
    node = el.previous_sibling
    while node is not None and not isinstance(node, Tag):
        node = node.previous_sibling
    return node


def _next_named(el: PageElement, name: str) -> Tag | None:
    """bs4's ``find_next_sibling(name)``."""
    node = el.next_sibling
    while node is not None and node.name != name:
        node = node.next_sibling
    return node


_CODE_SPANS = frozenset({"code", "kbd", "samp"})


class PostConverter(MarkdownConverter):
    """markdownify's converter with postconv's output conventions."""

    class Options(MarkdownConverter.DefaultOptions):
        heading_style = ATX
        bullets = "-"
        strong_em_symbol = "*"
        newline_style = BACKSLASH
        escape_asterisks = False  # escaping is ours: see escape()
        escape_underscores = False
        table_infer_header = True
        keep_inline_images_in = ("td", "th", "a")

    def convert_soup(self, soup: Tag) -> str:
        return self.process_tag(soup, parent_tags=_NO_TAGS)

    def process_tag(self, node: Tag, parent_tags: frozenset[str] | None = None) -> str:
        # The base class's algorithm, step for step, with what it recomputed for
        # every node looked up once per tag name (or per set of ancestors), and its
        # per-child calls inlined: it was the hottest function of a conversion.
        # Same output (every fixture and corpus test says so).
        if parent_tags is None:
            parent_tags = _NO_TAGS
        elif parent_tags.__class__ is not frozenset:
            parent_tags = frozenset(parent_tags)
        name = node.name
        child_tags = _child_tags(parent_tags, name)
        remove_inside = _REMOVES_INSIDE[name]
        strings = []
        for el in node.contents:
            if isinstance(el, NavigableString):
                if _ignorable_text(el, remove_inside):
                    continue
                string = self.process_text(el, child_tags)
            else:
                string = self.process_tag(el, child_tags)
            if string:
                strings.append(string)
        if not strings:
            text = ""
        elif len(strings) == 1:
            text = strings[0]
        elif name == "pre" or "pre" in parent_tags:  # parent_tags names every ancestor
            text = "".join(strings)
        else:
            text = _join_collapsing_newlines(strings)
        convert_fn = self.convert_fn_cache.get(name, _UNKNOWN)
        if convert_fn is _UNKNOWN:
            convert_fn = self.get_conv_fn_cached(name)
        if convert_fn is not None:
            text = convert_fn(node, text, parent_tags=parent_tags)
        return text

    def process_text(self, el: NavigableString, parent_tags: frozenset[str] | None = None) -> str:
        """markdownify's ``process_text``, its whitespace collapsed only where there is
        some to collapse (its ``[\\t ]+`` → `` `` replaces every single space, which on a
        long paragraph is most of the time spent), with postconv's escaping, and the
        ``!<&~`` a following node would complete escaped."""
        if parent_tags is None:
            parent_tags = _NO_TAGS
        text = str(el)
        if "pre" not in parent_tags:
            if "\n" in text or "\r" in text:
                text = _NEWLINE_WHITESPACE.sub("\n", text)
            if "\t" in text or "  " in text:
                text = _WHITESPACE.sub(" ", text)
        previous, following = el.previous_sibling, el.next_sibling
        if "_noformat" not in parent_tags and text:  # escape(), with where the text stands
            text = escape_text(text, line_start=previous is None or previous.name in _OPENS_LINE)
        parent_strips = _MARKDOWNIFY_STRIPS_INSIDE[el.parent.name]
        if (previous is not None and _MARKDOWNIFY_STRIPS_OUTSIDE[previous.name]) or (
            parent_strips and previous is None
        ):
            text = text.lstrip(" \t\r\n")
        if (following is not None and _MARKDOWNIFY_STRIPS_OUTSIDE[following.name]) or (
            parent_strips and following is None
        ):
            text = text.rstrip()
        if text[-1:] in _JOINS_NEXT and "_noformat" not in parent_tags:
            text = _escape_join(text, _neighbour(el, "next_sibling"))
        return text

    def escape(self, text: str, parent_tags: set[str]) -> str:
        # markdownify escapes every * and _; ours escapes only what would become Markdown
        # (process_text calls escape_text itself: it knows whether the text opens a line)
        return escape_text(text)

    def _emphasis(self, el: Tag, text: str, parent_tags: set[str], marker: str) -> str:
        if "_noformat" in parent_tags:
            return text
        before = _edge_text(el.previous_sibling, last=True)
        after = _edge_text(el.next_sibling, last=False)
        return emphasise(text, marker, before, after)

    def convert_b(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # the base class wraps blindly: “**“x”**” then fails to render beside CJK text
        return self._emphasis(el, text, parent_tags, "**")

    convert_strong = convert_b

    def convert_em(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return self._emphasis(el, text, parent_tags, "*")

    convert_i = convert_em
    convert_cite = convert_em

    def convert_del(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # the base class has no <strike>, and wraps blindly (see convert_b)
        return self._emphasis(el, text, parent_tags, "~~")

    convert_s = convert_del
    convert_strike = convert_del

    def convert_sup(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # the base class drops the tag: O(n<sup>2</sup>) would read O(n2); inline HTML keeps it
        if "_noformat" in parent_tags or not text.strip():
            return text
        return f"<{el.name}>{text}</{el.name}>"

    convert_sub = convert_sup

    def convert_a(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # the base class writes destinations as they are: spaces or ")" then break the link
        if "_noformat" in parent_tags:
            return text
        # and moves the spaces at the text's edges inside the brackets, or drops them
        href = (el.get("href") or "").strip()
        stripped = text.strip()
        if not stripped:
            return " " if text else ""
        if not href:
            return text
        before = " " if text[:1].isspace() else ""
        after = " " if text[-1:].isspace() else ""
        is_bare_url = stripped.replace("\\_", "_") == href and (
            "://" in href or href.startswith("mailto:")
        )
        if is_bare_url and not el.get("title") and autolink(href) == f"<{href}>":
            return f"{before}<{href}>{after}"
        link = f"[{stripped}]({link_destination(href)}{_title(el.get('title'))})"
        return f"{before}{link}{after}"

    def convert_img(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        src = (el.get("src") or "").strip()
        alt = escape_text(re.sub(r"\s+", " ", el.get("alt") or "").strip())
        if not src:
            return alt  # a broken image: browsers show its alt text
        return f"![{alt}]({link_destination(src)}{_title(el.get('title'))})"

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # the base class always fences with ``` even when the code holds ```
        code = el.get_text().strip("\n")
        if not code.strip():
            return ""
        language = ""
        for candidate in (el, _first_below(el, ("code",))):
            if candidate is not None:
                classes = candidate.get("class") or ""
                found = _LANGUAGE_CLASS.search(
                    classes if isinstance(classes, str) else " ".join(classes)
                )
                language = language or (found.group(1) if found else "")
        fence = fence_for(code)
        return f"\n\n{fence}{language}\n{code}\n{fence}\n\n"

    def convert_table(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # spans and block content have no pipe-table form: keep them as clean HTML
        # (where raw HTML can stand; in a list or a quote the pipe table loses spans only)
        if _is_simple_table(el) or not _raw_html_fits(parent_tags):
            return super().convert_table(el, text, parent_tags)
        own_rows = [
            row
            for row in _tags_below(el, ("tr",))
            if row.parent is el or (row.parent.name in _ROW_GROUPS and row.parent.parent is el)
        ]
        if not own_rows:  # only a wrapper around other tables: its content, as blocks
            return f"\n\n{text.strip()}\n\n" if text.strip() else ""
        keep = {"td": _TABLE_CELL_ATTRIBUTES, "th": _TABLE_CELL_ATTRIBUTES}
        rows = "\n".join(_clean_html(row, keep | _INLINE_HTML_ATTRIBUTES) for row in own_rows)
        return f"\n\n<table>\n{rows}\n</table>\n\n"

    def _markdownify_tr(self, el: Tag, text: str) -> str:
        """markdownify's ``convert_tr``, step for step, its bs4 searches done by hand
        (on a long table its filter objects cost more than the rest of the conversion)."""
        cells = list(_tags_below(el, _CELLS))
        is_first_row = _previous_tag(el) is None
        parent = el.parent
        is_headrow = all([cell.name == "th" for cell in cells]) or (
            parent.name == "thead" and len(list(_tags_below(parent, ("tr",)))) == 1
        )
        is_head_row_missing = (is_first_row and parent.name != "tbody") or (
            is_first_row
            and parent.name == "tbody"
            and _first_below(parent.parent, ("thead",)) is None
        )
        overline = ""
        underline = ""
        full_colspan = 0
        for cell in cells:
            if "colspan" in cell.attrs and cell["colspan"].isdigit():
                full_colspan += max(1, min(1000, int(cell["colspan"])))
            else:
                full_colspan += 1
        if (is_headrow or (is_head_row_missing and self.options["table_infer_header"])) and (
            is_first_row
        ):
            underline += "| " + " | ".join(["---"] * full_colspan) + " |" + "\n"
        elif (is_head_row_missing and not self.options["table_infer_header"]) or (
            is_first_row
            and (
                parent.name == "table" or (parent.name == "tbody" and _previous_tag(parent) is None)
            )
        ):
            overline += "| " + " | ".join([""] * full_colspan) + " |" + "\n"
            overline += "| " + " | ".join(["---"] * full_colspan) + " |" + "\n"
        return overline + "|" + text + "\n" + underline

    def convert_tr(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # the base class writes every column "---": the cells' alignment is lost
        row = self._markdownify_tr(el, text)
        head, _, underline = row.rstrip("\n").rpartition("\n")
        if not underline.startswith("| ---"):
            return row
        cells = underline.strip("|").split("|")
        aligns = _column_alignments(el)
        following = _next_named(el, "tr")
        if not any(aligns) and following is not None:  # a plain header over aligned cells
            aligns = _column_alignments(following)
        aligned = [
            _ALIGNED.get(aligns[index], cell) if index < len(aligns) else cell
            for index, cell in enumerate(cells)
        ]
        return f"{head}\n|{'|'.join(aligned)}|\n"

    def convert_code(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # two code spans in a row would merge their backtick runs into one broken span;
        # the second one is written as plain text (its text is what matters)
        if "_noformat" in parent_tags:
            return text
        if _ends_in_code(_just_before(el)):
            return escape_text(text, line_start=False)
        # the base class moves edge spaces outside the span, and keeps line breaks
        # (a code line starting "# " would then open a heading)
        code = text.replace("\n", " ")
        if not code:
            return ""
        if code[0] in " `\u00a0" or code[-1] in " `\u00a0":
            code = f" {code} "  # CommonMark strips one space from each side
        longest = max((len(run) for run in _BACKTICK_RUN.findall(code)), default=0)
        fence = "`" * (longest + 1)
        return f"{fence}{code}{fence}"

    convert_kbd = convert_code
    convert_samp = convert_code

    def convert_blockquote(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # the base class opens a quote with one newline: after inline text, "text\n> quote"
        # reads well but a second run sees two blocks and adds the blank line
        quote = super().convert_blockquote(el, text, parent_tags)
        return "\n" + quote if quote.startswith("\n") and "_inline" not in parent_tags else quote

    def convert_br(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # the base class writes a space in headings and table cells: a line they have no
        # Markdown for, and CommonMark shows as HTML
        if not _CODE_SPANS.isdisjoint(parent_tags):
            return "\n"  # a code span shows a line end as a space; a "\" would show as is
        if "_inline" in parent_tags and "_noformat" not in parent_tags:
            return "<br>"
        if "_inline" in parent_tags:
            return super().convert_br(el, text, parent_tags)
        return "\\\n" + text  # the base class's line break, for newline_style BACKSLASH

    def convert_hr(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # "---" on the first line of a post without front matter would open one
        return "\n\n***\n\n"

    def convert_hN(self, n: int, el: Tag, text: str, parent_tags: set[str]) -> str:
        # the base class lets "foo ###" lose its hashes as a closing sequence, and takes
        # <h7>, <h10> (no such elements: browsers show their text) for headings
        if n > 6:
            return text
        text = _NEWLINES.sub(" ", text.strip())  # an ATX heading is one line
        return super().convert_hN(n, el, escape_closing_hashes(text), parent_tags)

    def convert_td(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # a "|" in a code span or an image alt would still split the GFM row
        return super().convert_td(el, escape_table_pipes(text), parent_tags)

    def convert_th(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return super().convert_th(el, escape_table_pipes(text), parent_tags)

    def convert_list(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # two lists in a row would merge into one: the second gets the other marker
        previous = _previous_block(el)
        if previous is not None and previous.name == el.name and "li" not in parent_tags:
            text = _OTHER_MARKER[el.name][0].sub(_OTHER_MARKER[el.name][1], text)
        listing = super().convert_list(el, text, parent_tags)
        if "li" in parent_tags and _next_content(el) is not None:
            listing += "\n\n"  # what follows a nested list in its item is a paragraph
        return listing

    convert_ul = convert_list
    convert_ol = convert_list

    def convert_dl(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # the base class writes "term\n:   definition", which CommonMark shows as one
        # paragraph; a definition list stays clean HTML where raw HTML can stand
        if not _raw_html_fits(parent_tags):
            return f"\n\n{text.strip()}\n\n"
        items = [
            _clean_html(child, _INLINE_HTML_ATTRIBUTES)
            for child in el.children
            if isinstance(child, Tag) and child.name in ("dt", "dd")
        ]
        return "\n\n<dl>\n" + "\n".join(items) + "\n</dl>\n\n" if items else ""

    def convert_dt(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # inside a list or a quote: the term as a bold paragraph
        return f"\n\n{emphasise(text.strip(), '**', '', '')}\n\n"

    def convert_dd(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return f"\n\n{text.strip()}\n\n"

    def convert_iframe(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        # the base class drops embeds (videos, maps) along with their only content, the URL
        if not el.get("src") and _first_below(el, ("source",)) is None:
            # browsers show an <object>'s fallback content, never a <video>'s or <iframe>'s
            return text if el.name in ("object", "embed") else ""
        if not _raw_html_fits(parent_tags):
            # raw HTML cannot be indented inside a list item or a quote and stay there
            source = el.get("src") or _first_below(el, ("source",)).get("src", "")
            return autolink(source) if "://" in source else text
        keep = dict.fromkeys((*_EMBEDS, "source"), _EMBED_ATTRIBUTES)
        return f"\n\n{_clean_html(el, keep)}\n\n"

    convert_video = convert_iframe
    convert_audio = convert_iframe
    convert_embed = convert_iframe


@lru_cache(maxsize=16)
def converter_for(options: Options) -> PostConverter:
    return PostConverter()


def to_markdown(root: Element, options: Options) -> str:
    """Convert a cleaned lxml tree to Markdown."""
    soup = to_soup(root)
    try:
        return converter_for(options).convert_soup(soup)
    finally:
        release(soup)
