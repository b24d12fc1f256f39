"""Text that is UTF-8 but for a few bytes is UTF-8 (issue 10, item 5): refused with the
offset, never re-guessed as cp932 or cp1250 and rewritten as mojibake; ``--encoding``
decodes as told. Detection is for the files that are not near-UTF-8."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED, run_postconv

from postconv.errors import PostconvError
from postconv.io.decode import decode_post

UTF8 = SEED.read_bytes()


@pytest.mark.parametrize(
    ("damage", "offset"),
    [
        (lambda data: data[:600] + b"\xe9" + data[600:], 600),  # a stray Latin-1 byte
        (lambda data: data[:600] + b"\xc0\xaf" + data[600:], 600),  # an overlong "/"
        (lambda data: data.replace("。".encode(), b"\xe3\x80", 1), None),  # a cut sequence
    ],
    ids=["latin-1-byte", "overlong", "truncated-sequence"],
)
def test_near_utf8_is_refused_with_the_offset(damage, offset: int | None) -> None:
    data = damage(UTF8)
    with pytest.raises(
        PostconvError, match=r"^not UTF-8 at offset (\d+), in a text that is"
    ) as caught:
        decode_post(data)
    if offset is not None:
        assert f"offset {offset}," in str(caught.value)


def test_legacy_files_are_still_detected() -> None:
    assert (
        decode_post("---\ntitle: t\n---\n<p>café, naïve</p>\n".encode("latin-1")).encoding
        == "cp1252"
    )
    assert decode_post(SEED.read_text("utf-8").encode("gb18030")).encoding == "gb18030"


def test_in_place_leaves_a_near_utf8_post_as_it_was(tmp_path: Path) -> None:
    post = tmp_path / "post.html"
    post.write_bytes(UTF8[:600] + b"\xe9" + UTF8[600:])
    before = post.read_bytes()
    done = run_postconv("-i", post)
    assert done.returncode == 2
    assert post.read_bytes() == before
    assert done.stderr.decode().startswith(f"postconv: error: {post}: not UTF-8 at offset 600,")


def test_encoding_decodes_as_told(tmp_path: Path) -> None:
    post = tmp_path / "post.html"
    post.write_bytes("---\ntitle: t\n---\n<p>Ça coûte 5 €</p>\n".encode("cp1252"))
    done = run_postconv("--encoding", "cp1252", post)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8").endswith("Ça coûte 5 €\n")
    wrong = run_postconv("--encoding", "utf-8", post)
    assert wrong.returncode == 2 and b"not utf-8 (bad byte at offset" in wrong.stderr
    unknown = run_postconv("--encoding", "klingon", post)
    assert unknown.returncode == 2
    assert unknown.stderr.decode().startswith("postconv: error: unknown encoding 'klingon'")


def test_migrate_encoding_decodes_every_post_as_told(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "a.html").write_bytes("---\ntitle: t\n---\n<p>ĉu vi?</p>\n".encode("iso8859-3"))
    report = tmp_path / "r.jsonl"
    done = run_postconv(
        "migrate", source, tmp_path / "out", "-q", "--encoding", "iso8859-3", "--report", report
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "a.md").read_text("utf-8").endswith("ĉu vi?\n")
    [record] = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    assert record["encoding"] == "iso8859-3"
    bad = run_postconv("migrate", source, tmp_path / "out2", "--encoding", "klingon")
    assert bad.returncode == 2
    assert bad.stderr.decode().strip() == "postconv migrate: error: unknown encoding 'klingon'"
