"""The one-file command (issue 2): ``postconv FILE|-`` to stdout or ``-o FILE``.

The expected Markdown is always what the pure core gives in-process, so these
tests pin the command's behaviour (streams, encodings, exit codes, atomic
output), not the conversion, which has its own fixtures.
"""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from conftest import SEED, corpus_post, plain_env, run_postconv

from postconv.cli import main
from postconv.io.files import read_post
from postconv.options import Options
from postconv.pipeline import convert

SEED_MARKDOWN = convert(read_post(SEED).text).text
BAD_YAML = "---\ntitle: ok\ntags: [unclosed\n---\n<p>body</p>\n"


def one_error_line(stderr: bytes) -> str:
    """The single line on stderr, decoded; fails on a traceback or several lines."""
    text = stderr.decode("utf-8")
    assert "Traceback" not in text
    assert text.endswith("\n") and text.count("\n") == 1, text
    assert text.startswith("postconv: error: "), text
    return text


# --- real subprocess: entry point, C locale, bytes on the wire --------------------------


def test_file_to_stdout_is_utf8_in_the_c_locale() -> None:
    done = run_postconv(SEED)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8") == SEED_MARKDOWN
    assert done.stderr == b""


def test_stdin_to_stdout() -> None:
    done = run_postconv("-", input=SEED.read_bytes())
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8") == SEED_MARKDOWN


def test_legacy_encoding_on_stdin_comes_out_as_utf8() -> None:
    done = run_postconv("-", input=read_post(SEED).text.encode("gb18030"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8") == SEED_MARKDOWN


def test_output_file(tmp_path) -> None:
    target = tmp_path / "post.md"
    done = run_postconv(SEED, "-o", target)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    assert target.read_text("utf-8") == SEED_MARKDOWN


def test_output_dash_is_stdout() -> None:
    done = run_postconv(SEED, "-o", "-")
    assert done.stdout.decode("utf-8") == SEED_MARKDOWN


def test_bad_front_matter_is_one_line_with_file_and_line(tmp_path) -> None:
    post = tmp_path / "bad.html"
    post.write_text(BAD_YAML)
    done = run_postconv(post)
    assert done.returncode == 2
    assert done.stdout == b""
    line = one_error_line(done.stderr)
    assert line.startswith(f"postconv: error: {post}: line ")
    assert "invalid YAML" in line


def test_error_names_a_chinese_file_in_utf8_in_the_c_locale(tmp_path) -> None:
    post = tmp_path / "坏的.html"
    post.write_text(BAD_YAML)
    done = run_postconv(post.name, cwd=tmp_path)
    assert done.returncode == 2
    assert one_error_line(done.stderr).startswith("postconv: error: 坏的.html: line ")


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (b"\x89PNG\r\n\x1a\n\x00\x00", "binary data"), (None, "No such file")],
    ids=["empty", "binary", "missing"],
)
def test_bad_input_exits_2_with_one_line(tmp_path, content, reason) -> None:
    post = tmp_path / "post.html"
    if content is not None:
        post.write_bytes(content)
    done = run_postconv(post)
    assert done.returncode == 2
    assert reason in one_error_line(done.stderr)


def test_error_leaves_an_existing_output_file_alone(tmp_path) -> None:
    post, target = tmp_path / "bad.html", tmp_path / "out.md"
    post.write_text(BAD_YAML)
    target.write_text("precious\n")
    done = run_postconv(post, "-o", target)
    assert done.returncode == 2
    assert target.read_text() == "precious\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.html", "out.md"]


def test_error_creates_no_output_file(tmp_path) -> None:
    post, target = tmp_path / "bad.html", tmp_path / "out.md"
    post.write_text(BAD_YAML)
    assert run_postconv(post, "-o", target).returncode == 2
    assert not target.exists()


def test_output_over_the_input_is_safe(tmp_path) -> None:
    post = tmp_path / "post.html"
    post.write_bytes(SEED.read_bytes())
    assert run_postconv(post, "-o", post).returncode == 0
    assert post.read_text("utf-8") == SEED_MARKDOWN


def test_unwritable_output_is_one_line(tmp_path) -> None:
    done = run_postconv(SEED, "-o", tmp_path / "missing-dir" / "out.md")
    assert done.returncode == 2
    assert "cannot write" in one_error_line(done.stderr)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ((), "no FILE given"),
        ((str(SEED), str(SEED)), "several FILEs"),
        (("-", str(SEED)), "must be the only FILE"),
        (("--heading-level", "9", str(SEED)), "heading level"),
        (("--heading-level", "two", str(SEED)), "--heading-level"),
        (("--no-such-option", str(SEED)), "--no-such-option"),
        (("-o", "x.md", "--check", str(SEED)), "-o/--output"),
    ],
    ids=["nothing", "two-files", "dash-and-file", "level-9", "level-text", "unknown", "o-check"],
)
def test_usage_errors_exit_2_with_one_line(args, reason) -> None:
    done = run_postconv(*args)
    assert done.returncode == 2
    assert done.stdout == b""
    assert reason in one_error_line(done.stderr)


def test_ascii_locale_really_is_ascii() -> None:
    """The environment of these tests would break a naive ``print`` (so they prove something)."""
    import subprocess
    import sys

    naive = subprocess.run(
        [sys.executable, "-c", "print('中')"], capture_output=True, env=plain_env(), check=False
    )
    assert naive.returncode != 0 or naive.stdout != "中\n".encode()


# --- in-process: option plumbing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "options"),
    [
        ((), Options()),
        (("--heading-level", "3"), Options(heading_level=3)),
        (("--keep-nav",), Options(keep_nav=True)),
        (("--source-label", "Quelle:"), Options(source_label="Quelle:")),
        (("--source-to-front-matter",), Options(source_to_front_matter=True)),
    ],
    ids=["defaults", "heading-level", "keep-nav", "source-label", "source-to-front-matter"],
)
def test_options_reach_the_core(args, options) -> None:
    post = corpus_post("2022-01-07-NW202201072239307540.md")
    result = CliRunner().invoke(main, [*args, str(post)])
    assert result.exit_code == 0, result.output
    assert result.stdout == convert(read_post(post).text, options).text


def test_help_shows_the_format_options_and_the_migrate_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for word in ("--heading-level", "--in-place", "--check", "--diff", "--config", "migrate"):
        assert word in result.stdout


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert "postconv" in result.stdout


def test_migrate_is_still_a_subcommand() -> None:
    assert "migrate" in main.list_commands(click.Context(main))
    assert CliRunner().invoke(main, ["migrate", "--help"]).exit_code == 0


#: what a one-file run must not load (issue 11: start-up): the batch machinery and its
#: progress bar, the verifier, the charset detector and bs4's CSS selectors; nor the
#: dask extra (issue 12), which even a local migration leaves alone
ENGINE_EXTRA = ("dask", "distributed", "fsspec", "s3fs")
NOT_AT_START_UP = (
    "rich",
    "charset_normalizer",
    "soupsieve",
    "postconv.migrate",
    "postconv.verify",
    # the standard library's heavier modules, for paths a one-file run does not take
    # (--diff, directories, streams, a misspelt config key; TOML front matter or config)
    *("difflib", "subprocess", "shutil", "secrets", "tempfile", "tomllib"),
    *ENGINE_EXTRA,
)

_LOADED = """
import sys
from postconv.cli import main
sys.argv = ["postconv", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
loaded = [m for m in sys.modules if m.startswith({prefixes!r})]
sys.stderr.write("LOADED " + " ".join(sorted(loaded)) + "\\n")
"""


def modules_loaded_by(*args: str) -> set[str]:
    code = _LOADED.format(prefixes=NOT_AT_START_UP)
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, env=plain_env(), timeout=60
    )
    line = done.stderr.decode().rsplit("LOADED", 1)[1]
    return set(line.split())


def test_a_one_file_run_loads_only_what_it_needs() -> None:
    assert modules_loaded_by(str(SEED)) == set()


def test_the_modules_it_does_not_load_at_start_up_are_loaded_when_needed(tmp_path) -> None:
    (tmp_path / "src").mkdir()
    post = tmp_path / "src" / "post.html"
    post.write_bytes(SEED.read_bytes())
    assert {"postconv.verify"} <= modules_loaded_by("--check", str(post))
    toml = tmp_path / "toml.md"
    toml.write_text('+++\ntitle = "x"\n+++\n<p>Hello</p>\n', encoding="utf-8")
    assert {"tomllib"} <= modules_loaded_by(str(toml))
    migrating = modules_loaded_by(
        "migrate", str(tmp_path / "src"), str(tmp_path / "out"), "-j", "1"
    )
    assert {"rich", "postconv.migrate", "postconv.verify"} <= migrating
    assert not {name for name in migrating if name.startswith(ENGINE_EXTRA)}
