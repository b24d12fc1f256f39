"""An interrupted migration (SIGKILL, Ctrl-C, SIGTERM) re-run gives the same tree as a clean run.

The runs are real ``python -m postconv migrate`` processes in their own process
group, interrupted once some outputs exist, like a user's Ctrl-C or a kill.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import plain_env

from postconv.migrate.manifest import NAME as MANIFEST

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus"
COPIES = 16  # ~900 posts: long enough to be interrupted, short enough to run thrice


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus copied COPIES times, in sub-directories, writable."""
    root = tmp_path_factory.mktemp("interrupt") / "posts"
    for copy in range(COPIES):
        shutil.copytree(CORPUS, root / f"{copy:02d}")
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return root


@pytest.fixture(scope="module")
def clean_run(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("clean") / "out"
    done = subprocess.run(migrate_command(archive, out), env=plain_env(), capture_output=True)
    assert done.returncode == 0, done.stderr
    return tree(out)


def migrate_command(src: Path, dest: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "postconv", "migrate", str(src), str(dest), "-j", "2", *extra]


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != MANIFEST  # bookkeeping: see test_migrate_manifest
    }


def count_outputs(root: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(root))


def interrupt_midway(command: list[str], out: Path, signum: int) -> subprocess.Popen[bytes]:
    """Start ``command`` in its own process group; send ``signum`` to the group midway."""
    process = subprocess.Popen(
        command,
        env=plain_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while count_outputs(out) < 60 if out.exists() else True:
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "no outputs appeared"
        time.sleep(0.005)
    os.killpg(process.pid, signum)
    process.wait(timeout=30)
    return process


@pytest.mark.parametrize(
    ("signum", "exit_code"),
    [(signal.SIGKILL, -signal.SIGKILL), (signal.SIGINT, 130), (signal.SIGTERM, 143)],
)
def test_interrupted_then_resumed_run_equals_a_clean_run(
    signum: int, exit_code: int, archive: Path, clean_run: dict[str, bytes], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    report = tmp_path / "first.jsonl"

    process = interrupt_midway(migrate_command(archive, out, "--report", str(report)), out, signum)

    assert process.returncode == exit_code
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert "Traceback" not in stderr
    partial = tree(out)
    assert 0 < len(partial) < len(clean_run), "the run was not really interrupted"
    if signum != signal.SIGKILL:  # a handled interruption finishes what it started
        assert "interrupted after" in stderr and "run the same command again" in stderr
        assert not [rel for rel in partial if rel.endswith(".tmp")], "temp files left behind"
    for rel, data in partial.items():  # never a half-written output
        assert rel.endswith(".tmp") or data == clean_run[rel], rel

    done = subprocess.run(
        migrate_command(archive, out, "--report", str(tmp_path / "second.jsonl")),
        env=plain_env(),
        capture_output=True,
    )

    assert done.returncode == 0, done.stderr
    assert tree(out) == clean_run
    resumed = (tmp_path / "second.jsonl").read_text().count('"error": "up to date"')
    assert resumed == len([rel for rel in partial if not rel.endswith(".tmp")])


def read_until(fd: int, wanted: bytes, limit: float) -> bytes:
    """Read a pty until ``wanted`` appears, EOF, or ``limit`` seconds."""
    data = b""
    deadline = time.monotonic() + limit
    while wanted not in data and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the other side closed
                break
            if not chunk:
                break
            data += chunk
    return data


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform != "linux", reason="needs a Linux pty")
def test_ctrl_c_in_a_terminal_stops_cleanly(archive: Path, tmp_path: Path) -> None:
    """A real terminal: the progress bar shows, Ctrl-C (^C on the tty) exits 130, no temp files."""
    out = tmp_path / "out"
    pid, master = pty.fork()
    if pid == 0:  # the child: a session leader whose controlling terminal is the pty
        env = plain_env(TERM="xterm", COLUMNS="100")
        os.execve(sys.executable, migrate_command(archive, out), env)
    try:
        shown = read_until(master, b"migrating", 30)
        assert b"migrating" in shown, shown[-500:]
        deadline = time.monotonic() + 30
        while count_outputs(out) < 60 and time.monotonic() < deadline:
            read_until(master, b"\x00", 0.01)
        os.write(master, b"\x03")  # what the Ctrl-C key sends
        rest = read_until(master, b"run the same command again", 30)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(master)
    assert os.waitstatus_to_exitcode(status) == 130
    assert b"interrupted after" in rest and b"Traceback" not in rest
    outputs = tree(out)
    assert outputs and not [rel for rel in outputs if rel.endswith(".tmp")]
