"""Independent checks of a converted post, for ``test_archives.py``.

Nothing here asks the converter how it reads a post: the input's code blocks and
paragraphs are found by rules of their own (below), and the output is read only
through markdown-it-py (CommonMark with raw HTML, GFM tables and strikethrough).
The one thing borrowed is the body's dialect (``postconv.post.reading.read``,
the issue's own rule), which tells whether an indented line is code and whether
text runs are counted as HTML or as Markdown.

How the input is read
---------------------
First the parts of a body that are neither HTML nor Markdown are cut out,
outside Markdown code (fences, indented code, code spans) and outside ``<pre>``
(what a ``<pre>`` holds is text it shows): Liquid ``{% highlight x %}…{%
endhighlight %}`` and Hugo ``{{< highlight x >}}`` blocks and WordPress code
shortcodes (``[sourcecode language="x"]``, ``[code lang=x]``, ``[php]``…, closed
by ``[/name]`` or jekyll-import's ``[&#47;name]``) become code blocks; other
template tags are dropped (they are no paragraph text). Each cut-out code block
leaves a placeholder that holds no word character. ``<&#47;`` and ``&#47;>`` are
repaired. Then, by dialect:

- *HTML*: Markdown fences standing at a line start outside ``<pre>`` are code
  blocks, and the rest is parsed with lxml. Code blocks are ``<pre>`` elements
  and highlighter tables (rows of a line-number gutter cell and a code cell).
- *Markdown*: ``<pre>…</pre>`` and highlighter ``<table>`` regions outside
  Markdown code are code blocks (parsed with lxml), then markdown-it finds fenced
  and indented code. An element that an HTML block leaves open goes on over blank
  lines, as kramdown and browsers read it: inside a table, list, quote or figure
  nothing is code or a top-level paragraph, and inside a ``<div>`` an indented
  line that starts with a tag is HTML, not code.

A code block's lines are its text with ``<br>`` and block tags as line ends,
entities decoded, tags stripped, ``script``/``style`` content left out (a
browser shows none), U+00A0 read as a space; blank lines do not count, nor do
lines that hold only a code shortcode tag left inside a ``<pre>``. A shortcode's
content may also be read with only ``<br>`` and ``<p>`` as line ends (other
``<tags>`` are code, as in ``[php]<?php``), and with Markdown backslash escapes
taken away (exporters escaped it): any reading may match. Its language comes
from ``language-x``, ``lang-x``, ``highlight-x``, ``brush: x``, ``data-lang``, a
``lang`` attribute naming a programming language (WP-Syntax's ``<pre
lang="x">``), a bare class that is a language name, the shortcode's
``language``/``lang`` attribute or name, or the highlight tag's argument.

How the output is read
----------------------
Output code blocks are markdown-it's fenced and indented code blocks at any
depth, plus Liquid/Hugo highlight blocks (kept as written, shown as code by the
site). A line matches modulo trailing whitespace; the language matches the
fence's first info word, case and common aliases aside.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from markdown_it import MarkdownIt

#: how the output is read: CommonMark, raw HTML, GFM tables and strikethrough (the
#: converter writes ``~~`` for ``<strike>``, so a ``\\~`` there is needed, not needless)
md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

WORD = re.compile(r"\w")
PLACEHOLDER = re.compile("\ue000.\ue001")
_TAG = re.compile(r"<[^<>]*>")
_BLANK_SPLIT = re.compile(r"\n[ \t]*\n")


def placeholder(number: int) -> str:
    """A token for a cut-out code block: private-use characters, no word character."""
    return f"\ue000{chr(0xE100 + number)}\ue001"


# ---------------------------------------------------------------------------
# languages

_ALIASES = [
    {"js", "javascript", "jscript", "ecmascript"},
    {"py", "python", "python3", "py3"},
    {"sh", "bash", "shell", "console", "zsh", "shell-session"},
    {"go", "golang"},
    {"yml", "yaml"},
    {"rb", "ruby"},
    {"pl", "perl"},
    {"html", "xhtml"},
    {"text", "plain", "plaintext", "txt", "none"},
    {"cpp", "c++"},
    {"csharp", "c-sharp", "cs", "c#"},
    {"objc", "obj-c", "objectivec", "objective-c"},
    {"ps", "powershell", "ps1"},
    {"tex", "latex"},
    {"vb", "vbnet"},
    {"as3", "actionscript3"},
    {"erl", "erlang"},
    {"clj", "clojure"},
    {"patch", "diff"},
]


def same_language(wanted: str, info: str) -> bool:
    """True when a fence's info string names the language ``wanted`` (case and the
    usual aliases aside)."""
    found = info.strip().split()[0].lower() if info.strip() else ""
    wanted = wanted.lower()
    if found == wanted:
        return True
    return any(found in group and wanted in group for group in _ALIASES)


# ---------------------------------------------------------------------------
# input: cut-out parts


@dataclass
class CodeBlock:
    language: str
    #: each line's acceptable readings (any of them may appear in the output)
    lines: list[set[str]]
    where: str


@dataclass
class Prepared:
    text: str
    code: list[CodeBlock] = field(default_factory=list)


def _norm_line(line: str) -> str:
    return line.replace("\xa0", " ").rstrip()


def _lines_of(*readings: str) -> list[set[str]]:
    """Non-blank lines of one or more readings of the same code (line-aligned or not)."""
    split = [[_norm_line(line) for line in reading.split("\n")] for reading in readings]
    first = split[0]
    if all(len(s) == len(first) for s in split):
        return [
            {s[i] for s in split} for i in range(len(first)) if any(s[i].strip() for s in split)
        ]
    return [{line} for line in first if line.strip()]


def _markdown_code_ranges(body: str) -> list[tuple[int, int]]:
    """Character ranges of fenced/indented code blocks and code spans (markdown-it for
    blocks, a backtick-run matcher per blank-line-separated stretch for spans)."""
    ranges: list[tuple[int, int]] = []
    offsets = [0]
    for line in body.split("\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    for token in md.parse(body):
        if token.type in ("fence", "code_block") and token.map:
            start, end = token.map
            ranges.append((offsets[start], offsets[min(end, len(offsets) - 1)]))
    position = 0
    for stretch in [*_BLANK_SPLIT.finditer(body), None]:
        stop = len(body) if stretch is None else stretch.start()
        ranges.extend(_code_spans(body, position, stop))
        if stretch is not None:
            position = stretch.end()
    return sorted(ranges)


def _code_spans(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    runs = [(m.start(), len(m.group())) for m in re.finditer(r"`+", text[start:stop])]
    spans = []
    index = 0
    while index < len(runs):
        at, length = runs[index]
        closing = next((j for j in range(index + 1, len(runs)) if runs[j][1] == length), None)
        if closing is None:
            index += 1
            continue
        spans.append((start + at, start + runs[closing][0] + length))
        index = closing + 1
    return spans


def _inside(ranges: list[tuple[int, int]], position: int) -> bool:
    return any(low <= position < high for low, high in ranges)


_CODE_SHORTCODES = frozenset(
    {"code", "sourcecode", "source", "syntax", "cc"}
    | {"as3", "actionscript3", "bash", "shell", "sh", "coldfusion", "cf", "clojure", "clj"}
    | {"cpp", "c", "c-sharp", "csharp", "css", "delphi", "pascal", "diff", "patch", "erlang"}
    | {"erl", "go", "golang", "groovy", "haskell", "java", "javafx", "js", "jscript"}
    | {"javascript", "json", "latex", "tex", "lua", "matlab", "objc", "perl", "pl", "php"}
    | {"plain", "text", "powershell", "ps", "py", "python", "r", "ruby", "rb", "rails", "rust"}
    | {"scala", "sql", "swift", "vb", "vbnet", "xml", "xhtml", "xslt", "html", "yaml", "yml"}
)
_SHORTCODE_TAGS = re.compile(
    r"\[/?(?:" + "|".join(sorted(_CODE_SHORTCODES, key=len, reverse=True)) + r")\b[^\[\]\n]*\]",
    re.I,
)
_GENERIC = frozenset({"code", "sourcecode", "source", "syntax", "cc"})
_SHORTCODE_OPEN = re.compile(r"\[([A-Za-z][\w-]*)((?:\s[^\[\]\n]*)?)\]")
_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
_QUOTES = "\"'“”„″‘’ "
_LIQUID_HIGHLIGHT = re.compile(
    r"\{%-?\s*highlight\s*([^\s%]*)[^%]*-?%\}(.*?)\{%-?\s*endhighlight\s*-?%\}", re.S
)
_HUGO_HIGHLIGHT = re.compile(
    r"\{\{[<%]\s*highlight\s+\"?([^\s\">%]*)[^}]*[>%]\}\}(.*?)\{\{[<%]\s*/\s*highlight\s*[>%]\}\}",
    re.S,
)
_LIQUID_DROPPED = re.compile(
    r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}|\{%.{0,2000}?%\}|\{\{.{0,2000}?\}\}",
    re.S,
)
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_BR = re.compile(r"<br\s*/?>[ \t]*\n?", re.I)
_P_TAG = re.compile(r"</?p\b[^<>]*>", re.I)
_FORMATTING = re.compile(
    r"</?(?:p|div|span|font|b|strong|i|em|u|a|code|pre|tt|small|big|s|strike|del|ins|mark)"
    r"\b[^<>]*>",
    re.I,
)


def _language_attribute(attributes: str) -> str:
    for name, *values in _ATTRIBUTE.findall(html.unescape(attributes)):
        if name.lower() in ("language", "lang"):
            return next((v for v in values if v), "").strip(_QUOTES).lower()
    return ""


def _shortcode_readings(content: str) -> list[set[str]]:
    content = content.replace("&#47;", "/")
    lines_only = _P_TAG.sub("\n", _BR.sub("\n", content))
    stripped = html.unescape(_FORMATTING.sub("", lines_only))
    kept = html.unescape(lines_only)
    return _lines_of(stripped, kept, _MARKDOWN_ESCAPE.sub(r"\1", stripped))


def cut_templates(body: str, masks: list[tuple[int, int]]) -> Prepared:
    """Cut out template code blocks and code shortcodes; drop other template tags."""
    prepared = Prepared("")
    pieces: list[str] = []
    position = 0
    search = 0
    patterns = (_LIQUID_HIGHLIGHT, _HUGO_HIGHLIGHT, _SHORTCODE_OPEN, _LIQUID_DROPPED)
    cache: dict[re.Pattern[str], re.Match[str] | None] = {}
    while True:
        candidates = []
        for pattern in patterns:
            match = cache.get(pattern, body)  # the body: not searched yet
            if match is body or (match is not None and match.start() < search):
                match = pattern.search(body, search)
                while match is not None and _inside(masks, match.start()):
                    match = pattern.search(body, match.start() + 1)
                cache[pattern] = match
            if match is not None:
                candidates.append((match.start(), pattern is not _LIQUID_DROPPED, match))
        if not candidates:
            break
        candidates.sort(key=lambda c: (c[0], not c[1]))
        start, _, match = candidates[0]
        replacement: str | None = None
        end = match.end()
        if match.re is _LIQUID_HIGHLIGHT or match.re is _HUGO_HIGHLIGHT:
            code = match.group(2).strip("\n")
            prepared.code.append(CodeBlock(match.group(1).lower(), _lines_of(code), "highlight"))
            replacement = placeholder(len(prepared.code) - 1)
        elif match.re is _SHORTCODE_OPEN:
            name = match.group(1)
            if name.lower() in _CODE_SHORTCODES:
                closer = re.compile(rf"\[(?:/|&#47;){re.escape(name)}\]", re.I)
                close = closer.search(body, match.end())
                if close is not None:
                    language = (
                        _language_attribute(match.group(2))
                        if name.lower() in _GENERIC
                        else name.lower()
                    )
                    content = body[match.end() : close.start()]
                    prepared.code.append(
                        CodeBlock(language, _shortcode_readings(content), f"[{name}]")
                    )
                    replacement = placeholder(len(prepared.code) - 1)
                    end = close.end()
        else:
            replacement = ""
        if replacement is None:
            search = match.start() + 1
            continue
        pieces += (body[position:start], replacement)
        position = search = end
    pieces.append(body[position:])
    prepared.text = "".join(pieces)
    return prepared


# ---------------------------------------------------------------------------
# input: HTML code


_BLOCK_IN_CODE = frozenset({"p", "div", "li", "tr", "dt", "dd", "h1", "h2", "h3", "h4", "h5"})
_LANGUAGE_CLASS = re.compile(r"(?:^|\s)(?:language|lang|highlight-source|highlight)-([\w+#.-]+)")
_BRUSH = re.compile(r"\bbrush\s*:\s*([\w+#.-]+)", re.I)
_BARE_LANGUAGES = frozenset(
    {"bash", "sh", "shell", "c", "cpp", "css", "go", "html", "xml", "java", "javascript", "js"}
    | {"json", "perl", "php", "py", "python", "r", "rb", "ruby", "sql", "yaml", "scala", "rust"}
)
_GUTTER = re.compile(r"^[\d\s.:]*\d[\d\s.:]*$")


def code_text(element: etree._Element) -> str:
    """An element's text as code: ``<br>`` and block tags end lines."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):
            if child.tag in ("script", "style"):
                pass  # not shown
            elif child.tag == "br":
                parts.append("\n")
            elif child.tag in _BLOCK_IN_CODE:
                parts += ("\n", code_text(child), "\n")
            else:
                parts.append(code_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def element_language(element: etree._Element, bare: bool = True) -> str:
    for name in ("data-lang", "data-language"):
        if element.get(name):
            return element.get(name, "").strip().lower()
    # WP-Syntax's <pre lang="php">; lang="en" is a natural language, not code
    spoken = (element.get("lang") or "").strip().lower()
    if element.tag in ("pre", "code") and spoken in _BARE_LANGUAGES | _CODE_SHORTCODES:
        return spoken
    classes = element.get("class") or ""
    found = _LANGUAGE_CLASS.search(classes) or _BRUSH.search(classes)
    if found:
        return found.group(1).lower()
    if bare:
        for name in classes.lower().split():
            if name in _BARE_LANGUAGES:
                return name
    return ""


def _pre_language(pre: etree._Element) -> str:
    code = pre.find("code")
    candidates = [(pre, True)] + ([(code, True)] if code is not None else [])
    candidates += [(ancestor, False) for ancestor in list(pre.iterancestors())[:2]]
    for element, bare in candidates:
        language = element_language(element, bare)
        if language:
            return language
    return ""


def highlighter_table_lines(table: etree._Element) -> tuple[str, list[str]] | None:
    """The code lines of a highlighter table (gutter cell + code cell per row)."""
    rows = [row for row in table.iter("tr") if next(row.iterancestors("table"), None) is table]
    if not rows:
        return None
    lines: list[str] = []
    for row in rows:
        cells = [cell for cell in row if cell.tag in ("td", "th")]
        if len(cells) != 2 or not _GUTTER.match(code_text(cells[0])):
            return None
        if cells[1].find(".//pre") is None and "code" not in (cells[1].get("class") or ""):
            return None
        lines.extend(code_text(cells[1]).split("\n"))
    language = ""
    for element in (table, *list(table.iterancestors())[:3], *table.iter("pre", "code")):
        language = element_language(element)
        if language:
            break
    return language, lines


def parse_html(fragment: str) -> etree._Element:
    document = lxml.html.document_fromstring(f"<html><body><div>{fragment}</div></body></html>")
    return document.find("body")


def html_code_blocks(root: etree._Element, where: str) -> list[CodeBlock]:
    blocks = []
    for table in root.iter("table"):
        found = highlighter_table_lines(table)
        if found is not None:
            blocks.append(CodeBlock(found[0], _lines_of("\n".join(found[1])), f"{where} table"))
    for pre in root.iter("pre"):
        if next(pre.iterancestors("pre"), None) is not None:
            continue
        if any(highlighter_table_lines(t) for t in pre.iterancestors("table")):
            continue
        text = code_text(pre)
        # a code shortcode inside <pre> (an exporter's leftover) marks no line of code
        lines = _lines_of(text, _SHORTCODE_TAGS.sub("", text))
        lines = [readings for readings in lines if all(r.strip() for r in readings)]
        blocks.append(CodeBlock(_pre_language(pre), lines, f"{where} <pre>"))
    return blocks


# ---------------------------------------------------------------------------
# input: per dialect

_HTML_FENCE = re.compile(
    r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)\n(?P<code>.*?)\n {0,3}(?P=fence)[`~]*[ \t]*$",
    re.M | re.S,
)
_PRE_REGION = re.compile(r"<pre\b[^>]*>.*?</pre\s*>", re.S | re.I)
_TABLE_REGION = re.compile(r"<table\b[^>]*>.*?</table\s*>", re.S | re.I)


def repair_slashes(text: str) -> str:
    return text.replace("<&#47;", "</").replace("&#47;>", "/>")


@dataclass
class Input:
    dialect: str
    code: list[CodeBlock]
    paragraphs: int


def read_input(body: str, dialect: str) -> Input:
    if dialect == "markdown":
        return _read_markdown(body)
    return _read_html(body)


def _pre_ranges(text: str, masks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``<pre>`` elements (outside ``masks``): their shortcodes are text they show."""
    return [m.span() for m in _PRE_REGION.finditer(text) if not _inside(masks, m.start())]


def _read_html(body: str) -> Input:
    body = repair_slashes(body)
    prepared = cut_templates(body, _pre_ranges(body, []))
    text = prepared.text
    code = prepared.code

    def fence(match: re.Match[str]) -> str:
        info = match.group("info").strip()
        code.append(CodeBlock(info.split()[0] if info else "", _lines_of(match["code"]), "fence"))
        return placeholder(len(code) - 1)

    # fences stand outside tags: only where no <pre> is open
    pieces, position = [], 0
    for pre in _PRE_REGION.finditer(text):
        pieces += (_HTML_FENCE.sub(fence, text[position : pre.start()]), pre.group())
        position = pre.end()
    pieces.append(_HTML_FENCE.sub(fence, text[position:]))
    root = parse_html("".join(pieces))
    code.extend(html_code_blocks(root, "html"))
    return Input("html", code, count_html_paragraphs(root))


def _read_markdown(body: str) -> Input:
    body = repair_slashes(body)
    masks = _markdown_code_ranges(body)
    prepared = cut_templates(body, sorted(masks + _pre_ranges(body, masks)))
    text = prepared.text
    code = prepared.code
    masks = _markdown_code_ranges(text)
    pieces, position = [], 0
    regions = sorted(
        [m for m in _PRE_REGION.finditer(text) if not _inside(masks, m.start())]
        + [m for m in _TABLE_REGION.finditer(text) if not _inside(masks, m.start())],
        key=lambda m: m.start(),
    )
    for region in regions:
        if region.start() < position:
            continue  # nested in the region before
        root = parse_html(region.group())
        found = html_code_blocks(root, "markdown")
        if not found:
            continue
        code.extend(found)
        pieces += (text[position : region.start()], placeholder(len(code) - 1))
        position = region.end()
    pieces.append(text[position:])
    text = "".join(pieces)
    paragraphs = 0
    tokens = md.parse(text)
    open_elements: list[str] = []
    for index, token in enumerate(tokens):
        # As kramdown and browsers read it, an element left open by an HTML block goes
        # on over blank lines. Inside a table, list, quote or <pre>, what follows up to
        # its end tag is part of it (no code block, no top-level paragraph); inside a
        # <div>, indented lines that start with a tag are HTML, not code.
        if (
            token.level == 0
            and token.type != "paragraph_close"
            and (
                _SKIPPED.intersection(open_elements)
                or (
                    open_elements
                    and token.type == "code_block"
                    and token.content.lstrip()[:1] == "<"
                )
            )
        ):
            content = tokens[index + 1].content if token.type == "paragraph_open" else token.content
            _track_elements(content, open_elements)
            continue
        if token.level == 0 and token.type == "html_block":
            _track_elements(token.content, open_elements)
        if token.type in ("fence", "code_block"):
            info = token.info.strip() if token.type == "fence" else ""
            language = info.split()[0] if info else ""
            code.append(CodeBlock(language, _lines_of(token.content), token.type))
        if token.level != 0:
            continue
        if token.type == "paragraph_open":
            inline = tokens[index + 1].content
            if WORD.search(PLACEHOLDER.sub("", _TAG.sub("", inline))):
                paragraphs += 1
        elif token.type == "html_block":
            paragraphs += count_html_paragraphs(parse_html(token.content))
    return Input("markdown", code, paragraphs)


_CONTAINER_TAG = re.compile(
    r"<(/?)(table|ul|ol|dl|blockquote|figure|pre|div|section|article|center)\b[^<>]*>", re.I
)


def _track_elements(html_text: str, open_elements: list[str]) -> None:
    """Update the stack of container elements left open, from one HTML block."""
    for match in _CONTAINER_TAG.finditer(html_text):
        name = match.group(2).lower()
        if not match.group(1):
            open_elements.append(name)
        elif name in open_elements:
            while open_elements.pop() != name:
                pass


# ---------------------------------------------------------------------------
# paragraphs

#: elements that end a paragraph run where they start and end
_BREAKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer"}
    | {"aside", "main", "nav", "center", "address", "hr", "form", "fieldset", "details"}
    | {"summary", "body", "html"}
)
#: containers whose content is not counted (each becomes one block, or none, at the top
#: level of the output), and whose text is no paragraph of its own
_SKIPPED = frozenset(
    {"pre", "script", "style", "textarea", "noscript", "template", "ul", "ol", "dl", "table"}
    | {"blockquote", "figure", "iframe", "object", "embed", "video", "audio", "svg", "math"}
    | {"select", "head", "title"}
)
#: inline code: its blank lines are no paragraph breaks
_NO_SPLIT = frozenset({"code", "tt", "kbd", "samp"})
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def count_html_paragraphs(root: etree._Element) -> int:
    """Paragraph runs of an HTML tree, at the top level (outside lists, tables, quotes,
    figures, code and embeds).

    A run ends at the start or end of a block element (``<p>``, ``<div>``, a heading…),
    at a skipped container, and at a blank line in text outside ``code``/``pre``
    (WordPress's paragraph break, wherever it stands). Runs with a word character count.
    ``<br>`` ends no run (``<br><br>`` separated paragraphs are not counted apart).
    """
    count = 0
    has_words = False

    def flush() -> None:
        nonlocal count, has_words
        if has_words:
            count += 1
        has_words = False

    def text(value: str | None, split: bool) -> None:
        nonlocal has_words
        if not value:
            return
        pieces = _BLANK_SPLIT.split(value) if split else [value]
        for number, piece in enumerate(pieces):
            if number:
                flush()
            if WORD.search(PLACEHOLDER.sub("", piece)):
                has_words = True

    # iterative walk: ("enter", element, split) and ("tail", element, split)
    stack: list[tuple[str, etree._Element, bool]] = [("enter", root, True)]
    while stack:
        action, element, split = stack.pop()
        if action == "tail":
            if isinstance(element.tag, str) and element.tag in _BREAKS:
                flush()
            text(element.tail, split)
            continue
        tag = element.tag if isinstance(element.tag, str) else None
        if element is not root:
            stack.append(("tail", element, split))
        if tag is None:
            continue  # comments, processing instructions
        if tag in _SKIPPED or _HIDDEN.search(element.get("style") or ""):
            flush()
            continue
        if tag in _BREAKS:
            flush()
        inner_split = split and tag not in _NO_SPLIT
        text(element.text, inner_split)
        for child in reversed(element):
            stack.append(("enter", child, inner_split))
    flush()
    return count


def count_output_blocks(markdown: str) -> int:
    """Top-level blocks of rendered Markdown (paragraphs, headings, lists, quotes, code,
    tables, HTML blocks, rules)."""
    return sum(
        1
        for token in md.parse(markdown)
        if token.level == 0 and token.nesting in (0, 1) and token.block and token.type != "inline"
    )


# ---------------------------------------------------------------------------
# output code


def output_template_code(markdown: str) -> list[tuple[int, int, str, str]]:
    """(start, end, language, code) of each Liquid or Hugo highlight block outside
    Markdown code: template tags are kept as written, and the site shows them as code."""
    masks = _markdown_code_ranges(markdown)
    found = []
    for pattern in (_LIQUID_HIGHLIGHT, _HUGO_HIGHLIGHT):
        for match in pattern.finditer(markdown):
            if not _inside(masks, match.start()):
                found.append((match.start(), match.end(), match.group(1), match.group(2)))
    return found


def output_code_blocks(markdown: str) -> list[tuple[str, set[str]]]:
    """(info string, set of lines) of each fenced or indented code block, at any depth,
    and of each highlight template block."""
    blocks = [
        (token.info if token.type == "fence" else "", token.content)
        for token in md.parse(markdown)
        if token.type in ("fence", "code_block")
    ]
    blocks += [(language, code) for _, _, language, code in output_template_code(markdown)]
    return [(info, {_norm_line(line) for line in code.split("\n")}) for info, code in blocks]


def missing_code_lines(code: list[CodeBlock], output: str) -> list[str]:
    """Input code lines found in no output code block (of the input's language, if named)."""
    blocks = output_code_blocks(output)
    problems = []
    for block in code:
        wanted = block.language
        allowed = [lines for info, lines in blocks if not wanted or same_language(wanted, info)]
        anywhere = [lines for _, lines in blocks]
        for readings in block.lines:
            if any(readings & lines for lines in allowed):
                continue
            detail = "in no output code block"
            if wanted and any(readings & lines for lines in anywhere):
                detail = f"in no output code block of language {wanted!r}"
            line = min(readings, key=len)
            problems.append(f"{block.where} line {line!r} {detail}")
    return problems


# ---------------------------------------------------------------------------
# needless backslashes

_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")


def needless_backslashes(markdown: str, source: str = "") -> list[str]:
    """Backslashes before ASCII punctuation whose removal leaves the rendering unchanged.

    Each is tested in its *unit*: the top-level blocks it belongs to, merged with the
    blocks that touch them without a blank line in between (a reference definition's
    lines too), rendered with the link references of the whole document. A change
    that reaches beyond a unit (a fence or an HTML block opened, a reference defined,
    a setext underline) changes the unit's own rendering first, so the test is sound.
    Backslashes in fenced and indented code are literal: not tested. Nor is a
    backslash that stands in ``source`` as written, with the text around it on its
    line (a Markdown body is kept as its author wrote it, needless escapes and all).
    """
    env: dict = {}
    tokens = md.parse(markdown, env)
    lines = markdown.split("\n")
    spans: list[list[int]] = []
    literal: set[int] = set()
    for token in tokens:
        if token.level != 0 or not token.map or token.nesting == -1:
            continue
        start, end = token.map
        if token.type in ("fence", "code_block"):
            literal.update(range(start, end))
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    for start, end, _, _ in output_template_code(markdown):
        first = markdown.count("\n", 0, start)
        literal.update(range(first + 1, markdown.count("\n", 0, end)))
    covered = {line for low, high in spans for line in range(low, high)}
    # lines no token covers (reference definitions): units of their own
    run: list[int] | None = None
    for number, line in enumerate(lines):
        if number in covered or not line.strip():
            run = None
            continue
        if run is None:
            run = [number, number + 1]
            spans.append(run)
        else:
            run[1] = number + 1
    spans.sort()
    merged: list[list[int]] = []
    for low, high in spans:
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    references = env.get("references", {})

    def render(text: str) -> str:
        return md.render(text, {"references": dict(references)})

    found = []
    for low, high in merged:
        if all(number in literal for number in range(low, high)):
            continue
        unit = "\n".join(lines[low:high])
        escapes = [
            m.start()
            for m in _ESCAPE.finditer(unit)
            if _escaping(unit, m.start())
            and _line_of(unit, m.start(), low) not in literal
            and not (source and _context(unit, m.start()) in source)
        ]
        if not escapes:
            continue
        wanted = render(unit)
        for position in escapes:
            if render(unit[:position] + unit[position + 1 :]) == wanted:
                line_start = unit.rfind("\n", 0, position) + 1
                line_end = unit.find("\n", position)
                line_end = len(unit) if line_end < 0 else line_end
                before = unit[max(line_start, position - 40) : position]
                after = unit[position + 2 : min(line_end, position + 40)]
                where = f"line {_line_of(unit, position, low) + 1}"
                found.append(f"{where}: {before!r} >>{unit[position : position + 2]}<< {after!r}")
    return found


def _context(text: str, position: int, width: int = 12) -> str:
    """The escape at ``position`` with up to ``width`` characters of its line each side."""
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    line_end = len(text) if line_end < 0 else line_end
    return text[max(line_start, position - width) : min(line_end, position + 2 + width)]


def _line_of(unit: str, position: int, first: int) -> int:
    return first + unit.count("\n", 0, position)


def _escaping(text: str, position: int) -> bool:
    count = 0
    while position - count > 0 and text[position - count - 1] == "\\":
        count += 1
    return count % 2 == 0
