"""File I/O shared by the CLI and batch migration: reading posts, atomic writes."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from pathlib import Path
from typing import IO, BinaryIO

from postconv.errors import PostconvError
from postconv.io.decode import Decoded, decode_post

#: control characters (C0, DEL, C1): printed raw, a name could move a terminal's
#: cursor, clear its screen, or forge a line of a log
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

#: what every temporary file of an atomic write starts with
TEMP_PREFIX = ".postconv-"

#: Posts larger than this are refused rather than converted (a 50 MB "post" is junk).
MAX_POST_BYTES = 20 * 1024 * 1024

_CHUNK = 1024 * 1024


def read_post(path: str | os.PathLike[str], encoding: str | None = None) -> Decoded:
    """Read and decode one post file; every failure is a one-line :class:`PostconvError`."""
    return decode_post(read_post_bytes(path), encoding)


def read_post_bytes(path: str | os.PathLike[str]) -> bytes:
    """The bytes of one post file; every failure is a one-line :class:`PostconvError`.

    Only regular files are read: a FIFO, a socket or a device is refused at once
    instead of blocking or streaming forever. The size cap holds even for files
    whose ``stat`` size lies (``/proc`` files) or that grow while being read.
    """
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not hang; it is refused below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise PostconvError("is a directory") from None
    except OSError as error:
        raise PostconvError(_reason(error)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise PostconvError("is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise PostconvError("not a regular file")
        if info.st_size > MAX_POST_BYTES:
            raise PostconvError(_too_large(info.st_size))
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = _read_capped(handle)
    except IsADirectoryError:
        raise PostconvError("is a directory") from None
    except OSError as error:
        raise PostconvError(_reason(error)) from None
    finally:
        if fd >= 0:
            os.close(fd)
    return data


def read_stream(stream: BinaryIO, encoding: str | None = None) -> Decoded:
    """Read and decode a post from a binary stream (stdin), with the same size cap."""
    try:
        data = _read_capped(stream)
    except OSError as error:
        raise PostconvError(_reason(error)) from None
    return decode_post(data, encoding)


def _read_capped(stream: BinaryIO) -> bytes:
    """Read at most MAX_POST_BYTES; refuse (without reading it all) anything larger."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, MAX_POST_BYTES + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_POST_BYTES:
            raise PostconvError(_too_large(None))
    return b"".join(chunks)


def _too_large(size: int | None) -> str:
    limit = MAX_POST_BYTES // (1024 * 1024)
    if size is None:
        return f"file too large (over {limit} MB) to be a post"
    return f"file too large ({size / (1024 * 1024):.0f} MB, limit {limit} MB) to be a post"


def _reason(error: OSError) -> str:
    """A one-line reason for an OS error, without repeating the file name."""
    return (error.strerror or str(error) or type(error).__name__).splitlines()[0]


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A reader (or a crash) never sees a half-written file; an existing file
    keeps its permission bits. A symlink is written through (the file it
    points to is replaced, the link stays); a FIFO or a device such as
    ``/dev/null`` or ``/dev/stdout`` is written to directly, never replaced.
    Errors are :class:`OSError` (the caller names the file); the temporary
    file never survives a failure.
    """
    target = Path(os.path.realpath(path))
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "wb") as handle:
            handle.write(data)
        return
    write_atomically(str(target), data, durable=True, mode=mode & 0o7777 if mode else None)


def write_atomically(
    output: str,
    content: bytes | IO[bytes],
    durable: bool = False,
    mode: int | None = None,
    make_dirs: bool = False,
) -> None:
    """Write ``content`` to ``output`` through a temporary file beside it and a rename.

    A killed process never leaves a half-written ``output``, only perhaps a
    ``.postconv-NAME.XXXXXXXX.tmp`` file, which ``postconv migrate`` removes when it
    runs again (the prefix says it is ours: no one else's file is removed).
    ``durable`` adds an fsync (survives a power cut); the batch leaves it off and
    syncs DEST once at the end, much cheaper for tens of thousands of small files.
    ``mode`` sets the permission bits (a new file gets 0o666 less the umask);
    ``make_dirs`` creates missing parent directories.
    """
    fd, temp = _create_temp(output, make_dirs)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(content, bytes):
                handle.write(content)
            else:
                import shutil  # (streams only: a one-file run does not load it)

                shutil.copyfileobj(content, handle, 1024 * 1024)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, output)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def temp_name(name: str) -> str:
    """``.postconv-NAME.XXXXXXXX.tmp``: a temporary file's name beside ``name``, random, and
    ours by its prefix (``postconv migrate`` sweeps what a killed run left)."""
    return f"{TEMP_PREFIX}{name}.{os.urandom(4).hex()}.tmp"


def _create_temp(output: str, make_dirs: bool) -> tuple[int, str]:
    """Create ``.postconv-NAME.XXXXXXXX.tmp`` beside ``output`` (and its directory when
    missing).

    Unlike ``mkstemp`` the mode is 0o666 less the umask, as for any new file,
    so no chmod is needed; the directory is made (if allowed) only when the
    open says it is missing.
    """
    directory, name = os.path.split(output)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _attempt in range(100):
        temp = os.path.join(directory, temp_name(name))
        try:
            return os.open(temp, flags, 0o666), temp
        except FileExistsError:
            continue
        except FileNotFoundError:
            if not make_dirs:
                raise
            make_directories(directory)
            return os.open(temp, flags, 0o666), temp
    raise FileExistsError(f"no free temporary name beside {name}")


def make_directories(path: str) -> None:
    """``os.makedirs(path, exist_ok=True)`` without recursion (a tree may be thousands
    of directories deep): the missing ancestors are found first, then made in order."""
    missing = []
    while path and not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory)
        except FileExistsError:
            if not os.path.isdir(directory):
                raise


def printable(text: str) -> str:
    """A file name (or a message naming one) as printable text, on one line.

    Names that are not valid in the locale's encoding (a Chinese name under the C
    locale) reach Python as surrogate escapes of their bytes, which are UTF-8 on
    any system made this century: they are turned back into characters. Control
    characters (a newline, ESC) are written as Python writes them: ``\\n``, ``\\x1b``.
    """
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda found: repr(found.group())[1:-1], text)
