"""Bad input never crashes and never loses data (issue 5).

Every bad input gives exit 2 and one line ``postconv: error: FILE: …`` on
stderr, no traceback, nothing on stdout, the input untouched and no output
file (nor temporary file) left behind; in batch mode a ``failed`` row per
bad file and exit 1. The pure core raises :class:`PostconvError` with a
one-line message instead.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import plain_env

from postconv.errors import PostconvError
from postconv.io.decode import decode_post
from postconv.io.files import MAX_POST_BYTES, atomic_write, read_post, read_stream
from postconv.pipeline import convert

from .helpers import CORPUS, IS_ROOT, DirSnapshot, assert_clean_error, run_postconv

_SEED_FALLBACK = "---\ntitle: 中国联通\n---\n<p>" + "政府工作报告指出，要“推动消费持续恢复”。" * 20
SEED = (
    (CORPUS / "seed.txt").read_bytes()
    if (CORPUS / "seed.txt").exists()
    else _SEED_FALLBACK.encode()
)

GOOD_POST = "---\ntitle: 好的\n---\n<p>今天<strong>天气</strong>很好。</p>\n".encode()

# ---------------------------------------------------------------- bad contents

#: name → file bytes; each one must be refused.
BAD_CONTENTS: dict[str, bytes] = {
    "empty": b"",
    "blank-lines-only": b"\n \n\t\n",
    "yaml-never-closed": "---\ntitle: 标题\ndate: 2022-03-29\n<p>正文</p>\n".encode(),
    "toml-never-closed": '+++\ntitle = "标题"\n<p>正文</p>\n'.encode(),
    "yaml-invalid": b"---\ntitle: [unclosed\ndate: 2022-03-29\n---\n<p>x</p>\n",
    "yaml-invalid-mapping": b"---\ntitle: a: b: c\n---\n<p>x</p>\n",
    "yaml-not-a-mapping": b"---\n- just\n- a list\n---\n<p>x</p>\n",
    "toml-invalid": b'+++\ntitle = \ndate = "2022"\n+++\n<p>x</p>\n',
    "binary-png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)),
    "control-characters": b"---\ntitle: x\n---\n" + bytes(range(1, 9)) * 20,
    "utf8-stray-byte": SEED[:400] + b"\xff" + SEED[400:],
    "utf8-truncated-sequence": SEED[:401] + SEED[401:].replace("。".encode(), b"\xe3\x80", 1),
    "high-bytes-no-encoding": b"---\ntitle: x\n---\n<p>" + bytes(range(0x80, 0x100)) * 3 + b"</p>",
}


def _write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / f"{name}.html"
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- core level


@pytest.mark.parametrize("name", sorted(BAD_CONTENTS))
def test_core_refuses_bad_content(name: str) -> None:
    data = BAD_CONTENTS[name]
    with pytest.raises(PostconvError) as caught:
        convert(decode_post(data).text)
    message = str(caught.value)
    assert message and "\n" not in message, f"not a one-line message: {message!r}"


def test_core_refuses_nul_even_as_text() -> None:
    with pytest.raises(PostconvError):
        convert(GOOD_POST.decode().replace("今天", "今\x00天"))


# ---------------------------------------------------------------- CLI, one file


MODES = ["stdout", "-o-new", "-o-existing", "-i", "--check", "stdin"]


def _run_mode(mode: str, path: Path) -> tuple[object, list[str], Path]:
    """Run the CLI on ``path`` in ``mode``; return (process, names, dir to compare)."""
    directory = path.parent
    names = [str(path), path.name]
    if mode == "stdout":
        proc = run_postconv(path, cwd=directory)
    elif mode == "-o-new":
        proc = run_postconv(path, "-o", directory / "out.md", cwd=directory)
    elif mode == "-o-existing":
        proc = run_postconv(path, "-o", directory / "previous.md", cwd=directory)
    elif mode == "-i":
        proc = run_postconv("-i", path, cwd=directory)
    elif mode == "--check":
        proc = run_postconv("--check", path, cwd=directory)
    elif mode == "stdin":
        proc = run_postconv("-", input=path.read_bytes(), cwd=directory)
        names = ["<stdin>", "-", "stdin"]
    else:  # pragma: no cover
        raise AssertionError(mode)
    return proc, names, directory


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(BAD_CONTENTS))
def test_cli_refuses_bad_content(tmp_path: Path, name: str, mode: str) -> None:
    path = _write(tmp_path, name, BAD_CONTENTS[name])
    (tmp_path / "previous.md").write_bytes(b"# an earlier result, kept on error\n")
    before = DirSnapshot.take(tmp_path)
    proc, names, _ = _run_mode(mode, path)
    assert_clean_error(proc, names)
    assert proc.stdout == b"", f"output on stdout for a bad input: {proc.stdout[:200]!r}"
    before.assert_unchanged()  # input untouched, no out.md, no temporary file


def test_cli_in_process_refuses_bad_content(tmp_path: Path) -> None:
    """click's CliRunner: exit 2 through SystemExit, never an escaping exception."""
    from postconv.cli import main

    runner = CliRunner()
    for name, data in sorted(BAD_CONTENTS.items()):
        path = _write(tmp_path, name, data)
        result = runner.invoke(main, [str(path)])
        assert result.exit_code == 2, (name, result.exit_code, result.output, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            name,
            repr(result.exception),
        )


# ---------------------------------------------------------------- 50 MB


def _big_post(path: Path, size: int, *, sparse: bool = True) -> Path:
    """A post of ``size`` bytes: real text first; the rest a hole unless ``sparse`` is False.

    Files are refused by their size before a byte is read, so a sparse file is as
    good a test as 50 MB of text and costs no disk.
    """
    paragraph = ("<p>" + "新闻正文，很长。" * 200 + "</p>\n").encode()
    with path.open("wb") as handle:
        handle.write(b"---\ntitle: big\n---\n")
        written = 0
        while written < (1024 * 1024 if sparse else size):
            handle.write(paragraph)
            written += len(paragraph)
        handle.truncate(max(size, handle.tell()))
    return path


def test_core_refuses_50mb_file_quickly(tmp_path: Path) -> None:
    path = _big_post(tmp_path / "big.html", 50 * 1024 * 1024)
    start = time.monotonic()
    with pytest.raises(PostconvError, match="too large"):
        read_post(path)
    assert time.monotonic() - start < 1.0


def test_core_refuses_50mb_stream() -> None:
    class Endless:
        """A stream that never ends: reading it all would never return."""

        def __init__(self) -> None:
            self.served = 0

        def read(self, size: int = -1) -> bytes:
            assert size > 0, "read() with no size on an unbounded stream"
            self.served += size
            return b"a" * size

    stream = Endless()
    with pytest.raises(PostconvError, match="too large"):
        read_stream(stream)  # type: ignore[arg-type]
    assert stream.served <= MAX_POST_BYTES + 1024 * 1024


@pytest.mark.parametrize("mode", ["stdout", "-o-new", "-i"])
def test_cli_refuses_50mb_file(tmp_path: Path, mode: str) -> None:
    path = _big_post(tmp_path / "big.html", 50 * 1024 * 1024)
    before = DirSnapshot.take(tmp_path)
    start = time.monotonic()
    proc, names, _ = _run_mode(mode, path)
    elapsed = time.monotonic() - start
    line = assert_clean_error(proc, names)
    assert "large" in line
    assert elapsed < 15, f"took {elapsed:.1f}s to refuse a 50 MB file"
    before.assert_unchanged()


def test_cli_refuses_50mb_on_stdin(tmp_path: Path) -> None:
    data = _big_post(tmp_path / "big.html", 50 * 1024 * 1024, sparse=False).read_bytes()
    start = time.monotonic()
    proc = run_postconv("-", input=data, cwd=tmp_path, timeout=120)
    elapsed = time.monotonic() - start
    line = assert_clean_error(proc, ["<stdin>", "-", "stdin"])
    assert "large" in line, "stdin is not capped like files are"
    assert elapsed < 20, f"took {elapsed:.1f}s to refuse 50 MB on stdin"
    assert proc.stdout == b""


# ---------------------------------------------------------------- deep nesting


def _deep(tag: str, depth: int, text: str = "最深处的文字") -> str:
    return f"---\ntitle: deep\n---\n{f'<{tag}>' * depth}{text}{f'</{tag}>' * depth}\n"


@pytest.mark.parametrize("tag", ["div", "span", "blockquote"])
def test_core_deep_nesting_100k(tag: str) -> None:
    """No RecursionError; the innermost text is kept (or the post refused cleanly)."""
    text = _deep(tag, 100_000)
    start = time.monotonic()
    try:
        result = convert(text)
    except PostconvError as error:
        assert "\n" not in str(error)
        return
    finally:
        assert time.monotonic() - start < 30
    assert "最深处的文字" in result.text, "text nested 100,000 deep was silently dropped"
    assert result.text.startswith("---\ntitle: deep\n---\n")


def test_core_deep_unclosed_100k() -> None:
    """100,000 unclosed <div>/<li>: a parser that nests them must not recurse either."""
    text = "---\ntitle: deep\n---\n" + "<div><ul><li>项" * 33_334 + "结尾"
    try:
        result = convert(text)
    except PostconvError:
        return
    assert "结尾" in result.text


def test_cli_deep_nesting_100k(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text(_deep("div", 100_000), encoding="utf-8")
    before = DirSnapshot.take(tmp_path)
    proc = run_postconv(path, timeout=120)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr and "RecursionError" not in stderr, stderr[-2000:]
    if proc.returncode == 2:
        assert_clean_error(proc, [str(path), path.name])
    else:
        assert proc.returncode == 0, stderr
        assert "最深处的文字".encode() in proc.stdout
    before.assert_unchanged()


# ---------------------------------------------------------------- unreadable paths


def _directory(tmp: Path) -> Path:
    (tmp / "a-directory.html").mkdir()
    return tmp / "a-directory.html"


def _dangling_symlink(tmp: Path) -> Path:
    (tmp / "dangling.html").symlink_to(tmp / "no-such-target.html")
    return tmp / "dangling.html"


def _symlink_loop(tmp: Path) -> Path:
    (tmp / "loop.html").symlink_to(tmp / "loop.html")
    return tmp / "loop.html"


def _under_a_file(tmp: Path) -> Path:
    (tmp / "plain-file").write_bytes(GOOD_POST)
    return tmp / "plain-file" / "post.html"


def _missing(tmp: Path) -> Path:
    return tmp / "missing.html"


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "pipe.html")
    return tmp / "pipe.html"


def _io_error(tmp: Path) -> Path:
    """A regular file whose read() fails with EIO even for root."""
    if not Path("/proc/self/mem").exists():
        pytest.skip("no /proc/self/mem on this system")
    (tmp / "eio.html").symlink_to("/proc/self/mem")
    return tmp / "eio.html"


def _chmod_000(tmp: Path) -> Path:
    """A file its reader may not read. Root reads it all the same: then the kernel's
    refusal is played at the system call (see :func:`_denied_as_for_a_user`)."""
    path = tmp / "locked.html"
    path.write_bytes(GOOD_POST)
    path.chmod(0)
    return path


#: a sitecustomize that makes os.open refuse one path with EACCES, as the kernel does
#: for a user without the right: how a real process run by root meets a chmod 000 file
_DENY_OPEN = """
import errno, os
_denied, _open = os.environ.get("POSTCONV_TEST_DENY"), os.open
def _refusing(path, *args, **kwargs):
    if _denied and os.fspath(path) == _denied:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    return _open(path, *args, **kwargs)
os.open = _refusing
"""


def _denied_as_for_a_user(path: Path, tmp: Path) -> dict[str, str] | None:
    """For root and a chmod 000 file: the environment of a process that is refused it."""
    if not IS_ROOT or path.name != "locked.html":
        return None
    hooks = tmp / "deny-hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(_DENY_OPEN, encoding="utf-8")
    # no __pycache__ for the hook: the test checks that nothing is written under tmp
    return plain_env(
        PYTHONPATH=str(hooks), POSTCONV_TEST_DENY=str(path), PYTHONDONTWRITEBYTECODE="1"
    )


UNREADABLE: dict[str, Callable[[Path], Path]] = {
    "directory": _directory,
    "dangling-symlink": _dangling_symlink,
    "symlink-loop": _symlink_loop,
    "path-under-a-file": _under_a_file,
    "missing": _missing,
    "fifo-no-writer": _fifo,
    "read-io-error": _io_error,
    "chmod-000": _chmod_000,
}


@pytest.mark.parametrize("kind", sorted(UNREADABLE))
def test_core_refuses_unreadable(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = UNREADABLE[kind](tmp_path)
    done = threading.Event()

    def unblock() -> None:  # if read_post hangs on the FIFO, free it (and fail below)
        if not done.wait(5) and kind == "fifo-no-writer":
            with open(path, "wb"):
                pass

    helper = threading.Thread(target=unblock, daemon=True)
    helper.start()
    if _denied_as_for_a_user(path, tmp_path) is not None:  # root: refused as a user would be
        real_open = os.open

        def refusing(name, *args, **kwargs):  # type: ignore[no-untyped-def]
            if os.fspath(name) == str(path):
                raise PermissionError(13, "Permission denied", name)
            return real_open(name, *args, **kwargs)

        monkeypatch.setattr(os, "open", refusing)
    start = time.monotonic()
    try:
        with pytest.raises(PostconvError) as caught:
            read_post(path)
    finally:
        done.set()
    assert time.monotonic() - start < 2, "read_post blocked"
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("mode", ["stdout", "-o-new"])
@pytest.mark.parametrize("kind", sorted(UNREADABLE))
def test_cli_refuses_unreadable(tmp_path: Path, kind: str, mode: str) -> None:
    path = UNREADABLE[kind](tmp_path)
    env = _denied_as_for_a_user(path, tmp_path)
    before = DirSnapshot.take(tmp_path)
    if mode == "stdout":
        proc = run_postconv(path, cwd=tmp_path, timeout=20, env=env)
    else:
        proc = run_postconv(path, "-o", tmp_path / "out.md", cwd=tmp_path, timeout=20, env=env)
    assert_clean_error(proc, [str(path), path.name])
    assert proc.stdout == b""
    before.assert_unchanged()


# ---------------------------------------------------------------- output not writable


def _out_under_a_file(tmp: Path) -> Path:
    (tmp / "blocker").write_bytes(b"a file, not a directory")
    return tmp / "blocker" / "out.md"


def _out_is_a_directory(tmp: Path) -> Path:
    (tmp / "out-dir.md").mkdir()
    return tmp / "out-dir.md"


def _out_in_missing_directory(tmp: Path) -> Path:
    return tmp / "no-such-dir" / "deeper" / "out.md"


UNWRITABLE: dict[str, Callable[[Path], Path]] = {
    "parent-is-a-file": _out_under_a_file,
    "output-is-a-directory": _out_is_a_directory,
}


@pytest.mark.parametrize("kind", sorted(UNWRITABLE))
def test_cli_output_not_writable(tmp_path: Path, kind: str) -> None:
    source = tmp_path / "post.html"
    source.write_bytes(GOOD_POST)
    out = UNWRITABLE[kind](tmp_path)
    before = DirSnapshot.take(tmp_path)
    proc = run_postconv(source, "-o", out, cwd=tmp_path)
    assert_clean_error(proc, [str(out), out.name, os.path.relpath(out, tmp_path)])
    before.assert_unchanged()  # the input untouched, no temporary file left


@pytest.mark.skipif(IS_ROOT, reason="root writes into a read-only directory anyway")
def test_cli_in_place_directory_not_writable(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    source = folder / "post.html"
    source.write_bytes(GOOD_POST)
    folder.chmod(0o555)
    try:
        before = DirSnapshot.take(folder)
        proc = run_postconv("-i", source, cwd=tmp_path)
        assert_clean_error(proc, [str(source), source.name])
        before.assert_unchanged()
    finally:
        folder.chmod(0o755)


def test_atomic_write_leaves_nothing_on_failure(tmp_path: Path) -> None:
    for make in (_out_under_a_file, _out_is_a_directory, _out_in_missing_directory):
        out = make(tmp_path)
        before = DirSnapshot.take(tmp_path)
        with pytest.raises(OSError):
            atomic_write(out, b"data")
        before.assert_unchanged()


def test_atomic_write_through_symlink_and_fifo(tmp_path: Path) -> None:
    """-o through a symlink updates its target; -o to a FIFO/device writes, never replaces."""
    real = tmp_path / "real.md"
    real.write_bytes(b"old")
    real.chmod(0o640)
    (tmp_path / "link.md").symlink_to("real.md")
    atomic_write(tmp_path / "link.md", b"new")
    assert (tmp_path / "link.md").is_symlink()
    assert real.read_bytes() == b"new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    atomic_write(fifo, b"through the pipe")
    reader.join(5)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


# ---------------------------------------------------------------- batch mode


def _build_batch_source(src: Path) -> dict[str, Path]:
    src.mkdir()
    bad: dict[str, Path] = {}
    for name, data in BAD_CONTENTS.items():
        bad[name] = _write(src, name, data)
    _big_post(src / "big-50mb.html", 50 * 1024 * 1024)
    bad["big-50mb"] = src / "big-50mb.html"
    os.mkfifo(src / "pipe.html")
    bad["fifo"] = src / "pipe.html"
    (src / "dangling.html").symlink_to(src / "no-such-target.html")
    bad["dangling"] = src / "dangling.html"
    (src / "good.html").write_bytes(GOOD_POST)
    return bad


def test_migrate_reports_a_failed_row_per_bad_file(tmp_path: Path) -> None:
    src, dest = tmp_path / "src", tmp_path / "dest"
    bad = _build_batch_source(src)
    before = DirSnapshot.take(src)
    proc = run_postconv("migrate", src, dest, cwd=tmp_path, timeout=300)
    output = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    assert "Traceback" not in output, output[-3000:]
    assert proc.returncode == 1, f"exit {proc.returncode}\n{output[-3000:]}"
    lines = output.splitlines()
    for name, path in sorted(bad.items()):
        # a FIFO is no post: skipping it is fine, as long as the row names it
        words = ("fail", "skip") if name == "fifo" else ("fail",)
        rows = [
            line
            for line in lines
            if path.name in line and any(word in line.lower() for word in words)
        ]
        assert rows, f"no {'/'.join(words)} row for {name} ({path.name}) in:\n{output[-3000:]}"
    before.assert_unchanged()
    written = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}
    assert any(p.startswith("good.") for p in written), f"good post not converted: {written}"
    for path in bad.values():
        stem = path.name.rsplit(".", 1)[0]
        assert not any(p.split(".", 1)[0] == stem for p in written), f"output for bad {path.name}"
    assert not any(".tmp" in p for p in written), f"temporary files left: {written}"


@pytest.mark.parametrize("kind", ["dest-under-a-file", "dest-is-a-file"])
def test_migrate_destination_not_writable(tmp_path: Path, kind: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.html").write_bytes(GOOD_POST)
    (tmp_path / "blocker").write_bytes(b"a file, not a directory")
    dest = tmp_path / "blocker" / "dest" if kind == "dest-under-a-file" else tmp_path / "blocker"
    before = DirSnapshot.take(tmp_path)
    proc = run_postconv("migrate", src, dest, cwd=tmp_path)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 2, f"exit {proc.returncode}\n{stderr}"
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0], f"not a one-line error:\n{stderr}"
    assert "blocker" in lines[0], f"error does not name the destination: {lines[0]!r}"
    before.assert_unchanged()


#: a directory is no bad FILE for the formatter: it stands for its posts (issue 11)
UNREADABLE_FILES = sorted(set(UNREADABLE) - {"directory"})


@pytest.mark.parametrize("kind", UNREADABLE_FILES)
def test_an_unreadable_file_is_one_line_among_the_others(tmp_path: Path, kind: str) -> None:
    """A batch goes on past an unreadable FILE: its line, the others' results, exit 2."""
    path = UNREADABLE[kind](tmp_path)
    first, last = tmp_path / "first.html", tmp_path / "last.html"
    first.write_bytes(GOOD_POST)
    last.write_bytes(GOOD_POST)
    env = _denied_as_for_a_user(path, tmp_path)
    proc = run_postconv("--check", first, path, last, cwd=tmp_path, timeout=20, env=env)
    lines = proc.stderr.decode("utf-8").splitlines()
    assert proc.returncode == 2
    assert lines[0] == f"would reformat {first}" and lines[2] == f"would reformat {last}"
    assert lines[1].startswith(f"postconv: error: {path}: ")
    assert lines[3] == "2 files would be reformatted, 1 file failed."
