"""The formatter walks the directories it is given (issue 11), as black and ruff do:
posts only, hidden entries skipped, .gitignore obeyed in a git work tree, --exclude."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEED, run_postconv

from postconv.cli import main
from postconv.io.walk import post_files

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def site(root: Path, *names: str) -> Path:
    """A directory holding a copy of the seed post at each of ``names``."""
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SEED, path)
    return root


def found(root: Path, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    return [Path(path).relative_to(root).as_posix() for path in post_files(str(root), **kwargs)]


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)


def test_posts_are_found_in_sorted_order_hidden_entries_and_other_files_skipped(
    tmp_path: Path,
) -> None:
    root = site(
        tmp_path,
        "b.md",
        "a/z.html",
        "a/y.txt",
        "a/image.png",
        ".hidden/x.html",
        "a/.draft.html",
        "c/d/e.markdown",
    )
    assert found(root) == ["a/y.txt", "a/z.html", "b.md", "c/d/e.markdown"]


def test_a_symlinked_directory_is_not_entered(tmp_path: Path) -> None:
    root = site(tmp_path / "site", "a.html")
    outside = site(tmp_path / "outside", "x.html")
    (root / "link").symlink_to(outside, target_is_directory=True)
    assert found(root) == ["a.html"]


@needs_git
def test_gitignored_paths_are_skipped_inside_a_work_tree(tmp_path: Path) -> None:
    root = site(tmp_path, "a.html", "build/b.html", "c.tmp.html", "sub/d.html")
    (root / ".gitignore").write_text("build/\n*.tmp.html\n")
    git_init(root)
    assert found(root) == ["a.html", "sub/d.html"]
    assert found(root / "sub") == ["d.html"]  # the work tree's rules hold below its top


def test_a_gitignore_outside_a_work_tree_is_only_a_file(tmp_path: Path) -> None:
    root = site(tmp_path, "a.html", "build/b.html")
    (root / ".gitignore").write_text("build/\n")
    assert found(root) == ["a.html", "build/b.html"]


def test_exclude_is_searched_in_the_relative_path(tmp_path: Path) -> None:
    import re

    root = site(tmp_path, "_drafts/a.html", "_posts/b.html", "_posts/old-c.html")
    assert found(root, exclude=re.compile(r"/_drafts/")) == ["_posts/b.html", "_posts/old-c.html"]
    assert found(root, exclude=re.compile(r"/old-[^/]*$")) == ["_drafts/a.html", "_posts/b.html"]


# --- through the command ---------------------------------------------------------------


def test_check_walks_a_directory_in_a_real_process(tmp_path: Path) -> None:
    root = site(tmp_path / "site", "_posts/a.html", "_posts/sub/b.md", ".git/c.html")
    done = run_postconv("--check", "site", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr.decode().splitlines() == [
        "would reformat site/_posts/a.html",
        "would reformat site/_posts/sub/b.md",
        "2 files would be reformatted.",
    ]
    assert (root / "_posts" / "a.html").read_bytes() == SEED.read_bytes()  # nothing written


def test_in_place_on_a_directory_rewrites_its_posts_once(tmp_path: Path) -> None:
    root = site(tmp_path, "a.html", "sub/b.html")
    runner = CliRunner()
    first = runner.invoke(main, ["-i", str(root)])
    again = runner.invoke(main, ["-i", str(root)])
    assert first.exit_code == 0 and "2 files reformatted" in first.stderr
    assert again.exit_code == 0 and "2 files left unchanged" in again.stderr
    assert (root / "a.html").read_bytes() != SEED.read_bytes()


def test_exclude_from_the_command_line_and_from_the_configuration(tmp_path: Path) -> None:
    root = site(tmp_path, "_drafts/a.html", "_posts/b.html")
    runner = CliRunner()
    by_option = runner.invoke(main, ["--check", str(root), "--exclude", "/_drafts/"])
    assert "_drafts" not in by_option.stderr and "b.html" in by_option.stderr
    (root / "pyproject.toml").write_text('[tool.postconv]\nexclude = "/_posts/"\n')
    by_config = runner.invoke(main, ["--check", str(root)])
    assert "_posts" not in by_config.stderr and "a.html" in by_config.stderr


def test_a_file_named_on_the_command_line_is_taken_even_when_excluded(tmp_path: Path) -> None:
    root = site(tmp_path, "_drafts/a.html")
    done = CliRunner().invoke(
        main, ["--check", str(root / "_drafts" / "a.html"), "--exclude", "_drafts"]
    )
    assert done.exit_code == 1 and "a.html" in done.stderr


def test_a_bad_exclude_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_postconv("--check", site(tmp_path, "a.html"), "--exclude", "(")
    assert done.returncode == 2
    assert done.stderr.decode().startswith("postconv: error: --exclude '(' is not a regular")
    assert done.stderr.decode().count("\n") == 1


def test_a_directory_to_stdout_is_a_usage_error(tmp_path: Path) -> None:
    done = run_postconv(site(tmp_path, "a.html"))
    assert done.returncode == 2
    assert "is a directory: use --in-place, --check or --diff" in done.stderr.decode()


def test_an_empty_directory_is_nothing_to_do(tmp_path: Path) -> None:
    done = CliRunner().invoke(main, ["--check", str(tmp_path)])
    assert done.exit_code == 0
