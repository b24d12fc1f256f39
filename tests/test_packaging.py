"""What ``pip install .`` gives (issue 11): a wheel that carries the README (as its
description) and the LICENSE, and a ``postconv`` command."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_the_readme_and_the_license(tmp_path: Path) -> None:
    source = tmp_path / "source"  # built from a copy: a build leaves build/ and egg-info
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copyfile(ROOT / name, source / name)
    command = [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps"]
    command += ["--no-build-isolation", "--quiet", "--wheel-dir", str(tmp_path / "dist")]
    done = subprocess.run(command, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()

    (wheel,) = (tmp_path / "dist").glob("postconv-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt")))
        license_text = archive.read(next(n for n in names if n.endswith("licenses/LICENSE")))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.strip().splitlines()[-1] in metadata.decode("utf-8")  # the whole README
    assert b"Description-Content-Type: text/markdown" in metadata
    assert license_text == (ROOT / "LICENSE").read_bytes()
    assert b"postconv = postconv.cli:main" in entry_points
    assert any(name == "postconv/__main__.py" for name in names)  # python -m postconv
