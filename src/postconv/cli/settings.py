"""Click options built from the settings table, shared by ``postconv`` and ``migrate``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from postconv.io.config import OPTION_FIELDS, SETTINGS, Setting

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

#: the settings that shape the Markdown (fields of Options), for commands without -i/--check
CONVERTER_SETTINGS = tuple(setting for setting in SETTINGS if setting.name in OPTION_FIELDS)

config_option: Decorator = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read settings from this TOML file instead of the nearest pyproject.toml.",
)


def setting_option(setting: Setting) -> Decorator:
    """The click option for one row of the settings table; unset options are None."""
    if setting.type is bool:
        flags = f"--{setting.key}/--no-{setting.key}"
        return click.option(flags, setting.name, default=None, help=setting.help)
    return click.option(
        f"--{setting.key}",
        setting.name,
        type=click.Choice(setting.choices) if setting.choices else setting.type,
        default=None,
        metavar=setting.metavar,
        help=setting.help,
    )


def setting_options(settings: Iterable[Setting]) -> Decorator:
    """One option per setting, in table order."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        for setting in reversed(tuple(settings)):
            function = setting_option(setting)(function)
        return function

    return decorate
