"""Migrate a whole archive: decide what to do with each entry, run the work in parallel.

``migrate(src, dest, settings, on_outcome)`` streams the entries of SRC
(:mod:`postconv.migrate.sources`), turns each into either an immediate
:class:`~postconv.migrate.report.Outcome` (refused, skipped, up to date…) or a
:class:`~postconv.migrate.work.Task`, and feeds the tasks in small chunks to a
pool of worker processes that all call the same pure core as the one-file
CLI. At most a few chunks are in flight, so memory stays flat however large
the archive. Outputs are written atomically; a re-run skips outputs newer than
their input (unless ``force``), and first removes temporary files a killed
run may have left, so an interrupted migration is finished by running it again.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from posixpath import splitext

from postconv.errors import PostconvError, first_line
from postconv.io import remote
from postconv.io.files import TEMP_PREFIX
from postconv.io.walk import is_post
from postconv.migrate.manifest import Manifest, Record, digest, settings_key
from postconv.migrate.pool import make_pool
from postconv.migrate.report import NOT_A_POST, UP_TO_DATE, Outcome, Summary
from postconv.migrate.sources import Entry, Source, SourceError, open_source
from postconv.migrate.work import (
    Task,
    one_line_os_error,
    read_input,
    read_member,
    reason,
    sync_filesystem,
    write_output,
)
from postconv.options import Options

#: Temporary files of atomic writes, ours only (``postconv.io.files.TEMP_PREFIX``):
#: ``.postconv-NAME.XXXXXXXX.tmp``, 8 hex digits
_STALE_TEMP = re.compile(rf"^{re.escape(TEMP_PREFIX)}.+\.[0-9a-f]{{8}}\.tmp$")

OnOutcome = Callable[[Outcome], None]

#: an archive member (or the archive so far) may expand to this many times what it
#: takes in the archive, or to MAX_EXPANDED bytes, whichever is more
MAX_EXPANSION = 100
MAX_EXPANDED = 100 * 2**20

#: the statuses of an input whose output was written
WRITTEN = frozenset({"converted", "unchanged", "copied"})

#: the reason given to the second of two archive members of one name
DUPLICATE_MEMBER = "duplicate member name: the first one is converted"


#: how tasks are run: our own worker processes, or a Dask cluster
ENGINES = ("local", "dask")


class UsageError(SourceError):
    """SRC or DEST cannot be used at all (exit code 2)."""


@dataclass(frozen=True)
class Settings:
    ext: str = ".md"  # extension of converted posts
    copy_other: bool = True  # copy files that are not posts (else skip them)
    force: bool = False  # rewrite outputs even when newer than their input
    fsync: bool = False  # fsync every output (else one syncfs of DEST at the end)
    verify: bool = True  # write no post whose output does not show what its input showed
    encoding: str | None = None  # decode every post with this codec (else: UTF-8, or detected)
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    options: Options = field(default_factory=Options)
    timeout: float | None = 60.0  # seconds a post may take (None or 0: no limit)
    chunk_size: int = 16  # tasks per round trip to a worker
    chunk_bytes: int = 2 * 1024 * 1024  # … or fewer when archive members are big
    engine: str = "local"  # "local": our worker processes; "dask": a Dask cluster
    scheduler: str | None = None  # the Dask scheduler's address (None: a LocalCluster)
    partition_size: int = 128  # tasks per Dask task (a round trip costs more there)

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {self.jobs}")
        if self.timeout is not None and self.timeout < 0:
            raise ValueError(f"timeout must not be negative, got {self.timeout:g}")
        ext = self.ext if self.ext.startswith(".") else f".{self.ext}"
        if ext == "." or "/" in ext:
            raise ValueError(f"bad extension {self.ext!r}")
        object.__setattr__(self, "ext", ext)
        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r} (one of: {', '.join(ENGINES)})")
        if self.scheduler is not None and self.engine != "dask":
            raise ValueError("a scheduler address needs the dask engine (--engine dask)")


def migrate(
    src: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    settings: Settings | None = None,
    on_outcome: OnOutcome | None = None,
    on_total: Callable[[int | None], None] | None = None,
    stop: threading.Event | None = None,
    on_note: Callable[[str], None] | None = None,
) -> Summary:
    """Convert every post of SRC into DEST; report each input through ``on_outcome``.

    Raises :class:`~postconv.migrate.sources.SourceError` (:class:`UsageError` for
    DEST) when SRC or DEST is unusable. ``on_total`` (given: costs a second
    directory walk) receives the number of entries when it is cheap to know.

    Setting ``stop`` (from a signal handler: the CLI does it for Ctrl-C, SIGTERM
    and SIGHUP) ends the run early but cleanly: no new file is started, the
    files in hand are finished and reported, temporary files are removed, and
    the summary says ``interrupted``. A ``KeyboardInterrupt`` does the same and
    then goes on.

    SRC and DEST may be fsspec URLs (:mod:`postconv.io.remote`); ``on_note``
    receives what the engine has to say (the Dask dashboard's address).
    """
    settings = settings or Settings()
    stop = stop or threading.Event()
    started = time.perf_counter()
    summary = Summary()

    try:
        src, dest = remote.local_path(os.fspath(src)), remote.local_path(os.fspath(dest))
    except PostconvError as error:
        raise UsageError(str(error)) from None
    on_disk = not remote.is_remote(dest)
    dest_path = _prepare_dest(src, dest) if on_disk else _prepare_remote_dest(src, dest)
    lock = _locked(dest_path) if on_disk else contextlib.nullcontext()
    with lock, open_source(src, exclude=dest_path) as source:
        summary.stale_temps_removed = sweep_stale_temps(dest_path) if on_disk else 0
        fresh = _is_empty(dest_path)
        manifest = Manifest(dest_path)
        planner = _Planner(source, dest_path, settings, fresh, manifest)

        def report(outcome: Outcome) -> None:
            planner.record(outcome)
            summary.add(outcome)
            if on_outcome is not None:
                on_outcome(outcome)

        lost_workers = False
        try:
            with make_pool(settings, stop, on_note) as pool:
                if on_total is not None:
                    on_total(source.count())
                pool.run(planner.plan(), report)
            lost_workers = getattr(pool, "lost_workers", False)
        except KeyboardInterrupt:
            stop.set()
            raise
        finally:
            manifest.close(compact=True)
            # workers killed by a signal to the group (or lost by a cluster) may leave
            # temp files
            if on_disk and (stop.is_set() or lost_workers):
                sweep_stale_temps(dest_path)
            if on_disk:
                sync_filesystem(dest_path)
    summary.interrupted = stop.is_set()
    summary.elapsed = time.perf_counter() - started
    return summary


def _prepare_dest(src: str | os.PathLike[str], dest: str | os.PathLike[str]) -> str:
    real_src, real_dest = os.path.realpath(src), os.path.realpath(dest)
    if os.path.exists(dest) and not os.path.isdir(dest):
        raise UsageError(f"{os.fspath(dest)}: exists and is not a directory")
    if remote.is_remote(os.fspath(src)):
        pass  # a store's SRC cannot be a local DEST, nor inside one
    elif real_dest == real_src:
        raise UsageError("DEST must differ from SRC: inputs are never modified")
    elif inside(real_src, real_dest):  # a directory, or an archive its own output could replace
        raise UsageError("SRC must not be inside DEST: inputs are never modified")
    try:
        os.makedirs(dest, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{os.fspath(dest)}: {one_line_os_error(error)}") from None
    return os.path.abspath(dest)


def _prepare_remote_dest(src: str, dest: str) -> str:
    """DEST as an fsspec URL: checked as a local DEST is (not SRC, not holding it; not a
    file), made when the store has directories; a bucket must already exist."""
    try:
        fs, path = remote.filesystem(dest)
        found = remote.info(dest)
        if found is not None and found.get("type") != "directory":
            raise UsageError(f"{dest}: exists and is not a directory")
        if remote.is_remote(src):
            src_fs, src_path = remote.filesystem(src)
            if type(src_fs) is type(fs) and src_path == path:
                raise UsageError("DEST must differ from SRC: inputs are never modified")
            if type(src_fs) is type(fs) and inside_path(src_path, path):
                raise UsageError("SRC must not be inside DEST: inputs are never modified")
        if not remote.is_object_store(fs):
            fs.makedirs(path, exist_ok=True)
        elif found is None and not fs.exists(path.split("/", 1)[0]):
            raise UsageError(f"{dest}: no such bucket")
    except (UsageError, SourceError):
        raise
    except Exception as error:  # PostconvError (no fsspec…), a store that cannot be reached
        raise UsageError(f"{dest}: {first_line(error)}") from None
    return dest.rstrip("/")


def inside_path(path: str, directory: str) -> bool:
    """True when the '/'-separated ``path`` is ``directory`` or below it."""
    return path == directory or path.startswith(directory.rstrip("/") + "/")


@contextlib.contextmanager
def _locked(dest: str) -> Iterator[None]:
    """Hold DEST for this run: a second run into it would remove this one's temporary
    files and race it on every output. The lock is taken on DEST itself (no file is
    left in it) and goes with the process, even a killed one."""
    import fcntl

    try:
        fd = os.open(
            dest, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
        )
    except OSError as error:
        raise UsageError(f"{dest}: cannot lock it: {one_line_os_error(error)}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise UsageError(
                f"{dest}: another postconv migrate is writing into it; run again when it is done"
            ) from None
        yield
    finally:
        os.close(fd)


def _is_empty(directory: str) -> bool:
    if remote.is_remote(directory):
        fs, path = remote.filesystem(directory)
        try:
            return not fs.ls(path, detail=False)
        except FileNotFoundError:
            return True
    with os.scandir(directory) as entries:
        return next(entries, None) is None


def inside(path: str, directory: str) -> bool:
    """True when ``path`` is ``directory`` or below it (both real paths)."""
    return os.path.commonpath([path, directory]) == directory


def sweep_stale_temps(dest: str) -> int:
    """Remove temporary files an interrupted run left in DEST; return how many."""
    removed = 0
    directories = [dest]  # a stack, not recursion: a tree may be thousands deep
    while directories:
        try:
            with os.scandir(directories.pop()) as entries:
                found = list(entries)
        except OSError:
            continue
        for entry in found:
            if entry.is_dir(follow_symlinks=False):
                directories.append(entry.path)
            elif _STALE_TEMP.match(entry.name):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def output_name(rel: str, is_post: bool, ext: str) -> str:
    """``a/b.html`` → ``a/b.md`` for a post; other files keep their name."""
    if not is_post:
        return rel
    return splitext(rel)[0] + ext


def _file_system_name(rel: str) -> str:
    """``rel`` as the file system takes it, whatever the locale: archive members are
    named in Unicode, which an ASCII file system encoding (the C locale) cannot write;
    their UTF-8 bytes can."""
    return os.fsdecode(rel.encode("utf-8", "surrogateescape"))


class _Planner:
    """Turns each entry into a Task for a worker, or an Outcome decided right away."""

    def __init__(
        self, source: Source, dest: str, settings: Settings, fresh: bool, manifest: Manifest
    ) -> None:
        self.source = source
        self.manifest = manifest
        self.key = settings_key(settings)
        # inputs given to a worker (or copied), until their outcome is recorded:
        # input rel → (output rel, size, mtime); the worker reports the bytes' digest
        self.pending: dict[str, tuple[str, int, float]] = {}
        self.check_existing = not settings.force and not fresh  # an empty DEST: nothing to skip
        self.dest = dest
        self.on_disk = not remote.is_remote(dest)
        self.real_dest = os.path.realpath(dest) if self.on_disk else dest
        self.settings = settings
        self.written_by: dict[str, str] = {}  # output rel → input rel, to catch collisions
        self.seen: set[str] = set()  # input rels: an archive may hold one name twice
        self.expanded = 0  # bytes the archive's members read so far hold, uncompressed
        self.safe_dirs: dict[str, bool] = {}
        self.dest_files: dict[str, tuple[int, float]] | None = None  # DEST in a store

    def plan(self) -> Iterator[Task | Outcome]:
        for entry in self.source.entries():
            started = time.perf_counter()
            item = self._plan_entry(entry)
            if isinstance(item, Outcome) and item.seconds == 0.0:
                item = _timed(item, time.perf_counter() - started)
            yield item

    def _plan_entry(self, entry: Entry) -> Task | Outcome:
        if entry.rel in self.seen:  # which copy wins must not depend on the workers
            return Outcome(entry.rel, "failed", error=DUPLICATE_MEMBER)
        self.seen.add(entry.rel)
        if entry.kind == "unsafe":
            return Outcome(entry.rel, "refused", error=entry.reason)
        if entry.kind == "broken":
            return Outcome(entry.rel, "failed", error=entry.reason)
        if entry.kind != "file":
            return Outcome(entry.rel, "skipped", error=entry.reason)
        post = is_post(entry.rel)
        if not post and not self.settings.copy_other:
            return Outcome(entry.rel, "skipped", error=NOT_A_POST)
        out_rel = output_name(entry.rel, post, self.settings.ext)
        if self.on_disk:
            output = os.path.join(self.dest, *_file_system_name(out_rel).split("/"))
        else:
            output = remote.join(self.dest, out_rel)
        problem = self._check_output(entry.rel, out_rel, output)
        if problem is not None:
            return problem
        up_to_date = Outcome(entry.rel, "skipped", output, UP_TO_DATE)
        action = "convert" if post else "copy"
        if self.source.readable_by_path:
            if self.check_existing and self._kept(entry, out_rel, output, post):
                return up_to_date
            self.pending[entry.rel] = (out_rel, entry.size, entry.mtime)
            return Task(entry.rel, output, action, path=entry.path)
        bomb = self._expands_too_much(entry)
        if bomb is not None:
            return Outcome(entry.rel, "failed", error=bomb)
        if action == "copy":
            if self.check_existing and self._kept(entry, out_rel, output, post):
                return up_to_date
            self.pending[entry.rel] = (out_rel, entry.size, entry.mtime)
            return _copy_archive_member(entry, output, self.settings.fsync)
        data = _read_archive_post(entry)
        if isinstance(data, Outcome):
            return data
        if self.check_existing and self._kept(entry, out_rel, output, post, data):
            return up_to_date
        self.pending[entry.rel] = (out_rel, entry.size, entry.mtime)
        return Task(entry.rel, output, "convert", data=data)

    def _kept(
        self, entry: Entry, out_rel: str, output: str, post: bool, data: bytes | None = None
    ) -> bool:
        """True when ``output`` is what this run would write: the manifest says it was
        made from the same input with the same settings (see :mod:`.manifest`)."""
        record = self.manifest.get(entry.rel)
        if record is None:  # written before the manifest: by time
            written = self._whole_output(out_rel, output, entry)
            return written is not None and written >= entry.mtime
        key = self.key if post else "copy"
        if record.key != key or record.output != out_rel:
            return False
        if self._whole_output(out_rel, output, entry) is None:
            return False
        same_stat = (record.size, record.mtime) == (entry.size, entry.mtime)
        if same_stat and (self.source.readable_by_path or not post):
            return True  # (archives: their times may repeat, their bytes are compared)
        if not post or record.sha256 is None:
            return False
        if data is None:
            try:
                data = read_input(entry.path or entry.rel)
            except PostconvError:
                return False  # the worker will say why
        if digest(data) != record.sha256:
            return False
        if not same_stat:  # touched, not changed: remember its new time
            self.manifest.add(
                Record(entry.rel, out_rel, key, entry.size, entry.mtime, record.sha256)
            )
        return True

    def _whole_output(self, out_rel: str, output: str, entry: Entry) -> float | None:
        """The output's modification time when it is whole (see :func:`_whole_output`);
        in a store, from one listing of DEST made the first time it is needed, each
        output's line dropped once judged (each is judged once)."""
        if self.on_disk:
            return _whole_output(output, entry)
        if self.dest_files is None:
            try:
                self.dest_files = remote.files_below(self.dest)
            except Exception:  # the store cannot say: the posts are done again
                self.dest_files = {}
        found = self.dest_files.pop(out_rel, None)
        if found is None:
            return None
        size, mtime = found
        return mtime if size > 0 or entry.size == 0 else None

    def record(self, outcome: Outcome) -> None:
        """An output written: remember what made it."""
        known = self.pending.pop(outcome.input, None)
        if known is None or outcome.status not in WRITTEN:
            return
        out_rel, size, mtime = known
        copied = outcome.status == "copied"
        key = "copy" if copied else self.key
        sha256 = None if copied else outcome.digest
        self.manifest.add(Record(outcome.input, out_rel, key, size, mtime, sha256))

    def _expands_too_much(self, entry: Entry) -> str | None:
        """Why an archive member is not read: it, or the archive so far, would expand
        beyond :data:`MAX_EXPANSION` times what it takes in the archive (and
        :data:`MAX_EXPANDED` bytes): a zip bomb, overlapping members…"""
        megabytes = entry.size // 2**20
        if entry.stored is not None and entry.size > max(
            MAX_EXPANDED, MAX_EXPANSION * entry.stored
        ):
            return f"{megabytes} MB from {entry.stored} bytes compressed: refused (a zip bomb?)"
        budget = max(MAX_EXPANDED, MAX_EXPANSION * (self.source.size or 0))
        if self.expanded + entry.size > budget:
            return (
                f"the archive would expand beyond {MAX_EXPANSION} times its size "
                f"({(self.expanded + entry.size) // 2**20} MB): refused (a zip bomb?)"
            )
        self.expanded += entry.size
        return None

    def _check_output(self, rel: str, out_rel: str, output: str) -> Outcome | None:
        first = self.written_by.setdefault(out_rel, rel)
        if first != rel:
            return Outcome(rel, "failed", error=f"{out_rel} is already the output of {first}")
        if self.on_disk and not self._safe(os.path.dirname(output)):
            return Outcome(rel, "refused", error=f"a symlink in DEST leads {out_rel} outside DEST")
        return None

    def _safe(self, directory: str) -> bool:
        """True when ``directory`` (in DEST, made or not) leads nowhere outside DEST: each
        of its symlinks is resolved once, each other directory costs one lstat, so a
        tree thousands deep takes time in proportion to its size."""
        chain = []
        while directory not in self.safe_dirs and inside(directory, self.dest):
            if directory == self.dest:
                self.safe_dirs[directory] = True
                break
            chain.append(directory)
            directory = os.path.dirname(directory)
        safe = self.safe_dirs.get(directory, False)
        for directory in reversed(chain):
            if safe and os.path.islink(directory):
                safe = inside(os.path.realpath(directory), self.real_dest)
            self.safe_dirs[directory] = safe
        return safe


def _copy_archive_member(entry: Entry, output: str, durable: bool) -> Outcome:
    """Archive members that are not posts are copied here, in order, as the stream goes by."""
    started = time.perf_counter()
    try:
        with entry.open() as stream:
            write_output(output, stream, durable)
    except Exception as error:
        return Outcome(entry.rel, "failed", error=_member_error(error))
    return Outcome(entry.rel, "copied", output, seconds=time.perf_counter() - started)


def _read_archive_post(entry: Entry) -> bytes | Outcome:
    """The bytes of an archive member that is a post (read here, as the stream goes by)."""
    try:
        return read_member(entry.open(), entry.size)
    except Exception as error:
        return Outcome(entry.rel, "failed", error=_member_error(error))


def _member_error(error: Exception) -> str:
    if isinstance(error, (PostconvError, OSError)):
        return reason(error)
    # BadZipFile (bad CRC), zlib.error, EOFError, encrypted …
    return f"cannot read this member: {first_line(error)}"


def _whole_output(output: str, entry: Entry) -> float | None:
    """The output's modification time when it exists, and is not empty when the input is
    not (a power cut can leave an output renamed into place before its bytes reached
    the disk)."""
    try:
        info = os.stat(output)
    except OSError:
        return None
    if stat.S_ISREG(info.st_mode) and (info.st_size > 0 or entry.size == 0):
        return info.st_mtime
    return None


def _timed(outcome: Outcome, seconds: float) -> Outcome:
    return replace(outcome, seconds=seconds)
