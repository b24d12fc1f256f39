"""Cleaning passes for code: every line kept, and the language named.

Blogs write code in many shapes: ``<pre>`` with ``<br>`` at each line end
(WordPress's visual editor), ``<p>`` tags that wpautop put inside ``<pre>``,
syntax highlighters' tables (a line-number gutter beside the code cell), a
multi-line ``<code>`` outside any ``<pre>``. These passes turn each into a
plain ``<pre>`` of text whose ``class`` names its language (``language-x``),
which the converter writes as a fenced block.
"""

from __future__ import annotations

import re

from lxml import etree

from postconv.html import tree
from postconv.html.tree import Element
from postconv.options import Options

#: languages recognised as a bare class name (``<pre class="r">``, ``class="py"``)
KNOWN_LANGUAGES = frozenset(
    {"bash", "sh", "shell", "zsh", "console", "c", "cpp", "csharp", "cs", "css", "scss"}
    | {"diff", "go", "golang", "haskell", "html", "xml", "java", "javascript", "js", "json"}
    | {"jsx", "kotlin", "latex", "lisp", "lua", "makefile", "matlab", "objectivec", "ocaml"}
    | {"perl", "php", "powershell", "py", "python", "r", "rb", "ruby", "rust", "scala"}
    | {"sql", "swift", "tex", "ts", "typescript", "vim", "yaml", "yml", "erlang", "elixir"}
    | {"clojure", "fortran", "groovy", "julia", "nginx", "apache", "ini", "toml", "dockerfile"}
    | {"plaintext", "text", "awk", "sed", "tcl", "vb", "vbnet", "asm", "nasm", "coffeescript"}
)
_LANGUAGE_CLASS = re.compile(
    r"(?:^|\s)(?:(?:language|lang|highlight-source|highlight)-|lang:)([\w+#.-]+)"
)  # lang:x is Crayon's (<pre class="lang:php decode:true">)
#: what highlighters write when no language was chosen
_NO_LANGUAGE = frozenset({"default", "none", "nohighlight", "no-highlight"})
_BRUSH = re.compile(r"\bbrush\s*:\s*([\w+#.-]+)", re.I)
_LINE_NUMBERS = re.compile(r"^[\d\s.:]*\d[\d\s.:]*$")
_LINE_CLASS = re.compile(r"(?:^|[\s-])line(?:$|\s)")
_CODE_CELL_CLASS = re.compile(r"code", re.I)
_HIGHLIGHTER = re.compile(r"syntaxhighlighter|crayon-syntax|wp_syntax|geshi", re.I)
_CHROME = re.compile(r"(?:^|\s)(?:toolbar|crayon-toolbar|crayon-info|crayon-plain-wrap)(?:$|\s)")
_BR_IN_CODE = etree.XPath(".//pre//br | .//code//br")  # (no ancestor test for every <br>)
_BLOCKS_IN_CODE = etree.XPath(".//pre//p | .//pre//div | .//code//p | .//code//div")
_LOOSE_CODE = etree.XPath(".//code[not(ancestor::pre)]")
_NBSP_IN_CODE = etree.XPath(
    ".//pre//text()[contains(., '\u00a0')] | .//code//text()[contains(., '\u00a0')]"
)


def code_language(element: Element, bare_names: bool = True) -> str:
    """The language an element's attributes name, or ""."""
    for name in ("data-lang", "data-language"):
        if element.get(name):
            return element.get(name, "").strip().lower()
    lang = (element.get("lang") or "").strip().lower()
    if lang in KNOWN_LANGUAGES:  # WP-Syntax's <pre lang="php">; lang="en" is a human one
        return lang
    classes = element.get("class") or ""
    found = _LANGUAGE_CLASS.search(classes) or _BRUSH.search(classes)
    if found:
        language = found.group(1).lower()
        return "" if language in _NO_LANGUAGE else language
    if bare_names:
        for name in classes.lower().split():
            if name in KNOWN_LANGUAGES:
                return name
    return ""


def highlighter_tables_to_code(root: Element, options: Options) -> None:
    """A syntax highlighter's table (line numbers beside the code) becomes one ``<pre>``.

    SyntaxHighlighter, Crayon and GeSHi lay code out as a table whose rows hold
    two cells: the gutter (only line numbers) and the code (a ``<pre>``, or one
    element per line). The line numbers go; each line of code is kept.
    """
    for table in reversed(tree.elements(root, "table")):
        lines = _highlighted_lines(table)
        if lines is None:
            continue
        pre = tree.new("pre", text="\n".join(lines))
        language = _table_language(table)
        wrapper = _highlighter_wrapper(table)
        if wrapper is not None:
            language = language or _named_language(wrapper)
            _drop_chrome(wrapper)
        if language:
            pre.set("class", f"language-{language}")
        pre.tail = table.tail
        table.getparent().replace(table, pre)


def _highlighter_wrapper(table: Element) -> Element | None:
    """The element a highlighter wrapped its table in (``div.syntaxhighlighter``…)."""
    for ancestor in list(table.iterancestors())[:3]:
        if _HIGHLIGHTER.search(ancestor.get("class") or ""):
            return ancestor
    return None


def _named_language(wrapper: Element) -> str:
    """The language a highlighter's toolbar names (Crayon: ``span.crayon-language``)."""
    for label in wrapper.iter():
        if "crayon-language" in (label.get("class") or "").split():
            name = tree.text_of(label).strip().lower()
            return name if re.fullmatch(r"[\w+#.-]+", name) else ""
    return ""


def _drop_chrome(wrapper: Element) -> None:
    """Toolbars, info bars and the plain-text copy a highlighter adds around the code."""
    for element in [el for el in wrapper.iter() if _CHROME.search(el.get("class") or "")]:
        if element.getparent() is not None:
            tree.drop_tree(element)


def _highlighted_lines(table: Element) -> list[str] | None:
    rows = [row for row in table.iter("tr") if tree.owner_table(row) is table]
    if not rows:
        return None
    lines: list[str] = []
    for row in rows:
        cells = [cell for cell in row if cell.tag in ("td", "th")]
        if len(cells) != 2:
            return None
        gutter, code = cells
        if _LINE_NUMBERS.match(_code_text(gutter)) is None or code.find(".//table") is not None:
            return None
        if not (code.find(".//pre") is not None or _CODE_CELL_CLASS.search(code.get("class", ""))):
            return None
        lines.extend(_cell_lines(code))
    return lines


def _cell_lines(cell: Element) -> list[str]:
    """One element per line (``<div class="line">``), else the text of the cell."""
    per_line = [el for el in cell.iter() if _LINE_CLASS.search(el.get("class") or "")]
    if per_line:
        outermost = [el for el in per_line if not any(a in per_line for a in el.iterancestors())]
        return [_code_text(line) for line in outermost]
    return _code_text(cell).strip("\n").split("\n")


def _code_text(element: Element) -> str:
    """Text with ``<br>`` as line breaks."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if child.tag == "br":
            parts.append("\n")
        elif isinstance(child.tag, str):
            parts.append(_code_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _table_language(table: Element) -> str:
    """Named by the table, a wrapper, or the code inside (GeSHi's ``<pre class="php">``)."""
    for element in (table, *list(table.iterancestors())[:3], *table.iter("pre", "code")):
        language = code_language(element)
        if language:
            return language
    return ""


def code_line_breaks(root: Element, options: Options) -> None:
    """In code, ``<br>`` ends a line, paragraph tags stand for blank lines, and a
    no-break space is a space.

    A ``<br>`` followed by a line break is one line break, not two: editors
    write both, and readers expect one line per line of code. WordPress's
    visual editor indents with ``&nbsp;``, which no compiler reads as a space.
    """
    if not tree.has_descendant(root, "pre", "code"):
        return
    for text in _NBSP_IN_CODE(root):
        _replace_text(text, text.replace("\u00a0", " "))
    for br in _BR_IN_CODE(root):
        tail = br.tail or ""
        br.tail = "\n" + (tail[1:] if tail.startswith("\n") else tail)
        tree.drop_tree(br)
    for block in reversed(_BLOCKS_IN_CODE(root)):
        _separate(block, "\n\n" if block.tag == "p" else "\n")
        tree.drop_tag(block)


def _replace_text(text: etree._ElementUnicodeResult, value: str) -> None:
    """Set a text node found by XPath: an element's text or a child's tail."""
    if text.is_text:
        text.getparent().text = value
    else:
        text.getparent().tail = value


def _separate(block: Element, separator: str) -> None:
    """Make the text before ``block`` (if any) end with ``separator``."""
    previous = block.getprevious()
    parent = block.getparent()
    before = (previous.tail if previous is not None else parent.text) or ""
    if previous is None and not before.strip("\n"):
        return  # the block opens the code: nothing to separate it from
    joined = before.rstrip("\n") + separator
    if previous is not None:
        previous.tail = joined
    else:
        parent.text = joined


def multiline_code_to_blocks(root: Element, options: Options) -> None:
    """A ``<code>`` of several lines, on lines of its own, is a code block, not a span.

    Mid-sentence (``see <code>a<br>b</code> here``) it stays a span.
    """
    if not tree.has_descendant(root, "code"):
        return
    for code in _LOOSE_CODE(root):
        lines = [line for line in tree.text_of(code).split("\n") if line.strip()]
        if len(lines) >= 2 and on_lines_of_its_own(code):
            code.tag = "pre"


_LINE_BOUNDARIES = frozenset(
    {"br", "p", "div", "pre", "ul", "ol", "li", "table", "blockquote", "hr", "figure"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd", "section", "article", "td", "th"}
)


def on_lines_of_its_own(element: Element) -> bool:
    """Only whitespace between ``element`` and a line boundary on each side.

    Inline parents (a ``<span>`` around the code) are looked through.
    """
    node = element
    while True:
        previous = node.getprevious()
        before = previous.tail if previous is not None else node.getparent().text
        if (before or "").strip():
            return False
        if previous is not None:
            if previous.tag not in _LINE_BOUNDARIES:
                return False
            break
        node = node.getparent()
        if node is None or node.tag in _LINE_BOUNDARIES or node.getparent() is None:
            break
    node = element
    while True:
        if (node.tail or "").strip():
            return False
        following = node.getnext()
        if following is not None:
            return following.tag in _LINE_BOUNDARIES
        node = node.getparent()
        if node is None or node.tag in _LINE_BOUNDARIES or node.getparent() is None:
            return True


def label_code_languages(root: Element, options: Options) -> None:
    """Each ``<pre>`` gets ``class="language-x"`` from wherever the page named it.

    ``language-x``, ``lang-x``, ``highlight-x``, SyntaxHighlighter's ``brush: x;``,
    ``data-lang`` on the ``<pre>``, its ``<code>`` or a wrapper, or a bare class
    that is a language name on the ``<pre>`` or its ``<code>``.
    """
    for pre in tree.elements(root, "pre"):
        code = pre.find("code")
        candidates = [(pre, True), (code, True)] if code is not None else [(pre, True)]
        parent = pre.getparent()
        for _ in range(2):
            if parent is None or parent is root:
                break
            candidates.append((parent, False))
            parent = parent.getparent()
        language = next(filter(None, (code_language(el, bare) for el, bare in candidates)), "")
        for element in (pre, code):  # the converter reads the language from here only
            if element is not None:
                element.attrib.pop("class", None)
        if language:
            pre.set("class", f"language-{language}")
