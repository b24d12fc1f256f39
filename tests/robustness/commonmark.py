"""Round trip over the CommonMark spec: spec HTML → postconv → markdown-it → same tree?

For each spec example we take its *expected HTML* (what a CommonMark
renderer makes of the example), convert that HTML with postconv, render the
Markdown back with markdown-it-py (CommonMark, raw HTML on), and compare the
two HTML trees after normalisation:

- comments, processing instructions and invisible elements (script, style …)
  are dropped on both sides: postconv drops them on purpose;
- elements Markdown cannot express (div, span, custom tags …) are unwrapped,
  keeping their content: clean Markdown has no place for them;
- only the attributes Markdown can carry are compared: ``href``, ``src``,
  ``alt``, ``title``, ``start`` and a ``language-*`` class;
- whitespace runs outside ``<pre>`` become one space, none next to a block
  boundary; entities are compared decoded.

Excluded, on purpose: examples whose HTML is empty (no post to convert),
paragraphs that are one bold run (postconv makes those headings by design) and
text with a blank line in it outside ``<pre>`` (a paragraph break in raw
HTML, as WordPress shows it: by design since the body model of issue 8).
``python -m tests.robustness.commonmark`` prints every failing example.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from postconv.errors import PostconvError
from postconv.fidelity import first_missing, html_words, visible_words
from postconv.options import Options
from postconv.pipeline import convert

SPEC = Path(__file__).resolve().parent / "data" / "commonmark-spec.json"
#: h1 stays h1 (the default shifts headings below the bold-paragraph level);
#: every link is kept as written; every input is HTML (the spec's rendering).
OPTIONS = Options(heading_level=1, keep_nav=True, body="html")

_md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

#: block elements Markdown has (``p`` is compared as a block boundary, see below)
BLOCKS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre"})
TABLE = frozenset({"table", "tr", "td"})
INLINE = frozenset({"code", "em", "strong", "del", "a", "img", "br", "hr"})
KEPT = BLOCKS | TABLE | INLINE
#: HTML block elements that Markdown has no syntax for: unwrapped, but still a boundary
HTML_BLOCKS = frozenset(
    {"p", "div", "section", "article", "aside", "header", "footer", "nav", "main", "center"}
    | {"address", "figure", "figcaption", "details", "summary", "form", "fieldset", "dl"}
    | {"dt", "dd", "thead", "tbody", "tfoot", "caption", "colgroup", "body", "html"}
)
RENAME = {"b": "strong", "i": "em", "s": "del", "strike": "del", "th": "td"}
INVISIBLE = frozenset({"script", "style", "template", "noscript", "head", "title", "textarea"})
KEPT_ATTRIBUTES = ("href", "src", "alt", "title", "start")
_BOUNDARY = "\u00b6"  # ¶ stands for a paragraph / block boundary while comparing
_BLOCK_TAG = re.compile(r"(</?(?:" + "|".join(sorted(BLOCKS | TABLE)) + r")\b[^>]*>|<hr>)")
_INLINE_OPEN = re.compile(r"(<(?:em|strong|del|a)\b[^>]*>)\s+")
_INLINE_CLOSE = re.compile(r"\s+(</(?:em|strong|del|a)>)")
_BOUNDARY_RUN = re.compile(rf"[\s{_BOUNDARY}]*{_BOUNDARY}[\s{_BOUNDARY}]*")
_AROUND_BLOCK_TAG = re.compile(rf"[\s{_BOUNDARY}]*{_BLOCK_TAG.pattern}[\s{_BOUNDARY}]*")
_PRE = re.compile(r"(<pre>.*?</pre>)", re.S)


@dataclass(frozen=True)
class Outcome:
    example: int
    section: str
    status: str  # "pass", "fail", "error", "excluded"
    text_kept: bool
    source: str
    markdown: str = ""
    rendered: str = ""
    reason: str = ""


def load_examples() -> list[dict]:
    return json.loads(SPEC.read_text(encoding="utf-8"))


def normalise(fragment: str) -> str:
    """A canonical string for an HTML fragment, as described in the module docstring."""
    if not fragment.strip():
        return ""
    parser = lxml_html.HTMLParser(recover=True)
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div", parser=parser)
    except etree.ParserError:
        return ""
    _canonical_tree(root)
    out: list[str] = []
    _serialise(root, out)
    parts = _PRE.split("".join(out))
    for index in range(0, len(parts), 2):  # outside <pre>: whitespace and boundaries
        text = re.sub(r"\s+", " ", parts[index])
        text = _INLINE_OPEN.sub(r" \1", text)
        text = _INLINE_CLOSE.sub(r"\1 ", text)
        text = _BOUNDARY_RUN.sub(_BOUNDARY, text)
        text = re.sub(r" +", " ", text)
        parts[index] = text
    text = "".join(parts)
    text = _AROUND_BLOCK_TAG.sub(r"\1", text)
    return text.strip(" " + _BOUNDARY)


def _canonical_tree(root: etree._Element) -> None:
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for element in list(root.iter()):
        if element is root or not isinstance(element.tag, str):
            continue
        if element.tag in INVISIBLE:
            element.drop_tree()
            continue
        element.tag = RENAME.get(element.tag, element.tag)
    for element in list(root.iter()):  # same-tag emphasis inside itself looks the same
        if (
            element is not root
            and element.tag in ("em", "strong", "del")
            and any(a.tag == element.tag for a in element.iterancestors())
        ):
            element.drop_tag()
    for element in reversed(list(root.iter())):  # children before parents
        if element is root:
            continue
        empty = not element.text_content().strip() and element.tag not in ("img", "hr", "br")
        if empty and not any(e.tag in ("img", "hr") for e in element.iterdescendants()):
            element.drop_tree()  # postconv drops empty elements on purpose
        elif element.tag == "a" and not (element.get("href") or "").strip():
            element.drop_tag()  # a link to nowhere is just its text
        elif element.tag == "pre":
            for code in element.iter("code"):
                if code.text:
                    code.text = code.text.lstrip("\n")
            last = element[-1] if len(element) else element
            if last.text and not len(last):
                last.text = last.text.rstrip("\n")


def _serialise(root: etree._Element, out: list[str]) -> None:
    stack: list[tuple[etree._Element, bool] | str] = [(root, False)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        node, pre = item
        tag = node.tag if isinstance(node.tag, str) else ""
        kept = tag in KEPT and node is not root
        boundary = tag in HTML_BLOCKS and node is not root
        pre_inside = pre or tag == "pre"
        if node is not root and node.tail:
            stack.append(_text(node.tail, pre))
        if boundary:
            stack.append(_BOUNDARY)
        if kept and tag not in ("br", "hr", "img"):
            stack.append(f"</{tag}>")
        for child in reversed(node):
            stack.append((child, pre_inside))
        if node.text:
            stack.append(_text(node.text, pre_inside))
        if kept:
            stack.append(f"<{tag}{_attributes(node)}>")
        if boundary:
            stack.append(_BOUNDARY)


def _text(text: str, pre: bool) -> str:
    return html_lib.escape(text if pre else re.sub(r"\s+", " ", text), quote=False)


def _attributes(node: etree._Element) -> str:
    pairs = [(name, node.get(name)) for name in KEPT_ATTRIBUTES if node.get(name) is not None]
    if node.tag == "img" and node.get("alt") is None:
        pairs.append(("alt", ""))
    pairs = [(n, unquote(v) if n in ("href", "src") else v) for n, v in pairs]
    language = [c for c in (node.get("class") or "").split() if c.startswith("language-")]
    if language:
        pairs.append(("class", language[0]))
    return "".join(f' {name}="{html_lib.escape(value or "")}"' for name, value in sorted(pairs))


_FOOTER = re.compile(r"(?m)^(?:Source:|来源：)")
_BLANK_LINE_IN_TEXT = re.compile(r"[^>\s][ \t]*\n[ \t]*\n")


def _bold_paragraph(fragment: str) -> bool:
    """A paragraph that is one <strong>/<b> run: postconv makes it a heading on purpose."""
    return re.search(r"<p>\s*<(strong|b)>(?:(?!</?p>).)*?</\1>\s*</p>", fragment, re.S) is not None


def run_example(example: dict) -> Outcome:
    source = example["html"]
    number, section = example["example"], example["section"]
    wanted = html_words(source)
    if not source.strip() or not normalise(source):
        return Outcome(number, section, "excluded", True, source, reason="nothing visible")
    try:
        markdown = convert(source, OPTIONS).text
    except PostconvError as error:
        return Outcome(number, section, "error", False, source, reason=str(error))
    kept = first_missing(wanted, visible_words(markdown)) is None
    rendered = _md.render(markdown)
    if _bold_paragraph(source):
        return Outcome(number, section, "excluded", kept, source, markdown, rendered, "bold")
    if _FOOTER.search(markdown) and not _FOOTER.search(source):
        return Outcome(number, section, "excluded", kept, source, markdown, rendered, "footer")
    if _BLANK_LINE_IN_TEXT.search(_PRE.sub("", source)):
        return Outcome(number, section, "excluded", kept, source, markdown, rendered, "blank line")
    same = normalise(source) == normalise(rendered)
    return Outcome(number, section, "pass" if same else "fail", kept, source, markdown, rendered)


def run_all() -> list[Outcome]:
    return [run_example(example) for example in load_examples()]


def summary(outcomes: list[Outcome]) -> dict[str, float]:
    compared = [o for o in outcomes if o.status in ("pass", "fail", "error")]
    passed = sum(o.status == "pass" for o in compared)
    with_text = [o for o in outcomes if o.source.strip()]
    kept = sum(o.text_kept for o in with_text)
    return {
        "examples": len(outcomes),
        "compared": len(compared),
        "passed": passed,
        "pass_rate": passed / len(compared) if compared else 1.0,
        "excluded": len(outcomes) - len(compared),
        "with_text": len(with_text),
        "text_kept": kept,
        "text_kept_rate": kept / len(with_text) if with_text else 1.0,
    }


def describe(outcome: Outcome) -> str:
    return (
        f"--- example {outcome.example} ({outcome.section}): {outcome.status}"
        f"{'' if outcome.text_kept else ', TEXT LOST'} {outcome.reason}\n"
        f"spec html:  {outcome.source!r}\npostconv:   {outcome.markdown!r}\n"
        f"rendered:   {outcome.rendered!r}\n"
        f"normalised: {normalise(outcome.source)!r}\n"
        f"        vs: {normalise(outcome.rendered)!r}"
    )


def main() -> None:  # pragma: no cover - a debugging aid
    outcomes = run_all()
    for outcome in outcomes:
        if outcome.status in ("fail", "error") or not outcome.text_kept:
            print(describe(outcome))
    stats = summary(outcomes)
    print(
        f"\npassed {stats['passed']}/{stats['compared']} ({stats['pass_rate']:.1%}), "
        f"excluded {stats['excluded']}, text kept {stats['text_kept']}/{stats['with_text']} "
        f"({stats['text_kept_rate']:.1%})",
        file=sys.stderr,
    )


if __name__ == "__main__":  # pragma: no cover
    main()
