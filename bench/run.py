"""Benchmark postconv's batch migration against plain markdownify.

Usage (from the repository root)::

    .venv/bin/python bench/run.py                 # 20,000 posts, corpus in bench/corpus/
    .venv/bin/python bench/run.py --posts 2000    # smaller
    .venv/bin/python bench/run.py --posts 50 --workdir /tmp/b --jobs 2 --json out.json
    .venv/bin/python bench/run.py --dest /dev/shm/postconv-out   # (d) writes to tmpfs
    .venv/bin/python bench/run.py --repeat 3    # fastest of 3 runs per phase (noisy machines)

It builds (once, reused when it exists) a corpus of N posts from
``../shared/corpus``: varied copies of the real posts (title changed,
paragraph order rotated, spread over sub-directories of 500 files). Then it
measures, each phase in its own subprocess so that its peak RSS is its own:

(a) read + decode + front matter split only
(b) (a) + plain ``markdownify.markdownify`` of each body
(c) (a) + postconv's core ``convert`` instead, in one process
(v) (c) + ``verify`` of each conversion (what ``-i``, ``--check`` and ``migrate`` do)
(p) JOBS processes side by side, each on a shard of the files, doing what migrate
    does to a post, bare: (v), then the output written (a plain write, no temporary
    file); no batch machinery — the ceiling of any parallel run on this machine
    *now*; timed as (d) is, the processes' start-up included
(d) ``postconv migrate CORPUS OUT -j JOBS -q`` (whole command: start-up, walk, write)
(k) (d) with ``--engine dask``: a LocalCluster of JOBS worker processes, started
    and stopped by the command (skipped without the dask extra); and the engine's
    own costs, measured apart: the cluster's start and stop, and the round trip of
    one partition (an empty one: no post in it)

and start-up: ``postconv POST`` for one post, against ``python -c pass`` and the
markdownify CLI on the same post (the median of interleaved runs; Python's
bytecode cache on, as an installed postconv runs),

and prints posts/s and MB/s (input bytes) for each, the ratios c/b and d/b
(throughput; goals: c/b ≥ 1.0, d/b ≥ 1.8 on 2 cores), v/c (the time verify adds;
goal ≤ 1.5), k/d (the Dask engine's overhead; goal ≥ 0.8), p/b and d/p (what the
machine allows, and how much of it the batch gets), the CPU seconds each
phase used, the peak RSS: the largest single process (``getrusage`` of the
waited child and its children) and the sampled peak sum over the process tree
(Linux ``/proc``), and the share of the machine's CPU that *other* processes
used meanwhile (a warning is printed when it is over 10 %: shared machines
make wall-clock figures slower than they are).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED_CORPUS = HERE.parent.parent / "shared" / "corpus"
PHASES = ("a", "b", "c", "v", "p", "d", "k")
LABELS = {
    "a": "(a) read + front matter split",
    "b": "(b) plain markdownify",
    "c": "(c) postconv core, 1 process",
    "v": "(v) (c) + verify, 1 process",
    "p": "(p) {jobs} x (v)+write, no batch",
    "d": "(d) postconv migrate -j {jobs}",
    "k": "(k) (d) --engine dask",
}
POST_SUFFIXES = (".html", ".htm", ".md", ".markdown", ".txt")
PER_DIRECTORY = 500

_TITLE = re.compile(r"^(title\s*[:=]\s*)(.*)$", re.MULTILINE)


# --- corpus -----------------------------------------------------------------------------


def base_posts(source: Path = SHARED_CORPUS) -> list[tuple[str, str]]:
    """(suffix, text) of every post of the shared corpus, in a stable order."""
    posts = []
    for path in sorted(source.rglob("*")):
        if path.is_file() and path.suffix in POST_SUFFIXES and path.name != "README.md":
            posts.append((path.suffix, path.read_text(encoding="utf-8")))
    if not posts:
        raise SystemExit(f"no posts found in {source}")
    return posts


def vary(text: str, number: int) -> str:
    """A copy of a post with its title numbered and its body's paragraphs rotated.

    A title that numbering would break (a YAML block scalar ``title: >``) stays.
    """
    numbered = _TITLE.sub(lambda m: f"{m.group(1)}{_numbered(m.group(2), number)}", text, count=1)
    text = numbered if _header_parses(numbered) else text
    header, body = _split_header(text)
    separator = "</p>" if "</p>" in body else "\n\n"
    blocks = _blocks(body, separator)
    if len(blocks) > 2:
        shift = number % (len(blocks) - 1)
        middle = blocks[:-1]
        blocks = middle[shift:] + middle[:shift] + blocks[-1:]
    return header + separator.join(blocks)


_VERBATIM = re.compile(
    r"<(pre|script|style|textarea)\b.*?</\1\s*>|\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw", re.S | re.I
)


def _blocks(body: str, separator: str) -> list[str]:
    """``body`` cut at ``separator``, but never inside code (a fence, a ``<pre>``, a
    raw block): a copy must stay a post someone could have written."""
    from postconv.post.markdown_code import code_ranges

    kept = code_ranges(body) + [match.span() for match in _VERBATIM.finditer(body)]
    kept.sort()
    blocks, position, start = [], 0, 0
    while (found := body.find(separator, position)) >= 0:
        position = found + len(separator)
        if not any(low <= found < high for low, high in kept):
            blocks.append(body[start:found])
            start = position
    blocks.append(body[start:])
    return blocks


def _header_parses(text: str) -> bool:
    from postconv.errors import PostconvError
    from postconv.post.frontmatter import normalise_newlines, split

    try:
        split(normalise_newlines(text))
    except PostconvError:
        return False
    return True


def _numbered(title: str, number: int) -> str:
    quote = title[:1] if title[:1] in "\"'" and title[-1:] == title[:1] and len(title) > 1 else ""
    inner = title[1:-1] if quote else title
    return f"{quote}{inner} #{number}{quote}" if inner else f"#{number}"


def _split_header(text: str) -> tuple[str, str]:
    for fence in ("---", "+++"):
        if text.startswith(fence + "\n") or text.startswith(fence + "\r\n"):
            end = text.find("\n" + fence, len(fence))
            if end != -1:
                cut = text.find("\n", end + 1)
                cut = len(text) if cut == -1 else cut + 1
                return text[:cut], text[cut:]
    return "", text


def build_corpus(directory: Path, count: int) -> Path:
    """Write ``count`` varied posts under ``directory/posts`` unless already there."""
    posts_dir = directory / "posts"
    marker = directory / f"complete-{count}"
    if marker.exists():
        return posts_dir
    shutil.rmtree(directory, ignore_errors=True)
    posts_dir.mkdir(parents=True)
    bases = base_posts()
    for number in range(count):
        suffix, text = bases[number % len(bases)]
        sub = posts_dir / f"{number // PER_DIRECTORY:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"post-{number:06d}{suffix}").write_text(vary(text, number), encoding="utf-8")
    marker.touch()
    return posts_dir


# --- phases (each run as `run.py --phase X --corpus DIR` in a subprocess) ---------------


def corpus_files(corpus: Path) -> Iterator[str]:
    for directory, dirs, files in os.walk(corpus):
        dirs.sort()
        for name in sorted(files):
            yield os.path.join(directory, name)


def run_shards(corpus: Path, shards: int, out: Path) -> dict[str, float]:
    """Phase p: ``shards`` processes of phase w side by side, each on every n-th file.

    No batch machinery at all: the best any parallel run can do on this machine
    now. Timed as (d) is, from the processes' launch to their exit (start-up
    included); ``seconds`` is that wall time.
    """
    shutil.rmtree(out, ignore_errors=True)
    os.sync()  # as before (d): the disk is not still busy with an earlier run's files
    command = [sys.executable, __file__, "--phase", "w", "--corpus", str(corpus)]
    command += ["--out", str(out)]
    started = time.perf_counter()
    processes = [
        subprocess.Popen([*command, "--shard", f"{index}/{shards}"], stdout=subprocess.PIPE)
        for index in range(shards)
    ]
    rows = [json.loads(process.communicate()[0]) for process in processes]
    seconds = time.perf_counter() - started
    shutil.rmtree(out, ignore_errors=True)
    total = {key: sum(row[key] for row in rows) for key in ("posts", "bytes", "failed")}
    return total | {"seconds": seconds}


def run_phase(
    phase: str, corpus: Path, shard: tuple[int, int] = (0, 1), out: Path | None = None
) -> dict[str, float]:
    """Phases a–c, v and w in this process: returns posts, bytes, failures and seconds."""
    import markdownify

    from postconv.errors import PostconvError
    from postconv.io.decode import decode_post
    from postconv.pipeline import DEFAULT_OPTIONS, convert
    from postconv.post import frontmatter
    from postconv.verify import verify_conversion

    def body_of(text: str) -> str:
        return frontmatter.split(frontmatter.normalise_newlines(text)).body

    made: set[str] = set()

    def write(path: str, text: str) -> None:  # (w): the output beside where migrate puts it
        assert out is not None
        target = os.path.join(out, os.path.relpath(path, corpus)) + ".md"
        directory = os.path.dirname(target)
        if directory not in made:
            os.makedirs(directory, exist_ok=True)
            made.add(directory)
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)

    def convert_verify_write(text: str, path: str) -> None:
        name = os.path.basename(path)
        result = convert(text, name=name)
        if not verify_conversion(text, result, DEFAULT_OPTIONS, name):
            write(path, result.text)

    work = {
        "a": lambda text, name: body_of(text),
        "b": lambda text, name: markdownify.markdownify(body_of(text)),
        # the file name, as migrate passes it: its extension is a hint to the body's dialect
        "c": lambda text, name: convert(text, name=name),
        # what -i, --check and migrate do: convert, then compare what each side shows
        "v": lambda text, name: verify_conversion(
            text, convert(text, name=name), DEFAULT_OPTIONS, name
        ),
        # what migrate does to a post, bare: (v), then the output written if it verifies
        "w": lambda text, path: convert_verify_write(text, path),
    }[phase]
    posts = size = failed = 0
    started = time.perf_counter()
    index, shards = shard
    for number, path in enumerate(corpus_files(corpus)):
        if number % shards != index:
            continue
        with open(path, "rb") as handle:
            data = handle.read()
        size += len(data)
        posts += 1
        try:
            work(decode_post(data).text, path if phase == "w" else os.path.basename(path))
        except PostconvError:
            failed += 1
        except Exception:  # a bug in the core: count it, as migrate does, and go on
            failed += 1
    seconds = time.perf_counter() - started
    return {"posts": posts, "bytes": size, "failed": failed, "seconds": seconds}


# --- measuring ---------------------------------------------------------------------------


class TreeRss:
    """Samples the summed RSS of a process and its descendants (Linux /proc), keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(pid) for pid in _tree(self.pid)))
            self._stop.wait(self.interval)


def _tree(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        queue.extend(int(child) for child in children)
    return pids


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine so far (Linux /proc/stat)."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def measure(command: list[str]) -> dict:
    """Run ``command``; wall seconds, own CPU seconds, peak RSS, and the machine's other load.

    ``others`` is the share of the machine's CPU time used by *other* processes
    during the run: when it is large the figures are slowed by contention.
    """
    busy_before, total_before = _cpu_ticks()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out)
        with TreeRss(process.pid) as tree:
            _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        stdout = out.read().decode()
    busy_after, total_after = _cpu_ticks()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited with {code}")
    cpu = usage.ru_utime + usage.ru_stime
    ticks = os.sysconf("SC_CLK_TCK")
    other_busy = (busy_after - busy_before) / ticks - cpu
    total = (total_after - total_before) / ticks
    return {
        "stdout": stdout,
        "wall": seconds,
        "cpu": cpu,
        "rss_kb": usage.ru_maxrss,
        "tree_rss_kb": tree.peak_kb,
        "others": max(0.0, other_busy / total) if total > 0 else 0.0,
    }


def startup(sample: Path, runs: int) -> dict[str, float]:
    """Median seconds of a one-file run of each command, the commands taken in turns."""
    scripts = Path(sys.executable).parent
    commands = {
        "postconv": [str(scripts / "postconv"), str(sample)],
        "markdownify": [str(scripts / "markdownify"), str(sample)],
        "python": [sys.executable, "-c", "pass"],
    }
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for turn in range(runs + 1):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            if turn:  # the first turn writes the bytecode caches
                times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def benchmark(
    corpus: Path, workdir: Path, jobs: int, dest: Path, repeat: int = 1
) -> dict[str, dict[str, float]]:
    """Each phase ``repeat`` times, keeping the fastest run (the least disturbed one)."""
    results: dict[str, dict[str, float]] = {}
    for phase in ("a", "b", "c", "v", "p"):
        command = [sys.executable, __file__, "--phase", phase, "--corpus", str(corpus)]
        command += ["--jobs", str(jobs)]
        if phase == "p":  # beside (d)'s outputs: the same disk
            command += ["--out", str(dest.with_name(dest.name + "-p"))]
        runs = []
        for _ in range(repeat):
            run = measure(command)
            runs.append(json.loads(run.pop("stdout")) | run)
        results[phase] = min(runs, key=lambda row: row["seconds"])
    results["d"] = migrate_phase(corpus, workdir, jobs, dest, repeat, results["a"]["bytes"])
    if _has_dask():
        engine = ["--engine", "dask"]
        results["k"] = migrate_phase(
            corpus, workdir, jobs, dest, repeat, results["a"]["bytes"], engine
        )
        command = [sys.executable, __file__, "--phase", "o", "--jobs", str(jobs)]
        results["engine"] = json.loads(measure(command)["stdout"])
    return results


def engine_costs(jobs: int, partitions: int = 400) -> dict[str, float]:
    """The Dask engine's fixed cost (a LocalCluster's start and stop) and the round trip
    of one empty partition, sent as the engine sends them (two per worker in flight)."""
    import logging

    import distributed

    from postconv.migrate.work import run_partition
    from postconv.options import Options

    work = (Options(), False, True, None)
    started = time.perf_counter()
    cluster = distributed.LocalCluster(
        n_workers=jobs, threads_per_worker=1, dashboard_address=":0", silence_logs=logging.ERROR
    )
    client = distributed.Client(cluster)
    client.submit(run_partition, [], work, None, pure=False).result()  # workers import postconv
    ready = time.perf_counter()
    inflight: set = set()
    for _ in range(partitions):
        if len(inflight) >= 2 * jobs:
            _done, inflight = distributed.wait(inflight, return_when="FIRST_COMPLETED")
        inflight.add(client.submit(run_partition, [], work, None, pure=False))
    distributed.wait(inflight)
    sent = time.perf_counter()
    client.close()
    cluster.close()
    stopped = time.perf_counter()
    return {
        "start_stop": (ready - started) + (stopped - sent),
        "per_partition": (sent - ready) / partitions,
    }


def _has_dask() -> bool:
    import importlib.util

    return importlib.util.find_spec("distributed") is not None


def migrate_phase(
    corpus: Path,
    workdir: Path,
    jobs: int,
    dest: Path,
    repeat: int,
    size: float,
    extra: list[str] | None = None,
) -> dict[str, float]:
    """Phases d and k: the whole ``migrate`` command, the fastest of ``repeat`` runs."""
    report = workdir / "report.jsonl"
    command = [sys.executable, "-m", "postconv", "migrate", str(corpus), str(dest)]
    command += ["-j", str(jobs), "-q", "--report", str(report), *(extra or [])]
    runs = []
    for _ in range(repeat):
        shutil.rmtree(dest, ignore_errors=True)
        os.sync()  # the deletion of the last run's outputs is not (d)'s disk work
        run = measure(command)
        run.pop("stdout")
        statuses = [json.loads(line)["status"] for line in report.read_text().splitlines()]
        runs.append(
            run
            | {
                "posts": len(statuses),
                "bytes": size,
                "failed": sum(status == "failed" for status in statuses),
                "seconds": run["wall"],
            }
        )
    return min(runs, key=lambda row: row["seconds"])


def render(
    results: dict[str, dict[str, float]], jobs: int, count: int, dest: Path | None = None
) -> str:
    where = f", (d) writes to {dest}" if dest is not None else ""
    lines = [
        f"postconv benchmark: {count} posts, {results['a']['bytes'] / 1e6:.1f} MB, "
        f"{os.cpu_count()} CPUs, migrate -j {jobs}{where}",
        f"{'phase':32} {'seconds':>7} {'posts/s':>8} {'MB/s':>6} {'failed':>6} {'CPU s':>6} "
        f"{'peak RSS MB':>11} {'tree RSS MB':>11} {'other load':>10}",
    ]
    for phase in (phase for phase in PHASES if phase in results):
        row = results[phase]
        lines.append(
            f"{LABELS[phase].format(jobs=jobs):32} {row['seconds']:7.2f} "
            f"{row['posts'] / row['seconds']:8.0f} {row['bytes'] / 1e6 / row['seconds']:6.2f} "
            f"{row['failed']:6.0f} {row['cpu']:6.1f} {row['rss_kb'] / 1024:11.1f} "
            f"{row['tree_rss_kb'] / 1024:11.1f} {row['others']:10.0%}"
        )
    speed = {
        phase: results[phase]["posts"] / results[phase]["seconds"]
        for phase in PHASES
        if phase in results
    }
    lines.append(
        f"c/b = {speed['c'] / speed['b']:.2f} (goal >= 1.0)   "
        f"v/c = {results['v']['seconds'] / results['c']['seconds']:.2f} (time; goal <= 1.5)   "
        f"d/b = {speed['d'] / speed['b']:.2f} (goal >= 1.8)   "
        f"p/b = {speed['p'] / speed['b']:.2f} (ceiling of d/b now)   "
        f"d/p = {speed['d'] / speed['p']:.2f} (batch efficiency)"
    )
    if "k" in speed:
        lines.append(dask_line(results, speed, jobs))
    lines.append(
        f"peak RSS of (d): {results['d']['tree_rss_kb'] / 1024:.0f} MB summed over its "
        f"processes, {results['d']['rss_kb'] / 1024:.0f} MB the largest (goal < 200 MB)"
    )
    if "startup" in results:
        started = results["startup"]
        lines.append(
            f"start-up, one post: postconv {started['postconv'] * 1000:.0f} ms, markdownify CLI "
            f"{started['markdownify'] * 1000:.0f} ms, python -c pass "
            f"{started['python'] * 1000:.0f} ms; postconv/markdownify = "
            f"{started['postconv'] / started['markdownify']:.2f} (goal <= 1, and <= 100 ms)"
        )
    if any(row.get("others", 0) > 0.1 for row in results.values()):
        lines.append("warning: other processes used the CPUs during the run; figures are slowed")
    return "\n".join(lines)


def dask_line(results: dict[str, dict[str, float]], speed: dict[str, float], jobs: int) -> str:
    """k/d, and what it is made of: the cost of a post on a worker (from p: no batch
    machinery) and the engine's own costs (see engine_costs)."""
    per_post = results["p"]["seconds"] * jobs / results["p"]["posts"]
    costs = results.get("engine", {})
    line = (
        f"k/d = {speed['k'] / speed['d']:.2f} (Dask engine / local engine; goal >= 0.8)   "
        f"a post costs {per_post * 1000:.1f} ms of a worker"
    )
    if costs:
        line += (
            f"; the engine: {costs['start_stop']:.1f} s to start and stop a LocalCluster, "
            f"{costs['per_partition'] * 1000:.1f} ms per partition"
        )
    return line


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000, help="corpus size (default 20000)")
    parser.add_argument("--jobs", type=int, default=2, help="workers for (d) (default 2)")
    parser.add_argument("--workdir", type=Path, default=HERE / "corpus", help="corpus and output")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--repeat", type=int, default=1, help="runs per phase, fastest kept")
    parser.add_argument(
        "--startup-runs", type=int, default=21, help="one-file runs per command for start-up"
    )
    parser.add_argument(
        "--dest",
        type=Path,
        help="output directory of (d) (default WORKDIR/N/out; removed first). "
        "On tmpfs (/dev/shm/…) it measures the converter without the disk's file-creation cost",
    )
    parser.add_argument(
        "--phase", choices=("a", "b", "c", "v", "w", "p", "o"), help=argparse.SUPPRESS
    )
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--shard", default="0/1", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase == "o":
        print(json.dumps(engine_costs(args.jobs)))
        return
    if args.phase == "p":
        print(json.dumps(run_shards(args.corpus, args.jobs, args.out)))
        return
    if args.phase:
        index, shards = (int(part) for part in args.shard.split("/"))
        print(json.dumps(run_phase(args.phase, args.corpus, (index, shards), args.out)))
        return
    corpus = build_corpus(args.workdir / str(args.posts), args.posts)
    workdir = args.workdir / str(args.posts)
    results = benchmark(corpus, workdir, args.jobs, args.dest or workdir / "out", args.repeat)
    results["startup"] = startup(SHARED_CORPUS / "seed.txt", args.startup_runs)
    print(render(results, args.jobs, args.posts, args.dest))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
