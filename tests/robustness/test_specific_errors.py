"""Inputs that were 'internal error, please report' get converted, or a specific message
(issue 10, item 13)."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from postconv.errors import PostconvError
from postconv.io.files import make_directories
from postconv.pipeline import convert

from .helpers import run_postconv


@pytest.mark.parametrize(
    "body",
    ["<p>a &#xFFFF; b \ufffe c</p>", "<p>a &#xfdd0; b &#x10FFFF; c</p>", "a \uffff b <b>c</b>"],
    ids=["html", "html-more-noncharacters", "markdown"],
)
def test_noncharacters_are_no_text_and_no_error(body: str) -> None:
    """U+FFFF and its kind show nothing, and an XML tree (lxml's) cannot hold them."""
    output = convert(f"---\ntitle: t\n---\n{body}\n", name="p.html").text
    assert "a" in output and "b" in output and "c" in output


def test_toml_nested_absurdly_deep_is_a_front_matter_error() -> None:
    text = "+++\na = " + "[" * 100_000 + "]" * 100_000 + "\n+++\n<p>x</p>\n"
    with pytest.raises(PostconvError, match=r"^TOML front matter nested too deeply$"):
        convert(text)


def test_toml_nested_absurdly_deep_through_the_command(tmp_path: Path) -> None:
    post = tmp_path / "deep.html"
    post.write_text("+++\na = " + "[" * 100_000 + "]" * 100_000 + "\n+++\n<p>x</p>\n", "utf-8")
    done = run_postconv(post)
    assert done.returncode == 2
    assert done.stderr.decode() == f"postconv: error: {post}: TOML front matter nested too deeply\n"


def _zip_with_a_name_flagged_utf8_that_is_not(path: Path) -> None:
    """Two posts; the second's name holds bytes 0xFF 0xFE, its UTF-8 flag set anyway."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("good.html", "---\ntitle: a\n---\n<p>Good.</p>\n")
        archive.writestr("badXX.html", "---\ntitle: b\n---\n<p>Bad.</p>\n")
    data = bytearray(buffer.getvalue().replace(b"badXX", b"bad\xff\xfe"))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start >= 0:
            flags = struct.unpack_from("<H", data, start + flags_at)[0]
            struct.pack_into("<H", data, start + flags_at, flags | 0x800)
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))


def test_a_zip_member_name_flagged_utf8_that_is_not_fails_alone(tmp_path: Path) -> None:
    archive = tmp_path / "posts.zip"
    _zip_with_a_name_flagged_utf8_that_is_not(archive)

    done = run_postconv("migrate", archive, tmp_path / "out", "-q")

    assert done.returncode == 1
    assert done.stderr.decode().endswith(
        ": failed: its name is not valid UTF-8, though the zip says it is\n"
    )
    assert (tmp_path / "out" / "good.md").read_text().endswith("Good.\n")


def remove_tree(root: Path) -> None:
    """``shutil.rmtree`` without recursion (it recurses once per level: too deep here)."""
    stack, directories = [str(root)], []
    while stack:
        directory = stack.pop()
        directories.append(directory)
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    os.unlink(entry.path)
    for directory in reversed(directories):
        os.rmdir(directory)


@pytest.fixture
def deep_place(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    for child in tmp_path.iterdir():  # pytest's own clean-up would recurse
        remove_tree(child)


def test_a_tree_1200_directories_deep_migrates_and_resumes(deep_place: Path) -> None:
    """No recursion: walking SRC, making DEST's directories, sweeping DEST."""
    tmp_path = deep_place
    src = tmp_path / "src"
    deep = os.path.join(src, *["d"] * 1200)
    make_directories(deep)  # (os.makedirs recurses once per missing parent: too deep)
    Path(deep, "post.html").write_text("---\ntitle: t\n---\n<p>Deep.</p>\n")
    (src / "top.html").write_text("---\ntitle: t\n---\n<p>Top.</p>\n")

    first = run_postconv("migrate", src, tmp_path / "out", "-q", "-j", "2")
    again = run_postconv("migrate", src, tmp_path / "out", "-q", "-j", "2")

    assert first.returncode == 0, first.stderr
    assert again.returncode == 0, again.stderr
    assert Path(tmp_path / "out", *["d"] * 1200, "post.md").read_text().endswith("Deep.\n")
