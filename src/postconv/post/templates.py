"""Template tags and shortcodes: opaque to the conversion, kept byte for byte.

Jekyll expands Liquid (``{% … %}``, ``{{ … }}``) and Hugo its shortcodes
(``{{< … >}}``, ``{{% … %}}``) before any Markdown is read; WordPress expands
its shortcodes (``[gallery]``, ``[embed]…[/embed]``) when it shows a post. None
of them is HTML or Markdown, so each is replaced by a token
(:mod:`postconv.post.placeholders`) before the body is parsed, and put back as
it was. What is inside ``{% highlight %}``, ``{% raw %}`` and ``{% comment %}``
blocks, and Octopress's and Hexo's ``{% codeblock %}`` (``{% code %}``), is part
of the tag: never parsed.

Two kinds are not kept as written:

- WordPress code shortcodes (``[sourcecode language="x"]``, ``[code lang="x"]``,
  ``[php]``, ``[bash]``…) become fenced code with that language: that is what
  they showed, and no Markdown site expands them.
- ``[caption]`` is left in place: the HTML conversion turns it into an image
  and its caption.

``<!--more-->`` (the excerpt marker of WordPress, Hugo and many Jekyll themes)
is kept as well, on a line of its own; and so is an inline ``<svg>`` drawing or
``<math>`` formula, whole: they are XML of their own (case-sensitive, every
element and attribute drawn), which the HTML conversion would flatten to nothing.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from postconv.post.markdown_code import backslashes_before, code_ranges
from postconv.post.placeholders import Placeholders

_DRAWING_START = re.compile(r"<(?i:svg|math)(?=[\s/>])")
# (a shortcode's name starts with a letter)
_START = re.compile(rf"\{{[%{{]|\[/?[A-Za-z]|<!--|{_DRAWING_START.pattern}")
_DRAWING_TAG = {name: re.compile(rf"<(/?)(?i:{name})(?=[\s/>])[^<>]*>") for name in ("svg", "math")}
#: Liquid blocks whose content is theirs: Jekyll's, and Octopress's and Hexo's code blocks
_LIQUID_BLOCK = re.compile(r"\{%-?\s*(raw|comment|highlight|codeblock|code)\b")
_HUGO_HIGHLIGHT = re.compile(r"\{\{[<%]\s*highlight\b")
_MORE = re.compile(r"<!--\s*more\b[^>]*?-->", re.I)
#: ``[name attributes]``, ``[/name]``, and WordPress.com's ``[name=value]``
_SHORTCODE = re.compile(r"\[(/?)([A-Za-z][\w-]*)((?:[\s=][^\[\]]{0,2000})?)\]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_ATTRIBUTE = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
#: WordPress shortcodes that take no attributes and may stand alone
_KNOWN_SHORTCODES = frozenset(
    {"gallery", "embed", "audio", "video", "playlist", "youtube", "vimeo", "googlemaps"}
    | {"soundcloud", "tweet", "twitter", "instagram", "slideshare", "scribd", "wpvideo"}
    | {"more", "nextpage", "contact-form", "contact-form-7", "toc", "spoiler", "quote"}
)
#: SyntaxHighlighter Evolved's shortcodes (each is also its language) and the generic ones
_CODE_LANGUAGES = frozenset(
    {"as3", "actionscript3", "bash", "shell", "sh", "coldfusion", "cf", "clojure", "clj"}
    | {"cpp", "c", "c-sharp", "csharp", "css", "delphi", "pascal", "pas", "diff", "patch"}
    | {"erl", "erlang", "fsharp", "go", "golang", "groovy", "haskell", "java", "javafx", "jfx"}
    | {"js", "jscript", "javascript", "json", "latex", "tex", "lua", "matlab", "objc", "obj-c"}
    | {"perl", "pl", "php", "plain", "text", "powershell", "ps", "py", "python", "r", "rails"}
    | {"rb", "ruby", "ror", "rust", "scala", "sql", "swift", "vb", "vbnet", "xml", "xhtml"}
    | {"xslt", "html", "yaml", "yml"}
)
_GENERIC_CODE = frozenset({"code", "sourcecode", "source", "syntax", "cc"})
_LANGUAGE_KEYS = ("language", "lang")
_QUOTES = "\"'“”„″‘’"


@dataclass(frozen=True)
class Found:
    """A template found at ``text[start:end]``, and the token that replaces it."""

    start: int
    end: int
    token: str


def protect(body: str, placeholders: Placeholders) -> str:
    """``body`` with its template tags and shortcodes replaced by tokens."""
    body = placeholders.shield(body)
    if (
        "{" not in body
        and "[" not in body
        and "<!--" not in body
        and _DRAWING_START.search(body) is None
    ):
        return body
    code = code_ranges(body)  # what Markdown reads as code is left as it is
    code_index = 0
    finder = _Finder(body)
    pieces: list[str] = []
    position = 0
    search_from = 0
    while True:
        start = _START.search(body, search_from)
        if start is None:
            break
        while code_index < len(code) and code[code_index][1] <= start.start():
            code_index += 1
        if code_index < len(code) and code[code_index][0] <= start.start():
            search_from = code[code_index][1]
            continue
        if backslashes_before(body, start.start()) % 2:  # "\[code]" is text as written
            search_from = start.start() + 1
            continue
        found = _template_at(body, start.start(), placeholders, finder)
        if found is None:
            search_from = start.start() + 1
            continue
        pieces += (body[position : found.start], found.token)
        position = search_from = found.end
    pieces.append(body[position:])
    return "".join(pieces)


class _Finder:
    """``str.find`` and ``re.search`` from a position, answers remembered (linear time)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[object, tuple[int, int, int]] = {}

    def find(self, needle: str, position: int) -> int:
        return self._search(needle, position, lambda p: (self.text.find(needle, p),) * 2)[0]

    def search(self, pattern: re.Pattern[str], position: int) -> tuple[int, int]:
        def run(p: int) -> tuple[int, int]:
            match = pattern.search(self.text, p)
            return (match.start(), match.end()) if match else (-1, -1)

        return self._search(pattern, position, run)

    def _search(
        self, key: object, position: int, run: Callable[[int], tuple[int, int]]
    ) -> tuple[int, int]:
        remembered = self.found.get(key)
        if remembered is not None:
            searched, start, end = remembered
            if searched <= position and (start < 0 or start >= position):
                return start, end
        start, end = run(position)
        self.found[key] = (position, start, end)
        return start, end


def _template_at(body: str, at: int, placeholders: Placeholders, finder: _Finder) -> Found | None:
    opener = body[at : at + 2]
    if opener == "{%":
        block = _LIQUID_BLOCK.match(body, at)
        if block:
            end_tag = re.compile(rf"\{{%-?\s*end{block.group(1)}\s*-?%\}}")
            return _keep(body, at, finder.search(end_tag, at)[1], placeholders)
        return _keep(body, at, _tag_end(body, at, finder.find("%}", at + 2), 2), placeholders)
    if opener == "{{":
        if body.startswith(("{{<", "{{%"), at):
            closer = ">}}" if body[at + 2] == "<" else "%}}"
            if _HUGO_HIGHLIGHT.match(body, at):
                closing = re.compile(r"\{\{[<%]\s*/\s*highlight\s*[>%]\}\}")
                return _keep(body, at, finder.search(closing, at)[1], placeholders)
            return _keep(body, at, _tag_end(body, at, finder.find(closer, at + 3), 3), placeholders)
        return _keep(body, at, _tag_end(body, at, finder.find("}}", at + 2), 2), placeholders)
    if opener == "<!":
        more = _MORE.match(body, at)
        if more is None:
            return None
        return Found(at, more.end(), placeholders.add(more.group(), block=True))
    if opener[0] == "<":
        return _keep(body, at, _drawing_end(body, at), placeholders)
    return _shortcode_at(body, at, placeholders, finder)


def _drawing_end(body: str, at: int) -> int:
    """Where the ``<svg>`` (``<math>``) element that starts at ``at`` ends, nested ones
    within it; -1 when it is never closed."""
    name = "svg" if body[at + 1 : at + 4].lower() == "svg" else "math"
    return _drawing_ends(body, name).get(at, -1)


@lru_cache(maxsize=4)
def _drawing_ends(body: str, name: str) -> dict[int, int]:
    """Where each ``name`` element of ``body`` that is closed ends, by where it starts:
    found in one pass (a body of unclosed ``<svg>`` tags must not cost a scan each)."""
    ends: dict[int, int] = {}
    opened: list[int] = []
    for tag in _DRAWING_TAG[name].finditer(body):
        if not tag.group(1):
            if tag.group().endswith("/>"):
                ends[tag.start()] = tag.end()
            else:
                opened.append(tag.start())
        elif opened:
            ends[opened.pop()] = tag.end()
    return ends


def _after(found: int, length: int) -> int:
    return found + length if found >= 0 else -1


def _tag_end(body: str, at: int, found: int, length: int) -> int:
    """Where a tag opened at ``at`` ends (its closer found at ``found``), or -1: a tag
    never runs over a blank line (an unclosed ``{{`` must not take paragraphs)."""
    end = _after(found, length)
    if end < 0:
        return -1
    blank_lines = _blank_lines(body)
    index = bisect.bisect_left(blank_lines, at)
    return -1 if index < len(blank_lines) and blank_lines[index] < end else end


@lru_cache(maxsize=4)
def _blank_lines(body: str) -> list[int]:
    """Where the blank lines of ``body`` start, in order."""
    return [match.start() for match in _BLANK_LINE.finditer(body)]


def _keep(body: str, start: int, end: int, placeholders: Placeholders) -> Found | None:
    """A template kept byte for byte: a block token when it has its lines to itself."""
    if end < 0:
        return None
    line_start = body.rfind("\n", 0, start) + 1
    line_end = body.find("\n", end)
    line_end = len(body) if line_end < 0 else line_end
    indent = body[line_start:start]
    block = not indent.strip() and not body[end:line_end].strip()
    # a block's later lines hold the indentation of its first: put back, they keep it
    token = placeholders.add(body[start:end], block=block, indent=indent if block else "")
    return Found(start, end, token)


def opens_shortcode(text: str, at: int) -> bool:
    """True when the ``[`` at ``at`` would be read as a shortcode (kept as written, or
    made code), exactly as :func:`protect` reads it, the backslashes before it aside:
    text that must keep its backslash (``\\[php]x[/php]``) to stay text."""
    return _shortcode(text, at, _Finder(text)) is not None


@dataclass(frozen=True)
class _Shortcode:
    """A shortcode read at ``start``: it ends at ``end``; ``code`` is a code
    shortcode's content and language (``end`` is then its closer's)."""

    start: int
    end: int
    code: tuple[str, str] | None = None


def _shortcode(body: str, at: int, finder: _Finder, follow: bool = True) -> _Shortcode | None:
    """The shortcode :func:`protect` takes at ``at``, if any.

    One directly followed by ``[`` must be followed by a shortcode
    (``[audio mp3=x][/audio]``), not by a link's label (``[x][1]``); ``follow``
    False: what follows is not looked at.
    """
    match = _shortcode_shape(body, at)
    if match is None:
        return None
    closing, name, attributes = match.group(1), match.group(2), match.group(3)
    key, end = name.lower(), match.end()
    if follow and body[end : end + 1] == "[" and _shortcode(body, end, finder, False) is None:
        return None  # "[x][y]": a reference link
    if attributes.startswith("="):  # WordPress.com's "[youtube=http://…]"
        return None if closing or key not in _KNOWN_SHORTCODES else _Shortcode(at, end)
    if not closing and (key in _CODE_LANGUAGES or key in _GENERIC_CODE):
        close_start, close_end = _closer(body, name, end, finder)
        if close_start >= 0:
            language = _language(attributes) if key in _GENERIC_CODE else key
            return _Shortcode(at, close_end, (body[end:close_start], language))
    paired = closing or _closer(body, name, end, finder)[0] >= 0
    if not (paired or "=" in attributes or key in _KNOWN_SHORTCODES or "_" in key):
        return None
    return _Shortcode(at, end)


def _shortcode_shape(body: str, at: int) -> re.Match[str] | None:
    """The shortcode-shaped ``[name attributes]`` at ``at``, if it can be one."""
    match = _SHORTCODE.match(body, at)
    if match is None or body[match.end() : match.end() + 1] in ("(", ":"):
        return None  # a link, a reference definition
    attributes = match.group(3)
    if "<" in attributes or ">" in attributes:
        return None  # WordPress reads shortcodes between tags, never across one
    if "\n" in attributes and _BLANK_LINE.search(attributes):
        return None  # a shortcode's attributes may wrap, but not span paragraphs
    return None if match.group(2).lower() == "caption" else match


def _shortcode_at(body: str, at: int, placeholders: Placeholders, finder: _Finder) -> Found | None:
    found = _shortcode(body, at, finder)
    if found is None:
        return None
    if found.code is None:
        return _keep(body, at, found.end, placeholders)
    token = placeholders.add(body[at : found.end], True, found.code)
    return Found(at, found.end, token)


def _closer(body: str, name: str, position: int, finder: _Finder) -> tuple[int, int]:
    """The first ``[/name]`` (or jekyll-import's ``[&#47;name]``) after ``position``;
    ``\\[/name]`` is text, no closer."""
    candidates = []
    for needle in (f"[/{name}]", f"[&#47;{name}]"):
        found = finder.find(needle, position)
        while found > 0 and backslashes_before(body, found) % 2:
            found = body.find(needle, found + 1)
        if found >= 0:
            candidates.append((found, found + len(needle)))
    return min(candidates) if candidates else (-1, -1)


def _language(attributes: str) -> str:
    """``language="x"`` or ``lang=x``, quotes (smart ones too, and as entities) dropped."""
    for name, *values in _ATTRIBUTE.findall(html.unescape(attributes)):
        if name.lower() in _LANGUAGE_KEYS:
            value = next((value for value in values if value), "")
            return value.strip(_QUOTES + " ").lower()
    return ""
