"""``postconv migrate``: directories and archives of real posts, bad files, safety, encodings."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run_postconv

from postconv.cli import main
from postconv.io.decode import decode_post
from postconv.io.walk import POST_SUFFIXES, is_post
from postconv.migrate.batch import Settings, migrate
from postconv.migrate.manifest import NAME as MANIFEST
from postconv.pipeline import convert

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "migrate"


# --- helpers ---------------------------------------------------------------------------


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden ones too), by relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != MANIFEST  # bookkeeping: see test_migrate_manifest
    }


def expected_tree(source: Path, ext: str = ".md") -> dict[str, bytes]:
    """What a migration of ``source`` must produce, computed with the core directly."""
    expected = {}
    for rel, data in tree(source).items():
        if rel.split("/")[-1].startswith("."):
            continue
        stem, suffix = os.path.splitext(rel)
        if suffix.lower() in POST_SUFFIXES:
            expected[stem + ext] = convert(decode_post(data).text, name=rel).text.encode()
        else:
            expected[rel] = data
    return expected


def copy_corpus(destination: Path) -> Path:
    shutil.copytree(CORPUS, destination)
    for path in destination.rglob("*"):  # the shared corpus is read-only
        path.chmod(0o755 if path.is_dir() else 0o644)
    return destination


def invoke(*args: str | os.PathLike[str]):
    return CliRunner().invoke(main, ["migrate", *map(str, args)], catch_exceptions=False)


def read_report(path: Path) -> dict[str, dict]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {record["input"]: record for record in records}


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_corpus(tmp_path_factory.mktemp("src") / "posts")


@pytest.fixture(scope="module")
def clean_output(corpus_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The reference: the corpus directory migrated once, in-process, two workers."""
    dest = tmp_path_factory.mktemp("clean") / "out"
    summary = migrate(corpus_copy, dest, Settings(jobs=2))
    assert summary.ok, summary.counts
    return tree(dest)


# --- directories ------------------------------------------------------------------------


def test_directory_of_the_corpus_is_converted_post_by_post(
    corpus_copy: Path, tmp_path: Path, clean_output: dict[str, bytes]
) -> None:
    before = {
        rel: (data, os.stat(corpus_copy / rel).st_mtime_ns)
        for rel, data in tree(corpus_copy).items()
    }
    report = tmp_path / "report.jsonl"

    result = invoke(corpus_copy, tmp_path / "out", "--report", report)

    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "out") == expected_tree(corpus_copy) == clean_output
    records = read_report(report)
    assert set(records) == set(tree(corpus_copy))
    assert {records[rel]["status"] for rel in records if is_post(rel)} <= {"converted", "unchanged"}
    assert {records[rel]["status"] for rel in records if not is_post(rel)} <= {"copied"}
    assert all(
        record["encoding"] == "utf-8" and record["seconds"] >= 0
        for rel, record in records.items()
        if is_post(rel)
    )
    after = {
        rel: (data, os.stat(corpus_copy / rel).st_mtime_ns)
        for rel, data in tree(corpus_copy).items()
    }
    assert after == before, "inputs must never be modified"
    assert "converted" in result.output and "posts/s" in result.output


def test_one_worker_and_two_workers_give_the_same_tree(
    corpus_copy: Path, tmp_path: Path, clean_output: dict[str, bytes]
) -> None:
    assert invoke(corpus_copy, tmp_path / "out", "-j", "1", "-q").exit_code == 0
    assert tree(tmp_path / "out") == clean_output
    assert invoke(corpus_copy, tmp_path / "durable", "-j", "2", "--fsync", "-q").exit_code == 0
    assert tree(tmp_path / "durable") == clean_output


def test_ext_option_names_the_outputs(corpus_copy: Path, tmp_path: Path) -> None:
    assert invoke(corpus_copy, tmp_path / "out", "--ext", "markdown", "-q").exit_code == 0
    assert set(tree(tmp_path / "out")) == set(expected_tree(corpus_copy, ".markdown"))


# --- archives ---------------------------------------------------------------------------


def make_zip(source: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(source.rglob("*")):
            zipped.write(path, path.relative_to(source.parent).as_posix())
    return archive


def make_tar(source: Path, archive: Path, mode: str) -> Path:
    with tarfile.open(archive, mode) as tarred:
        tarred.add(source, arcname=source.name)
    return archive


@pytest.mark.parametrize(
    "name", ["posts.zip", "posts.tar.gz", "posts.tar.bz2", "posts.tar.xz", "posts.tar"]
)
def test_archives_give_the_same_tree_as_the_directory(
    name: str, corpus_copy: Path, tmp_path: Path, clean_output: dict[str, bytes]
) -> None:
    archive = tmp_path / name
    if name.endswith(".zip"):
        make_zip(corpus_copy, archive)
    else:
        make_tar(corpus_copy, archive, "w:" + name.split(".tar")[1].lstrip("."))

    result = invoke(archive, tmp_path / "out", "-q", "--report", tmp_path / "r.jsonl")

    assert result.exit_code == 0, result.output
    expected = {f"posts/{rel}": data for rel, data in clean_output.items()}
    assert tree(tmp_path / "out") == expected
    assert len(read_report(tmp_path / "r.jsonl")) == len(clean_output)


def test_tar_gz_migration_as_a_real_command(
    corpus_copy: Path, tmp_path: Path, clean_output: dict[str, bytes]
) -> None:
    archive = make_tar(corpus_copy, tmp_path / "posts.tgz", "w:gz")

    done = run_postconv("migrate", archive, tmp_path / "out", "-j", "2")

    assert done.returncode == 0, done.stderr
    assert tree(tmp_path / "out" / "posts") == clean_output
    assert b"converted" in done.stdout and b"Traceback" not in done.stderr
    assert done.stderr == b"", "no progress bar when stderr is not a terminal"


def test_tar_members_are_not_kept_in_memory(corpus_copy: Path, tmp_path: Path) -> None:
    from postconv.migrate.sources import open_source

    archive = make_tar(corpus_copy, tmp_path / "posts.tar.gz", "w:gz")
    with open_source(archive) as source:
        names = [entry.rel for entry in source.entries()]
        assert source.tar.members == []
    assert len(names) == len(tree(corpus_copy))


# --- bad files --------------------------------------------------------------------------


@pytest.fixture
def tree_with_bad_files(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    (source / "2021").mkdir(parents=True)
    for post in sorted((CORPUS / "finews").glob("2021-12-08-*.md"))[:5]:
        shutil.copyfile(post, source / "2021" / post.name)
    shutil.copyfile(FIXTURES / "bad-yaml.md", source / "2021" / "bad-yaml.md")
    shutil.copyfile(FIXTURES / "binary.html", source / "binary.html")
    (source / "img").mkdir()
    shutil.copyfile(FIXTURES / "pixel.png", source / "img" / "pixel.png")
    (source / ".git").mkdir()
    (source / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return source


def test_bad_files_are_reported_and_the_others_converted(
    tree_with_bad_files: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.jsonl"

    done = run_postconv("migrate", tree_with_bad_files, tmp_path / "out", "--report", report)

    assert done.returncode == 1
    problems = sorted(done.stderr.decode().splitlines())
    assert len(problems) == 2, problems
    assert re.fullmatch(
        r"2021/bad-yaml\.md: failed: (line \d+: )?invalid YAML front matter.*", problems[0]
    )
    assert problems[1] == "binary.html: failed: binary data (a PNG image), not a text post"
    records = read_report(report)
    assert {rel: record["status"] for rel, record in records.items()} == {
        **{f"2021/{post}": "converted" for post in os.listdir(tree_with_bad_files / "2021")},
        "2021/bad-yaml.md": "failed",
        "binary.html": "failed",
        "img/pixel.png": "copied",
    }
    assert records["binary.html"]["output"] is None
    output = tree(tmp_path / "out")
    assert output["img/pixel.png"] == (FIXTURES / "pixel.png").read_bytes()
    assert "2021/bad-yaml.md" not in output and "binary.md" not in output
    assert len([rel for rel in output if rel.startswith("2021/")]) == 5
    assert not any(rel.startswith(".git") for rel in output)


def test_skip_other_does_not_copy_images(tree_with_bad_files: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.jsonl"
    result = invoke(tree_with_bad_files, tmp_path / "out", "--skip-other", "--report", report)
    assert result.exit_code == 1
    assert read_report(report)["img/pixel.png"]["status"] == "skipped"
    assert not (tmp_path / "out" / "img").exists()


def test_two_inputs_for_one_output_is_a_failure_not_an_overwrite(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    shutil.copyfile(CORPUS / "seed.txt", source / "a.html")
    shutil.copyfile(CORPUS / "finews" / "2021-12-01-init.md", source / "a.md")
    report = tmp_path / "r.jsonl"

    result = invoke(source, tmp_path / "out", "--report", report)

    assert result.exit_code == 1
    statuses = {rel: record["status"] for rel, record in read_report(report).items()}
    assert statuses == {"a.html": "converted", "a.md": "failed"}
    assert "a.md is already the output of a.html" in result.output
    expected = convert((CORPUS / "seed.txt").read_text(encoding="utf-8")).text
    assert (tmp_path / "out" / "a.md").read_text(encoding="utf-8") == expected


# --- resume -----------------------------------------------------------------------------


def test_rerun_skips_up_to_date_outputs_and_force_rewrites_them(
    corpus_copy: Path, tmp_path: Path
) -> None:
    source = copy_corpus(tmp_path / "src")
    out = tmp_path / "out"
    assert migrate(source, out, Settings(jobs=1)).ok
    changed, touched = (
        source / "seed.txt",
        source / "blogs" / sorted(os.listdir(source / "blogs"))[0],
    )
    changed.write_text(changed.read_text() + "\nOne more line.\n")
    os.utime(touched, (touched.stat().st_atime, touched.stat().st_mtime + 10))

    second = migrate(source, out, Settings(jobs=1))
    assert second.counts["skipped"] == second.total - 1  # touched, not changed: kept
    assert second.posts == 1
    assert (out / "seed.md").read_text().rstrip().endswith("One more line.")

    forced = migrate(source, out, Settings(jobs=2, force=True))
    assert forced.counts["skipped"] == 0
    assert forced.posts + forced.counts["copied"] == forced.total


def test_an_empty_output_is_redone_even_when_newer(corpus_copy: Path, tmp_path: Path) -> None:
    """After a power cut an output can be renamed into place but still empty."""
    out = tmp_path / "out"
    assert migrate(corpus_copy, out, Settings(jobs=1)).ok
    expected = (out / "seed.md").read_bytes()
    (out / "seed.md").write_bytes(b"")

    again = migrate(corpus_copy, out, Settings(jobs=1))

    assert again.posts == 1 and (out / "seed.md").read_bytes() == expected


def test_stale_temp_files_of_a_killed_run_are_removed(corpus_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "blogs").mkdir(parents=True)
    stale = out / "blogs" / ".postconv-x.md.0a1b2c3d.tmp"
    stale.write_text("half a post")
    theirs = [out / ".notes.20261201.tmp", out / "blogs" / ".x.md.abc123_z.tmp"]
    for path in theirs:  # not ours (issue 10, item 10): kept
        path.write_text("a user's file")
    summary = migrate(corpus_copy, out, Settings(jobs=1))
    assert summary.stale_temps_removed == 1 and not stale.exists()
    assert all(path.read_text() == "a user's file" for path in theirs)


def test_a_second_run_into_the_same_dest_is_refused(corpus_copy: Path, tmp_path: Path) -> None:
    """Issue 10, item 10: it would remove the first run's temporary files."""
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    holder = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)  # (what a running migrate holds)
        done = run_postconv("migrate", corpus_copy, out)
    finally:
        os.close(holder)
    assert done.returncode == 2
    assert done.stderr.decode().strip() == (
        f"postconv migrate: error: {out}: another postconv migrate is writing into it; "
        "run again when it is done"
    )
    assert list(out.iterdir()) == []
    assert run_postconv("migrate", corpus_copy, out, "-q").returncode == 0  # once it is done


# --- safety -----------------------------------------------------------------------------


def test_zip_slip_entries_are_refused(tmp_path: Path) -> None:
    seed = (CORPUS / "seed.txt").read_bytes()
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("../escaped.html", seed)
        zipped.writestr("posts/../../escaped2.html", seed)
        zipped.writestr("/tmp/absolute.html", seed)
        link = zipfile.ZipInfo("posts/link.html")
        link.external_attr = 0o120777 << 16
        zipped.writestr(link, "../../outside.html")
        zipped.writestr("posts/good.txt", seed)
    out = tmp_path / "deep" / "out"
    report = tmp_path / "r.jsonl"

    result = invoke(archive, out, "--report", report)

    assert result.exit_code == 1
    statuses = {rel: record["status"] for rel, record in read_report(report).items()}
    assert statuses == {
        "../escaped.html": "refused",
        "posts/../../escaped2.html": "refused",
        "/tmp/absolute.html": "refused",
        "posts/link.html": "refused",
        "posts/good.txt": "converted",
    }
    assert tree(tmp_path / "deep") == {"out/posts/good.md": convert(seed.decode()).text.encode()}
    assert not (tmp_path / "escaped.md").exists() and not Path("/tmp/absolute.md").exists()


def test_tar_symlinks_escaping_dest_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.tar.gz"
    seed = (CORPUS / "seed.txt").read_bytes()
    with tarfile.open(archive, "w:gz") as tarred:
        for name, target in [("a/up", "../../etc"), ("a/abs.html", "/etc/passwd")]:
            member = tarfile.TarInfo(name)
            member.type, member.linkname = tarfile.SYMTYPE, target
            tarred.addfile(member)
        member = tarfile.TarInfo("a/inside.html")
        member.type, member.linkname = tarfile.SYMTYPE, "post.html"
        tarred.addfile(member)
        member = tarfile.TarInfo("../up.html")
        member.size = len(seed)
        tarred.addfile(member, io.BytesIO(seed))
        member = tarfile.TarInfo("a/post.html")
        member.size = len(seed)
        tarred.addfile(member, io.BytesIO(seed))
    report = tmp_path / "r.jsonl"

    result = invoke(archive, tmp_path / "out", "--report", report)

    assert result.exit_code == 1
    statuses = {rel: record["status"] for rel, record in read_report(report).items()}
    assert statuses == {
        "a/up": "refused",
        "a/abs.html": "refused",
        "a/inside.html": "skipped",
        "../up.html": "refused",
        "a/post.html": "converted",
    }
    assert set(tree(tmp_path / "out")) == {"a/post.md"}


def test_symlinks_in_a_source_directory_or_dest_cannot_escape(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.html").write_text("<p>secret</p>")
    source = tmp_path / "src"
    (source / "sub").mkdir(parents=True)
    shutil.copyfile(CORPUS / "seed.txt", source / "sub" / "seed.txt")
    (source / "leak.html").symlink_to(outside / "secret.html")
    (source / "alias.txt").symlink_to(source / "sub" / "seed.txt")
    out = tmp_path / "out"
    out.mkdir()
    (out / "sub").symlink_to(outside, target_is_directory=True)  # DEST/sub leads outside
    report = tmp_path / "r.jsonl"

    result = invoke(source, out, "--report", report)

    assert result.exit_code == 1
    statuses = {rel: record["status"] for rel, record in read_report(report).items()}
    assert statuses == {"alias.txt": "converted", "leak.html": "refused", "sub/seed.txt": "refused"}
    assert sorted(os.listdir(outside)) == ["secret.html"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: (tmp / "missing", tmp / "out"), "missing: no such file or directory"),
        (lambda tmp: (FIXTURES / "pixel.png", tmp / "out"), "not a directory, a zip or a tar"),
        (lambda tmp: (CORPUS, FIXTURES / "pixel.png"), "pixel.png: exists and is not a directory"),
        (lambda tmp: (CORPUS, FIXTURES / "pixel.png" / "out"), "pixel.png/out: Not a directory"),
        (lambda tmp: (CORPUS, CORPUS), "DEST must differ from SRC"),
    ],
)
def test_usage_errors_exit_2(make, message: str, tmp_path: Path) -> None:
    src, dest = make(tmp_path)
    done = run_postconv("migrate", src, dest)
    assert done.returncode == 2
    assert message in done.stderr.decode()
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("postconv migrate: error: "), lines


# --- legacy encodings -------------------------------------------------------------------


def test_gb18030_post_is_decoded_converted_and_written_as_utf8(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    shutil.copyfile(FIXTURES / "seed.gb18030.txt", source / "新闻.txt")
    shutil.copyfile(CORPUS / "seed.txt", source / "utf8.txt")
    report = tmp_path / "r.jsonl"

    done = run_postconv("migrate", source, tmp_path / "out", "--report", report)

    assert done.returncode == 0, done.stderr
    converted = (tmp_path / "out" / "新闻.md").read_bytes()
    assert converted == (tmp_path / "out" / "utf8.md").read_bytes()
    assert converted.decode("utf-8") == convert((CORPUS / "seed.txt").read_text("utf-8")).text
    records = read_report(report)
    assert records["新闻.txt"]["encoding"] == "gb18030"
    assert records["utf8.txt"]["encoding"] == "utf-8"
    assert b"gb18030" in done.stdout


def test_zip_entry_names_in_gbk_are_decoded(tmp_path: Path) -> None:
    """Zips made on Chinese Windows store GBK names without the UTF-8 flag."""
    name = "新闻.txt".encode("gb18030")
    placeholder = b"X" * (len(name) - 4) + b".txt"
    archive = tmp_path / "gbk.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(placeholder.decode(), (CORPUS / "seed.txt").read_bytes())
    archive.write_bytes(archive.read_bytes().replace(placeholder, name))

    result = invoke(archive, tmp_path / "out", "-q")

    assert result.exit_code == 0, result.output
    assert set(tree(tmp_path / "out")) == {"新闻.md"}


def test_dangling_symlinks_fail_and_fifos_are_skipped_with_a_line(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    shutil.copyfile(CORPUS / "seed.txt", source / "seed.txt")
    (source / "gone.html").symlink_to(source / "missing.html")
    os.mkfifo(source / "pipe.html")
    report = tmp_path / "r.jsonl"

    done = run_postconv("migrate", source, tmp_path / "out", "--report", report)

    assert done.returncode == 1
    statuses = {rel: record["status"] for rel, record in read_report(report).items()}
    assert statuses == {"gone.html": "failed", "pipe.html": "skipped", "seed.txt": "converted"}
    lines = sorted(done.stderr.decode().splitlines())
    assert lines[0].startswith("gone.html: failed: broken symlink")
    assert lines[1] == "pipe.html: skipped: not a regular file"


def test_a_corrupt_zip_member_fails_alone(tmp_path: Path) -> None:
    seed = (CORPUS / "seed.txt").read_bytes()
    archive = tmp_path / "bad-crc.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zipped:
        zipped.writestr("a.txt", seed)
        zipped.writestr("b.txt", seed.replace("新闻".encode(), "旧闻".encode()))
        zipped.writestr("c.txt", seed)
    data = archive.read_bytes()
    damaged = "旧闻".encode()
    archive.write_bytes(data.replace(damaged, b"X" * len(damaged)))  # CRC no longer matches
    report = tmp_path / "r.jsonl"

    result = invoke(archive, tmp_path / "out", "--report", report)

    assert result.exit_code == 1
    records = read_report(report)
    assert {rel: record["status"] for rel, record in records.items()} == {
        "a.txt": "converted",
        "b.txt": "failed",
        "c.txt": "converted",
    }
    assert records["b.txt"]["error"] == "cannot read this member: Bad CRC-32 for file 'b.txt'"
    assert set(tree(tmp_path / "out")) == {"a.md", "c.md"}


def test_a_truncated_tar_gz_keeps_what_came_before(corpus_copy: Path, tmp_path: Path) -> None:
    archive = make_tar(corpus_copy, tmp_path / "posts.tar.gz", "w:gz")
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    done = run_postconv("migrate", cut, tmp_path / "out", "--report", tmp_path / "r.jsonl")

    assert done.returncode == 1 and b"Traceback" not in done.stderr
    assert b"cut.tar.gz: after the last good entry: failed: archive truncated" in done.stderr
    written = tree(tmp_path / "out")
    assert 0 < len(written) < len(tree(corpus_copy))
    full = expected_tree(corpus_copy)
    assert all(data == full[rel.removeprefix("posts/")] for rel, data in written.items())


def test_migrating_a_migration_changes_nothing(
    clean_output: dict[str, bytes], tmp_path: Path
) -> None:
    """The output tree is already clean Markdown: a second migration reports every post
    unchanged (and copies the files that are not posts again)."""
    first = tmp_path / "first"
    for rel, data in clean_output.items():
        (first / rel).parent.mkdir(parents=True, exist_ok=True)
        (first / rel).write_bytes(data)
    report = tmp_path / "r.jsonl"

    result = invoke(first, tmp_path / "second", "-q", "--report", report)

    assert result.exit_code == 0
    records = read_report(report)
    statuses = {record["status"] for rel, record in records.items() if is_post(rel)}
    assert statuses == {"unchanged"}
    assert {record["status"] for rel, record in records.items() if not is_post(rel)} <= {"copied"}
    assert tree(tmp_path / "second") == clean_output


def test_migrate_reads_tool_postconv_above_src_and_the_command_line_wins(tmp_path: Path) -> None:
    src = tmp_path / "site" / "_posts"
    src.mkdir(parents=True)
    (tmp_path / "site" / "pyproject.toml").write_text("[tool.postconv]\nheading-level = 3\n")
    (src / "a.html").write_text("<p><strong>小标题</strong></p>\n<p>正文。</p>\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["migrate", "-j", "1", "-q", str(src), str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "a.md").read_text(encoding="utf-8").startswith("### 小标题")
    args = ["migrate", "-j", "1", "-q", "--force", "--heading-level", "4"]
    result = runner.invoke(main, [*args, str(src), str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "a.md").read_text(encoding="utf-8").startswith("#### 小标题")


def test_migrate_refuses_an_unknown_config_key_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.postconv]\nheading-levels = 3\n")
    result = run_postconv("migrate", tmp_path / "src", tmp_path / "out")
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "unknown key 'heading-levels'" in lines[0]


# --- verification (issue 9) -----------------------------------------------------------


def _glue_code_lines(text, options=None, name=None):
    """The real conversion, with the first two lines of each fenced block glued."""
    from dataclasses import replace

    result = convert(text, options, name) if options is not None else convert(text, name=name)
    glued = re.sub(r"(```[^\n]*\n[^\n]+)\n", r"\1", result.text)
    return replace(result, text=glued, changed=True)


@pytest.fixture
def damaged_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two posts, one with code; the conversion (run in-process, -j 1) glues code lines."""
    import postconv.migrate.work as work

    monkeypatch.setattr(work, "convert", _glue_code_lines)
    source = tmp_path / "src"
    source.mkdir()
    (source / "code.html").write_text(
        "---\ntitle: c\n---\n<pre>import os\nimport sys</pre>\n", encoding="utf-8"
    )
    (source / "plain.html").write_text("---\ntitle: p\n---\n<p>Words.</p>\n", encoding="utf-8")
    return source


def test_migrate_refuses_a_post_that_fails_verification(damaged_tree: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.jsonl"
    result = invoke(damaged_tree, tmp_path / "out", "-j", "1", "--report", report)
    assert result.exit_code == 1
    assert tree(tmp_path / "out") == {"plain.md": b"---\ntitle: p\n---\n\nWords.\n"}
    changed = "code line 1 of block 1 changed: “import osimport sys”"
    line = f"code.html: refused: {changed} (see --no-verify)"
    assert line in result.output
    records = read_report(report)
    assert records["code.html"]["status"] == "refused" and records["code.html"]["output"] is None
    assert [d["kind"] for d in records["code.html"]["differences"]] == ["code", "text"]
    assert records["plain.html"]["differences"] == []
    assert re.search(r"refused\s+│\s+1", result.output)  # the summary counts it


def test_migrate_no_verify_writes_what_the_conversion_gives(
    damaged_tree: Path, tmp_path: Path
) -> None:
    result = invoke(damaged_tree, tmp_path / "out", "-j", "1", "-q", "--no-verify")
    assert result.exit_code == 0, result.output
    assert b"import osimport sys" in tree(tmp_path / "out")["code.md"]


def test_migrate_verify_false_in_the_config(damaged_tree: Path, tmp_path: Path) -> None:
    (damaged_tree.parent / "pyproject.toml").write_text("[tool.postconv]\nverify = false\n")
    result = invoke(damaged_tree, tmp_path / "out", "-j", "1", "-q")
    assert result.exit_code == 0, result.output


def test_migrate_verifies_in_worker_processes_too(tmp_path: Path) -> None:
    """A real command, two workers: every post of the corpus is verified, none refused."""
    report = tmp_path / "report.jsonl"
    done = run_postconv("migrate", CORPUS, tmp_path / "out", "-j", "2", "-q", "--report", report)
    assert done.returncode == 0, done.stderr
    statuses = {record["status"] for record in read_report(report).values()}
    assert "refused" not in statuses and "converted" in statuses


# --- issue 10, items 7, 8, 12: inputs are never modified, no copy wins by chance ----------


def test_an_archive_inside_dest_is_refused(tmp_path: Path) -> None:
    """``migrate --force d/backup.zip d/`` could replace the archive by its own member."""
    dest = tmp_path / "d"
    dest.mkdir()
    archive = dest / "backup.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("backup.zip", b"not a post, copied as is")
        bundle.writestr("a.html", (CORPUS / "seed.txt").read_bytes())
    before = archive.read_bytes()
    done = run_postconv("migrate", "--force", archive, dest)
    assert done.returncode == 2
    assert done.stderr.decode().strip() == (
        "postconv migrate: error: SRC must not be inside DEST: inputs are never modified"
    )
    assert archive.read_bytes() == before and sorted(os.listdir(dest)) == ["backup.zip"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_duplicate_zip_member_name_fails_whatever_the_workers(tmp_path: Path, jobs: str) -> None:
    archive = tmp_path / "twice.zip"
    first = (CORPUS / "seed.txt").read_bytes()
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("post.html", first)
        bundle.writestr("post.html", b"---\ntitle: second\n---\n<p>The second copy.</p>\n")
    report = tmp_path / "r.jsonl"
    done = run_postconv("migrate", archive, tmp_path / "out", "-j", jobs, "-q", "--report", report)
    assert done.returncode == 1
    lines = report.read_text(encoding="utf-8").splitlines()
    records = sorted((json.loads(line) for line in lines), key=lambda r: r["status"])
    assert [(r["input"], r["status"]) for r in records] == [
        ("post.html", "converted"),
        ("post.html", "failed"),
    ]  # (in the order they finish)
    assert records[1]["error"] == "duplicate member name: the first one is converted"
    expected = convert(decode_post(first).text, name="post.html").text
    assert (tmp_path / "out" / "post.md").read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("where", ["inside", "onto"])
def test_a_report_among_the_inputs_is_refused(tmp_path: Path, where: str) -> None:
    source = copy_corpus(tmp_path / "src")
    if where == "inside":
        src, report = source, source / "seed.txt"
    else:
        src = tmp_path / "posts.zip"
        shutil.make_archive(str(tmp_path / "posts"), "zip", source)
        report = src
    before = report.read_bytes()
    done = run_postconv("migrate", src, tmp_path / "out", "--report", report)
    assert done.returncode == 2
    assert done.stderr.decode().strip() == (
        f"postconv migrate: error: --report {report} is in SRC: inputs are never modified"
    )
    assert report.read_bytes() == before and not (tmp_path / "out").exists()


# --- issue 10, item 11: an archive that expands absurdly ---------------------------------


def _zeros_member(bundle: zipfile.ZipFile, name: str, megabytes: int) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with bundle.open(info, "w", force_zip64=True) as stream:
        chunk = bytes(2**20)
        for _ in range(megabytes):
            stream.write(chunk)


def _deflated_zip(path: Path, members: dict[str, int]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("post.html", (CORPUS / "seed.txt").read_bytes())
        for name, megabytes in members.items():
            _zeros_member(bundle, name, megabytes)
    return path


def test_a_member_that_expands_absurdly_is_refused(tmp_path: Path) -> None:
    archive = _deflated_zip(tmp_path / "bomb.zip", {"big.bin": 150})
    report = tmp_path / "r.jsonl"
    done = run_postconv("migrate", archive, tmp_path / "out", "-q", "--report", report)
    assert done.returncode == 1
    records = read_report(report)
    assert records["post.html"]["status"] == "converted"
    assert records["big.bin"]["status"] == "failed"
    assert re.fullmatch(
        r"150 MB from \d+ bytes compressed: refused \(a zip bomb\?\)", records["big.bin"]["error"]
    )
    assert sorted(tree(tmp_path / "out")) == ["post.md"]


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_an_archive_that_expands_absurdly_in_all_is_stopped(tmp_path: Path, kind: str) -> None:
    """Each member plausible (60 MB of zeros), the whole absurd: the budget is 100 times
    the archive's size, or 100 MB."""
    if kind == "zip":
        archive = _deflated_zip(tmp_path / "many.zip", {"a.bin": 60, "b.bin": 60, "c.bin": 60})
    else:
        archive = tmp_path / "many.tar.gz"
        with tarfile.open(archive, "w:gz") as bundle:
            for name in ("a.bin", "b.bin", "c.bin"):
                info = tarfile.TarInfo(name)
                info.size = 60 * 2**20
                bundle.addfile(info, io.BytesIO(bytes(info.size)))
    report = tmp_path / "r.jsonl"
    done = run_postconv("migrate", archive, tmp_path / "out", "-q", "--report", report)
    assert done.returncode == 1
    statuses = {rel: record["status"] for rel, record in read_report(report).items()}
    assert statuses == {**statuses, "a.bin": "copied", "b.bin": "failed", "c.bin": "failed"}
    error = read_report(report)["b.bin"]["error"]
    assert (
        error
        == "the archive would expand beyond 100 times its size (120 MB): refused (a zip bomb?)"
    )
    assert (tmp_path / "out" / "a.bin").stat().st_size == 60 * 2**20


# --- issue 10, item 4: a damaged archive is an error, never a quiet end --------------------


def _small_posts_tar(path: Path, mode: str, count: int = 1000) -> Path:
    with tarfile.open(path, mode) as bundle:
        for number in range(count):
            data = f"---\ntitle: t{number}\n---\n<p>post {number} {'x' * 50}</p>\n".encode()
            info = tarfile.TarInfo(f"p{number:04d}.html")
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz", "w"])
@pytest.mark.parametrize("cut_at", ["head -c 1000", "half", "all but 11000 bytes"])
def test_a_cut_tar_is_an_error_naming_the_offset(tmp_path: Path, mode: str, cut_at: str) -> None:
    """``head -c 1000 many_small.tar.gz > t.tgz``: read to where it stops, then an error."""
    data = _small_posts_tar(tmp_path / "many.tar", mode).read_bytes()
    # (a tar's last 10240 bytes may be only the zeros that pad its end: cut into its members)
    end = {"head -c 1000": 1000, "half": len(data) // 2, "all but 11000 bytes": len(data) - 11000}
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[: end[cut_at]])
    report = tmp_path / "r.jsonl"
    done = run_postconv("migrate", cut, tmp_path / "out", "-q", "--report", report)
    err = done.stderr.decode()
    assert done.returncode in (1, 2) and "Traceback" not in err, err
    if done.returncode == 2:  # too short to be read as a tar at all: one usage line
        assert re.fullmatch(
            r"postconv migrate: error: .*cut\.tar: (bad tar archive|not a .*)\n", err
        )
        return
    # read up to the cut: the posts before it converted (the one it cuts failed), then one
    # line naming the offset
    assert re.fullmatch(
        r"(p\d{4}\.html: failed: cannot read this member: .*\n)?"
        r"cut\.tar: after the last good entry: failed: archive truncated (or corrupt )?"
        r"(at|after) byte \d+ of the tar.*\n",
        err,
    ), err
    records = [json.loads(line) for line in report.read_text("utf-8").splitlines()]
    statuses = sorted(record["status"] for record in records)
    assert 1 <= statuses.count("failed") <= 2 and set(statuses) <= {"converted", "failed"}


def test_a_cut_zip_says_so(tmp_path: Path) -> None:
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for number in range(100):
            bundle.writestr(f"p{number:04d}.html", "---\ntitle: t\n---\n<p>x</p>\n")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[:3000])
    done = run_postconv("migrate", cut, tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.decode().strip() == (
        f"postconv migrate: error: {cut}: truncated or damaged zip (no central directory)"
    )
