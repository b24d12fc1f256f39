"""Find HTML tags in a post body without building a tree.

The body model needs to know where HTML is before anything is parsed: which
blank lines sit inside a tag or an open container, which spans of a Markdown
paragraph are inline HTML. :func:`iter_tags` finds tags by CommonMark's
grammar for raw HTML (open and closing tags, comments, processing
instructions, declarations, CDATA), in time linear in the text: every search
for a closing delimiter is remembered, so no stretch of text is scanned twice
for the same delimiter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Kind = Literal["open", "close", "void", "comment", "other"]

#: elements whose start tag needs no end tag
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr"}
)
#: elements whose content is text, never tags
RAW_TEXT = frozenset({"script", "style", "textarea", "xmp"})

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTRIBUTE_NAME = re.compile(r"\s+[A-Za-z_:][A-Za-z0-9_.:-]*")
_EQUALS = re.compile(r"\s*=\s*")
_UNQUOTED = re.compile(r"[^\"'=<>`\s]+")
_TAG_END = re.compile(r"\s*/?>")
_CLOSE_END = re.compile(r"\s*>")
_DECLARATION = re.compile(r"<![A-Za-z]")
#: a whole start tag as the step-by-step reading below finds it, for the common case of
#: quoted values without ``<`` nor a line break (so a quote left open costs no search)
_START_TAG = re.compile(
    r"<([A-Za-z][A-Za-z0-9-]*)"
    r"(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*"
    r"(?:\s*=\s*(?:[^\"'=<>`\s]+|'[^'<\n]*'|\"[^\"<\n]*\"))?)*"
    r"\s*(/?)>"
)


@dataclass(frozen=True)
class Tag:
    """One tag: ``text[start:end]``; ``name`` is lower case ("" for comments and others)."""

    start: int
    end: int
    kind: Kind
    name: str


class _Finder:
    """``text.find`` that remembers its answers, so repeated searches stay linear."""

    def __init__(self, text: str, end: int) -> None:
        self.text = text
        self.end = end
        self.found: dict[str, tuple[int, int]] = {}  # needle -> (searched from, found at)

    def find(self, needle: str, position: int) -> int:
        remembered = self.found.get(needle)
        if remembered is not None:
            searched, at = remembered
            if searched <= position and (at < 0 or at >= position):
                return at
        at = self.text.find(needle, position, self.end)
        self.found[needle] = (position, at)
        return at


def iter_tags(
    text: str, start: int = 0, end: int | None = None, raw_text: bool = True
) -> Iterator[Tag]:
    """The tags of ``text[start:end]`` in order.

    With ``raw_text`` (as a browser parses HTML) the content of ``<script>``,
    ``<style>``, ``<textarea>`` is text up to their end tag; without (as
    CommonMark reads inline HTML) every tag counts.
    """
    end = len(text) if end is None else end
    finder = _Finder(text, end)
    position = start
    while True:
        lt = finder.find("<", position)
        if lt < 0:
            return
        tag = _tag_at(text, lt, end, finder)
        if tag is None:
            position = lt + 1
            continue
        yield tag
        position = tag.end
        if raw_text and tag.kind == "open" and tag.name in RAW_TEXT:
            closing = _raw_text_end(text, tag.end, end, tag.name, finder)
            if closing is None:
                return
            yield closing
            position = closing.end


def _raw_text_end(text: str, position: int, end: int, name: str, finder: _Finder) -> Tag | None:
    while True:
        at = finder.find("</", position)
        if at < 0:
            return None
        tag = _tag_at(text, at, end, finder)
        if tag is not None and tag.name == name:
            return tag
        position = at + 2


def _tag_at(text: str, lt: int, end: int, finder: _Finder) -> Tag | None:
    following = text[lt + 1 : lt + 2]
    if following == "/":
        name = _NAME.match(text, lt + 2, end)
        closing = name and _CLOSE_END.match(text, name.end(), end)
        return Tag(lt, closing.end(), "close", name.group().lower()) if closing else None
    if following == "!":
        return _special_at(text, lt, end, finder)
    if following == "?":
        close = finder.find("?>", lt + 2)
        return Tag(lt, close + 2, "other", "") if close >= 0 else None
    whole = _START_TAG.match(text, lt, end)
    if whole is not None:
        tag_name = whole.group(1).lower()
        void = whole.group(2) or tag_name in VOID
        return Tag(lt, whole.end(), "void" if void else "open", tag_name)
    return _start_tag_at(text, lt, end, finder)


def _start_tag_at(text: str, lt: int, end: int, finder: _Finder) -> Tag | None:
    """A start tag read step by step, each quote's closing one found by ``finder``."""
    name = _NAME.match(text, lt + 1, end)
    if name is None:
        return None
    position = name.end()
    while True:
        attribute = _ATTRIBUTE_NAME.match(text, position, end)
        if attribute is None:
            break
        position = attribute.end()
        equals = _EQUALS.match(text, position, end)
        if equals is None:
            continue
        value_at = equals.end()
        quote = text[value_at : value_at + 1]
        if quote in ('"', "'"):
            close = finder.find(quote, value_at + 1)
            if close < 0:
                return None
            position = close + 1
        else:
            unquoted = _UNQUOTED.match(text, value_at, end)
            if unquoted is None:
                return None
            position = unquoted.end()
    closing = _TAG_END.match(text, position, end)
    if closing is None:
        return None
    tag_name = name.group().lower()
    self_closing = closing.group().endswith("/>")
    kind: Kind = "void" if self_closing or tag_name in VOID else "open"
    return Tag(lt, closing.end(), kind, tag_name)


def _special_at(text: str, lt: int, end: int, finder: _Finder) -> Tag | None:
    if text.startswith("<!--", lt):
        if text.startswith(("<!-->", "<!--->"), lt):
            return Tag(lt, text.index(">", lt) + 1, "comment", "")
        close = finder.find("-->", lt + 4)
        return Tag(lt, close + 3, "comment", "") if close >= 0 else None
    if text.startswith("<![CDATA[", lt):
        close = finder.find("]]>", lt + 9)
        return Tag(lt, close + 3, "other", "") if close >= 0 else None
    if _DECLARATION.match(text, lt):
        close = finder.find(">", lt + 2)
        return Tag(lt, close + 1, "other", "") if close >= 0 else None
    return None
