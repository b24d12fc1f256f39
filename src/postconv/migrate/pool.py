"""Running tasks: in this process (``-j 1``) or in a pool of worker processes.

The pool is fed chunk by chunk from the planner's stream, with a bounded
number of chunks in flight, so that memory stays flat; outcomes are reported
as chunks finish. Setting ``stop`` ends the run cleanly (see
:func:`postconv.migrate.batch.migrate`).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from postconv.migrate.report import Outcome
from postconv.migrate.work import Task, init_worker, run_chunk, run_task

if TYPE_CHECKING:
    from postconv.migrate.batch import Settings
    from postconv.options import Options

OnOutcome = Callable[[Outcome], None]


def make_pool(settings: Settings, stop: threading.Event) -> Serial | Parallel:
    return Serial(settings, stop) if settings.jobs == 1 else Parallel(settings, stop)


class Serial:
    """``-j 1``: everything in this process (simplest to debug, no start-up cost)."""

    def __init__(self, settings: Settings, stop: threading.Event) -> None:
        self.settings = settings
        self.stop = stop

    def __enter__(self) -> Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def run(self, items: Iterator[Task | Outcome], report: OnOutcome) -> None:
        for item in items:
            if self.stop.is_set():
                return
            if isinstance(item, Outcome):
                report(item)
            else:
                report(run_task(item, *_work(self.settings)))


class Parallel:
    """A process pool fed chunk by chunk, never more than ``2 × jobs`` chunks in flight.

    When ``stop`` is set no new chunk is sent; the chunks being converted are
    finished (each file is written atomically anyway) and reported.
    """

    #: How often a wait for workers looks at ``stop`` (seconds).
    POLL = 0.1

    def __init__(self, settings: Settings, stop: threading.Event) -> None:
        self.settings = settings
        self.stop = stop
        self.limit = 2 * settings.jobs
        self.inflight: dict[cf.Future[list[Outcome]], list[Task]] = {}
        self.executor = self._start()

    def _start(self) -> cf.ProcessPoolExecutor:
        executor = cf.ProcessPoolExecutor(
            max_workers=self.settings.jobs,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_init_worker_process,
        )
        # with "fork" the first submit starts every worker: do it now, before any
        # progress-bar thread exists, so no lock is copied into a child mid-use
        executor.submit(int).result()
        return executor

    def __enter__(self) -> Parallel:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None or self.stop.is_set():
            self._abort()
        self.executor.shutdown(wait=True, cancel_futures=True)

    def run(self, items: Iterator[Task | Outcome], report: OnOutcome) -> None:
        chunk: list[Task] = []
        size = 0
        for item in items:
            if self.stop.is_set():
                break
            if isinstance(item, Outcome):
                report(item)
                continue
            chunk.append(item)
            size += len(item.data or b"")
            if len(chunk) >= self.settings.chunk_size or size >= self.settings.chunk_bytes:
                self._submit(chunk, report)
                chunk, size = [], 0
        if chunk and not self.stop.is_set():
            self._submit(chunk, report)
        self._wait(report, until=0)
        if self.stop.is_set():
            self._drain(report)

    def _submit(self, chunk: list[Task], report: OnOutcome) -> None:
        self._wait(report, until=self.limit - 1)
        if self.stop.is_set():
            return
        work = _work(self.settings)
        try:
            future = self.executor.submit(run_chunk, chunk, *work)
        except BrokenProcessPool:  # a worker died since the last wait
            if self.stop.is_set():  # … killed by the signal that stops us
                return
            self._restart()
            future = self.executor.submit(run_chunk, chunk, *work)
        self.inflight[future] = chunk

    def _wait(self, report: OnOutcome, until: int) -> None:
        while len(self.inflight) > until and not self.stop.is_set():
            done, _ = cf.wait(self.inflight, self.POLL, return_when=cf.FIRST_COMPLETED)
            for future in done:
                self._report(future, self.inflight.pop(future), report)

    def _report(
        self, future: cf.Future[list[Outcome]], chunk: list[Task], report: OnOutcome
    ) -> None:
        try:
            outcomes = future.result()
        except Exception as error:  # a worker died (killed, out of memory …)
            if self.stop.is_set():
                return  # killed by the signal that stops us: these files were not done
            reason = f"worker process died on this chunk ({type(error).__name__})"
            outcomes = [Outcome(task.input, "failed", error=reason) for task in chunk]
            if isinstance(error, BrokenProcessPool):
                self._restart()
        for outcome in outcomes:
            report(outcome)

    def _restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._start()

    def _drain(self, report: OnOutcome) -> None:
        """Stopping: cancel the chunks not started, report those that finish."""
        self._abort()
        for future, chunk in self.inflight.items():
            if not future.cancelled() and future.exception() is None:
                self._report(future, chunk, report)
        self.inflight = {}

    def _abort(self) -> None:
        for future in self.inflight:
            future.cancel()
        cf.wait(self.inflight)


def _init_worker_process() -> None:
    init_worker()
    _die_with_parent()


def _die_with_parent() -> None:
    """Linux: a worker gets SIGKILL when the parent dies (kill -9), instead of lingering."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def _work(settings: Settings) -> tuple[Options, bool, bool, str | None]:
    """What each task is run with: options, fsync, verify, encoding."""
    return settings.options, settings.fsync, settings.verify, settings.encoding
