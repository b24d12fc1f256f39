"""The ``postconv`` command: converting files is the default, ``migrate`` a subcommand."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, ClassVar

import click

from postconv import __version__

if TYPE_CHECKING:  # (completion only: click loads it, and locale, when completing)
    from click.shell_completion import CompletionItem


class DefaultGroup(click.Group):
    """A group that runs ``default`` unless the first argument names a subcommand.

    So ``postconv post.html`` and ``postconv migrate SRC DEST`` both work; a
    file that is really called ``migrate`` is reached as ``./migrate``.
    """

    default = "format"
    #: each command's module, imported only when the command runs (or help is shown):
    #: a one-file run never loads the batch machinery, its progress bar or its pool
    lazy: ClassVar[dict[str, str]] = {
        "format": "postconv.cli.format:format_files",
        "migrate": "postconv.cli.migrate:migrate",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.lazy)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.lazy:
            return None
        module, attribute = self.lazy[name].split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.resilient_parsing and not args:  # completing the first word: see shell_complete
            return super().parse_args(ctx, args)
        names_a_command = bool(args) and args[0] in self.lazy
        if not names_a_command and args[:1] not in (["--help"], ["-h"], ["--version"]):
            args = [self.default, *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """The first word is a subcommand (``postconv mi<TAB>`` → ``migrate``), or what the
        default command takes there: a FILE, or one of its options."""
        from click.shell_completion import CompletionItem

        default = self.get_command(ctx, self.default)
        assert default is not None
        if incomplete.startswith("-"):
            names = (name for param in default.params for name in param.opts + param.secondary_opts)
            return [CompletionItem(name) for name in names if name.startswith(incomplete)]
        commands = [
            CompletionItem(name)
            for name in self.list_commands(ctx)
            if name.startswith(incomplete) and name != self.default
        ]
        return [*commands, CompletionItem(incomplete, type="file")]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Show the default command's usage and options, then the other commands."""
        command = self.get_command(ctx, self.default)
        assert command is not None
        command.format_help(click.Context(command, info_name=ctx.info_name), formatter)
        self.format_commands(ctx, formatter)
        with formatter.section("Other options"):
            formatter.write_dl([("--version", "Show the version and exit.")])


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="postconv")
def main() -> None:
    """Convert HTML posts with YAML/TOML front matter to Markdown.

    \b
      postconv post.html > post.md       one post to stdout
      cat post.html | postconv -         stdin to stdout
      postconv migrate _posts/ out/      a whole archive, in parallel
    """
