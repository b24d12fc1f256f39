"""Source attribution and trailing links → one footer line.

The last blocks of a converted post often are, in some order: an attribution
(``（文章来源：人民邮电报）``, ``来源：X``, ``Source: X``), the original
article's URL (``<http://…>``), and navigation back-links
(``[返回首页](//…)｜…``, ``<>``). They become one final line
``来源：[X](URL)`` (``Source: [X](URL)`` for non-CJK posts); navigation is
dropped unless asked for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from postconv.options import Options
from postconv.text import absolute_url, autolink, has_cjk, link_destination, width

_OUTER_BRACKETS = {"（": "）", "(": ")", "【": "】", "[": "]"}
#: the article's source ("图片来源", a photo's credit, is no label of the article's)
_CJK_LABEL_WORDS = r"(?:本文|文章|新闻|新聞|信息|稿件)?(?:来源|來源|出处|出處)"
_LATIN_LABEL_WORDS = r"(?:source|via|originally published (?:at|on|by))"
#: the words of an attribution label, for checks that must ignore them: in words run
#: together, and in text
ATTRIBUTION_LABELS = f"{_CJK_LABEL_WORDS}|{_LATIN_LABEL_WORDS.replace(' ', '')}"
ATTRIBUTION_LABELS_IN_TEXT = rf"{_CJK_LABEL_WORDS}|\b{_LATIN_LABEL_WORDS}\b"
_CJK_LABEL = re.compile(rf"^{_CJK_LABEL_WORDS}\s*[：:]\s*(?P<value>.+)$")
_LATIN_LABEL = re.compile(rf"^{_LATIN_LABEL_WORDS}\s*:\s*(?P<value>.+)$", re.I)
# a destination may stand in <…> (what link_destination writes for spaces and brackets)
_LINK = re.compile(
    r'^\[(?P<name>.+)\]\((?:<(?P<bracketed>[^<>\n]*)>|(?P<url>\S+?))(?:\s+"[^"]*")?\)$'
)
_BRACKETED_URL = re.compile(r"^<(?P<url>(?:[a-zA-Z][\w+.-]*:)?//[^>\s]+)>$")
_BARE_URL = re.compile(r"^(?P<url>(?:https?:)?//\S+)$")
_ANY_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\((?P<url>[^)\s]*)\)|<>")
_NAV_SEPARATORS = re.compile(r"[\s｜|/·•\\\-–—、,，]*")
_NAV_WORDS = re.compile(
    r"返回|首页|首頁|上一篇|下一篇|回到|目录|目錄|back\b|home\b|previous|next\b|[«»]", re.I
)
_PROTOCOL_RELATIVE = re.compile(r"\]\(//")
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_HEADER_KEY = re.compile(r"^source(?:_url)?\s*[:=]", re.M)
_MAX_NAME_WIDTH = 80


@dataclass(frozen=True)
class Footer:
    """What the trailing blocks said: the source's name and URL, and kept navigation."""

    name: str | None = None
    url: str | None = None
    nav: tuple[str, ...] = ()

    @property
    def has_source(self) -> bool:
        return self.name is not None or self.url is not None

    def line(self, label: str) -> str | None:
        """``来源：[X](URL)``, ``来源：X`` or ``来源：<URL>``; None without a source."""
        if self.name and self.url:
            return f"{label}[{self.name}]({link_destination(self.url)})"
        if self.name:
            return f"{label}{self.name}"
        if self.url:
            return f"{label}{autolink(self.url)}"
        return None

    def into_header(self, header: str, kind: str | None) -> str | None:
        """The header with ``source``/``source_url`` keys appended, or None if it has them."""
        if _HEADER_KEY.search(header):
            return None
        separator = " = " if kind == "toml" else ": "
        lines = [
            f"{key}{separator}{json.dumps(value, ensure_ascii=False)}\n"
            for key, value in (("source", _unescape(self.name)), ("source_url", self.url))
            if value
        ]
        if not header:
            return "---\n" + "".join(lines) + "---\n"
        closing = header.rstrip("\n").rfind("\n") + 1
        return header[:closing] + "".join(lines) + header[closing:]


def label_for(blocks: list[str], footer: Footer, options: Options) -> str:
    """The configured label, else ``来源：`` for CJK posts and ``Source: `` otherwise."""
    if options.source_label:
        label = options.source_label
        return label + " " if label.endswith(":") else label
    cjk = has_cjk("".join(blocks[:5]), minimum=10) or has_cjk(footer.name or "")
    return "来源：" if cjk else "Source: "


def normalise_footer(blocks: list[str], options: Options) -> tuple[list[str], Footer | None]:
    """Take the footer blocks off the end of ``blocks``; return the rest and what they said."""
    name: str | None = None
    url: str | None = None
    nav: list[str] = []
    end = len(blocks)
    while end:
        block = blocks[end - 1].strip()
        if block == "<>" and end > 1:  # a generator's empty link; alone, it is the text
            pass
        elif _is_nav(block):
            nav.insert(0, block)
        elif url is None and (found := _url_of(block)):
            url = found
        elif name is None and url is None and (source := _attribution(block, options)):
            name, url = source
        elif name is None and url is not None and (source := _attribution(block, options)):
            name, inner_url = source
            url = inner_url or url
        else:
            break
        end -= 1
    if end == len(blocks):
        return blocks, None
    kept_nav = tuple(_absolute_links(block) for block in nav) if options.keep_nav else ()
    return blocks[:end], Footer(name=name, url=url, nav=kept_nav)


def is_navigation(link_text: str) -> bool:
    """True for the text of a link that only navigates the site (返回首页, Back)."""
    return _NAV_WORDS.search(link_text) is not None


def _is_nav(block: str) -> bool:
    links = list(_ANY_LINK.finditer(block))
    if not links or _NAV_SEPARATORS.fullmatch(_ANY_LINK.sub("", block)) is None:
        return False
    return any(is_navigation(link.group("text") or "") for link in links)


def _url_of(block: str) -> str | None:
    if found := _BRACKETED_URL.match(block):  # an autolink holds no escapes
        return absolute_url(found.group("url"))
    if found := _BARE_URL.match(block):  # text, escaped as text is: not so in <URL>
        return absolute_url(_MARKDOWN_ESCAPE.sub(r"\1", found.group("url")))
    return None


def _attribution(block: str, options: Options) -> tuple[str | None, str | None] | None:
    """``(name, url)`` of an attribution line, or None when ``block`` is not one."""
    if "\n" in block:
        return None
    closing = _OUTER_BRACKETS.get(block[:1])
    if closing and block.endswith(closing):
        block = block[1:-1].strip()
    label = (options.source_label or "").strip()
    if label and block.startswith(label):
        value: str | None = block[len(label) :].strip()
    else:
        found = _CJK_LABEL.match(block) or _LATIN_LABEL.match(block)
        value = found.group("value").strip() if found else None
    if not value:
        return None
    if link := _LINK.match(value):
        return link.group("name"), absolute_url(link.group("bracketed") or link.group("url"))
    if url := _url_of(value):
        return None, url
    if width(value) > _MAX_NAME_WIDTH:
        return None
    return value, None


def _absolute_links(block: str) -> str:
    return _PROTOCOL_RELATIVE.sub("](https://", block)


def _unescape(text: str | None) -> str | None:
    return _MARKDOWN_ESCAPE.sub(r"\1", text) if text else text
