"""``postconv FILE...``: read posts, call the pure core, write or report, set the exit code.

Three modes, chosen by the flags:

- *convert* (no flag): one FILE, or ``-`` for stdin, to stdout or to ``-o FILE``;
- *in place* (``-i``): rewrite each FILE whose output differs, atomically;
- *check* (``--check``, ``--diff``): write nothing, list or show what would change.

Exit codes, as black and ruff format: 0 done or nothing to change, 1 (check mode)
some file would change, 2 bad usage or bad input. A bad file does not stop the
others: it is reported on stderr as one line and the exit code is 2 at the end.
Stdout carries only Markdown or diffs, as UTF-8 whatever the locale; every
message goes to stderr.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

import click

from postconv.cli.settings import config_option, setting_options
from postconv.errors import PostconvError
from postconv.io.config import SETTINGS, ConfigLookup, Value, split_settings
from postconv.io.decode import Decoded, codec_name, dropped_warning
from postconv.io.files import atomic_write, printable, read_post, read_stream
from postconv.io.walk import post_files
from postconv.options import Options
from postconv.pipeline import Result, convert

STDIN = "-"
HTML_SUFFIXES = (".html", ".htm")
_LINES = re.compile(r"[^\n]*\n|[^\n]+")


class Mode(enum.Enum):
    CONVERT = "convert"
    IN_PLACE = "in place"
    CHECK = "check"


@dataclass(frozen=True)
class Run:
    """What the command line asked for: the same for every FILE."""

    mode: Mode
    output: str | None  # -o FILE, convert mode only
    diff: bool
    quiet: bool
    cli_values: dict[str, Value]  # settings given on the command line, by name
    configs: ConfigLookup
    verify_report: IO[str] | None = None  # --verify-report: one JSON line per refusal


@dataclass(frozen=True)
class Plan:
    """What one post becomes, before anything is written."""

    source: str
    target: str  # differs from source when --rename-ext renames it
    before: str
    result: Result
    changed: bool  # content, encoding or name differs
    warning: str | None = None  # what the reader should know of the input


class OneLineErrors(click.Command):
    """A command whose usage errors print as one ``postconv: error: …`` line, exit code 2."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        with _one_line_usage_errors(ctx):
            return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        with _one_line_usage_errors(ctx):
            return super().invoke(ctx)


@contextlib.contextmanager
def _one_line_usage_errors(ctx: click.Context) -> Iterator[None]:
    try:
        yield
    except click.UsageError as error:
        message = error.format_message().rstrip(".")
        say(f"error: {message} (see '{ctx.find_root().info_name} --help')")
        ctx.exit(2)


@click.command("format", cls=OneLineErrors)
@click.argument("files", nargs=-1, metavar="FILE...", type=click.Path(allow_dash=True))
@click.option("-o", "--output", metavar="FILE", help="Write the Markdown to FILE (atomically).")
@click.option("-i", "--in-place", is_flag=True, help="Rewrite each FILE that would change.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any FILE would change.")
@click.option("--diff", is_flag=True, help="Write nothing; print a unified diff of the changes.")
@setting_options(SETTINGS)
@config_option
@click.option(
    "--verify-report",
    "verify_report",
    type=click.Path(dir_okay=False, allow_dash=False),
    metavar="FILE",
    help="Write every difference of each refused FILE here, one JSON line per FILE.",
)
@click.option("-q", "--quiet", is_flag=True, help="Report errors only.")
def format_files(
    files: tuple[str, ...],
    output: str | None,
    in_place: bool,
    check: bool,
    diff: bool,
    config_file: Path | None,
    verify_report: str | None,
    quiet: bool,
    **cli_settings: Value | None,
) -> None:
    """Convert FILE (or - for stdin) to Markdown on stdout; with -i, --check or --diff, many.

    \b
      postconv post.html > post.md        one post to stdout
      postconv - < post.html > post.md    stdin to stdout
      postconv post.html -o post.md       one post to a file, written atomically
      postconv -i _posts/                 rewrite the posts of a directory in place
      postconv --check _posts/            exit 1 if any post would change
      postconv --diff _posts/*.html       show what would change

    A directory stands for its posts (.html .htm .xhtml .md .markdown .mdown
    .mkd .mkdn .txt), hidden entries, .gitignore'd paths and --exclude left out.

    Settings come from [tool.postconv] in the nearest pyproject.toml (or --config),
    keys named as the options (heading-level = 3); the command line wins.
    """
    mode = _mode(files, output, in_place, check, diff, cli_settings)
    cli_values = {name: value for name, value in cli_settings.items() if value is not None}
    try:
        _encoding(split_settings(cli_values)[1])
    except (ValueError, PostconvError) as error:
        raise click.UsageError(str(error)) from None
    try:
        configs = ConfigLookup(config_file)
    except PostconvError as error:
        say(f"error: {error}")
        raise SystemExit(2) from None
    names = list(_posts_named(files, mode, cli_values, configs))
    with _report_file(verify_report) as report:
        run = Run(mode, output, diff, quiet, cli_values, configs, report)
        tally = Counter(_process(name, run) for name in names)
    if mode is not Mode.CONVERT and not quiet:
        say(summary(tally, mode), prefix="")
    raise SystemExit(exit_code(tally, mode))


def _posts_named(
    files: tuple[str, ...], mode: Mode, cli_values: dict[str, Value], configs: ConfigLookup
) -> Iterator[str]:
    """Each FILE, and the posts of each directory among them (see :mod:`postconv.io.walk`)."""
    for name in files:
        if name == STDIN or not os.path.isdir(name):
            yield name
            continue
        if mode is Mode.CONVERT:
            raise click.UsageError(f"{name} is a directory: use --in-place, --check or --diff")
        yield from post_files(name, _exclude(name, cli_values, configs))


def _exclude(
    directory: str, cli_values: dict[str, Value], configs: ConfigLookup
) -> re.Pattern[str] | None:
    """``--exclude``, or ``exclude`` of the configuration that holds ``directory``."""
    pattern = cli_values.get("exclude")
    if pattern is None:
        try:
            pattern = configs.settings_for(Path(os.path.abspath(directory))).get("exclude")
        except PostconvError as error:
            raise click.UsageError(str(error)) from None
    if not pattern:
        return None
    try:
        return re.compile(str(pattern))
    except re.error as error:
        message = f"--exclude {pattern!r} is not a regular expression: {error}"
        raise click.UsageError(message) from None


def _mode(
    files: tuple[str, ...],
    output: str | None,
    in_place: bool,
    check: bool,
    diff: bool,
    cli_settings: dict[str, Value | None],
) -> Mode:
    """The mode the flags ask for; a :class:`click.UsageError` if they make none."""
    if not files:
        raise click.UsageError("no FILE given (use - to read standard input)")
    if STDIN in files and len(files) > 1:
        raise click.UsageError("- (standard input) must be the only FILE")
    if in_place and (check or diff):
        raise click.UsageError("--in-place cannot be combined with --check or --diff")
    if output is not None and (in_place or check or diff):
        raise click.UsageError("-o/--output cannot be combined with --in-place, --check or --diff")
    if in_place and STDIN in files:
        raise click.UsageError("--in-place needs file names, not - (standard input)")
    if cli_settings.get("rename_ext") is not None and not (in_place or check or diff):
        raise click.UsageError("--rename-ext needs --in-place, --check or --diff")
    if in_place:
        return Mode.IN_PLACE
    if check or diff:
        return Mode.CHECK
    if len(files) > 1:
        raise click.UsageError("several FILEs need --in-place, --check or --diff")
    return Mode.CONVERT


def _process(name: str, run: Run) -> str:
    """Convert and write or report one FILE; return its outcome for the tally."""
    try:
        plan = _plan(name, run)
        if plan.warning and not run.quiet:
            say(f"warning: {_display(name)}: {plan.warning}")
        if run.mode is Mode.CONVERT:
            _write_output(plan.result.text.encode(), run.output)
            return "converted"
        if not plan.changed:
            return "unchanged"
        if run.mode is Mode.IN_PLACE:
            _write_in_place(plan)
        elif run.diff:
            diff = unified_diff(plan.before, plan.result.text, plan.source, plan.target)
            _write_stdout(diff.encode("utf-8", "surrogateescape"))  # undecodable file names
        if not run.quiet:
            say(_change_line(plan, run.mode), prefix="")
        return "changed"
    except PostconvError as error:
        say(f"error: {_display(name)}: {error}")
        return "failed"
    except Exception as error:  # a bug in postconv: report it, go on with the other files
        reason = f"{type(error).__name__}: {(str(error).splitlines() or [''])[0]}"
        say(f"error: {_display(name)}: internal error, please report: {reason}")
        return "failed"


def _plan(name: str, run: Run) -> Plan:
    directory = Path.cwd() if name == STDIN else Path(os.path.abspath(name)).parent
    values = {**run.configs.settings_for(directory), **run.cli_values}
    options, steering = split_settings(values)
    decoded = _read(name, _encoding(steering))
    result = convert(decoded.text, options, None if name == STDIN else name)
    if steering.get("verify", run.mode is not Mode.CONVERT):
        _verify(decoded.text, result, options, name, run.verify_report)
    rename_ext = steering.get("rename_ext") if run.mode is not Mode.CONVERT else None
    target = renamed(name, rename_ext) if name != STDIN else name
    changed = result.changed or decoded.encoding != "utf-8" or target != name or decoded.dropped
    return Plan(name, target, decoded.text, result, bool(changed), dropped_warning(decoded))


def _read(name: str, encoding: str | None) -> Decoded:
    if name == STDIN:
        return read_stream(_binary("stdin"), encoding)
    return read_post(name, encoding)


def _encoding(steering: dict[str, Value]) -> str | None:
    """The codec ``--encoding`` (or the config) names, checked; None: detect."""
    encoding = steering.get("encoding")
    return None if encoding is None else codec_name(str(encoding))


def _verify(
    before: str, result: Result, options: Options, name: str, report: IO[str] | None
) -> None:
    """Raise if ``result`` does not show what ``before`` showed (:mod:`postconv.verify`),
    naming the first difference; ``report`` gets them all."""
    from postconv.verify import verify_conversion  # only -i, --check, --diff: not at start-up

    differences = verify_conversion(before, result, options, None if name == STDIN else name)
    if not differences:
        return
    if report is not None:
        found = [difference.to_dict() for difference in differences]
        record = {"file": _display(name), "differences": found}
        report.write(json.dumps(record, ensure_ascii=False) + "\n")
        report.flush()
    raise PostconvError(f"refused: {differences[0].message} (see --no-verify)")


@contextlib.contextmanager
def _report_file(path: str | None) -> Iterator[IO[str] | None]:
    if path is None:
        yield None
        return
    try:
        stream = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as error:
        say(f"error: cannot write {path}: {error.strerror or error}")
        raise SystemExit(2) from None
    with stream:
        yield stream


def renamed(name: str, extension: str | None) -> str:
    """``name`` with its .html/.htm suffix replaced by ``extension``, if one is set."""
    path = Path(name)
    if not extension or path.suffix.lower() not in HTML_SUFFIXES:
        return name
    suffix = extension if extension.startswith(".") else f".{extension}"
    try:
        return str(path.with_suffix(suffix))
    except ValueError:
        raise PostconvError(f"invalid rename-ext {extension!r}") from None


def _write_output(data: bytes, output: str | None) -> None:
    if output is None or output == STDIN:
        _write_stdout(data)
        return
    try:
        atomic_write(output, data)
    except OSError as error:
        raise PostconvError(f"cannot write {output}: {error.strerror or error}") from None


def _write_in_place(plan: Plan) -> None:
    try:
        if plan.target != plan.source:
            if os.path.lexists(plan.target):
                raise PostconvError(f"cannot rename to {_display(plan.target)}: it exists")
            atomic_write(plan.target, plan.result.text.encode())
            os.unlink(plan.source)
        else:
            atomic_write(plan.source, plan.result.text.encode())
    except OSError as error:
        raise PostconvError(f"cannot write: {error.strerror or error}") from None


def _write_stdout(data: bytes) -> None:
    stream = _binary("stdout")
    try:
        stream.write(data)
        stream.flush()
    except BrokenPipeError:  # `postconv post.html | head`: the reader has gone, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        raise SystemExit(1) from None


def unified_diff(before: str, after: str, source: str, target: str) -> str:
    """A unified diff of two texts, marking a last line without a newline as diff(1) does."""
    import difflib  # (--diff only)

    lines = difflib.unified_diff(
        _LINES.findall(before), _LINES.findall(after), _display(source), _display(target)
    )
    marked = (
        line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines
    )
    return "".join(marked)


def _change_line(plan: Plan, mode: Mode) -> str:
    would = "would " if mode is Mode.CHECK else ""
    source, target = _display(plan.source), _display(plan.target)
    if plan.target != plan.source:
        return f"{would}rename {source} -> {target}"
    return f"{would}reformat {source}" if would else f"reformatted {source}"


def summary(tally: Counter[str], mode: Mode) -> str:
    """One line such as ``2 files reformatted, 1 file left unchanged, 1 file failed.``"""
    if mode is Mode.CHECK:
        words = {"changed": "would be reformatted", "unchanged": "already formatted"}
    else:
        words = {"changed": "reformatted", "unchanged": "left unchanged"}
    words["failed"] = "failed"
    parts = [
        f"{tally[key]} file{'s' if tally[key] != 1 else ''} {text}"
        for key, text in words.items()
        if tally[key]
    ]
    return (", ".join(parts) or "no files") + "."


def exit_code(tally: Counter[str], mode: Mode) -> int:
    """2 if any file failed, else 1 if check mode found a change, else 0."""
    if tally["failed"]:
        return 2
    return 1 if mode is Mode.CHECK and tally["changed"] else 0


def _display(name: str) -> str:
    """A FILE as messages name it: on one line, control characters escaped."""
    return "<stdin>" if name == STDIN else printable(name)


def _binary(name: str) -> BinaryIO:
    """The byte stream under ``sys.stdin``/``stdout``/``stderr`` (click's runner replaces them)."""
    stream = getattr(sys, name)
    if name != "stdin":
        stream.flush()  # anything written as text before goes first
    return stream.buffer


def say(message: str, prefix: str = "postconv: ") -> None:
    """Write one line to stderr as UTF-8, whatever the locale."""
    stream = _binary("stderr")
    stream.write(f"{prefix}{message}\n".encode("utf-8", "surrogateescape"))
    stream.flush()
