"""Formatter behaviour (issue 4): --check, --diff, --in-place, --rename-ext, --verify.

Exit codes and streams are checked through a real subprocess; the lossy cases
use a stand-in ``convert`` (in-process with ``monkeypatch``, or a real process
started through a tiny wrapper), since the real core is not meant to lose text.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED, corpus_post, plain_env, run_postconv

import postconv.cli.format as format_module
from postconv.cli import main
from postconv.cli.format import unified_diff
from postconv.io.files import read_post
from postconv.options import Options
from postconv.pipeline import Result, convert
from postconv.post.frontmatter import split

#: an HTML-bodied post whose conversion loses nothing (so --verify lets it through)
HTML_POST = corpus_post("*2009-04-06-a-start.html")
OTHER_HTML_POST = corpus_post("*2011-02-28-*.html")
#: a post that is already clean Markdown
CLEAN_POST = corpus_post("2021-12-01-init.md")
BAD_POST = "---\ntitle: [\n---\n<p>x</p>\n"


def expected(path: Path, options: Options | None = None) -> str:
    return convert(read_post(path).text, options or Options()).text


@pytest.fixture
def posts(tmp_path) -> dict[str, Path]:
    """Copies of two HTML posts and a clean one, in a ``_posts`` folder."""
    folder = tmp_path / "_posts"
    folder.mkdir()
    copies = {
        "html": folder / "2009-04-06-a-start.html",
        "other": folder / "2011-02-28-rt.html",
        "clean": folder / "2021-12-01-init.md",
    }
    for key, source in (("html", HTML_POST), ("other", OTHER_HTML_POST), ("clean", CLEAN_POST)):
        shutil.copyfile(source, copies[key])
    return copies


def snapshot(paths) -> dict[Path, tuple[bytes, int]]:
    return {path: (path.read_bytes(), path.stat().st_mtime_ns) for path in paths}


def test_corpus_choice_is_still_meaningful() -> None:
    """The posts above must change and the clean one must not, or the tests prove little."""
    assert convert(read_post(HTML_POST).text).changed
    assert convert(read_post(OTHER_HTML_POST).text).changed
    assert not convert(read_post(CLEAN_POST).text).changed


# --- --check ---------------------------------------------------------------------------


def test_check_clean_post_exits_0(posts) -> None:
    done = run_postconv("--check", posts["clean"])
    assert (done.returncode, done.stdout) == (0, b"")


def test_check_lists_the_posts_that_would_change_and_exits_1(posts) -> None:
    before = snapshot(posts.values())
    done = run_postconv("--check", *posts.values())
    assert done.returncode == 1, done.stderr
    assert done.stdout == b""
    lines = done.stderr.decode().splitlines()
    assert f"would reformat {posts['html']}" in lines
    assert f"would reformat {posts['other']}" in lines
    assert not any(str(posts["clean"]) in line for line in lines)
    assert lines[-1] == "2 files would be reformatted, 1 file already formatted."
    assert snapshot(posts.values()) == before


def test_check_exits_2_on_bad_input_even_when_others_would_change(posts) -> None:
    bad = posts["clean"].with_name("bad.md")
    bad.write_text(BAD_POST)
    done = run_postconv("--check", posts["html"], bad)
    assert done.returncode == 2
    stderr = done.stderr.decode()
    assert f"would reformat {posts['html']}" in stderr
    assert re.search(
        rf"^postconv: error: {re.escape(str(bad))}: line \d+: invalid YAML", stderr, re.M
    )


def test_check_quiet_prints_nothing(posts) -> None:
    done = run_postconv("--check", "-q", *posts.values())
    assert (done.returncode, done.stdout, done.stderr) == (1, b"", b"")


def test_check_stdin(posts) -> None:
    assert run_postconv("--check", "-", input=posts["html"].read_bytes()).returncode == 1
    assert run_postconv("--check", "-", input=posts["clean"].read_bytes()).returncode == 0


# --- --diff ----------------------------------------------------------------------------


def test_diff_prints_a_unified_diff_and_exits_1(posts) -> None:
    before = snapshot(posts.values())
    done = run_postconv("--diff", *posts.values())
    assert done.returncode == 1, done.stderr
    diff = done.stdout.decode("utf-8")
    assert diff.startswith(f"--- {posts['html']}\n+++ {posts['html']}\n@@ ")
    assert f"--- {posts['other']}\n" in diff
    assert str(posts["clean"]) not in diff
    assert snapshot(posts.values()) == before


def test_diff_applies_with_patch(posts, tmp_path) -> None:
    if shutil.which("patch") is None:
        pytest.skip("no patch(1)")
    diff = run_postconv("--diff", posts["html"]).stdout
    subprocess.run(["patch", "-s", "-p0"], input=diff, cwd="/", check=True)
    assert posts["html"].read_text("utf-8") == expected(HTML_POST)


def test_diff_of_a_clean_post_is_empty_and_exits_0(posts) -> None:
    done = run_postconv("--diff", posts["clean"])
    assert (done.returncode, done.stdout) == (0, b"")


def test_check_and_diff_together(posts) -> None:
    done = run_postconv("--check", "--diff", posts["html"])
    assert done.returncode == 1
    assert done.stdout.startswith(b"--- ")


def test_unified_diff_marks_a_missing_final_newline() -> None:
    diff = unified_diff("a\nb", "a\nc\n", "x.html", "x.html")
    assert diff.endswith("-b\n\\ No newline at end of file\n+c\n")


def test_unified_diff_keeps_unicode_line_separators_inside_lines() -> None:
    diff = unified_diff("a\u2028b\n", "a\u2028c\n", "x", "x")
    assert "-a\u2028b\n+a\u2028c\n" in diff


# --- --in-place ------------------------------------------------------------------------


def test_in_place_rewrites_what_changes_and_leaves_the_rest(posts) -> None:
    clean_before = snapshot([posts["clean"]])
    done = run_postconv("-i", *posts.values())
    assert done.returncode == 0, done.stderr
    assert done.stdout == b""
    assert posts["html"].read_text("utf-8") == expected(HTML_POST)
    assert posts["other"].read_text("utf-8") == expected(OTHER_HTML_POST)
    assert snapshot([posts["clean"]]) == clean_before
    assert sorted(path.name for path in posts["html"].parent.iterdir()) == sorted(
        path.name for path in posts.values()
    )
    again = run_postconv("-i", *posts.values())
    assert again.returncode == 0
    assert again.stderr.decode().splitlines() == ["3 files left unchanged."]
    assert run_postconv("--check", *posts.values()).returncode == 0


def test_in_place_goes_on_after_a_bad_file_and_exits_2(posts) -> None:
    bad = posts["clean"].with_name("bad.html")
    bad.write_text(BAD_POST)
    done = run_postconv("-i", bad, posts["html"])
    assert done.returncode == 2
    assert bad.read_text() == BAD_POST
    assert posts["html"].read_text("utf-8") == expected(HTML_POST)
    assert "1 file reformatted, 1 file failed." in done.stderr.decode()


def test_in_place_keeps_permissions(posts) -> None:
    os.chmod(posts["html"], 0o640)
    assert run_postconv("-i", posts["html"]).returncode == 0
    assert posts["html"].stat().st_mode & 0o777 == 0o640


def test_in_place_rewrites_a_legacy_encoding_as_utf8(tmp_path) -> None:
    post = tmp_path / "clean.md"
    text = expected(SEED)  # long enough for the encoding to be detected
    assert not convert(text).changed
    post.write_bytes(text.encode("gb18030"))
    assert run_postconv("--check", post).returncode == 1
    assert run_postconv("-i", post).returncode == 0
    assert post.read_bytes() == text.encode("utf-8")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("-i", "--check"), "--in-place cannot be combined"),
        (("-i", "--diff"), "--in-place cannot be combined"),
        (("-i", "-"), "--in-place needs file names"),
        (("--rename-ext", ".md"), "--rename-ext needs"),
        (("-o", "out.md", "-i"), "-o/--output cannot be combined"),
    ],
)
def test_bad_combinations_are_usage_errors(posts, args, reason) -> None:
    files = [] if "-" in args else [str(posts["html"])]
    done = run_postconv(*args, *files)
    assert done.returncode == 2
    assert reason in done.stderr.decode()
    assert posts["html"].read_bytes() == HTML_POST.read_bytes()


# --- --rename-ext ----------------------------------------------------------------------


def test_rename_ext_renames_html_posts_only(posts) -> None:
    done = run_postconv("-i", "--rename-ext", ".md", posts["html"], posts["clean"])
    assert done.returncode == 0, done.stderr
    renamed = posts["html"].with_suffix(".md")
    assert not posts["html"].exists()
    assert renamed.read_text("utf-8") == expected(HTML_POST)
    assert posts["clean"].read_bytes() == CLEAN_POST.read_bytes()
    assert f"rename {posts['html']} -> {renamed}" in done.stderr.decode()


def test_check_with_rename_ext_counts_the_rename(posts, tmp_path) -> None:
    converted = tmp_path / "done.html"
    converted.write_text(expected(HTML_POST), "utf-8")
    assert run_postconv("--check", converted).returncode == 0
    done = run_postconv("--check", "--rename-ext", "md", converted)
    assert done.returncode == 1
    assert f"would rename {converted} -> {converted.with_suffix('.md')}" in done.stderr.decode()


def test_rename_ext_never_overwrites(posts) -> None:
    taken = posts["html"].with_suffix(".md")
    taken.write_text("mine\n")
    done = run_postconv("-i", "--rename-ext", ".md", posts["html"])
    assert done.returncode == 2
    assert "exists" in done.stderr.decode()
    assert taken.read_text() == "mine\n"
    assert posts["html"].read_bytes() == HTML_POST.read_bytes()


# --- --verify --------------------------------------------------------------------------

#: a post the real conversion keeps every word of, and a phrase of its article
VERIFY_POST = corpus_post("*2009-11-24-procrastination-ten-things-to-know.html")
LOST_PHRASE = "中国学生往往非常聪明"


def lossy_convert(text: str, options: Options | None = None, name: str | None = None) -> Result:
    """The real conversion, then the line holding ``LOST_PHRASE`` dropped."""
    result = convert(text, options or Options(), name)
    lossy = re.sub(rf"\n[^\n]*{LOST_PHRASE}[^\n]*\n", "\n", result.text)
    return replace(result, text=lossy, changed=True)


@pytest.fixture
def post_copy(tmp_path) -> Path:
    """A copy of ``VERIFY_POST``."""
    post = tmp_path / "post.html"
    post.write_bytes(VERIFY_POST.read_bytes())
    return post


def test_verify_post_is_lossless_and_holds_the_phrase() -> None:
    from postconv.fidelity import lost_text

    text = read_post(VERIFY_POST).text
    output = convert(text).text
    assert lost_text(split(text).body, split(output).body) is None
    assert LOST_PHRASE in output
    assert LOST_PHRASE not in lossy_convert(text).text


@pytest.fixture
def lossy(monkeypatch) -> None:
    monkeypatch.setattr(format_module, "convert", lossy_convert)


def test_in_place_refuses_a_lossy_write(lossy, post_copy) -> None:
    result = CliRunner().invoke(main, ["-i", str(post_copy)])
    assert result.exit_code == 2
    assert post_copy.read_bytes() == VERIFY_POST.read_bytes()
    [line, summary] = result.stderr.splitlines()
    assert line.startswith(f"postconv: error: {post_copy}: refused: text lost: “")
    assert line.endswith("” (see --no-verify)")
    lost_line = next(
        line for line in convert(VERIFY_POST.read_text()).text.splitlines() if LOST_PHRASE in line
    )
    assert lost_line[:6] in line  # the refusal quotes where the loss begins
    assert summary == "1 file failed."


def test_no_verify_writes_the_lossy_output(lossy, post_copy) -> None:
    result = CliRunner().invoke(main, ["-i", "--no-verify", str(post_copy)])
    assert result.exit_code == 0, result.output
    assert LOST_PHRASE not in post_copy.read_text("utf-8")


def test_check_verifies_too(lossy, post_copy) -> None:
    result = CliRunner().invoke(main, ["--check", str(post_copy)])
    assert result.exit_code == 2
    assert "refused" in result.stderr


def test_stdout_does_not_verify_unless_asked(lossy, post_copy) -> None:
    result = CliRunner().invoke(main, [str(post_copy)])
    assert result.exit_code == 0
    assert LOST_PHRASE not in result.stdout
    asked = CliRunner().invoke(main, ["--verify", str(post_copy)])
    assert (asked.exit_code, asked.stdout) == (2, "")


def test_verify_from_config(lossy, post_copy) -> None:
    (post_copy.parent / "pyproject.toml").write_text("[tool.postconv]\nverify = false\n")
    result = CliRunner().invoke(main, ["-i", str(post_copy)])
    assert result.exit_code == 0, result.output


def test_dropped_navigation_is_not_a_loss(tmp_path) -> None:
    post = tmp_path / "seed.html"
    shutil.copyfile(SEED, post)
    assert "返回首页" in post.read_text("utf-8")
    result = CliRunner().invoke(main, ["-i", str(post)])
    assert result.exit_code == 0, result.output
    assert post.read_text("utf-8") == expected(SEED)
    assert "返回首页" not in post.read_text("utf-8")


_LOSSY_MAIN = """
import sys
sys.path.insert(0, sys.argv.pop(1))
import postconv.cli.format
from test_cli_format import lossy_convert
postconv.cli.format.convert = lossy_convert
from postconv.cli import main
main(prog_name="postconv")
"""


def test_real_process_refuses_a_lossy_write(post_copy) -> None:
    tests = str(Path(__file__).parent)
    done = subprocess.run(
        [sys.executable, "-c", _LOSSY_MAIN, tests, "--in-place", str(post_copy)],
        capture_output=True,
        env=plain_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert post_copy.read_bytes() == VERIFY_POST.read_bytes()
    first = done.stderr.decode("utf-8").splitlines()[0]
    assert first.startswith(f"postconv: error: {post_copy}: refused: text lost: “")


def test_diff_of_a_chinese_file_name_in_the_c_locale(tmp_path) -> None:
    post = tmp_path / "新闻.html"
    shutil.copyfile(HTML_POST, post)
    done = run_postconv("--diff", post.name, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout.decode("utf-8").startswith("--- 新闻.html\n+++ 新闻.html\n")
    assert "would reformat 新闻.html" in done.stderr.decode("utf-8")


def test_a_bug_in_the_core_is_one_line_and_the_others_go_on(monkeypatch, posts) -> None:
    def broken(text: str, options: Options | None = None, name: str | None = None) -> Result:
        if "a-start" in text or "Learning English" in text:
            raise RuntimeError("boom\nsecond line")
        return convert(text, options or Options(), name)

    monkeypatch.setattr(format_module, "convert", broken)
    result = CliRunner().invoke(main, ["-i", str(posts["html"]), str(posts["other"])])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"postconv: error: {posts['html']}: internal error, please report: RuntimeError: boom"
    )
    assert posts["other"].read_text("utf-8") == expected(OTHER_HTML_POST)
