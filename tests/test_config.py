"""Configuration: ``[tool.postconv]`` in the nearest pyproject.toml, ``--config``, precedence."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import corpus_post, run_postconv

import postconv.cli.format as format_module
from postconv.cli import main
from postconv.cli.format import format_files
from postconv.io.config import (
    OPTION_FIELDS,
    SETTINGS,
    ConfigError,
    ConfigLookup,
    find_config,
    load_config,
)
from postconv.options import Options
from postconv.pipeline import convert

POST = corpus_post("*2009-04-06-a-start.html")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


# --- the settings table ------------------------------------------------------------------


def test_every_options_field_has_a_setting() -> None:
    assert {field.name for field in dataclasses.fields(Options)} <= {s.name for s in SETTINGS}


def test_every_setting_is_a_command_line_option() -> None:
    options = {opt for param in format_files.params for opt in param.opts}
    for setting in SETTINGS:
        assert f"--{setting.key}" in options


def test_option_fields_are_known() -> None:
    assert {"heading_level", "keep_nav", "source_label", "source_to_front_matter"} <= OPTION_FIELDS


# --- finding and reading -----------------------------------------------------------------


def test_nearest_pyproject_with_a_postconv_table_wins(tmp_path) -> None:
    outer = write(tmp_path / "pyproject.toml", "[tool.postconv]\nheading-level = 3\n")
    write(tmp_path / "site" / "pyproject.toml", "[project]\nname = 'site'\n")  # no table: skipped
    posts = tmp_path / "site" / "_posts"
    posts.mkdir()
    assert find_config(posts) == outer
    inner = write(posts / "pyproject.toml", "[tool.postconv]\nkeep-nav = true\n")
    assert find_config(posts) == inner


def test_no_config_anywhere(tmp_path) -> None:
    assert find_config(tmp_path) is None


def test_a_tool_key_that_is_not_a_table_is_skipped(tmp_path) -> None:
    write(tmp_path / "pyproject.toml", 'tool = "postconv"\n')
    assert find_config(tmp_path) is None


def test_keys_use_dashes(tmp_path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        '[tool.postconv]\nheading-level = 3\nkeep-nav = true\nsource-label = "Via:"\n'
        "source-to-front-matter = true\nverify = false\nrename-ext = '.md'\n",
    )
    assert load_config(path) == {
        "heading_level": 3,
        "keep_nav": True,
        "source_label": "Via:",
        "source_to_front_matter": True,
        "verify": False,
        "rename_ext": ".md",
    }


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("heading_level = 3", "unknown key 'heading_level' (did you mean 'heading-level'?)"),
        ("colour = 'red'", "unknown key 'colour'"),
        ("heading-level = '3'", "heading-level must be an integer, got '3'"),
        ("heading-level = true", "heading-level must be an integer, got True"),
        ("keep-nav = 1", "keep-nav must be true or false, got 1"),
        ("source-label = 1", "source-label must be a string, got 1"),
        ("heading-level = 9", "heading level must be 1..6, got 9"),
    ],
)
def test_bad_keys_and_values_name_the_file_and_key(tmp_path, table, message) -> None:
    path = write(tmp_path / "pyproject.toml", f"[tool.postconv]\n{table}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value) == f"{path}: [tool.postconv]: {message}"


def test_invalid_toml_names_the_file(tmp_path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.postconv\n")
    with pytest.raises(ConfigError, match=f"^{path}: invalid TOML"):
        find_config(tmp_path)


def test_explicit_file_may_hold_keys_at_top_level(tmp_path) -> None:
    path = write(tmp_path / "postconv.toml", "heading-level = 4\n")
    assert load_config(path) == {"heading_level": 4}
    with pytest.raises(ConfigError, match="unknown key 'tool'"):
        load_config(write(tmp_path / "other.toml", "[tool.black]\nx = 1\n"))


def test_explicit_pyproject_needs_the_table(tmp_path) -> None:
    path = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"no \[tool.postconv\] table"):
        load_config(path)


def test_lookup_reads_each_file_once(tmp_path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.postconv]\nheading-level = 3\n")
    lookup = ConfigLookup()
    assert lookup.settings_for(tmp_path) == {"heading_level": 3}
    path.write_text("[tool.postconv]\nheading-level = 5\n")
    assert lookup.settings_for(tmp_path) == {"heading_level": 3}
    assert ConfigLookup().settings_for(tmp_path) == {"heading_level": 5}


# --- precedence, seen by the core --------------------------------------------------------


@pytest.fixture
def calls(monkeypatch) -> list[Options]:
    """The options each conversion the command asks for gets."""
    seen: list[Options] = []

    def spy(text: str, options: Options | None = None, name: str | None = None) -> object:
        seen.append(options or Options())
        return convert(text, options or Options(), name)

    monkeypatch.setattr(format_module, "convert", spy)
    return seen


def post_in(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(POST, folder / "post.html"))


def invoke(*args: str | Path) -> None:
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    assert result.exit_code in (0, 1), result.output


def test_config_applies(tmp_path, calls) -> None:
    write(tmp_path / "pyproject.toml", "[tool.postconv]\nheading-level = 3\nkeep-nav = true\n")
    invoke(post_in(tmp_path / "_posts"))
    assert calls[0] == Options(heading_level=3, keep_nav=True)


def test_command_line_wins(tmp_path, calls) -> None:
    write(tmp_path / "pyproject.toml", "[tool.postconv]\nheading-level = 3\nkeep-nav = true\n")
    invoke("--heading-level", "4", "--no-keep-nav", post_in(tmp_path / "_posts"))
    assert calls[0] == Options(heading_level=4, keep_nav=False)


def test_explicit_config_replaces_the_nearest(tmp_path, calls) -> None:
    write(tmp_path / "pyproject.toml", "[tool.postconv]\nheading-level = 3\nkeep-nav = true\n")
    other = write(tmp_path / "elsewhere" / "postconv.toml", 'source-label = "Via:"\n')
    invoke("--config", other, post_in(tmp_path / "_posts"))
    assert calls[0] == Options(source_label="Via:")


def test_each_file_gets_its_nearest_config(tmp_path, calls) -> None:
    write(tmp_path / "a" / "pyproject.toml", "[tool.postconv]\nheading-level = 3\n")
    write(tmp_path / "b" / "pyproject.toml", "[tool.postconv]\nheading-level = 5\n")
    invoke("--check", post_in(tmp_path / "a" / "_posts"), post_in(tmp_path / "b" / "_posts"))
    assert list(dict.fromkeys(options.heading_level for options in calls)) == [3, 5]


def test_stdin_uses_the_config_of_the_working_directory(tmp_path, calls, monkeypatch) -> None:
    write(tmp_path / "pyproject.toml", "[tool.postconv]\nheading-level = 6\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["-"], input=POST.read_bytes())
    assert result.exit_code == 0, result.output
    assert calls[0] == Options(heading_level=6)


def test_config_rename_ext_applies_in_place(tmp_path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.postconv]\nrename-ext = '.md'\n")
    post = post_in(tmp_path / "_posts")
    assert CliRunner().invoke(main, ["-i", str(post)]).exit_code == 0
    assert post.with_suffix(".md").exists() and not post.exists()


def test_config_rename_ext_is_ignored_on_stdout(tmp_path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.postconv]\nrename-ext = '.md'\n")
    post = post_in(tmp_path / "_posts")
    assert CliRunner().invoke(main, [str(post)]).exit_code == 0
    assert post.exists()


# --- errors through the real command -----------------------------------------------------


def test_unknown_key_is_one_line_and_exit_2(tmp_path) -> None:
    config = write(tmp_path / "pyproject.toml", "[tool.postconv]\nheading_level = 3\n")
    post = post_in(tmp_path / "_posts")
    done = run_postconv("--check", post)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines()[0] == (
        f"postconv: error: {post}: {config}: [tool.postconv]: unknown key 'heading_level'"
        " (did you mean 'heading-level'?)"
    )


def test_bad_explicit_config_fails_before_any_file(tmp_path) -> None:
    config = write(tmp_path / "postconv.toml", "keep-nav = 'yes'\n")
    done = run_postconv("--config", config, POST)
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr.decode() == (
        f"postconv: error: {config}: keep-nav must be true or false, got 'yes'\n"
    )


def test_missing_explicit_config(tmp_path) -> None:
    done = run_postconv("--config", tmp_path / "nope.toml", POST)
    assert done.returncode == 2
    assert "nope.toml: No such file or directory" in done.stderr.decode()
