"""The ``postconv`` command: converting files is the default, ``migrate`` a subcommand."""

from __future__ import annotations

import click

from postconv import __version__
from postconv.cli.format import format_files
from postconv.cli.migrate import migrate


class DefaultGroup(click.Group):
    """A group that runs ``default`` unless the first argument names a subcommand.

    So ``postconv post.html`` and ``postconv migrate SRC DEST`` both work; a
    file that is really called ``migrate`` is reached as ``./migrate``.
    """

    default = "format"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        names_a_command = bool(args) and args[0] in self.commands
        if not names_a_command and args[:1] not in (["--help"], ["-h"], ["--version"]):
            args = [self.default, *args]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Show the default command's usage and options, then the other commands."""
        command = self.commands[self.default]
        command.format_help(click.Context(command, info_name=ctx.info_name), formatter)
        self.format_commands(ctx, formatter)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="postconv")
def main() -> None:
    """Convert HTML posts with YAML/TOML front matter to Markdown.

    \b
      postconv post.html > post.md       one post to stdout
      cat post.html | postconv -         stdin to stdout
      postconv migrate _posts/ out/      a whole archive, in parallel
    """


main.add_command(format_files)
main.add_command(migrate)
