"""The benchmark script runs end to end on a tiny corpus, and the pool streams its input."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

from conftest import Planner

from postconv.migrate.batch import Settings
from postconv.migrate.pool import Parallel

BENCH = Path(__file__).parents[1] / "bench" / "run.py"


def test_bench_smoke_with_50_posts(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    command = [
        sys.executable,
        str(BENCH),
        "--posts",
        "50",
        "--workdir",
        str(tmp_path),
        "--jobs",
        "2",
        "--startup-runs",
        "2",
    ]
    done = subprocess.run([*command, "--json", str(figures)], capture_output=True, timeout=120)

    assert done.returncode == 0, done.stderr
    output = done.stdout.decode()
    labels = ("(a) read", "(b) plain markdownify", "(c) postconv core", "(v) (c) + verify")
    for label in (*labels, "(p) 2 x (v)"):
        assert label in output
    assert "(d) postconv migrate -j 2" in output
    assert "(k) (d) --engine dask" in output and "k/d = " in output
    assert "start-up, one post: postconv " in output and "postconv/markdownify = " in output
    assert "c/b = " in output and "v/c = " in output and "d/b = " in output and "d/p = " in output
    results = json.loads(figures.read_text())
    assert {phase: results[phase]["posts"] for phase in "abcvpdk"} == dict.fromkeys("abcvpdk", 50)
    assert all(results[phase]["rss_kb"] > 0 for phase in "abcvpd")
    posts = sorted((tmp_path / "50" / "posts").rglob("*.*"))
    assert len(posts) == 50
    assert not (tmp_path / "50" / "out-p").exists(), "(p) cleans up what it wrote"
    titles = {line for post in posts for line in post.read_text().splitlines() if "title" in line}
    assert len(titles) > 40, "copies must be varied, not identical"


def test_bare_phase_writes_what_migrate_writes(tmp_path: Path) -> None:
    """(p) compares migrate with bare processes doing the same job: each writes the
    outputs that verify, as migrate does."""
    corpus = tmp_path / "posts"
    (corpus / "000").mkdir(parents=True)
    (corpus / "000" / "a.html").write_text("---\ntitle: a\n---\n<p>Hello <b>world</b></p>\n")
    (corpus / "000" / "b.md").write_text("---\ntitle: b\n---\nPlain *Markdown*.\n")
    out = tmp_path / "out"
    command = [sys.executable, str(BENCH), "--phase", "w", "--corpus", str(corpus)]
    done = subprocess.run([*command, "--out", str(out)], capture_output=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["posts"] == 2
    written = {path.relative_to(out).as_posix(): path.read_text() for path in out.rglob("*.md")}
    assert written == {
        "000/a.html.md": "---\ntitle: a\n---\n\nHello **world**\n",
        "000/b.md.md": "---\ntitle: b\n---\n\nPlain *Markdown*.\n",
    }


def test_the_pool_pulls_tasks_only_as_workers_free_up(tmp_path: Path) -> None:
    """Memory is flat: the planner is never read far ahead of the finished outcomes."""
    settings = Settings(jobs=2, chunk_size=4)
    planner = Planner(tmp_path)
    with Parallel(settings, threading.Event()) as pool:
        pool.run(planner.tasks(), planner.reported.append)

    assert planner.all_converted()
    # at most 2 × jobs chunks in flight, plus the chunk being filled
    assert max(planner.ahead) <= (2 * settings.jobs + 1) * settings.chunk_size
