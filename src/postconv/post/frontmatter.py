"""Split a post into its front matter (kept byte for byte) and its body.

The header is parsed only to validate it: YAML with a safe loader between
``---`` lines, TOML between ``+++`` lines. A post may also have no header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import yaml

from postconv.errors import FrontMatterError, first_line

try:  # the C loader is an order of magnitude faster; same safety
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _YamlLoader = yaml.SafeLoader

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()

Kind = Literal["yaml", "toml"]

_FENCES: dict[str, tuple[Kind, re.Pattern[str]]] = {
    "---": ("yaml", re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)),
    "+++": ("toml", re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE)),
}
_OPENING = re.compile(r"(---|\+\+\+)[ \t]*\n")
_TOML_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class Post:
    """A post cut in two. ``header`` includes both fence lines and their newlines."""

    header: str
    body: str
    kind: Kind | None


def normalise_newlines(text: str) -> str:
    """Drop a UTF-8 BOM and turn CRLF / CR line ends into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def opens_header(text: str) -> bool:
    """True when ``text`` starts with a line that opens a front matter (``---``, ``+++``)."""
    return _OPENING.match(text) is not None


def split(text: str) -> Post:
    """Cut ``text`` (already newline-normalised) into header and body, validating the header."""
    opening = _OPENING.match(text)
    if opening is None:
        return Post(header="", body=text, kind=None)
    kind, closing_fence = _FENCES[opening.group(1)]
    closing = closing_fence.search(text, opening.end())
    if closing is None and not text[opening.end() :].strip():
        return Post(header="", body=text, kind=None)  # a lone "---" line: a rule, not a header
    if closing is None:
        raise FrontMatterError(f"front matter opened with {opening.group(1)} is never closed", 1)
    end = closing.end()
    if text[end : end + 1] == "\n":
        end += 1
    source = text[opening.end() : closing.start()]
    _validate(source, kind)
    return Post(header=text[:end], body=text[end:], kind=kind)


def _validate(source: str, kind: Kind) -> None:
    if kind == "toml":
        import tomllib  # (here: most posts have YAML, and a one-file run starts faster)

        try:
            tomllib.loads(source)
        except RecursionError:
            raise FrontMatterError("TOML front matter nested too deeply", None) from None
        except tomllib.TOMLDecodeError as error:
            found = _TOML_LINE.search(str(error))
            line = int(found.group(1)) + 1 if found else None
            message = f"invalid TOML front matter: {first_line(error)}"
            raise FrontMatterError(message, line) from None
        return
    try:
        # compose, not load: the syntax is checked in C, no Python objects are built
        node = yaml.compose(source, Loader=_YamlLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 2 if mark is not None else None
        problem = error.problem or error.context or "syntax error"
        raise FrontMatterError(f"invalid YAML front matter: {problem}", line) from None
    except yaml.YAMLError as error:
        raise FrontMatterError(f"invalid YAML front matter: {first_line(error)}", None) from None
    if node is None:
        return
    if not isinstance(node, yaml.MappingNode):
        raise FrontMatterError("YAML front matter is not a mapping of keys to values", 2)
    for _, value in node.value:
        if value.tag == _TIMESTAMP:  # a date such as 2008-13-45 matches YAML's pattern
            try:
                _CONSTRUCTOR.construct_yaml_timestamp(value)
            except ValueError as error:
                message = f"invalid date {value.value!r}: {error}"
                raise FrontMatterError(message, value.start_mark.line + 2) from None
