"""A post's budget (``migrate --timeout``), a worker that dies, and a stop mid-post.

A post that takes too long fails with ``timeout`` and its worker is replaced; a
worker that dies costs the post it was on, never the rest of its chunk; a stop
(Ctrl-C) ends the run within a second or two even while a post is converting.
The slow and deadly posts are made by wrapping the core in the parent: worker
processes are forked, so they run the wrapped core too. The end-to-end tests
use a real post that takes seconds to convert, and real processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import plain_env, run_postconv

import postconv.migrate.work
from postconv.cli import main
from postconv.migrate.batch import Settings, migrate
from postconv.migrate.report import Outcome

POST = "---\ntitle: {name}\n---\n<p>Post {name}: <b>bold</b> text.</p>\n"

#: a real post that takes seconds to convert (8 MB of bold words)
SLOW_BODY = "<b>x</b> " * 1_000_000


def posts(root: Path, names: list[str]) -> Path:
    root.mkdir()
    for name in names:
        (root / f"{name}.html").write_text(POST.format(name=name))
    return root


@pytest.fixture
def wrapped_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """Posts whose text holds HANG never end (in Python code); DIE kills its process."""
    convert = postconv.migrate.work.convert

    def core(text: str, *args: object, **kwargs: object):
        if "HANG" in text:
            time.sleep(600)
        if "DIE" in text:
            os.kill(os.getpid(), signal.SIGKILL)
        return convert(text, *args, **kwargs)

    monkeypatch.setattr(postconv.migrate.work, "convert", core)


def run(src: Path, dest: Path, stop: threading.Event | None = None, **settings: object):
    outcomes: list[Outcome] = []
    started = time.monotonic()
    summary = migrate(src, dest, Settings(**settings), outcomes.append, stop=stop)
    return summary, {o.input: o for o in outcomes}, time.monotonic() - started


NAMES = ["a1", "a2", "HANG", "a3", "a4", "a5", "a6", "a7", "a8", "a9"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_post_over_its_budget_fails_and_the_rest_of_the_run_goes_on(
    tmp_path: Path, wrapped_core: None, jobs: int
) -> None:
    src = posts(tmp_path / "src", NAMES)

    summary, outcomes, seconds = run(src, tmp_path / "out", jobs=jobs, timeout=0.5, chunk_size=4)

    assert outcomes["HANG.html"].status == "failed"
    assert outcomes["HANG.html"].error == "timeout: not done in 0.5 s (see --timeout)"
    others = [name for name in NAMES if name != "HANG"]
    assert {outcomes[f"{name}.html"].status for name in others} == {"converted"}
    # the posts after it in its chunk were converted by the worker that replaced it
    assert sorted((tmp_path / "out").glob("*.md")) == sorted(
        tmp_path / "out" / f"{name}.md" for name in others
    )
    assert summary.counts["failed"] == 1 and not summary.ok
    assert seconds < 30


def test_a_worker_that_dies_costs_only_the_post_it_was_on(
    tmp_path: Path, wrapped_core: None
) -> None:
    names = ["a1", "DIE", "a2", "a3", "a4", "a5", "a6", "a7"]
    src = posts(tmp_path / "src", names)

    _, outcomes, _ = run(src, tmp_path / "out", jobs=2, chunk_size=4)

    assert outcomes["DIE.html"].status == "failed"
    assert outcomes["DIE.html"].error == "the worker process died on this post (killed by SIGKILL)"
    assert {outcomes[f"{n}.html"].status for n in names if n != "DIE"} == {"converted"}
    assert len(outcomes) == len(names)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_stop_ends_the_run_within_seconds_even_in_the_middle_of_a_post(
    tmp_path: Path, wrapped_core: None, jobs: int
) -> None:
    src = posts(tmp_path / "src", ["a1", "HANG", "a2"])
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()

    summary, outcomes, seconds = run(src, tmp_path / "out", stop, jobs=jobs, timeout=None)

    assert summary.interrupted
    assert seconds < 1.0 + 3.0  # the stop, then at most about a second and a half
    assert "HANG.html" not in outcomes  # not done: not reported (a re-run does it)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]


def test_a_timeout_is_never_negative() -> None:
    with pytest.raises(ValueError, match="timeout must not be negative"):
        Settings(timeout=-1)
    result = CliRunner().invoke(main, ["migrate", "a", "b", "--timeout", "-1"])
    assert result.exit_code == 2 and "--timeout" in result.output


# --- real processes, a real slow post ------------------------------------------------


@pytest.fixture(scope="module")
def slow_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("slow") / "src"
    root.mkdir()
    (root / "big.html").write_text(f"---\ntitle: big\n---\n{SLOW_BODY}\n")
    (root / "a-small.html").write_text(POST.format(name="a-small"))
    return root


def test_the_timeout_option_fails_a_slow_post_in_a_real_run(
    slow_archive: Path, tmp_path: Path
) -> None:
    done = run_postconv("migrate", slow_archive, tmp_path / "out", "-j", "2", "--timeout", "0.2")

    stderr = done.stderr.decode()
    assert done.returncode == 1, stderr
    assert "big.html: failed: timeout: not done in 0.2 s (see --timeout)" in stderr
    assert (tmp_path / "out" / "a-small.md").exists()
    assert not (tmp_path / "out" / "big.md").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_one_ctrl_c_stops_a_real_run_within_two_seconds(
    slow_archive: Path, tmp_path: Path, jobs: str
) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "postconv", "migrate", str(slow_archive), str(out)]
    process = subprocess.Popen(
        [*command, "-j", jobs, "--timeout", "0"],
        env=plain_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not (out / "a-small.md").exists():  # the run is under way, the big post converting
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.3)
    os.killpg(process.pid, signal.SIGINT)
    signalled = time.monotonic()
    process.wait(timeout=30)

    assert time.monotonic() - signalled < 2.5
    assert process.returncode == 130
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert "Traceback" not in stderr and "interrupted after" in stderr
    assert sorted(p.name for p in out.glob("*.md")) == ["a-small.md"]
