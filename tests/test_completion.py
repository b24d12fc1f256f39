"""Shell completion (issue 11): ``postconv mi<TAB>`` → ``migrate`` in bash, zsh and fish,
through click's completion protocol, in real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import plain_env

POSTCONV = Path(sys.executable).with_name("postconv")  # the installed command, as shells run it


def complete(shell: str, words: str) -> list[str]:
    """What ``postconv`` offers for the last word of ``words`` (a trailing space: a new one)."""
    parts = words.split(" ")
    env = plain_env(_POSTCONV_COMPLETE=f"{shell}_complete", COMP_WORDS=words)
    env["COMP_CWORD"] = parts[-1] if shell == "fish" else str(len(parts) - 1)
    done = subprocess.run([str(POSTCONV)], env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode().split()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_subcommand_completes(shell: str) -> None:
    assert any("migrate" in item for item in complete(shell, "postconv mi"))


def test_the_first_word_may_also_be_a_file_or_an_option_of_the_default_command() -> None:
    assert "file," in complete("bash", "postconv ")  # files are offered too
    assert "plain,--heading-level" in complete("bash", "postconv --heading")


def test_options_complete_after_a_file_and_in_the_subcommand() -> None:
    assert "plain,--check" in complete("bash", "postconv post.html --che")
    assert "plain,--timeout" in complete("bash", "postconv migrate --time")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_script_to_source_is_printed(shell: str) -> None:
    env = plain_env(_POSTCONV_COMPLETE=f"{shell}_source")
    done = subprocess.run([str(POSTCONV)], env=env, capture_output=True, timeout=60)
    assert done.returncode == 0 and b"_POSTCONV_COMPLETE" in done.stdout


def test_the_command_is_installed_beside_the_interpreter() -> None:
    assert os.access(POSTCONV, os.X_OK)
