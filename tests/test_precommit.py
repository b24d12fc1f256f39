"""The pre-commit hook of ``.pre-commit-hooks.yaml``, run by the real ``pre-commit try-repo``.

``try-repo`` only sees committed files and modified tracked ones, so the hook
repository it is pointed at is a one-commit snapshot of this working tree
(tracked and untracked files, less what .gitignore drops): the test then
checks what is on disk, from a fresh clone in CI as from a tree under edit.
``try-repo`` builds the hook's virtualenv (``pip install`` of the snapshot)
in a new store each run: a few seconds here. That install needs the package
index (markdownify, for one, is in no local mirror), so the same scenario also
runs with the snapshot's hook switched to ``language: system`` running this
interpreter: that variant needs no network at all.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, corpus_post

from postconv.io.files import read_post
from postconv.pipeline import convert

pytest.importorskip("pre_commit")
if shutil.which("git") is None:  # pragma: no cover
    pytest.skip("git is needed", allow_module_level=True)

PRE_COMMIT = (sys.executable, "-m", "pre_commit")
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "postconv tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "postconv tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
}
POSTS = {
    "_posts/2009-04-06-a-start.html": corpus_post("*2009-04-06-a-start.html"),
    "_posts/2011-02-28-rt.html": corpus_post("*2011-02-28-*.html"),
    "_posts/2021-12-01-init.md": corpus_post("2021-12-01-init.md"),  # clean Markdown
    "notes/outside.html": corpus_post("*2011-02-28-*.html"),  # not under _posts or content
}


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **GIT_IDENTITY}
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def snapshot_of_this_repo(destination: Path) -> Path:
    """Commit the working tree of this repository (as git would see it) into a new repo."""
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO)
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # tracked files deleted in the working tree are skipped
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    git("init", "-q", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "--no-verify", "-m", "snapshot", cwd=destination)
    return destination


def use_this_interpreter(hook_repo: Path) -> None:
    """Turn the snapshot's hook into a ``language: system`` one run by ``sys.executable``."""
    manifest_path = hook_repo / ".pre-commit-hooks.yaml"
    manifest = yaml.safe_load(manifest_path.read_text())
    [hook] = [hook for hook in manifest if hook["id"] == "postconv"]
    program, *args = shlex.split(hook["entry"])
    assert program == "postconv"
    hook["entry"] = shlex.join([sys.executable, "-m", "postconv", *args])
    hook["language"] = "system"
    manifest_path.write_text(yaml.safe_dump(manifest))
    git("commit", "-q", "--no-verify", "-am", "hook run by the test's interpreter", cwd=hook_repo)


def try_repo(hook_repo: Path, project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home), "TMPDIR": str(home)}
    env.pop("PRE_COMMIT_COLOR", None)
    return subprocess.run(
        [*PRE_COMMIT, "try-repo", str(hook_repo), "postconv", "--all-files", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_manifest_is_a_python_hook() -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["language"]) == ("postconv", "python")
    assert shlex.split(hook["entry"])[:2] == ["postconv", "--in-place"]


@pytest.mark.parametrize("language", ["python", "system"])
def test_hook_converts_posts_in_place_then_passes(tmp_path, language) -> None:
    hook_repo = snapshot_of_this_repo(tmp_path / "hook-repo")
    if language == "system":
        use_this_interpreter(hook_repo)
    project = tmp_path / "site"
    for name, source in POSTS.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, project / name)
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    home = tmp_path / "pre-commit-home"
    home.mkdir()

    first = try_repo(hook_repo, project, home)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    for name in ("_posts/2009-04-06-a-start.html", "_posts/2011-02-28-rt.html"):
        wanted = convert(read_post(POSTS[name]).text).text
        assert (project / name).read_text("utf-8") == wanted, name
    for name in ("_posts/2021-12-01-init.md", "notes/outside.html"):
        assert (project / name).read_bytes() == POSTS[name].read_bytes(), name

    second = try_repo(hook_repo, project, home)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout
