"""Resume redoes what changed (issue 10, item 9): DEST's manifest records what made
each output (the input's bytes, the settings, postconv's version)."""

from __future__ import annotations

import io
import json
import os
import shutil
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import postconv.migrate.manifest
from postconv.cli import main
from postconv.migrate.batch import Settings, migrate
from postconv.migrate.manifest import NAME as MANIFEST
from postconv.options import Options

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus"
#: a post with a bold-only paragraph: its heading level is a setting
POST = "---\ntitle: {name}\n---\n<p><strong>A heading</strong></p>\n<p>Text of {name}.</p>\n"


def posts(root: Path, names: list[str]) -> Path:
    root.mkdir()
    for name in names:
        (root / f"{name}.html").write_text(POST.format(name=name))
    return root


def statuses(src: Path, dest: Path, settings: Settings) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    migrate(src, dest, settings, lambda o: outcomes.__setitem__(o.input, o.status))
    return outcomes


def test_a_rerun_with_other_settings_redoes_every_post(tmp_path: Path) -> None:
    """The issue's case: ``--heading-level 4`` after a run with the default."""
    src = posts(tmp_path / "src", ["a", "b", "c"])
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["migrate", str(src), str(out), "-q"]).exit_code == 0
    assert (out / "a.md").read_text().count("## A heading") == 1

    again = runner.invoke(main, ["migrate", str(src), str(out), "--heading-level", "4", "-q"])

    assert again.exit_code == 0
    assert all("#### A heading" in (out / f"{n}.md").read_text() for n in "abc")
    fresh = tmp_path / "fresh"
    runner.invoke(main, ["migrate", str(src), str(fresh), "--heading-level", "4", "-q"])
    assert all((out / f"{n}.md").read_bytes() == (fresh / f"{n}.md").read_bytes() for n in "abc")


def test_a_rerun_with_the_same_settings_skips_everything(tmp_path: Path) -> None:
    src = posts(tmp_path / "src", ["a", "b"])
    (src / "image.png").write_bytes(b"\x89PNG")
    out = tmp_path / "out"
    migrate(src, out, Settings(jobs=2))

    assert set(statuses(src, out, Settings(jobs=2)).values()) == {"skipped"}


def test_a_new_postconv_version_redoes_every_post_but_not_the_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = posts(tmp_path / "src", ["a"])
    (src / "image.png").write_bytes(b"\x89PNG")
    out = tmp_path / "out"
    migrate(src, out, Settings(jobs=1))
    monkeypatch.setattr(postconv.migrate.manifest, "__version__", "99.0")

    assert statuses(src, out, Settings(jobs=1)) == {"a.html": "converted", "image.png": "skipped"}


def test_an_input_changed_with_its_time_kept_is_redone(tmp_path: Path) -> None:
    """Times can lie (a restored backup, an archive rebuilt reproducibly): bytes decide."""
    src = posts(tmp_path / "src", ["a", "b"])
    out = tmp_path / "out"
    migrate(src, out, Settings(jobs=1))
    post = src / "a.html"
    times = (post.stat().st_atime, post.stat().st_mtime)
    post.write_text(POST.format(name="A, changed").replace("Text", "Texts"))
    os.utime(post, times)

    assert statuses(src, out, Settings(jobs=1)) == {"a.html": "converted", "b.html": "skipped"}
    assert "Texts of A, changed." in (out / "a.md").read_text()


def test_a_touched_input_is_not_redone(tmp_path: Path) -> None:
    src = posts(tmp_path / "src", ["a"])
    out = tmp_path / "out"
    migrate(src, out, Settings(jobs=1))
    os.utime(src / "a.html", (1e9, 2e9))

    assert statuses(src, out, Settings(jobs=1)) == {"a.html": "skipped"}
    assert statuses(src, out, Settings(jobs=1)) == {"a.html": "skipped"}  # time remembered


def zip_of(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


def test_an_archive_rebuilt_with_the_same_times_redoes_only_the_changed_member(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "posts.zip"
    archive.write_bytes(zip_of({"a.html": POST.format(name="a"), "b.html": POST.format(name="b")}))
    out = tmp_path / "out"
    migrate(archive, out, Settings(jobs=1))
    archive.write_bytes(zip_of({"a.html": POST.format(name="a2"), "b.html": POST.format(name="b")}))

    assert statuses(archive, out, Settings(jobs=2)) == {"a.html": "converted", "b.html": "skipped"}
    assert "Text of a2." in (out / "a.md").read_text()


def test_a_deleted_output_is_redone(tmp_path: Path) -> None:
    src = posts(tmp_path / "src", ["a", "b"])
    out = tmp_path / "out"
    migrate(src, out, Settings(jobs=1))
    (out / "a.md").unlink()

    assert statuses(src, out, Settings(jobs=1)) == {"a.html": "converted", "b.html": "skipped"}


def test_the_manifest_holds_one_sorted_line_per_output(tmp_path: Path) -> None:
    src = posts(tmp_path / "src", ["b", "a"])
    (src / "image.png").write_bytes(b"\x89PNG")
    out = tmp_path / "out"
    migrate(src, out, Settings(jobs=2))
    migrate(src, out, Settings(jobs=2, force=True))

    records = [json.loads(line) for line in (out / MANIFEST).read_text().splitlines()]

    assert [r["input"] for r in records] == ["a.html", "b.html", "image.png"]
    assert [r["output"] for r in records] == ["a.md", "b.md", "image.png"]
    assert records[2]["key"] == "copy" and records[2]["sha256"] is None
    assert records[0]["key"] == records[1]["key"] != "copy"
    assert all(len(r["sha256"]) == 64 for r in records[:2])


def test_a_damaged_manifest_falls_back_to_times(tmp_path: Path) -> None:
    src = posts(tmp_path / "src", ["a", "b"])
    out = tmp_path / "out"
    migrate(src, out, Settings(jobs=1))
    lines = (out / MANIFEST).read_text().splitlines()
    (out / MANIFEST).write_text("not json\n" + lines[1] + "\n" + lines[0][:20])  # a: cut

    assert statuses(src, out, Settings(jobs=1, options=Options(heading_level=3))) == {
        "a.html": "skipped",  # no record: judged by time
        "b.html": "converted",  # a record, other settings
    }


def test_a_dest_written_before_the_manifest_is_judged_by_time(tmp_path: Path) -> None:
    src = posts(tmp_path / "src", ["a"])
    out = tmp_path / "out"
    migrate(src, out, Settings(jobs=1))
    (out / MANIFEST).unlink()

    assert statuses(src, out, Settings(jobs=1)) == {"a.html": "skipped"}
    os.utime(src / "a.html")  # newer than its output now
    assert statuses(src, out, Settings(jobs=1)) == {"a.html": "converted"}


def test_the_report_does_not_carry_the_digest(tmp_path: Path) -> None:
    src = posts(tmp_path / "src", ["a"])
    report = tmp_path / "report.jsonl"
    CliRunner().invoke(main, ["migrate", str(src), str(tmp_path / "out"), "--report", str(report)])
    assert "digest" not in json.loads(report.read_text())


def test_the_corpus_resumes_to_the_same_manifest(tmp_path: Path) -> None:
    """A run cut short, then finished, leaves the manifest a single run leaves."""
    src = tmp_path / "src"
    shutil.copytree(CORPUS, src)
    for path in src.rglob("*"):  # the shared corpus is read-only
        path.chmod(0o755 if path.is_dir() else 0o644)
    clean, resumed = tmp_path / "clean", tmp_path / "resumed"
    migrate(src, clean, Settings(jobs=2))
    seen = 0

    def stop_midway(_outcome: object) -> None:
        nonlocal seen
        seen += 1
        if seen == 50:
            stop.set()

    stop = threading.Event()  # (one process: the stop comes between two posts)
    migrate(src, resumed, Settings(jobs=1), stop_midway, stop=stop)
    migrate(src, resumed, Settings(jobs=2))

    assert (resumed / MANIFEST).read_bytes() == (clean / MANIFEST).read_bytes()
