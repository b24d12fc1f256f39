"""Running the tasks on a Dask cluster (``postconv migrate --engine dask``).

The same planner feeds it as the local engine (:mod:`postconv.migrate.pool`):
what the planner decides at once (refusals, skips, up to date…) is reported
at once, and the tasks are sent in partitions of ``Settings.partition_size``
(one Dask task each: :func:`postconv.migrate.work.run_partition`, which calls
:func:`~postconv.migrate.work.run_task` on each, the same per-post work as the
local engine). At most two partitions per worker thread are in flight, so the
planner's stream is read only as the cluster frees up and memory stays flat.

Without a scheduler address a ``LocalCluster`` of ``Settings.jobs`` worker
processes (one thread each) is started and stopped with the run; with one, the
run is a client of that cluster, whose workers must have postconv installed and
reach SRC and DEST (an object store, or a file system they all share).

A worker that dies has its partition run again once (Dask reschedules it:
``distributed.scheduler.allowed-failures``, set to 1 on the LocalCluster); a
partition that kills a worker again is split and each of its posts is tried on
its own, again once more; a post whose worker died twice more is tried once
more at the end, alone on the cluster (a death counts against every task its
worker held, not only the one that caused it), and a post that kills its worker
then is ``failed: the worker process died on this post…``. No post is lost silently:
a partition that fails for any other reason fails each of its posts with the
reason.

A stop (Ctrl-C) ends the run as with the local engine: nothing new is sent, the
partitions done within :data:`GRACE` seconds are reported, the others
cancelled; the LocalCluster's workers leave Ctrl-C to this process
(:class:`~postconv.migrate.dask_worker.CtrlCIsTheParents`) and are killed when
they have not closed within :data:`KILL_AFTER` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from postconv.errors import first_line
from postconv.migrate.report import Outcome
from postconv.migrate.work import Task, reason, run_partition

if TYPE_CHECKING:
    from distributed import Client, Future

    from postconv.migrate.batch import Settings

OnOutcome = Callable[[Outcome], None]

#: times Dask runs a task again after the worker running it died
RETRIES = 1

#: partitions in flight per worker thread
IN_FLIGHT = 2

#: how often a wait for the cluster looks at ``stop`` (seconds)
POLL = 0.1

#: after a stop, how long partitions in flight may go on before they are cancelled
GRACE = 1.0

#: then how long the LocalCluster's workers may take to close before they are killed
KILL_AFTER = 0.5

#: how long closing the LocalCluster may take before its worker processes are killed:
#: Dask's close can wait forever on a nanny whose worker died while it was closing
CLOSE_TIMEOUT = 10.0

#: why a LocalCluster may not start: its workers are spawned, and import __main__ again
NO_GUARD = (
    "a script calling migrate() with the dask engine must do so under "
    "if __name__ == '__main__': (its workers import the script again)"
)

DIED = "the worker process died on this post, and again when it was tried once more"


class DaskEngine:
    """Runs the planner's items on a Dask cluster (see the module docstring)."""

    def __init__(
        self, settings: Settings, stop: threading.Event, on_note: Callable[[str], None] | None
    ) -> None:
        from postconv.migrate.batch import UsageError

        try:
            import distributed
        except ImportError:
            raise UsageError(
                "--engine dask needs dask.distributed: pip install 'postconv[dask]'"
            ) from None
        self.settings = settings
        self.stop = stop
        self.cluster: Any = None
        self.children_before: set[Any] = set()
        self.lost_workers = False
        self.submitted = 0
        self.suspects: list[Task] = []  # posts whose worker died twice (see run)
        self.alone = False  # the suspects' turn: one post on the cluster at a time
        if settings.scheduler is None:
            self.client = self._local_cluster(distributed)
        else:
            self.client = _connect(distributed, settings.scheduler, UsageError)
        try:
            _check_versions(self.client, UsageError)
        except BaseException:
            self._close()
            raise
        threads = sum(
            worker.get("nthreads", 1)
            for worker in self.client.scheduler_info(n_workers=-1)["workers"].values()
        )
        self.limit = IN_FLIGHT * max(1, threads)
        self.workers_at_start = self._worker_addresses()
        # a LocalCluster serves a dashboard only with bokeh (else a page asking for it)
        link = _dashboard_link(self.client) if self.cluster is None or _has_bokeh() else None
        if link and on_note is not None:
            on_note(f"Dask dashboard: {link}")

    def _local_cluster(self, distributed: Any) -> Client:
        import dask

        from postconv.migrate.batch import UsageError
        from postconv.migrate.dask_worker import CtrlCIsTheParents

        self.children_before = _children()
        try:
            with dask.config.set({"distributed.scheduler.allowed-failures": RETRIES}):
                self.cluster = distributed.LocalCluster(
                    n_workers=self.settings.jobs,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",  # a free port: another run may hold 8787
                    silence_logs=logging.CRITICAL,  # a worker's death is reported per post
                )
        except Exception as problem:  # most often: a script without the __main__ guard
            raise UsageError(
                f"--engine dask: {first_line(problem).rstrip('.')}; {NO_GUARD}"
            ) from None
        client = distributed.Client(self.cluster)
        # its workers are in our process group: a Ctrl-C at the terminal reaches them too
        client.register_plugin(CtrlCIsTheParents(), name="postconv-ctrl-c-is-the-parents")
        return client

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.stop.set()
        with contextlib.suppress(Exception):
            if self._worker_addresses() != self.workers_at_start:
                self.lost_workers = True
        self._close()

    def _close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self._close_cluster()

    def _close_cluster(self) -> None:
        """Close the LocalCluster; stopped midway, its workers first, given
        :data:`KILL_AFTER` seconds to finish the post in hand before they are killed
        (Dask would wait seconds), as the local engine's are: outputs are written
        through a rename, and the temporary files of killed workers are swept."""
        if self.stop.is_set():

            async def close_workers() -> None:
                workers = list(self.cluster.workers.values())
                await asyncio.gather(
                    *(worker.close(timeout=KILL_AFTER) for worker in workers),
                    return_exceptions=True,
                )

            self.cluster.sync(close_workers)
        try:
            self.cluster.close(timeout=CLOSE_TIMEOUT)
        finally:
            _kill(_children() - self.children_before)

    def run(self, items: Iterator[Task | Outcome], report: OnOutcome) -> None:
        inflight: dict[Future, list[Task]] = {}
        for partition in self._partitions(items, report):
            while len(inflight) >= self.limit and not self.stop.is_set():
                self._take(inflight, report)
            if self.stop.is_set():
                break
            self._submit(partition, inflight)
        while inflight and not self.stop.is_set():
            self._take(inflight, report)
        self._try_suspects_alone(inflight, report)
        if self.stop.is_set():
            self._drain(inflight, report)

    def _try_suspects_alone(self, inflight: dict[Future, list[Task]], report: OnOutcome) -> None:
        """Each post whose worker died twice while it was on it, run again with nothing
        else on the cluster: now a death is this post's (a worker's death counts
        against every task it held, the innocent posts queued or running beside the
        one that killed it too)."""
        self.alone = True
        while self.suspects and not self.stop.is_set():
            self._submit([self.suspects.pop()], inflight)
            while inflight and not self.stop.is_set():
                self._take(inflight, report)

    def _partitions(
        self, items: Iterator[Task | Outcome], report: OnOutcome
    ) -> Iterator[list[Task]]:
        from postconv.migrate.pool import chunks

        sizes = (self.settings.partition_size, self.settings.chunk_bytes)
        return chunks(items, report, self.stop, *sizes)

    def _submit(self, tasks: list[Task], inflight: dict[Future, list[Task]]) -> None:
        from postconv.migrate.pool import _work

        self.submitted += 1
        future = self.client.submit(
            run_partition,
            tasks,
            _work(self.settings),
            self.settings.timeout,
            key=f"postconv-partition-{self.submitted}",
            pure=False,
        )
        inflight[future] = tasks

    def _take(self, inflight: dict[Future, list[Task]], report: OnOutcome) -> None:
        """Report the partitions done within POLL seconds (at least one when there is)."""
        from distributed import wait

        try:
            done, _ = wait(list(inflight), timeout=POLL, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return
        for future in done:
            self._collect(future, inflight.pop(future), inflight, report)

    def _collect(
        self,
        future: Future,
        tasks: list[Task],
        inflight: dict[Future, list[Task]],
        report: OnOutcome,
    ) -> None:
        from distributed import KilledWorker

        if future.status == "finished":
            for outcome in future.result():
                report(outcome)
            return
        if future.status in ("lost", "pending"):
            # done, then its worker died before the outcomes were fetched: Dask runs it again
            inflight[future] = tasks
            return
        if self.stop.is_set():
            return  # stopped midway: not reported, the next run does it
        error = future.exception() if future.status == "error" else None
        if isinstance(error, KilledWorker):
            self.lost_workers = True
            if len(tasks) > 1:  # which post kills its worker? each is tried on its own
                for task in tasks:
                    self._submit([task], inflight)
            elif not self.alone:
                self.suspects.append(tasks[0])
            else:
                report(Outcome(tasks[0].input, "failed", error=DIED))
            return
        detail = reason(error) if isinstance(error, Exception) else future.status
        why = f"the cluster could not run this post: {detail}"
        for task in tasks:
            report(Outcome(task.input, "failed", error=why))

    def _drain(self, inflight: dict[Future, list[Task]], report: OnOutcome) -> None:
        """Stopping: report the partitions done within GRACE seconds, cancel the rest."""
        from distributed import wait

        ends = time.monotonic() + GRACE
        while inflight and time.monotonic() < ends:
            try:
                done, _ = wait(list(inflight), timeout=POLL, return_when="FIRST_COMPLETED")
            except TimeoutError:
                continue
            for future in done:
                tasks = inflight.pop(future)
                if future.status == "finished":
                    for outcome in future.result():
                        report(outcome)
                del tasks
        with contextlib.suppress(Exception):
            self.client.cancel(list(inflight))
        inflight.clear()

    def _worker_addresses(self) -> set[str]:
        return set(self.client.scheduler_info(n_workers=-1)["workers"])


def _check_versions(client: Client, error: type[Exception]) -> None:
    """Workers must run this postconv: another version converts otherwise (the
    results would not be this version's, nor the manifest's settings key right)."""
    import postconv

    try:
        versions = client.run(worker_version)
    except Exception as problem:  # no postconv there: the function cannot be unpickled
        raise error(
            f"--engine dask: the workers cannot run postconv: {first_line(problem)}"
        ) from None
    others = sorted({version for version in versions.values() if version != postconv.__version__})
    if others:
        raise error(
            f"--engine dask: the workers run postconv {', '.join(others)}, this is "
            f"{postconv.__version__}: install the same version on every worker"
        )


def worker_version() -> str:
    """Run on each worker: the postconv version installed there."""
    import postconv

    return postconv.__version__


def _children() -> set[Any]:
    """This process's multiprocessing children (a LocalCluster's workers among them)."""
    import multiprocessing

    return set(multiprocessing.active_children())


def _kill(processes: set[Any]) -> None:
    """Kill what a LocalCluster left behind (nothing, when it closed as it should):
    the children started since it was made."""
    for process in processes:
        with contextlib.suppress(Exception):
            process.kill()
            process.join(timeout=1)


def _connect(distributed: Any, address: str, error: type[Exception]) -> Client:
    """A client of the cluster at ``address``, or a one-line usage error."""
    try:
        return distributed.Client(address)
    except Exception as problem:  # OSError: timed out, refused; ValueError: a bad address
        raise error(f"--scheduler {address}: cannot connect: {first_line(problem)}") from None


def _dashboard_link(client: Client) -> str | None:
    with contextlib.suppress(Exception):
        info = client.scheduler_info(n_workers=0)
        if "dashboard" in info.get("services", {}):
            return client.dashboard_link
    return None


def _has_bokeh() -> bool:
    """The dashboard is drawn with bokeh; without it Dask serves only a page saying so."""
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None
