"""Small text predicates and fixes shared by the cleaning and footer rules."""

from __future__ import annotations

import re

CJK_CHARS = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_CJK = re.compile(f"[{CJK_CHARS}]")
_CJK_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: whitespace a browser collapses or does not show: nbsp, full-width space, zero-width marks
EDGE_SPACE = " \t\n\r\f\v\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff"
_SENTENCE_END = re.compile(r"[。！？!?.…；;：:，,、]$")
_CLOSING_QUOTES = "”\"’'）)」』】》"
_PUNCTUATION = re.compile(r"[，。！？；：、,.!?;:“”\"‘’（）()《》【】「」『』]")
_NEWLINE_RUN = re.compile(r"[ \t]*\n[ \t\n]*")

_RAW_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0010fffe\U0010ffff]"
)
# the same, quick to search for: the BMP ones, then whether there is any astral character
_RAW_CONTROL_BMP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufdd0-\ufdef\ufffe\uffff]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_NUMERIC_REFERENCE = re.compile(r"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});?")

_URL_DROPPED = re.compile(r"[\n\r\t]")
_BACKTICK_RUN = re.compile(r"`{3,}")
# old jekyll-import output escapes the slash of end tags, self-closing tags and shortcode closers
# (the "<" or "[" matched, not looked behind for: the engine then skips ahead to them)
_ESCAPED_END_TAG = re.compile(r"([<\[])&#(?:0*47|[xX]0*2[fF]);(?=[A-Za-z])")
_ESCAPED_SELF_CLOSING = re.compile(r"&#(?:0*47|[xX]0*2[fF]);>")
_ESCAPED_SLASH = re.compile(r"&#(?:0*47|[xX]0*2[fF]);")  # either: found without a lookbehind
_URL_NEEDS_BRACKETS = re.compile(r"[\s()]")
_AUTOLINK_IN_HTML = re.compile(r"<((?:[A-Za-z][A-Za-z0-9+.-]{1,31}://|mailto:)[^\s<>\"']*)>")

# Markers that start a block when they open a line: headings, quotes, lists, rules.
_LINE_START = re.compile(
    r"^([ \t\u00a0\u3000]*)"
    r"(?:(\#{1,6}|[-+])(?=[ \t\u00a0\u3000]|$)|(>)|(\d{1,9})([.)])(?=[ \t\u00a0\u3000]|$)"
    r"|([-=])(?=[-= \t\u00a0\u3000]*$))",
    re.M,
)


# a GFM table's delimiter row: only "-", ":", "|" and spaces, with a pipe and a dash
_DELIMITER_ROW = re.compile(r"^([ \t]*)([|:-])(?=[-:| \t]*$)(?=[^\n]*\|)(?=[^\n]*-)", re.M)


HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: inline elements whose text is code: written as a code span, never reflowed or trimmed
CODE_SPAN_TAGS = frozenset({"code", "kbd", "samp", "tt"})
MAX_HEADING_WIDTH = 80
MAX_CAPTION_WIDTH = 80
MAX_STANDALONE_CAPTION_WIDTH = 60


def is_cjk(char: str) -> bool:
    return bool(char) and _CJK.match(char) is not None


def has_cjk(text: str, minimum: int = 1) -> bool:
    """True when ``text`` holds at least ``minimum`` CJK ideographs."""
    if minimum <= 1:
        return _CJK_IDEOGRAPH.search(text) is not None
    return len(_CJK_IDEOGRAPH.findall(text)) >= minimum


def width(text: str) -> int:
    """Display width: CJK characters count double."""
    return len(text) + len(_CJK.findall(text))


def strip_edges(text: str) -> str:
    return text.strip(EDGE_SPACE)


def lstrip_edge(text: str) -> str:
    return text.lstrip(EDGE_SPACE)


def rstrip_edge(text: str) -> str:
    return text.rstrip(EDGE_SPACE)


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends with closing punctuation (before any closing quotes)."""
    return _SENTENCE_END.search(strip_edges(text).rstrip(_CLOSING_QUOTES)) is not None


def has_punctuation(text: str) -> bool:
    return _PUNCTUATION.search(text) is not None


def is_heading_like(text: str) -> bool:
    """Short, one line, and not ending like a sentence."""
    return "\n" not in text and width(text) <= MAX_HEADING_WIDTH and not ends_sentence(text)


def join_lines(text: str) -> str:
    """Join source line breaks: nothing between two CJK characters, else one space.

    At the edge of a text node only the inner side is known; a CJK character
    there is enough to join without a space.
    """

    if _CJK.search(text) is None:  # no CJK neighbour anywhere: every joint is a space
        return _NEWLINE_RUN.sub(" ", text)

    def joint(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if is_cjk(before) and (is_cjk(after) or not after):
            return ""
        if is_cjk(after) and not before:
            return ""
        return " "

    return _NEWLINE_RUN.sub(joint, text)


def drop_control_characters(source: str) -> str:
    """Remove what a browser shows nothing for and XML trees cannot hold.

    Raw C0 controls, DEL and noncharacters (U+FFFF…) go (a form feed is
    whitespace: it becomes a space), and so do numeric references to them
    (``&#x1f;``, ``&#127;``, ``&#xFFFF;``);
    references to C1 controls (``&#150;``) mean what browsers show for
    them, the Windows-1252 character.
    """
    if _RAW_CONTROL_BMP.search(source) or (_ASTRAL.search(source) and _RAW_CONTROL.search(source)):
        source = _RAW_CONTROL.sub(lambda m: " " if m.group() == "\f" else "", source)
    if "&#" in source and any(
        _replacement(digits) is not None for digits in set(_NUMERIC_REFERENCE.findall(source))
    ):  # (most posts hold only references that stay: each is looked at once, no rewrite)
        source = _NUMERIC_REFERENCE.sub(_safe_reference, source)
    return source


def _is_noncharacter(code: int) -> bool:
    """U+FDD0–U+FDEF and U+xFFFE/U+xFFFF: never text (an XML tree cannot hold them)."""
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _safe_reference(match: re.Match[str]) -> str:
    replacement = _replacement(match.group(1))
    return match.group() if replacement is None else replacement


def _replacement(digits: str) -> str | None:
    """What the reference ``&#digits;`` becomes, or None when it stays as it is."""
    code = int(digits[1:], 16) if digits[0] in "xX" else int(digits)
    if code == 0x0C:
        return " "
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or (code < 0x20 and code not in (9, 10, 13)):
        return ""
    if code == 0x7F or _is_noncharacter(code):
        return ""
    if 0x80 <= code <= 0x9F:
        return bytes([code]).decode("cp1252", errors="ignore")
    return None


def link_destination(url: str) -> str:
    """A Markdown link destination: in ``<…>`` when it holds spaces (Liquid) or brackets."""
    # browsers drop line breaks and tabs from URLs; < and > are always encoded,
    # so that the same URL is written the same way whether bracketed or not
    url = _URL_DROPPED.sub("", url).replace("<", "%3C").replace(">", "%3E")
    return f"<{url}>" if _URL_NEEDS_BRACKETS.search(url) else url


def autolink(url: str) -> str:
    """``<URL>``, with what would end or break an autolink percent-encoded."""
    url = _URL_DROPPED.sub("", url)
    return "<" + url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20") + ">"


#: what a browser reads as a URL's scheme, once it has dropped blanks and controls
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_RUNS_CODE = frozenset({"javascript", "vbscript"})
_BLANK_OR_CONTROL = re.compile("[\x00- \x7f]")
_WEB = frozenset({"http", "https"})


def unsafe_url(url: str, image: bool = False) -> bool:
    """True for a destination a browser would run (``javascript:``, ``vbscript:``, a
    ``data:`` URL other than an image's picture), however it is spelled (``JaVa\tscript:``:
    browsers drop blanks and control characters inside a URL)."""
    bare, scheme = _scheme_of(url)
    return scheme in _RUNS_CODE or (
        scheme == "data" and not (image and bare.startswith("data:image/"))
    )


def web_or_relative_url(url: str) -> bool:
    """True for an http(s) URL or one without a scheme (the site's own): what an embed
    may load."""
    _, scheme = _scheme_of(url)
    return scheme is None or scheme in _WEB


def _scheme_of(url: str) -> tuple[str, str | None]:
    """``url`` as a browser reads it (blanks and controls dropped, lower case), and its
    scheme, if it has one."""
    bare = _BLANK_OR_CONTROL.sub("", url).lower()
    scheme = _SCHEME.match(bare)
    return bare, scheme.group(1) if scheme else None


def absolute_url(url: str) -> str:
    """``//host/path`` → ``https://host/path``; other URLs unchanged."""
    return "https:" + url if url.startswith("//") else url


def fence_for(code: str) -> str:
    """A backtick fence longer than any run of three or more backticks inside ``code``."""
    longest = max((len(run) for run in _BACKTICK_RUN.findall(code)), default=0)
    return "`" * max(3, longest + 1)


def autolinks_as_links(source: str) -> str:
    """``<http://…>`` in HTML (a Markdown autolink a generator wrote) → an ``<a>``: an
    HTML parser reads it as an unknown tag and shows nothing, losing the URL."""
    if "://" not in source and "mailto:" not in source:
        return source
    return _AUTOLINK_IN_HTML.sub(_autolink_as_link, source)


def _autolink_as_link(match: re.Match[str]) -> str:
    url = match.group(1).replace('"', "%22")
    return f'<a href="{url}">{url}</a>'


def repair_escaped_slashes(source: str) -> str:
    """``<&#47;strong>`` → ``</strong>``, ``<br &#47;>`` → ``<br />``, ``[&#47;caption]`` →
    ``[/caption]``: old jekyll-import output escaped every slash."""
    if "&#" not in source or _ESCAPED_SLASH.search(source) is None:
        return source
    return _ESCAPED_SELF_CLOSING.sub("/>", _ESCAPED_END_TAG.sub(r"\1/", source))


def escape_line_starts(text: str) -> str:
    """Backslashes for the markers that would start a block where a line of ``text``
    starts: ``# ``, ``> ``, ``- ``, ``+ ``, ``1. ``, a ``=``/``-`` underline, and a
    line under which the line before would be a table's header (``--- | ---``)."""
    text = _LINE_START.sub(_escape_line_start, text)
    return _DELIMITER_ROW.sub(r"\1\\\2", text) if "|" in text else text


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, quote, number, delimiter, rule = match.groups()
    if number is not None:
        return f"{indent}{number}\\{delimiter}"
    return f"{indent}\\{marker or quote or rule}"
