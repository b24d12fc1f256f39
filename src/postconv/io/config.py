"""Settings shared by the command line and ``[tool.postconv]``: one table, one row each.

A setting's key is its option name without the dashes in front (``heading-level``
is ``--heading-level`` and ``heading-level = 3`` in ``pyproject.toml``), its name
the Python identifier (``heading_level``). Settings whose name is a field of
:class:`~postconv.options.Options` go to the converter; the others steer the
command (``verify``, ``rename-ext``). Adding an option is one row in ``SETTINGS``.

Configuration comes from the nearest ``pyproject.toml`` with a ``[tool.postconv]``
table, searched from a post's directory up to the filesystem root, or from the
file named by ``--config``. Unknown keys and values of the wrong type are errors
that name the file and the key.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from postconv.errors import PostconvError
from postconv.options import Options

Value = bool | int | str


@dataclass(frozen=True)
class Setting:
    key: str  # option name and config key, with dashes: "heading-level"
    type: type[bool] | type[int] | type[str]
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] = ()  # the values a string setting may take, if fixed

    @property
    def name(self) -> str:
        return self.key.replace("-", "_")


SETTINGS: tuple[Setting, ...] = (
    Setting("heading-level", int, "Level 1-6 of bold-paragraph headings; <hN> go below.", "N"),
    Setting("keep-nav", bool, "Keep trailing navigation links instead of dropping them."),
    Setting("source-label", str, "Source footer label [default: 来源： or Source:].", "TEXT"),
    Setting("source-to-front-matter", bool, "Move the source attribution into the front matter."),
    Setting("body", str, "The body's language [default: auto].", None, ("auto", "html", "markdown")),  # noqa: E501
    Setting("allow-unsafe-links", bool, "Keep javascript:, vbscript: and data: links (dropped by default)."),  # noqa: E501
    Setting("verify", bool, "Refuse output that does not show what its input showed [default: on, off to stdout/-o]."),  # noqa: E501
    Setting("rename-ext", str, "With -i or --check: rename .html/.htm posts to EXT (.md).", "EXT"),
    Setting("encoding", str, "Decode posts with CODEC instead of detecting (gb18030, cp1252…).", "CODEC"),  # noqa: E501
    Setting("exclude", str, "In a DIRECTORY given, skip the paths REGEX is found in (/sub/name.html).", "REGEX"),  # noqa: E501
)  # fmt: skip

BY_KEY: dict[str, Setting] = {setting.key: setting for setting in SETTINGS}
OPTION_FIELDS = frozenset(field.name for field in dataclasses.fields(Options))
_TYPE_NAMES = {bool: "true or false", int: "an integer", str: "a string"}


class ConfigError(PostconvError):
    """A configuration file that cannot be read or holds a bad key or value."""


def split_settings(values: dict[str, Value]) -> tuple[Options, dict[str, Value]]:
    """Cut resolved settings (by name) into converter :class:`Options` and the rest.

    Raises ``ValueError`` when :class:`Options` refuses a value (e.g. heading level 9).
    """
    fields = {name: value for name, value in values.items() if name in OPTION_FIELDS}
    rest = {name: value for name, value in values.items() if name not in OPTION_FIELDS}
    return Options(**fields), rest


class ConfigLookup:
    """Settings from configuration for the posts of one run, found once per directory.

    With ``explicit`` (``--config FILE``) every post uses that file; otherwise
    each uses the nearest ``pyproject.toml`` with a ``[tool.postconv]`` table.
    """

    def __init__(self, explicit: Path | None = None) -> None:
        self._explicit = explicit
        self._found: dict[Path, Path | None] = {}
        self._loaded: dict[Path, dict[str, Value]] = {}
        if explicit is not None:
            self._load(explicit)  # a bad --config file fails before any post is read

    def settings_for(self, directory: Path) -> dict[str, Value]:
        """The configured settings (by name) for a post in ``directory`` (absolute)."""
        path = self._explicit or self._find(directory)
        return {} if path is None else self._load(path)

    def _find(self, directory: Path) -> Path | None:
        if directory not in self._found:
            self._found[directory] = find_config(directory)
        return self._found[directory]

    def _load(self, path: Path) -> dict[str, Value]:
        if path not in self._loaded:
            self._loaded[path] = load_config(path)
        return self._loaded[path]


def find_config(directory: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.postconv]`` table at or above ``directory``."""
    for folder in (directory, *directory.parents):
        candidate = folder / "pyproject.toml"
        tool = _read_toml(candidate).get("tool") if candidate.is_file() else None
        if isinstance(tool, dict) and "postconv" in tool:
            return candidate
    return None


def load_config(path: Path) -> dict[str, Value]:
    """Read and check the settings in ``path``, by setting name.

    A ``pyproject.toml`` must have a ``[tool.postconv]`` table; any other file
    (``--config postconv.toml``) may have one or hold the keys at its top level.
    """
    data = _read_toml(path)
    tool = data.get("tool", {})
    if isinstance(tool, dict) and "postconv" in tool:
        table, where = tool["postconv"], f"{path}: [tool.postconv]"
    elif path.name == "pyproject.toml":
        raise ConfigError(f"{path}: no [tool.postconv] table")
    else:
        table, where = data, str(path)
    if not isinstance(table, dict):
        raise ConfigError(f"{where} is not a table")
    values = {
        _setting(key, where).name: _checked(value, key, where) for key, value in table.items()
    }
    try:
        split_settings(values)
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None
    return values


def _read_toml(path: Path) -> dict:
    import tomllib  # (here: most runs find no pyproject.toml, and start faster without it)

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror or error}") from None


def _setting(key: str, where: str) -> Setting:
    if key in BY_KEY:
        return BY_KEY[key]
    import difflib  # (a misspelt key only)

    close = difflib.get_close_matches(key.replace("_", "-"), BY_KEY, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ConfigError(f"{where}: unknown key {key!r}{hint}")


def _checked(value: object, key: str, where: str) -> Value:
    expected = BY_KEY[key].type
    # bool is a subclass of int: `heading-level = true` must not pass as 1
    if type(value) is not expected:
        raise ConfigError(f"{where}: {key} must be {_TYPE_NAMES[expected]}, got {value!r}")
    choices = BY_KEY[key].choices
    if choices and value not in choices:
        raise ConfigError(f"{where}: {key} must be one of {', '.join(choices)}, got {value!r}")
    return value
