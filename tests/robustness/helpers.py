"""Helpers for the robustness suite: run the real CLI, check its errors, snapshot dirs."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from conftest import CORPUS, REPO, run_postconv
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from postconv.html.clean import is_hidden

__all__ = ["CORPUS", "REPO", "run_postconv"]  # shared with the rest of the suite

FIXTURES = REPO / "fixtures" / "robustness"
CRASHES = FIXTURES / "crashes"
DATA = Path(__file__).resolve().parent / "data"
_SUMMARY = re.compile(r"^\d+ files? [\w ,.()]*$")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def assert_clean_error(
    proc: subprocess.CompletedProcess[bytes], names: Iterable[str], code: int = 2
) -> str:
    """Exit ``code``, one line on stderr that starts ``postconv: error:`` and names a file.

    ``names``: any of these strings may be the file named (the argument as given,
    its base name, ``-`` or ``<stdin>`` for stdin …). Returns the error line.
    """
    stderr = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, f"traceback on stderr:\n{stderr}"
    assert proc.returncode == code, (
        f"exit {proc.returncode}, wanted {code}; stderr:\n{stderr}\nstdout:\n{proc.stdout[:500]!r}"
    )
    lines = stderr.strip("\n").splitlines()
    errors = [line for line in lines if line.startswith("postconv: error: ")]
    others = [line for line in lines if not line.startswith("postconv: error: ")]
    assert len(errors) == 1, f"wanted one 'postconv: error:' line, got:\n{stderr}"
    # a black-style count ("1 file failed.") may follow in -i / --check mode; nothing else
    assert all(_SUMMARY.match(line) for line in others), f"more than one error line:\n{stderr}"
    line = errors[0]
    names = list(names)
    assert any(name in line for name in names), f"error does not name the file {names}: {line!r}"
    return line


@dataclass
class DirSnapshot:
    """The names and bytes in a directory, to prove a command left nothing behind."""

    root: Path
    files: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def take(cls, root: Path) -> DirSnapshot:
        snap = cls(root)
        for path in sorted(root.rglob("*")):
            rel = str(path.relative_to(root))
            if path.is_symlink():
                snap.files[rel] = b"symlink -> " + os.fsencode(os.readlink(path))
            elif path.is_file():
                snap.files[rel] = path.read_bytes()
            else:
                snap.files[rel] = b"<not a regular file>"
        return snap

    def assert_unchanged(self) -> None:
        now = DirSnapshot.take(self.root)
        added = sorted(set(now.files) - set(self.files))
        removed = sorted(set(self.files) - set(now.files))
        changed = sorted(
            name for name in set(now.files) & set(self.files) if now.files[name] != self.files[name]
        )
        assert not (added or removed or changed), (
            f"directory changed: added {added}, removed {removed}, changed {changed}"
        )


# The CommonMark round trip records its rates here; conftest prints them in the summary.
COMMONMARK_SUMMARY: list[str] = []


_INVISIBLE = {"script", "style", "template", "noscript", "head", "title"}
_md = MarkdownIt("commonmark", {"html": True}).enable("table")


def html_text(fragment: str) -> str:
    """The text a browser shows for an HTML fragment (no alt text, no link targets)."""
    if not fragment.strip():
        return ""
    parser = lxml_html.HTMLParser(recover=True, huge_tree=True)
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div", parser=parser)
    except etree.ParserError:
        return ""
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for element in list(root.iter()):
        if element is not root and (element.tag in _INVISIBLE or is_hidden(element)):
            element.drop_tree()
    return root.text_content()


def rendered_text(markdown: str) -> str:
    """The text a reader sees once ``markdown`` is rendered (markdown-it, CommonMark + tables)."""
    return html_text(_md.render(markdown))


class SlowInput(AssertionError):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt one conversion that runs away (SIGALRM, main thread, POSIX only).

    The alarm repeats every half second until the block ends: an exception raised
    inside a garbage-collector callback is swallowed, the next one is not.
    """
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expired(signum, frame):
        raise SlowInput(f"one input took over {seconds:.0f}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def memory_capped(megabytes: int) -> Iterator[None]:
    """Cap the address space so a runaway input raises MemoryError (POSIX only)."""
    try:
        import resource
    except ImportError:
        yield
        return
    try:
        with open("/proc/self/statm") as statm:
            in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        yield
        return
    previous = resource.getrlimit(resource.RLIMIT_AS)
    cap = in_use + megabytes * 1024 * 1024
    if previous[1] != resource.RLIM_INFINITY:
        cap = min(cap, previous[1])
    resource.setrlimit(resource.RLIMIT_AS, (cap, previous[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, previous)


@contextlib.contextmanager
def limits(seconds: float, megabytes: int) -> Iterator[None]:
    """Both caps: a runaway conversion fails the test instead of taking the machine."""
    with time_limit(seconds), memory_capped(megabytes):
        yield
