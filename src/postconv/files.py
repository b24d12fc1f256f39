"""File I/O shared by the CLI and batch migration: reading posts, atomic writes."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from postconv.decode import Decoded, decode_post
from postconv.errors import PostconvError

#: Posts larger than this are refused rather than converted (a 50 MB "post" is junk).
MAX_POST_BYTES = 20 * 1024 * 1024

_CHUNK = 1024 * 1024


def read_post(path: str | os.PathLike[str]) -> Decoded:
    """Read and decode one post file; every failure is a one-line :class:`PostconvError`.

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
    return decode_post(data)


def read_stream(stream: BinaryIO) -> Decoded:
    """Read and decode a post from a binary stream (stdin), with the same size cap."""
    try:
        data = _read_capped(stream)
    except OSError as error:
        raise PostconvError(_reason(error)) from None
    return decode_post(data)


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
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode & 0o7777 if mode is not None else 0o666 & ~_umask())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
