"""``postconv migrate SRC DEST``: options → :func:`~postconv.migrate.batch.migrate` → summary.

Exit codes: 0 all good, 1 some file failed or was refused, 2 usage error,
130 interrupted by Ctrl-C, 143 by SIGTERM, 129 by SIGHUP (re-running finishes the job).
A first signal stops the run cleanly; a second one exits at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NoReturn

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from postconv.cli.settings import CONVERTER_SETTINGS, config_option, setting_options
from postconv.errors import PostconvError
from postconv.io.config import BY_KEY, ConfigLookup, Value, split_settings
from postconv.io.decode import codec_name
from postconv.io.files import printable
from postconv.io.remote import is_remote, local_path
from postconv.migrate.batch import ENGINES, Settings, inside
from postconv.migrate.batch import migrate as run_migration
from postconv.migrate.report import (
    STATUSES,
    Outcome,
    ReportWriter,
    Summary,
)
from postconv.migrate.sources import SourceError
from postconv.options import Options


@click.command()
@click.argument("src", type=click.Path())  # checked by the batch: one-line errors
@click.argument("dest", type=click.Path())
@click.option("--ext", default=".md", show_default=True, help="Extension of converted posts.")
@click.option(
    "--skip-other", is_flag=True, help="Skip files that are not posts instead of copying them."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=lambda: os.cpu_count() or 1,
    show_default="CPU count",
    help="Worker processes.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=60,
    show_default=True,
    metavar="SECONDS",
    help="A post taking longer fails (its worker is replaced); 0: no limit.",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    help="Where posts are converted: local worker processes, or a Dask cluster "
    "(pip install 'postconv[dask]').",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="The Dask scheduler to use (tcp://host:8786); default: a LocalCluster of -j workers.",
)
@click.option("--force", is_flag=True, help="Rewrite outputs even when up to date.")
@click.option(
    "--fsync",
    is_flag=True,
    help="Flush every output to disk before its rename (slower; survives a power cut).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary table.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Write one JSON line per input (status, output, error, encoding, seconds).",
)
@setting_options((*CONVERTER_SETTINGS, BY_KEY["verify"], BY_KEY["encoding"]))
@config_option
def migrate(
    src: str,
    dest: str,
    ext: str,
    skip_other: bool,
    jobs: int,
    timeout: float,
    engine: str,
    scheduler: str | None,
    force: bool,
    fsync: bool,
    quiet: bool,
    report_path: str | None,
    config_file: Path | None,
    **cli_settings: Value | None,
) -> None:
    """Convert a whole archive SRC (directory, .zip, .tar[.gz|.bz2|.xz]) into directory DEST.

    SRC and DEST may be fsspec URLs (s3://bucket/posts/, gs://…, file:///…).

    \b
    Posts (.html .htm .xhtml .md .markdown .mdown .mkd .mkdn .txt) are
    converted and written as UTF-8 with extension --ext; other files are
    copied (or skipped with --skip-other); hidden files are ignored. A post
    whose output does not show what it showed (code, links, structure, text)
    is refused and not written, unless --no-verify. A re-run redoes only
    the posts whose input, settings or postconv version changed (DEST keeps a
    manifest) unless --force, so re-running an interrupted migration finishes it.

    Conversion settings come from [tool.postconv] in the nearest pyproject.toml
    above SRC (or --config), as for one file; the command line wins.
    """
    if scheduler is not None and engine != "dask":
        _usage_error("--scheduler needs --engine dask")
    try:
        options, verify, encoding = _options(src, config_file, cli_settings)
    except PostconvError as error:
        _usage_error(str(error))
    try:
        settings = Settings(
            ext=ext,
            copy_other=not skip_other,
            force=force,
            fsync=fsync,
            jobs=jobs,
            timeout=timeout or None,
            options=options,
            verify=verify,
            encoding=encoding,
            engine=engine,
            scheduler=scheduler,
        )
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    problem = _report_among_inputs(src, report_path)
    if problem is not None:
        _usage_error(problem)
    stderr = Console(stderr=True, highlight=False, soft_wrap=True)
    show_progress = stderr.is_terminal and not quiet
    with _report_file(report_path) as report, _progress(stderr, show_progress) as progress:
        display = _Display(progress, stderr, report, quiet)
        on_total = display.total if show_progress else None
        try:
            with _stop_on_signals() as stop:
                summary = run_migration(
                    src, dest, settings, display.outcome, on_total, stop, display.note
                )
        except SourceError as error:
            stderr.print(f"postconv migrate: error: {printable(str(error))}", markup=False)
            sys.exit(2)
        except KeyboardInterrupt:
            display.interrupted(signal.SIGINT)
        except Exception as error:  # a bug: still one line, never a traceback
            message = f"postconv migrate: internal error: {type(error).__name__}: {error}"
            stderr.print(message.splitlines()[0], markup=False)
            sys.exit(2)
        if summary.interrupted:
            display.interrupted(stop.signum)
    if not quiet:
        _print_summary(summary, Console(highlight=False))
    sys.exit(0 if summary.ok else 1)


class _Display:
    """Receives every outcome: progress bar, one line per problem, JSONL report."""

    def __init__(
        self, progress: Progress | None, stderr: Console, report: IO[str] | None, quiet: bool
    ) -> None:
        self.quiet = quiet
        self.progress = progress
        self.task = progress.add_task("migrating", total=None) if progress else None
        self.console = progress.console if progress else stderr
        self.report = ReportWriter(report) if report is not None else None
        self.done = 0

    def note(self, text: str) -> None:
        """What the engine has to say (the Dask dashboard's address), on stderr."""
        if not self.quiet:
            self.console.print(text, markup=False)

    def total(self, count: int | None) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, total=count)
            self.progress.start()

    def outcome(self, outcome: Outcome) -> None:
        self.done += 1
        if outcome.worth_a_line:
            self.console.print(outcome.line, markup=False)
        if self.report is not None:
            self.report(outcome)
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)

    def interrupted(self, signum: int) -> NoReturn:
        if self.progress is not None:
            self.progress.stop()
        self.console.print(
            f"postconv migrate: interrupted after {self.done} files; "
            "run the same command again to finish (finished outputs are kept)",
            markup=False,
        )
        sys.exit(128 + signum)


def _options(
    src: str, config_file: Path | None, cli_settings: dict[str, Value | None]
) -> tuple[Options, bool, str | None]:
    """Converter options, whether to verify, the encoding: the configuration above
    SRC, overridden by the command line (SRC in a store: above the current directory)."""
    src = local_path(src)
    start = Path.cwd() if is_remote(src) else Path(src).resolve()
    directory = start if start.is_dir() else start.parent
    configured = ConfigLookup(config_file).settings_for(directory)
    given = {name: value for name, value in cli_settings.items() if value is not None}
    try:
        options, steering = split_settings({**configured, **given})
    except ValueError as error:
        raise PostconvError(str(error)) from None
    encoding = steering.get("encoding")
    codec = None if encoding is None else codec_name(str(encoding))
    return options, bool(steering.get("verify", True)), codec


@contextlib.contextmanager
def _progress(console: Console, enabled: bool) -> Iterator[Progress | None]:
    if not enabled:
        yield None
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    # started by _Display.total(), once the worker processes are forked: forking
    # while the bar's refresh thread runs could copy a held lock into a worker
    progress = Progress(*columns, console=console, transient=True)
    try:
        yield progress
    finally:
        progress.stop()


def _report_among_inputs(src: str, report: str | None) -> str | None:
    """Why the report cannot go where asked: onto SRC or into it (opening it truncates an
    input before it is read); None when it can."""
    if report is None or is_remote(src):
        return None
    src = local_path(src)
    real_src, real_report = os.path.realpath(src), os.path.realpath(report)
    if real_report == real_src or (os.path.isdir(real_src) and inside(real_report, real_src)):
        return f"--report {report} is in SRC: inputs are never modified"
    return None


@contextlib.contextmanager
def _report_file(path: str | None) -> Iterator[IO[str] | None]:
    if path is None:
        yield None
        return
    try:
        stream = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as error:
        raise click.BadParameter(f"{path}: {error.strerror}", param_hint="--report") from None
    with stream:
        yield stream


def _usage_error(message: str) -> NoReturn:
    click.echo(f"postconv migrate: error: {printable(message)}", err=True)
    sys.exit(2)


class _Stop(threading.Event):
    """Set by the first Ctrl-C, SIGTERM (kill) or SIGHUP (terminal closed); remembers which."""

    signum: int = signal.SIGINT


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[_Stop]:
    """The first signal asks the batch to stop cleanly; a second one exits at once.

    Exit codes are 128 + the signal: 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP.
    """
    stop = _Stop()

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            os._exit(128 + signum)  # impatient: outputs stay whole, the next run sweeps temps
        stop.signum = signum
        stop.set()

    wanted = [
        signal.SIGINT,
        signal.SIGTERM,
        *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else []),
    ]
    try:
        previous = {signum: signal.signal(signum, handler) for signum in wanted}
    except ValueError:  # not the main thread: leave the signals alone
        yield stop
        return
    try:
        yield stop
    finally:
        for signum, action in previous.items():
            signal.signal(signum, action)


def _print_summary(summary: Summary, console: Console) -> None:
    table = Table(title="postconv migrate", title_justify="left")
    table.add_column("status")
    table.add_column("files", justify="right")
    for status in STATUSES:
        table.add_row(status, str(summary.counts[status]))
    table.add_row("total", str(summary.total), end_section=True)
    table.add_row("seconds", f"{summary.elapsed:.1f}")
    table.add_row("posts/s", f"{summary.posts_per_second:.0f}")
    for encoding, count in summary.encodings.most_common():
        table.add_row(f"decoded from {encoding}", str(count))
    if summary.stale_temps_removed:
        table.add_row("stale temp files removed", str(summary.stale_temps_removed))
    console.print(table)
