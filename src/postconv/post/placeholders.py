"""Stand-ins for text that no later step may touch.

Template tags, code found in shortcodes and Markdown kept as written travel
through HTML parsing, cleaning and conversion as a short run of private-use
characters (a token), and are put back at the end. Nothing escapes, joins or
re-wraps a token: to every step it is one opaque word.

The input's own characters of that private-use range are shielded first (each
becomes a token that stands for itself), so a post can never forge a token:
they are put back last, in one pass that never reads what it writes.
Two registries can be in use at once (the body's, and one for the Markdown
inside an inline HTML island): each has its own opening characters.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache

from postconv.post.code import code_text
from postconv.post.tags import iter_tags
from postconv.text import escape_line_starts, fence_for

_CLOSE = "\ue001"
_FIRST_DIGIT = 0xE010
_BASE = 0xE100 - _FIRST_DIGIT
_RESERVED = re.compile("[\ue000-\ue0ff]")
#: opening characters (inline, block) of each registry
_OPENERS = {"body": ("\ue000", "\ue002"), "island": ("\ue004", "\ue005")}
#: what may stand before a block on its line: quote markers, a list marker, indentation
_CONTAINER = r"(?:[ \t]*>)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])(?=[ \t])[ \t]*)?"
_CONTAINER_PREFIX = re.compile(_CONTAINER)


_BLOCK_TO_INLINE = {ord(block): inline for inline, block in _OPENERS.values()}


def holds_token(text: str) -> bool:
    """True when ``text`` holds a token (a template or other opaque text stands there)."""
    return _RESERVED.search(text) is not None


def inline_tokens(text: str) -> str:
    """``text`` with its block tokens made inline ones: put back where they stand, not
    on lines of their own (inside raw HTML, a blank line would end the HTML block)."""
    return text.translate(_BLOCK_TO_INLINE)


def _continuation(line: str) -> str:
    """The prefix that continues the list item or quote ``line`` opens: ``> `` markers
    kept, a list marker's width in spaces."""
    found = _CONTAINER_PREFIX.match(line)
    prefix = found.group() if found else ""
    quotes = prefix[: prefix.rfind(">") + 1]
    return quotes + " " * (len(prefix) - len(quotes))


def _later_lines(text: str, prefix: str, indent: str) -> str:
    """``text``'s lines after its first under ``prefix``, the line prefix its token got.

    ``indent`` is what the source had before the text's first line: its later
    lines hold it already (an indented ``{% highlight %}`` block). Where the token
    stands as the text stood, the text is given back as written; elsewhere the
    ``indent`` a line holds is replaced by ``prefix`` (a line holding less loses
    its indentation). A blank line gets no trailing blanks.
    """
    if prefix == indent or "\n" not in text:
        return text
    first, *lines = text.split("\n")
    blank = prefix.rstrip()
    later = []
    for line in lines:
        line = line[len(indent) :] if line.startswith(indent) else line.lstrip(" \t")
        later.append(prefix + line if line else blank)
    return "\n".join([first, *later])


def _previous_line_blank(string: str, start: int) -> bool:
    """True when the line before the one starting at ``start`` is blank (or there is
    none), quote markers aside."""
    if start <= 1:
        return True
    previous = string[string.rfind("\n", 0, start - 1) + 1 : start - 1]
    return not previous.strip(" \t>")


@dataclass(frozen=True)
class Item:
    """What a token stands for.

    ``text`` is put back as it is. ``code`` is a code shortcode's raw content
    and language: its fenced block depends on the body's dialect
    (:func:`postconv.post.code.code_text`). ``html`` is an HTML block of a
    Markdown body, whose ``text`` is its conversion, made later. A
    ``separate`` item is a block of its own (a fence): it is put back before
    the Markdown is cut into blocks, with blank lines around it. ``indent`` is
    what stood before a block template's first line in the source, which its
    later lines hold too. A ``shielded`` item is one of the input's own
    private-use characters: it is put back last.
    """

    text: str
    block: bool = False
    code: tuple[str, str] | None = None
    separate: bool = False
    html: str | None = None
    indent: str = ""
    shielded: bool = False


@cache
def _patterns(inline: str, block: str) -> tuple[re.Pattern[str], ...]:
    """The token patterns of a registry, compiled once (an island makes a registry of
    its own: thousands of them on a long line)."""
    return (
        re.compile(f"[{inline}{block}]([\ue010-\ue0ff]+){_CLOSE}"),
        re.compile(f"{block}([\ue010-\ue0ff]+){_CLOSE}"),
        re.compile(f"[ \t]*{inline}([\ue010-\ue0ff]+){_CLOSE}[ \t]*"),
        # a block token sharing its line (first on it after container markers, the
        # markers captured; or after text), and the rest of that line
        re.compile(
            f"(?:^({_CONTAINER}))?[ \t]*{block}([\ue010-\ue0ff]+){_CLOSE}[ \t]*([^\n]*)", re.M
        ),
        # a block token alone on its line, after indentation or blockquote markers
        re.compile(f"^([ \t>]*){block}([\ue010-\ue0ff]+){_CLOSE}([ \t]*)$", re.M),
    )


class Placeholders:
    """The tokens of one post body (or one island) and what each stands for."""

    def __init__(self, registry: str = "body") -> None:
        self.items: list[Item] = []
        self.dialect = "html"  # how code shortcodes' content reads: set once it is known
        inline, block = _OPENERS[registry]
        self._inline_open, self._block_open = inline, block
        (
            self._token,
            self._block_token,
            self._spaced_token,
            self._shared_block,
            self._block_line,
        ) = _patterns(inline, block)

    def add(
        self,
        text: str,
        block: bool = False,
        code: tuple[str, str] | None = None,
        separate: bool = False,
        html: str | None = None,
        indent: str = "",
    ) -> str:
        """Register ``text`` (or code, or HTML); return the token that stands for it."""
        separate = separate or code is not None or html is not None
        block = block or separate
        return self._register(Item(text, block, code, separate, html, indent))

    def _register(self, item: Item) -> str:
        index = len(self.items)
        self.items.append(item)
        digits = ""
        while True:
            index, digit = divmod(index, _BASE)
            digits = chr(_FIRST_DIGIT + digit) + digits
            if not index:
                break
        return (self._block_open if item.block else self._inline_open) + digits + _CLOSE

    def shield(self, text: str) -> str:
        """Replace the input's own characters of the reserved range by tokens."""
        if _RESERVED.search(text) is None:
            return text
        return _RESERVED.sub(lambda match: self._register(Item(match.group(), shielded=True)), text)

    def blocks(self, text: str) -> list[tuple[str, Item | None]]:
        """``text`` cut at its block tokens: ``(piece, None)`` for text (inline tokens
        still in it), ``(token, item)`` for block tokens."""
        pieces: list[tuple[str, Item | None]] = []
        position = 0
        for match in self._block_token.finditer(text):
            pieces.append((text[position : match.start()], None))
            pieces.append((match.group(), self.item(match.group(1))))
            position = match.end()
        pieces.append((text[position:], None))
        return [piece for piece in pieces if piece[0]]

    def item(self, token_digits: str) -> Item:
        index = 0
        for char in token_digits:
            index = index * _BASE + ord(char) - _FIRST_DIGIT
        return self.items[index]

    def html(self, source: str) -> str:
        """``source`` as the HTML parser must meet it: code tokens written as ``<pre>``,
        and the tokens inside a tag (``src="{{ site.url }}/a.png"``) put back, since an
        attribute value is never escaped and a link destination must see its spaces.
        The input's own private-use characters stay shielded: they are put back last."""
        if not self.items or _RESERVED.search(source) is None:
            return source

        def expand(match: re.Match[str]) -> str:
            item = self.item(match.group(1))
            if item.code is None:
                return match.group()
            code, language = code_text(item.code[0], self.dialect), item.code[1]
            attribute = f' class="language-{language}"' if language else ""
            return f"<pre{attribute}>{html.escape(code, quote=False)}</pre>"

        pieces: list[str] = []
        position = 0
        for tag in iter_tags(source):
            if self._token.search(source, tag.start, tag.end) is None:
                continue
            tag_text = self._restore(source[tag.start : tag.end], separate_only=False)
            pieces += (source[position : tag.start], tag_text)
            position = tag.end
        pieces.append(source[position:])
        return self._token.sub(expand, "".join(pieces))

    def text(self, item: Item) -> str:
        """What ``item`` is in Markdown."""
        if item.code is None:
            return item.text
        code = code_text(item.code[0], self.dialect)
        fence = fence_for(code)
        return f"{fence}{item.code[1]}\n{code}\n{fence}" if code else ""

    def has_separate(self, pieces: list[str]) -> bool:
        """True when one of ``pieces`` holds a separate token (a fence to put back)."""
        return any(item.separate for item in self.items) and any(
            self._block_open in piece for piece in pieces
        )

    def restore_separate(self, markdown: str) -> str:
        """``markdown`` with its separate tokens (fences) put back, blank lines around.

        Done before the Markdown is cut into blocks: a fence is a block of its own.
        """
        if not any(item.separate for item in self.items):
            return markdown
        return self._restore(markdown, separate_only=True)

    def restore(self, markdown: str) -> str:
        """``markdown`` with every token replaced by what it stands for, byte for byte.

        A block token alone on its line (after indentation or ``>`` markers)
        gives each line of its text that same prefix; one that shares its line
        with other text is put on lines of its own (block templates and
        ``<!--more-->`` only work there).
        """
        if not self.items:
            return markdown
        markdown = self._restore(markdown, separate_only=False)
        if self._inline_open not in markdown:
            return markdown
        # the input's own private-use characters, last and in one pass: what it puts
        # back is never read again, so it can never be taken for a token
        return self._token.sub(lambda match: self.item(match.group(1)).text, markdown)

    def _restore(self, markdown: str, separate_only: bool) -> str:
        """``markdown`` with its tokens put back (only the separate ones, if
        ``separate_only``), but for the input's own shielded characters."""
        for _ in range(len(self.items) + 1):  # a token's text may hold tokens itself
            before = markdown
            if self._block_open in markdown:
                markdown = self._block_line.sub(lambda m: self._line(m, separate_only), markdown)
            if self._block_open in markdown:
                markdown = self._shared_block.sub(
                    lambda m: self._shared(m, separate_only), markdown
                )
            if self._inline_open in markdown:
                markdown = self._spaced_token.sub(
                    lambda m: self._inline(m, separate_only), markdown
                )
            if markdown == before:
                break
        return markdown

    def _line(self, match: re.Match[str], separate_only: bool) -> str:
        prefix, item = match.group(1), self.item(match.group(2))
        if item.shielded or (separate_only and not item.separate):
            return match.group()
        blank = prefix.rstrip()  # no trailing space on a blank line of the text
        text = prefix + _later_lines(self.text(item), prefix, item.indent)
        if not item.separate:
            return text + match.group(3)  # blanks after it: a hard line break, maybe
        # a fence splits the paragraph it stood in: blank lines say so, and stay stable
        string, start, end = match.string, match.start(), match.end()
        if start > 1 and string[start - 2] != "\n":
            text = f"{blank}\n{text}"
        if end + 1 < len(string) and string[end + 1] != "\n":
            text = f"{text}\n{blank}"
        return text

    def _inline(self, match: re.Match[str], separate_only: bool) -> str:
        item = self.item(match.group(1))
        token = match.group()
        if item.shielded or (separate_only and not item.separate):
            return token
        return token.replace(token.strip(" \t"), self.text(item))

    def _shared(self, match: re.Match[str], separate_only: bool) -> str:
        """A block token sharing its line goes on lines of its own, in the list item or
        quote it is in; the text after it now opens a line, and must stay text there.

        A token first on its line, after that line's indentation, quote or list
        markers, stays where it is: its later lines continue that container.
        """
        container, item, rest = match.group(1), self.item(match.group(2)), match.group(3)
        if item.shielded or (separate_only and not item.separate):
            return match.group()
        string, start, end = match.string, match.start(), match.end()
        if container is None:
            line_start = string.rfind("\n", 0, start) + 1
            prefix = _continuation(string[line_start:start])
            blank = prefix.rstrip()
            lines = _later_lines(self.text(item), prefix, item.indent)
            first = prefix if lines[:1] not in ("", "\n") else blank
            text = f"\n{blank}\n{first}{lines}"
        else:
            prefix = _continuation(container)
            blank = prefix.rstrip()
            text = container + _later_lines(self.text(item), prefix, item.indent)
            if item.separate and prefix == container and not _previous_line_blank(string, start):
                text = f"{blank}\n{text}"  # a fence splits the paragraph it stood in
        after = f"\n{blank}\n{prefix}{escape_line_starts(rest)}" if rest else ""
        if not rest and end + 1 < len(string) and string[end + 1] != "\n":
            after = f"\n{blank}"  # the next line would go on the block
        return f"{text}{after}"
