"""Flatten absurdly deep HTML before a tree is built from it.

libxml2 stops at its nesting limit and silently drops the rest of the text;
markdownify recurses once per level. A streaming pass (the standard
library's tokenizer: no tree, no recursion) drops the tags, never the text,
of elements nested deeper than a bound.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: a style that hides an element, and the elements whose content never shows
DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.IGNORECASE)
INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "meta"})

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)


def flatten_deep_html(fragment: str, max_depth: int = 1000) -> str:
    """Drop the tags (never the text) of elements nested deeper than ``max_depth``.

    A streaming pass (the standard library's tokenizer, no tree, no recursion).
    Elements whose content is invisible (script, style, hidden …) keep their
    tags at any depth so their content stays invisible. Nesting is counted
    naively (an unclosed ``<p>`` counts), which only ever drops extra tags.
    """
    flattener = _Flattener(max_depth)
    flattener.feed(fragment)
    flattener.close()
    return "".join(flattener.out)


class _Flattener(HTMLParser):
    def __init__(self, max_depth: int) -> None:
        super().__init__(convert_charrefs=False)
        self.max_depth = max_depth
        self.out: list[str] = []
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, emitted, inside invisible)
        self.open_count: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}>"
        if tag in _VOID:
            self.out.append(raw)
            return
        inside = bool(self.stack) and self.stack[-1][2]
        hides = tag in INVISIBLE_TAGS or _hidden_attrs(attrs)
        keep = len(self.stack) < self.max_depth or (hides and not inside)
        if keep:
            self.out.append(raw)
        self.stack.append((tag, keep, inside or (hides and keep)))
        self.open_count[tag] = self.open_count.get(tag, 0) + 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.open_count.get(tag):
            return  # a stray end tag: dropped, as a browser would
        while True:  # pops what it scans: linear over the whole document
            open_tag, emitted, _ = self.stack.pop()
            self.open_count[open_tag] -= 1
            if open_tag == tag:
                if emitted:
                    self.out.append(f"</{tag}>")
                return

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def _hidden_attrs(attrs: list[tuple[str, str | None]]) -> bool:
    for name, value in attrs:
        if name == "hidden" or (
            name == "style" and value and DISPLAY_NONE.search(value) is not None
        ):
            return True
    return False
