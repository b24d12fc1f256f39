"""A stray control character is not binary data (issue 10, item 15): real archives carry
a pasted backspace or an editor's NUL. It is dropped, the post converted, and the user
told in one warning line and in the report; binary files are still refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_postconv

from postconv.errors import PostconvError
from postconv.io.decode import decode_post

POST = "---\ntitle: 标题\n---\n<p>今天天气很好，我们去公园散步。Hexo pasted a backspace here.</p>\n"


@pytest.mark.parametrize("stray", ["\x08", "\x00", "\x1b", "\x7f"])
def test_a_stray_control_character_is_dropped_and_counted(stray: str) -> None:
    data = POST.replace("here", f"h{stray}ere").encode()
    decoded = decode_post(data)
    assert (decoded.text, decoded.dropped) == (POST, 1)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + POST.encode(), "a PNG image"),
        (b"%PDF-1.4\n" + POST.encode(), "a PDF document"),
        (b"PK\x03\x04" + POST.encode(), "a zip archive"),
        (b"---\ntitle: x\n---\n" + bytes(range(1, 9)) * 4, "32 control characters"),
    ],
)
def test_binary_data_is_still_refused(data: bytes, kind: str) -> None:
    with pytest.raises(PostconvError, match=rf"binary data \({kind}\)"):
        decode_post(data)


def test_the_formatter_converts_and_warns_in_one_line(tmp_path: Path) -> None:
    post = tmp_path / "p.html"
    post.write_bytes(POST.replace("here", "h\x08ere").encode())
    done = run_postconv("-i", post)
    assert done.returncode == 0
    assert (
        done.stderr.decode().splitlines()[0]
        == f"postconv: warning: {post}: 1 stray control character dropped"
    )
    assert "\x08" not in post.read_text("utf-8") and "here" in post.read_text("utf-8")
    post.write_bytes(POST.replace("here", "h\x08ere").encode())
    quiet = run_postconv("-i", "-q", post)  # -q: errors only
    assert (quiet.returncode, quiet.stderr) == (0, b"")


def test_migrate_converts_warns_and_reports(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.html").write_bytes(POST.replace("here", "\x00h\x08ere").encode())
    report = tmp_path / "r.jsonl"
    done = run_postconv("migrate", source, tmp_path / "out", "-q", "--report", report)
    assert done.returncode == 0, done.stderr
    assert done.stderr.decode().splitlines() == [
        "a.html: warning: 2 stray control characters dropped"
    ]
    [record] = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    assert (record["status"], record["warning"]) == (
        "converted",
        "2 stray control characters dropped",
    )
    assert "here" in (tmp_path / "out" / "a.md").read_text("utf-8")
