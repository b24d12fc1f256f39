"""The posts a directory stands for, found as black and ruff format find files.

``postconv -i content/``, ``--check`` and ``--diff`` take directories: each is
walked in sorted order for files with a post's extension (those ``migrate``
converts). Hidden entries (``.git/``, ``.DS_Store``) and symlinked directories
are not entered; inside a git work tree, what ``.gitignore`` ignores is
skipped (git itself decides: ``git check-ignore``); ``--exclude REGEX`` (config
``exclude``) skips every path it is found in, written ``/dir/name.html``
relative to the directory given, a directory with a slash at the end. Files
named on the command line are always taken.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator

#: Files with these extensions are posts (``migrate`` converts them; other files it copies).
POST_SUFFIXES = frozenset(
    {".html", ".htm", ".xhtml", ".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".txt"}
)


def is_post(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in POST_SUFFIXES


def post_files(directory: str, exclude: re.Pattern[str] | None = None) -> list[str]:
    """The posts under ``directory`` (paths that start with it), in sorted order."""
    found = list(_walk(directory, exclude))
    ignored = _git_ignored(directory, [rel for _path, rel in found])
    return [path for path, rel in found if rel not in ignored]


def walk_tree(
    top: str, enter: Callable[[str, os.DirEntry[str]], bool]
) -> Iterator[tuple[str, os.DirEntry[str] | OSError]]:
    """What lies below ``top``, depth first in sorted order, hidden entries left out:
    ``(rel, entry)`` for each entry that is not a directory (a symlink to one
    included), ``(rel, error)`` for a directory that cannot be listed (``""`` for
    ``top``). A directory is entered when ``enter(rel, entry)`` says so, else skipped.
    A stack of listings, not recursion: a tree may be thousands of directories deep.
    """
    stack = [_children(top, "")]
    while stack:
        found = next(stack[-1], None)
        if found is None:
            stack.pop()
            continue
        rel, child = found
        if isinstance(child, OSError) or not child.is_dir(follow_symlinks=False):
            yield rel, child
        elif enter(rel, child):
            stack.append(_children(child.path, rel))


def _children(directory: str, rel: str) -> Iterator[tuple[str, os.DirEntry[str] | OSError]]:
    try:
        with os.scandir(directory) as scan:
            children = sorted(scan, key=lambda child: child.name)
    except OSError as error:
        yield rel, error
        return
    for child in children:
        if not child.name.startswith("."):
            yield (f"{rel}/{child.name}" if rel else child.name), child


def _walk(top: str, exclude: re.Pattern[str] | None) -> Iterator[tuple[str, str]]:
    """Each post as ``(path, path relative to top)``."""

    def enter(rel: str, _child: os.DirEntry[str]) -> bool:
        return exclude is None or not exclude.search(f"/{rel}/")

    for rel, child in walk_tree(top, enter):
        # (a directory that cannot be listed: nothing in it is found, as for black)
        if isinstance(child, OSError) or not is_post(child.name):
            continue
        if exclude is None or not exclude.search(f"/{rel}"):
            yield (rel if top == os.curdir else os.path.join(top, rel)), rel


def _git_ignored(directory: str, paths: list[str]) -> set[str]:
    """Those of ``paths`` (relative to ``directory``) that git ignores there; none
    outside a work tree or without git."""
    import shutil  # (directories only: a one-file run does not load them)
    import subprocess

    git = shutil.which("git")
    if not paths or git is None:
        return set()
    try:
        inside = subprocess.run(
            [git, "-C", directory, "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            timeout=30,
        )
        if inside.returncode != 0 or inside.stdout.strip() != b"true":
            return set()
        checked = subprocess.run(
            [git, "-C", directory, "check-ignore", "--no-index", "--stdin", "-z"],
            input=b"\0".join(os.fsencode(path) for path in paths),
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    if checked.returncode not in (0, 1):  # 1: nothing ignored
        return set()
    return {os.fsdecode(path) for path in checked.stdout.split(b"\0") if path}
