"""Running tasks: in this process (``-j 1``) or in worker processes of our own.

Each worker gets one chunk of tasks at a time through a pipe and answers with
one outcome per task, so the parent always knows which post a worker is on
and since when. That gives every post a budget (``Settings.timeout``): a
worker over it is killed and replaced, its post is ``failed: timeout``, and
the rest of its chunk goes to the new worker. A worker that dies (killed, out
of memory, a crash in C code) costs the one post it was on, not its chunk.

The planner's stream is read only as workers free up (one chunk in each
worker, one being filled), so memory stays flat. Setting ``stop`` ends the
run within about :data:`GRACE` seconds: nothing new is sent, what finishes
in that time is reported, then the workers are killed (outputs are written
through a rename, so no half-written file is left; see
:func:`postconv.migrate.batch.migrate`).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Protocol

from postconv.migrate.report import Outcome
from postconv.migrate.work import Task, init_worker, run_task, timeout_reason

if TYPE_CHECKING:
    from postconv.migrate.batch import Settings
    from postconv.options import Options

OnOutcome = Callable[[Outcome], None]
Work = tuple["Options", bool, bool, "str | None"]

#: After a stop, how long workers may go on finishing posts before they are killed.
GRACE = 1.0

#: How often a wait for workers looks at ``stop`` and at the budgets (seconds).
POLL = 0.1


class Engine(Protocol):
    """A strategy for running the planner's tasks: :class:`Serial` and :class:`Parallel`
    here, :class:`postconv.migrate.cluster.DaskEngine` on a Dask cluster. ``run``
    reports every item: an Outcome as it comes, a Task once it is done."""

    def __enter__(self) -> Engine: ...

    def __exit__(self, *exc: object) -> None: ...

    def run(self, items: Iterator[Task | Outcome], report: OnOutcome) -> None: ...


def make_pool(
    settings: Settings, stop: threading.Event, on_note: Callable[[str], None] | None = None
) -> Engine:
    if settings.engine == "dask":
        from postconv.migrate.cluster import DaskEngine

        return DaskEngine(settings, stop, on_note)
    return Serial(settings, stop) if settings.jobs == 1 else Parallel(settings, stop)


class Serial:
    """``-j 1``: everything in this process (simplest to debug, no start-up cost).

    The budget and a stop interrupt the Python code of a post through an interval
    timer (main thread only): a post stuck inside C code is waited for.
    """

    #: how often the timer looks at the budget and at ``stop`` (seconds)
    TICK = 0.25

    def __init__(self, settings: Settings, stop: threading.Event) -> None:
        self.settings = settings
        self.stop = stop

    def __enter__(self) -> Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def run(self, items: Iterator[Task | Outcome], report: OnOutcome) -> None:
        with _ticking(self.TICK) as deadline:
            for item in items:
                if self.stop.is_set():
                    return
                if isinstance(item, Outcome):
                    report(item)
                    continue
                try:
                    deadline.start(self.settings.timeout, self.stop)
                    outcome = run_task(item, *_work(self.settings))
                except _Stopped:
                    return
                except _OverBudget:
                    outcome = Outcome(item.input, "failed", error=timeout_reason(deadline.seconds))
                finally:
                    deadline.clear()
                report(outcome)


class _OverBudget(BaseException):
    """Raised by the timer into a post over its budget (not an Exception: run_task
    must not turn it into an ordinary failure)."""


class _Stopped(BaseException):
    """Raised by the timer into a post when the run is asked to stop."""


class _Deadline:
    def __init__(self) -> None:
        self.at: float | None = None
        self.seconds = 0.0
        self.stop: threading.Event | None = None

    def start(self, seconds: float | None, stop: threading.Event) -> None:
        self.seconds = seconds or 0.0
        self.at = time.monotonic() + seconds if seconds else None
        self.stop = stop

    def clear(self) -> None:
        self.at = self.stop = None

    def tick(self, _signum: int, _frame: object) -> None:
        if self.stop is not None and self.stop.is_set():
            self.clear()
            raise _Stopped
        if self.at is not None and time.monotonic() > self.at:
            self.clear()
            raise _OverBudget


@contextlib.contextmanager
def _ticking(interval: float) -> Iterator[_Deadline]:
    deadline = _Deadline()
    if threading.current_thread() is not threading.main_thread():
        yield deadline  # signals go to the main thread only: no budget here
        return
    previous = signal.signal(signal.SIGALRM, deadline.tick)
    signal.setitimer(signal.ITIMER_REAL, interval, interval)
    try:
        yield deadline
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection  # the parent's end of the worker's pipe
    tasks: list[Task] = field(default_factory=list)  # sent, not yet answered
    since: float = 0.0  # when its current task started (its last answer)


class Parallel:
    """``jobs`` worker processes, each fed a chunk at a time (see the module docstring)."""

    def __init__(self, settings: Settings, stop: threading.Event) -> None:
        self.settings = settings
        self.stop = stop
        self.context = multiprocessing.get_context("fork")
        # started now, before any progress-bar thread exists, so that no lock is
        # copied into a child mid-use (a replacement is forked later: it touches none)
        self.workers = [self._spawn() for _ in range(settings.jobs)]

    def __enter__(self) -> Parallel:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.stop.set()
        self._close()

    def run(self, items: Iterator[Task | Outcome], report: OnOutcome) -> None:
        sizes = (self.settings.chunk_size, self.settings.chunk_bytes)
        for chunk in chunks(items, report, self.stop, *sizes):
            self._send(chunk, report)
        self._wait(report, lambda: any(worker.tasks for worker in self.workers))
        if self.stop.is_set():
            self._drain(report)

    def _send(self, chunk: list[Task], report: OnOutcome) -> None:
        """Give ``chunk`` to the first idle worker, waiting for one."""
        self._wait(report, lambda: all(worker.tasks for worker in self.workers))
        if self.stop.is_set():
            return
        worker = next(worker for worker in self.workers if not worker.tasks)
        self._give(worker, chunk)

    def _give(self, worker: _Worker, chunk: list[Task]) -> None:
        worker.tasks = list(chunk)
        worker.since = time.monotonic()
        worker.conn.send(chunk)

    def _wait(self, report: OnOutcome, busy: Callable[[], bool]) -> None:
        """Take answers (and deaths, and budgets overrun) while ``busy()`` and not stopped."""
        while busy() and not self.stop.is_set():
            self._take_answers(report, POLL)

    def _take_answers(self, report: OnOutcome, seconds: float) -> None:
        working = [worker for worker in self.workers if worker.tasks]
        ready = wait([worker.conn for worker in working], seconds)
        for worker in working:
            if worker.conn in ready:
                self._answer(worker, report)
            elif self._over_budget(worker):
                self._replace(worker, report, timeout_reason(self.settings.timeout or 0))

    def _answer(self, worker: _Worker, report: OnOutcome) -> None:
        try:
            outcome: Outcome = worker.conn.recv()
        except (EOFError, OSError):  # the worker died on its current task
            if self.stop.is_set():  # … killed by the signal that stops us: not done
                _kill(worker)
            else:
                self._replace(worker, report, _death_reason(worker.process))
            return
        worker.tasks.pop(0)
        worker.since = time.monotonic()
        report(outcome)

    def _over_budget(self, worker: _Worker) -> bool:
        budget = self.settings.timeout
        return bool(budget) and time.monotonic() - worker.since > budget  # type: ignore[operator]

    def _replace(self, worker: _Worker, report: OnOutcome, why: str) -> None:
        """Kill ``worker``, fail its current task with ``why``, and hand the rest of its
        chunk to a new worker (unless the run is stopping)."""
        lost, rest = worker.tasks[0], worker.tasks[1:]
        _kill(worker)
        fresh = self._spawn()
        self.workers[self.workers.index(worker)] = fresh
        report(Outcome(lost.input, "failed", error=why))
        if rest and not self.stop.is_set():
            self._give(fresh, rest)

    def _drain(self, report: OnOutcome) -> None:
        """Stopping: report what the workers finish within GRACE seconds."""
        ends = time.monotonic() + GRACE
        while any(worker.tasks for worker in self.workers) and time.monotonic() < ends:
            working = [worker for worker in self.workers if worker.tasks]
            for conn in wait([worker.conn for worker in working], ends - time.monotonic()):
                worker = next(worker for worker in working if worker.conn is conn)
                with contextlib.suppress(EOFError, OSError):
                    outcome = worker.conn.recv()
                    worker.tasks.pop(0)
                    report(outcome)
                    continue
                worker.tasks = []  # died: killed by the signal that stops us

    def _spawn(self) -> _Worker:
        parent, child = self.context.Pipe()
        work = _work(self.settings)
        process = self.context.Process(target=_serve, args=(child, work), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _close(self) -> None:
        for worker in self.workers:
            if worker.tasks or self.stop.is_set():
                _kill(worker)
            else:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)  # done: exit
                worker.conn.close()
        for worker in self.workers:
            worker.process.join(5)
            if worker.process.is_alive():
                _kill(worker)


def _serve(conn: Connection, work: Work) -> None:
    """A worker's life: answer each task of each chunk it gets, until told to end."""
    init_worker()
    _die_with_parent()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        for task in message:
            conn.send(run_task(task, *work))


def _kill(worker: _Worker) -> None:
    with contextlib.suppress(OSError, ValueError):
        worker.process.kill()
    worker.process.join()
    worker.conn.close()
    worker.tasks = []


def _death_reason(process: BaseProcess) -> str:
    process.join(1)
    code = process.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the worker process died on this post (killed by {name})"
    return f"the worker process died on this post (exit code {code})"


def _die_with_parent() -> None:
    """Linux: a worker gets SIGKILL when the parent dies (kill -9), instead of lingering."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def _work(settings: Settings) -> Work:
    """What each task is run with: options, fsync, verify, encoding."""
    return settings.options, settings.fsync, settings.verify, settings.encoding


def chunks(
    items: Iterator[Task | Outcome],
    report: OnOutcome,
    stop: threading.Event,
    count: int,
    max_bytes: int,
) -> Iterator[list[Task]]:
    """The planner's tasks in chunks of ``count`` tasks or ``max_bytes`` of data, read
    only as the chunks are taken; its outcomes (refused, skipped…) reported on the way.
    Nothing more once ``stop`` is set."""
    chunk: list[Task] = []
    size = 0
    for item in items:
        if stop.is_set():
            return
        if isinstance(item, Outcome):
            report(item)
            continue
        chunk.append(item)
        size += len(item.data or b"")
        if len(chunk) >= count or size >= max_bytes:
            yield chunk
            chunk, size = [], 0
    if chunk and not stop.is_set():
        yield chunk
