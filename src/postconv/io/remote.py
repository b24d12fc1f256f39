"""SRC and DEST as fsspec URLs (``s3://bucket/posts/``, ``gs://…``, ``file:///…``).

A ``file://`` URL is a local path and is handled as one (locks, temporary files
and renames, symlink checks: everything a local run does). Any other URL goes
through fsspec, imported only then: ``pip install 'postconv[dask]'`` brings it,
and each store its own package (``s3fs`` for S3, ``gcsfs`` for GCS).

Writes to an object store are one ``PUT`` each, which the store makes atomic
(an object is there whole or not at all); on other fsspec file systems (sftp,
hdfs…) an output is written beside its target under a temporary name and moved
over it, as on a local disk. Every failure is an ``OSError`` or a
:class:`~postconv.errors.PostconvError` with a one-line reason.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import shutil
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from postconv.errors import PostconvError, first_line
from postconv.io.files import temp_name

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

#: ``scheme://`` at the start: a URL, not a path (two letters at least: ``C://`` is a drive)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+://")

#: stores where one write of an object is atomic by itself (no temporary file, no rename)
OBJECT_STORES = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "oss", "memory"})

EXTRA_HINT = "pip install 'postconv[dask]'"


def is_url(path: object) -> bool:
    return isinstance(path, str) and _URL.match(path) is not None


def local_path(path: str) -> str:
    """``file:///a/b`` → ``/a/b``; a local path as it is; other URLs as they are."""
    if not is_url(path) or not path.lower().startswith("file://"):
        return path
    parts = urlsplit(path)
    if parts.netloc not in ("", "localhost"):
        raise PostconvError(f"{path}: a file:// URL names a file of this machine")
    return unquote(parts.path) or "/"


def is_remote(path: object) -> bool:
    """A URL that is not a ``file://`` one: read and written through fsspec."""
    return is_url(path) and not str(path).lower().startswith("file://")


def filesystem(url: str) -> tuple[AbstractFileSystem, str]:
    """The fsspec file system of ``url`` and the path in it, or a one-line error."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise PostconvError(f"{url}: URLs need fsspec: {EXTRA_HINT}") from None
    try:
        fs, path = url_to_fs(url)
    except ImportError as error:  # fsspec names the package: "Install s3fs to access S3"
        raise PostconvError(f"{url}: {first_line(error)}") from None
    except Exception as error:  # ValueError("Protocol not known: nosuch") …
        raise PostconvError(f"{url}: {first_line(error)}") from None
    return fs, path.rstrip("/") or path


def join(url: str, rel: str) -> str:
    return f"{url.rstrip('/')}/{rel}"


def is_object_store(fs: AbstractFileSystem) -> bool:
    protocols = (fs.protocol,) if isinstance(fs.protocol, str) else fs.protocol
    return any(protocol in OBJECT_STORES for protocol in protocols)


def info(url: str) -> dict[str, Any] | None:
    """What the store says of ``url`` (``type``, ``size``…), or None when it is not there."""
    fs, path = filesystem(url)
    try:
        return fs.info(path)
    except FileNotFoundError:
        return None


def mtime(found: dict[str, Any]) -> float:
    """The modification time in an fsspec ``info`` (each store names it its own way)."""
    for key in ("mtime", "LastModified", "last_modified", "updated", "modified", "created"):
        value = found.get(key)
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, datetime.datetime):
            return value.timestamp()
        if isinstance(value, str):
            try:
                return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                continue
    return 0.0


def files_below(url: str) -> dict[str, tuple[int, float]]:
    """Every file below ``url``, by its '/'-separated path relative to it: its size and
    modification time, from one listing of the whole prefix (on S3, one request per
    thousand files, not one per file). Nothing there: an empty dict."""
    fs, path = filesystem(url)
    prefix = f"{path.rstrip('/')}/"
    try:
        found = fs.find(path, detail=True)
    except FileNotFoundError:
        return {}
    finally:
        _forget_listings(fs, path)
    return {
        name[len(prefix) :]: (int(item.get("size") or 0), mtime(item))
        for name, item in found.items()
        if item.get("type") == "file" and name.startswith(prefix)
    }


def _forget_listings(fs: AbstractFileSystem, path: str) -> None:
    """Drop what the file system cached of the listings below ``path`` (s3fs keeps every
    directory a ``find`` met): they would hold the whole of DEST a second time."""
    cache = getattr(fs, "dircache", None)
    if cache is None:
        return
    with contextlib.suppress(Exception):
        for key in [key for key in cache if key == path or key.startswith(f"{path}/")]:
            cache.pop(key, None)


def listing(fs: AbstractFileSystem, path: str) -> Iterator[dict[str, Any]]:
    """The entries of one directory (prefix), sorted by name as a local walk is."""
    found = fs.ls(path, detail=True)
    for item in sorted(found, key=lambda item: basename(item["name"])):
        if item["name"].rstrip("/") != path.rstrip("/"):  # some stores list the prefix itself
            yield item


def basename(name: str) -> str:
    return name.rstrip("/").rsplit("/", 1)[-1]


def read_bytes(url: str, limit: int) -> bytes:
    """The bytes of ``url``; refused (PostconvError) beyond ``limit`` bytes."""
    fs, path = filesystem(url)
    try:
        with fs.open(path, "rb") as stream:
            data = stream.read(limit + 1)
    except FileNotFoundError:
        raise PostconvError("No such file or directory") from None
    except IsADirectoryError:
        raise PostconvError("is a directory") from None
    except OSError as error:
        raise PostconvError(first_line(error)) from None
    if len(data) > limit:
        raise PostconvError(f"file too large (over {limit // 2**20} MB) to be a post")
    return data


def open_input(url: str) -> IO[bytes]:
    fs, path = filesystem(url)
    return fs.open(path, "rb")


def write(url: str, content: bytes | IO[bytes]) -> None:
    """Write ``content`` to ``url`` whole or not at all (see the module docstring)."""
    fs, path = filesystem(url)
    if is_object_store(fs):
        fs.pipe_file(path, content if isinstance(content, bytes) else content.read())
        return
    directory, name = path.rsplit("/", 1) if "/" in path else ("", path)
    fs.makedirs(directory or "/", exist_ok=True)
    temp = f"{directory}/{temp_name(name)}"
    try:
        with fs.open(temp, "wb") as handle:
            if isinstance(content, bytes):
                handle.write(content)
            else:
                shutil.copyfileobj(content, handle, 1024 * 1024)
        fs.mv(temp, path)
    except BaseException:
        with contextlib.suppress(Exception):  # else the next run sweeps it
            fs.rm_file(temp)
        raise
