"""File and member names with control characters are printed escaped (issue 10, item 14):
a newline or an ESC in a name must not forge a line of a log nor drive the terminal."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from conftest import run_postconv

RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # (a line's own \n is fine)
GOOD = "---\ntitle: t\n---\n<p>Text.</p>\n"
BAD = "---\ntitle: [\n---\n<p>x</p>\n"


def test_formatter_messages_escape_control_characters(tmp_path: Path) -> None:
    good, bad = tmp_path / "a\nb\x1b[31m.html", tmp_path / "bad\x1b[2J.html"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    done = run_postconv("--check", good, bad)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 2
    assert not RAW_CONTROL.search(err)
    lines = err.splitlines()
    assert lines[0] == f"would reformat {tmp_path}/a\\nb\\x1b[31m.html"
    assert lines[1].startswith(f"postconv: error: {tmp_path}/bad\\x1b[2J.html: line 3: ")
    assert len(lines) == 3  # and the summary: no line forged by a name
    diff = run_postconv("--diff", good).stdout.decode("utf-8")
    assert f"--- {tmp_path}/a\\nb\\x1b[31m.html\n" in diff


def test_migrate_lines_and_report_escape_control_characters(tmp_path: Path) -> None:
    archive = tmp_path / "names.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("ok\x1b]0;pwned\x07.html", GOOD)
        bundle.writestr("bad\nfailed: forged.html", BAD)
    report = tmp_path / "r.jsonl"
    done = run_postconv("migrate", archive, tmp_path / "out", "-q", "--report", report)
    err = done.stderr.decode("utf-8")
    assert done.returncode == 1
    assert not RAW_CONTROL.search(err)
    assert err.splitlines() == [
        "bad\\nfailed: forged.html: failed: line 3: invalid YAML front matter: "
        "did not find expected node content"
    ]
    records = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    assert sorted(record["input"] for record in records) == [
        "bad\\nfailed: forged.html",
        "ok\\x1b]0;pwned\\x07.html",
    ]
