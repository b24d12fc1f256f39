"""The work on one file, run in worker processes: read, convert, verify, write atomically.

One thread, no tricks: a worker reads a post (or gets its bytes), calls the
pure core, checks that the output shows what the input showed
(:mod:`postconv.verify`: a post that fails is ``refused`` and not written),
writes the result through a temporary file and a rename.

A :class:`Task` is small and picklable: the input's path (directory sources:
the worker reads it) or its bytes (archive members: the parent read them).
Every failure becomes a ``failed`` :class:`Outcome` with a one-line reason;
nothing here raises for a bad file.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Literal

from postconv.errors import PostconvError, first_line
from postconv.io import remote
from postconv.io.decode import decode_post, dropped_warning
from postconv.io.files import MAX_POST_BYTES, read_post_bytes, write_atomically
from postconv.migrate.manifest import digest
from postconv.migrate.report import Outcome, Status
from postconv.options import Options
from postconv.pipeline import convert
from postconv.verify import verify_conversion

Action = Literal["convert", "copy"]


@dataclass(frozen=True)
class Task:
    input: str  # relative path in SRC, for the report
    output: str  # file to write
    action: Action
    path: str | None = None  # read by the worker (directory sources)
    data: bytes | None = None  # already read by the parent (archive members)


def init_worker() -> None:
    """Worker processes leave Ctrl-C to the parent, which stops feeding them and drains."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)


def run_task(
    task: Task,
    options: Options,
    durable: bool = False,
    verify: bool = True,
    encoding: str | None = None,
) -> Outcome:
    """Read, convert (or copy), verify and write one file; every failure becomes an Outcome."""
    started = time.perf_counter()
    codec = warning = sha256 = None  # the codec that decoded the post, the bytes' digest
    try:
        if task.action == "copy":
            with open_input(task.path or task.input) as stream:
                write_output(task.output, stream, durable)
            status: Status = "copied"
        else:
            data = task.data if task.data is not None else read_input(task.path or task.input)
            sha256 = digest(data)
            decoded = decode_post(data, encoding)
            codec = decoded.encoding
            result = convert(decoded.text, options, task.input)  # its extension: a hint
            differences = (
                verify_conversion(decoded.text, result, options, task.input) if verify else []
            )
            if differences:
                found = tuple((found.kind, found.message) for found in differences)
                error = f"{differences[0].message} (see --no-verify)"
                return Outcome(task.input, "refused", None, error, codec, _since(started), found)
            write_output(task.output, result.text.encode("utf-8"), durable)
            status = "converted" if result.changed or decoded.dropped else "unchanged"
            warning = dropped_warning(decoded)
    except Exception as problem:
        return Outcome(task.input, "failed", None, reason(problem), codec, _since(started))
    seconds = _since(started)
    return Outcome(
        task.input, status, task.output, None, codec, seconds, warning=warning, digest=sha256
    )


def read_input(path: str) -> bytes:
    """The bytes of a post: a local file, or an fsspec URL (``s3://…``)."""
    if remote.is_url(path):
        return remote.read_bytes(path, MAX_POST_BYTES)
    return read_post_bytes(path)


def open_input(path: str) -> IO[bytes]:
    return remote.open_input(path) if remote.is_url(path) else open(path, "rb")


def write_output(output: str, content: bytes | IO[bytes], durable: bool = False) -> None:
    """Write an output whole or not at all: a temporary file and a rename on a disk,
    one atomic write on an object store (see :mod:`postconv.io.remote`)."""
    if remote.is_url(output):
        remote.write(output, content)
    else:
        write_atomically(output, content, durable, make_dirs=True)


class OverBudget(BaseException):
    """Raised into a post over its budget by :class:`Watchdog` (not an Exception:
    run_task must not turn it into an ordinary failure)."""


class Watchdog:
    """Gives each post of a partition its budget in a thread that is not the main one
    (a Dask worker's): a post over it gets :class:`OverBudget` raised into its Python
    code (as with ``-j 1``, a post stuck inside C code is waited for)."""

    TICK = 0.25

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.thread_id = threading.get_ident()
        self.deadline: float | None = None
        self.done = threading.Event()
        self.lock = threading.Lock()

    @contextlib.contextmanager
    def watching(self) -> Iterator[Watchdog]:
        thread = threading.Thread(target=self._watch, daemon=True) if self.seconds else None
        if thread is not None:
            thread.start()
        try:
            yield self
        finally:
            self.done.set()
            if thread is not None:
                thread.join()

    @contextlib.contextmanager
    def post(self) -> Iterator[None]:
        with self.lock:
            self.deadline = time.monotonic() + self.seconds if self.seconds else None
        try:
            yield
        finally:
            with self.lock:
                self.deadline = None

    def _watch(self) -> None:
        while not self.done.wait(self.TICK):
            with self.lock:
                if self.deadline is None or time.monotonic() <= self.deadline:
                    continue
                self.deadline = None
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(self.thread_id), ctypes.py_object(OverBudget)
                )


def timeout_reason(seconds: float) -> str:
    return f"timeout: not done in {seconds:g} s (see --timeout)"


def run_partition(
    tasks: list[Task], work: tuple[Options, bool, bool, str | None], timeout: float | None
) -> list[Outcome]:
    """The tasks of one partition (a Dask task), one outcome each, each within ``timeout``."""
    outcomes = []
    with Watchdog(timeout).watching() as watchdog:
        for task in tasks:
            try:
                with watchdog.post():
                    outcome = run_task(task, *work)
            except OverBudget:
                outcome = Outcome(task.input, "failed", error=timeout_reason(timeout or 0))
            outcomes.append(outcome)
    return outcomes


def reason(problem: Exception) -> str:
    """The one-line reason reported for a failed file."""
    if isinstance(problem, PostconvError):
        return str(problem)
    if isinstance(problem, OSError):
        return one_line_os_error(problem)
    # a bug in the core must not stop the run, nor print a traceback
    return f"internal error: {type(problem).__name__}: {first_line(problem)}"


def sync_filesystem(path: str) -> None:
    """Flush the file system holding ``path`` to disk (Linux ``syncfs``, else ``sync``)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open(path, os.O_RDONLY)
        try:
            if libc.syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    except (OSError, AttributeError):
        pass
    os.sync()


def _since(started: float) -> float:
    return time.perf_counter() - started


def read_member(stream: IO[bytes], size: int) -> bytes:
    """Read an archive member that should be a post, refusing huge ones like read_post."""
    if size > MAX_POST_BYTES:
        raise PostconvError(f"file too large ({size // (1024 * 1024)} MB) to be a post")
    with stream:
        data = stream.read(MAX_POST_BYTES + 1)
    if len(data) > MAX_POST_BYTES:
        raise PostconvError("file too large to be a post")
    return data


def one_line_os_error(error: OSError) -> str:
    return error.strerror or first_line(error)
