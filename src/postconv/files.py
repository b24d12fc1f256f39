"""File I/O shared by the CLI and batch migration: reading posts, atomic writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from postconv.decode import Decoded, decode_post
from postconv.errors import PostconvError

#: Posts larger than this are refused rather than converted (a 50 MB "post" is junk).
MAX_POST_BYTES = 20 * 1024 * 1024


def read_post(path: str | os.PathLike[str]) -> Decoded:
    """Read and decode one post file; every failure is a one-line :class:`PostconvError`."""
    try:
        size = os.stat(path).st_size
        if size > MAX_POST_BYTES:
            raise PostconvError(f"file too large ({size // (1024 * 1024)} MB) to be a post")
        with open(path, "rb") as handle:
            data = handle.read()
    except IsADirectoryError:
        raise PostconvError("is a directory") from None
    except OSError as error:
        raise PostconvError(error.strerror or str(error)) from None
    return decode_post(data)


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A reader (or a crash) never sees a half-written file; an existing file
    keeps its permission bits.
    """
    target = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.chmod(temp, os.stat(target).st_mode & 0o7777)
        except FileNotFoundError:
            os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
