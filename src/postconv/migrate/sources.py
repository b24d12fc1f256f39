"""Where a migration reads from: a directory tree, a zip or a tar archive, as a stream.

``open_source(path)`` returns a :class:`Source`; iterating ``source.entries()``
yields one :class:`Entry` per file, in archive order (directories: sorted walk).
Nothing is loaded up front: a tar is read as a stream (its member list is
dropped as we go), a zip only keeps its central directory.

An archive entry's content can be read only while it is the current entry
(``entry.open()``), because a compressed tar cannot seek back. Directory
entries carry their ``path`` so a worker process can read them itself.

Every entry name is checked by :func:`safe_relpath`; an unsafe one comes out
with ``kind="unsafe"`` and the reason, so the caller can refuse and report it.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Literal

from postconv.errors import first_line
from postconv.io import remote
from postconv.io.walk import walk_tree

EntryKind = Literal["file", "link", "unsafe", "broken", "other"]


class SourceError(Exception):
    """SRC cannot be read at all (a usage error, not a per-file failure)."""


@dataclass(frozen=True)
class Entry:
    """One file of the source.

    ``rel`` is the safe, '/'-separated relative path (the raw name when unsafe).
    ``kind``: ``file`` (regular file, readable), ``link`` (a symbolic or hard link
    that stays inside the tree: not followed), ``unsafe`` (refused: see
    ``reason``), ``broken`` (a dangling symlink, or unreadable: failed),
    ``other`` (device, fifo, … : skipped).
    """

    rel: str
    kind: EntryKind
    mtime: float
    size: int
    reason: str = ""
    path: str | None = None  # directory sources: the file to read
    opener: Callable[[], IO[bytes]] | None = None  # archives: valid while current
    stored: int | None = None  # zip members: the compressed size

    def open(self) -> IO[bytes]:
        if self.path is not None:
            return open(self.path, "rb")
        if self.opener is None:
            raise OSError(f"{self.rel}: no content")
        return self.opener()


class Source(AbstractContextManager["Source"]):
    """A source of entries; use as a context manager."""

    #: True when entries are files on disk a worker process can read by path.
    readable_by_path = False
    #: an archive's own size in bytes (None for a directory): what it may expand to
    #: is bounded by it
    size: int | None = None

    def entries(self) -> Iterator[Entry]:  # pragma: no cover - abstract
        raise NotImplementedError

    def count(self) -> int | None:
        """Number of entries if it is cheap to know (for a progress bar)."""
        return None

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        pass


def open_source(path: str | os.PathLike[str], exclude: str | None = None) -> Source:
    """Open SRC as a directory, zip or tar source; raise :class:`SourceError` if unusable.

    ``exclude`` is a directory (e.g. DEST) never walked into. ``path`` may be an fsspec
    URL (``s3://bucket/posts/``: see :mod:`postconv.io.remote`).
    """
    if remote.is_remote(os.fspath(path)):
        return open_remote_source(os.fspath(path), exclude)
    src = Path(path)
    if src.is_dir():
        return DirectorySource(src, exclude)
    if not src.exists():
        raise SourceError(f"{path}: no such file or directory")
    try:
        if zipfile.is_zipfile(src):
            return ZipSource(src)
        if tarfile.is_tarfile(src):
            return TarSource(src)
        with open(src, "rb") as stream:
            starts_as_zip = stream.read(4) == b"PK\x03\x04"
    except OSError as error:
        raise SourceError(f"{path}: {error.strerror or error}") from None
    if starts_as_zip:  # its members begin it, its directory (at the end) is missing
        raise SourceError(f"{path}: truncated or damaged zip (no central directory)")
    raise SourceError(f"{path}: not a directory, a zip or a tar archive")


def open_remote_source(url: str, exclude: str | None = None) -> Source:
    """A directory (a prefix) of an object store, or an archive in one."""
    try:
        fs, path = remote.filesystem(url)
        found = remote.info(url)
    except Exception as error:  # a store that cannot be reached, no credentials …
        raise SourceError(f"{url}: {first_line(error)}") from None
    if found is None:
        raise SourceError(f"{url}: no such file or directory")
    if found.get("type") == "directory":
        excluded = None
        if exclude is not None and remote.is_remote(exclude):
            other, excluded = remote.filesystem(exclude)
            excluded = excluded if type(other) is type(fs) else None
        return RemoteDirectorySource(fs, path, excluded)
    size = int(found.get("size") or 0)
    name = remote.basename(path)

    def opener() -> IO[bytes]:
        return fs.open(path, "rb")

    try:
        with opener() as stream:
            head = stream.read(4)
            stream.seek(0)
            if zipfile.is_zipfile(stream):
                return ZipSource(Path(name), opener, size)
            stream.seek(0)
            if tarfile.is_tarfile(stream):
                return TarSource(Path(name), opener, size)
    except OSError as error:
        raise SourceError(f"{url}: {first_line(error)}") from None
    if head == b"PK\x03\x04":
        raise SourceError(f"{url}: truncated or damaged zip (no central directory)")
    raise SourceError(f"{url}: not a directory, a zip or a tar archive")


def safe_relpath(name: str) -> tuple[str, str]:
    """Normalise an archive member name; return ``(rel, "")`` or ``(name, reason)``.

    Refused: absolute paths, drive letters, backslash paths and any ``..`` part.
    """
    if "\x00" in name:
        return name, "NUL byte in entry name"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return name, "absolute path in archive"
    if "\\" in name:
        return name, "backslash in entry name (Windows path?)"
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        return name, "'..' in entry path escapes DEST"
    if not parts:
        return name, "empty entry name"
    return "/".join(parts), ""


def is_hidden(name: str) -> bool:
    """Hidden files and anything under a hidden directory or ``__MACOSX/`` are not inputs."""
    return any(
        (part.startswith(".") and part not in (".", "..")) or part == "__MACOSX"
        for part in name.split("/")
    )


def link_escapes(rel: str, target: str) -> bool:
    """True when a link at ``rel`` pointing to ``target`` leaves the tree."""
    if target.startswith("/") or (len(target) > 1 and target[1] == ":"):
        return True
    depth = len(PurePosixPath(rel).parts) - 1
    for part in target.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False


class DirectorySource(Source):
    """A directory walked recursively in sorted order; hidden files and dirs are skipped."""

    readable_by_path = True

    def __init__(self, root: Path, exclude: str | None = None) -> None:
        self.root = root
        self.real_root = os.path.realpath(root)
        self.exclude = _identity(exclude, follow=True) if exclude is not None else None

    def count(self) -> int:
        return sum(1 for _ in self._walk())

    def entries(self) -> Iterator[Entry]:
        for rel, item in self._walk():
            if isinstance(item, OSError):
                reason = f"cannot list this directory: {item.strerror or item}"
                yield Entry(rel or ".", "broken", 0.0, 0, reason=reason)
            else:
                yield self._entry(rel, item)

    def _walk(self) -> Iterator[tuple[str, os.DirEntry[str] | OSError]]:
        """Files depth first, in sorted order; DEST (when inside SRC) is not entered."""

        def enter(_rel: str, child: os.DirEntry[str]) -> bool:
            return self.exclude is None or _identity(child.path) != self.exclude

        return walk_tree(os.fspath(self.root), enter)

    def _entry(self, rel: str, item: os.DirEntry[str]) -> Entry:
        try:
            if item.is_symlink():
                return self._symlink_entry(rel, item)
            info = item.stat(follow_symlinks=False)
        except OSError as error:
            return Entry(rel, "broken", 0.0, 0, reason=error.strerror or str(error))
        if not stat.S_ISREG(info.st_mode):
            return Entry(rel, "other", info.st_mtime, 0, reason="not a regular file")
        return Entry(rel, "file", info.st_mtime, info.st_size, path=item.path)

    def _symlink_entry(self, rel: str, item: os.DirEntry[str]) -> Entry:
        target = os.path.realpath(item.path)
        if os.path.commonpath([target, self.real_root]) != self.real_root:
            return Entry(rel, "unsafe", 0.0, 0, reason="symlink points outside SRC")
        try:
            info = os.stat(target)
        except OSError:
            return Entry(rel, "broken", 0.0, 0, reason="broken symlink (its target is missing)")
        if stat.S_ISDIR(info.st_mode):
            return Entry(rel, "link", info.st_mtime, 0, reason="symlinked directory, not followed")
        if not stat.S_ISREG(info.st_mode):
            return Entry(rel, "other", info.st_mtime, 0, reason="not a regular file")
        return Entry(rel, "file", info.st_mtime, info.st_size, path=item.path)


def _identity(path: str, follow: bool = False) -> tuple[int, int] | None:
    """Device and inode: which directory ``path`` is, without resolving it component
    by component (``realpath`` of each directory of a deep tree is quadratic)."""
    try:
        info = os.stat(path, follow_symlinks=follow)
    except OSError:
        return None
    return info.st_dev, info.st_ino


class RemoteDirectorySource(Source):
    """A directory (prefix) of an fsspec store, walked as a local one is: depth first,
    sorted, hidden names left out, DEST (when inside SRC) not entered; one listing
    per directory, made as the walk reaches it."""

    readable_by_path = True  # workers read each file by its URL

    def __init__(self, fs: object, root: str, exclude: str | None = None) -> None:
        self.fs = fs
        self.root = root
        self.exclude = exclude.rstrip("/") if exclude is not None else None

    def entries(self) -> Iterator[Entry]:
        stack = [self._children(self.root, "")]
        while stack:
            found = next(stack[-1], None)
            if found is None:
                stack.pop()
                continue
            rel, item = found
            if isinstance(item, Exception):
                reason = f"cannot list this directory: {first_line(item)}"
                yield Entry(rel or ".", "broken", 0.0, 0, reason=reason)
            elif item.get("type") == "directory":
                if item["name"].rstrip("/") != self.exclude:
                    stack.append(self._children(item["name"], rel))
            elif item.get("type") == "file":
                url = self.fs.unstrip_protocol(item["name"])  # type: ignore[attr-defined]
                size = int(item.get("size") or 0)
                yield Entry(rel, "file", remote.mtime(item), size, path=url)
            else:
                yield Entry(rel, "other", remote.mtime(item), 0, reason="not a regular file")

    def _children(self, directory: str, rel: str) -> Iterator[tuple[str, dict | Exception]]:
        try:
            children = list(remote.listing(self.fs, directory))  # type: ignore[arg-type]
        except Exception as error:  # a listing refused, the store gone …
            yield rel, error
            return
        for child in children:
            name = remote.basename(child["name"])
            if not name.startswith("."):
                yield (f"{rel}/{name}" if rel else name), child


class ZipSource(Source):
    """A zip archive; members are read one at a time, never extracted to disk first."""

    def __init__(
        self, path: Path, opener: Callable[[], IO[bytes]] | None = None, size: int | None = None
    ) -> None:
        self.misnamed: set[str] = set()  # names flagged UTF-8 that are not (as cp437)
        self.streams: list[IO[bytes]] = []  # opened here (remote archives): closed here
        try:
            try:
                self.zip = zipfile.ZipFile(self._open(opener) if opener else path)
            except UnicodeDecodeError:  # a name flagged UTF-8 is not: read the others
                raw = self._open(opener) if opener else io.FileIO(path)
                stream = _UnflagBadNames(raw)  # type: ignore[arg-type]
                self.zip = zipfile.ZipFile(stream)
                self.misnamed = stream.misnamed
            self.size = size if size is not None else path.stat().st_size
        except (OSError, zipfile.BadZipFile) as error:
            raise SourceError(f"{path}: bad zip archive ({error})") from None

    def _open(self, opener: Callable[[], IO[bytes]]) -> IO[bytes]:
        self.streams.append(opener())
        return self.streams[-1]

    def close(self) -> None:
        self.zip.close()
        for stream in self.streams:
            stream.close()

    def count(self) -> int:
        return sum(1 for i in self.zip.infolist() if not i.is_dir() and not is_hidden(i.filename))

    def entries(self) -> Iterator[Entry]:
        for info in self.zip.infolist():
            if not info.is_dir() and not is_hidden(info.filename):
                yield self._entry(info)

    def _entry(self, info: zipfile.ZipInfo) -> Entry:
        rel, reason = safe_relpath(zip_name(info))
        mtime = _zip_mtime(info)
        if info.filename in self.misnamed:
            reason = "its name is not valid UTF-8, though the zip says it is"
            return Entry(rel, "broken", mtime, info.file_size, reason=reason)
        if reason:
            return Entry(rel, "unsafe", mtime, info.file_size, reason=reason)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            try:
                target = self.zip.read(info).decode("utf-8", "replace")
            except Exception as error:  # BadZipFile, zlib.error …
                return Entry(rel, "broken", mtime, 0, reason=_first_line(error))
            return _link_entry(rel, target, mtime, "symlink")
        opener = lambda: self.zip.open(info)  # noqa: E731 - read later, while current
        return Entry(rel, "file", mtime, info.file_size, opener=opener, stored=info.compress_size)


class _UnflagBadNames(io.BufferedReader):
    """A zip file whose central directory, as it is read, loses the UTF-8 flag of the
    names that are not UTF-8: zipfile then reads them as cp437 instead of refusing
    the whole archive, and they are reported one by one (``misnamed``)."""

    _HEADER = struct.Struct("<4s4B4HL2L5H2L")  # a central directory record

    def __init__(self, raw: io.RawIOBase) -> None:
        super().__init__(raw)
        self.misnamed: set[str] = set()

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if not data.startswith(b"PK\x01\x02"):
            return data
        patched = bytearray(data)
        position = 0
        while patched[position : position + 4] == b"PK\x01\x02":
            if position + self._HEADER.size > len(patched):
                break
            fields = self._HEADER.unpack_from(patched, position)
            flags, name_length, extra, comment = fields[5], fields[12], fields[13], fields[14]
            start = position + self._HEADER.size
            name = bytes(patched[start : start + name_length])
            if flags & 0x800 and not _is_utf8(name):
                struct.pack_into("<H", patched, position + 8, flags & ~0x800)
                self.misnamed.add(name.decode("cp437"))
            position = start + name_length + extra + comment
        return bytes(patched)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def zip_name(info: zipfile.ZipInfo) -> str:
    """The entry name; names not flagged UTF-8 were decoded as cp437 by zipfile, but
    archives made on Chinese Windows store GBK, and many tools store UTF-8 unflagged."""
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    raw = name.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


class TarSource(Source):
    """A tar archive (plain, gz, bz2, xz) read strictly as a stream."""

    def __init__(
        self, path: Path, opener: Callable[[], IO[bytes]] | None = None, size: int | None = None
    ) -> None:
        self.name = path.name
        self.stream = opener() if opener is not None else None  # a remote archive
        try:
            if self.stream is None:
                self.tar = tarfile.open(path, mode="r|*")  # noqa: SIM115 - closed by close()
            else:
                self.tar = tarfile.open(fileobj=self.stream, mode="r|*")  # noqa: SIM115
            self.size = size if size is not None else path.stat().st_size
        except (OSError, tarfile.TarError) as error:
            raise SourceError(f"{path}: bad tar archive ({error})") from None

    def close(self) -> None:
        self.tar.close()
        if self.stream is not None:
            self.stream.close()

    def entries(self) -> Iterator[Entry]:
        members = iter(self.tar)
        while True:
            try:
                member = next(members)
            except StopIteration:
                problem = self._bad_end()
                if problem is not None:
                    yield Entry(
                        f"{self.name}: after the last good entry", "broken", 0.0, 0, problem
                    )
                return
            except Exception as error:  # ReadError, EOFError, zlib/lzma/bz2 errors …
                reason = (
                    f"archive truncated or corrupt at byte {self.tar.offset} of the tar "
                    f"({_first_line(error)})"
                )
                yield Entry(f"{self.name}: after the last good entry", "broken", 0.0, 0, reason)
                return
            self.tar.members = []  # tarfile keeps every TarInfo otherwise: memory grows
            if not member.isdir() and not is_hidden(member.name):
                yield self._entry(member)

    def _bad_end(self) -> str | None:
        """Why the archive did not end as one does, or None. tarfile takes a tar cut
        short for its end: a tar ends with a block of zeros (read whole), a compressed
        one with its trailer (read to it)."""
        stream = self.tar.fileobj
        if stream.pos - self.tar.offset < tarfile.BLOCKSIZE:
            return f"archive truncated at byte {self.tar.offset} of the tar (no end marker)"
        try:
            while stream.read(1 << 16):
                pass
        except Exception as error:  # EOFError, zlib/lzma/bz2 errors: a damaged trailer
            detail = _first_line(error)
            return f"archive truncated or corrupt after byte {stream.pos} of the tar ({detail})"
        return None

    def _entry(self, member: tarfile.TarInfo) -> Entry:
        rel, reason = safe_relpath(member.name)
        if reason:
            return Entry(rel, "unsafe", member.mtime, member.size, reason=reason)
        if member.issym():
            return _link_entry(rel, member.linkname, member.mtime, "symlink")
        if member.islnk():
            target = _tar_hardlink(rel, member.linkname)
            return _link_entry(rel, target, member.mtime, "hard link", member.linkname)
        if not member.isfile():
            return Entry(rel, "other", member.mtime, 0, reason="not a regular file")
        return Entry(
            rel, "file", member.mtime, member.size, opener=lambda: _tar_stream(self.tar, member)
        )


def _tar_stream(tar: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    stream = tar.extractfile(member)
    if stream is None:
        raise OSError("cannot read this tar member")
    return stream


def _tar_hardlink(rel: str, linkname: str) -> str:
    """Hard link names are relative to the archive root; make them relative to ``rel``."""
    if linkname.startswith("/"):
        return linkname
    depth = len(PurePosixPath(rel).parts) - 1
    return "../" * depth + linkname


def _link_entry(rel: str, target: str, mtime: float, what: str, shown: str = "") -> Entry:
    shown = shown or target
    if link_escapes(rel, target):
        return Entry(rel, "unsafe", mtime, 0, reason=f"{what} to {shown!r} escapes DEST")
    return Entry(rel, "link", mtime, 0, reason=f"{what} to {shown!r}, not followed")


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__


def _zip_mtime(info: zipfile.ZipInfo) -> float:
    try:
        return time.mktime((*info.date_time, 0, 0, -1))
    except (OverflowError, ValueError):
        return 0.0
