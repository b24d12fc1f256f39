"""``postconv FILE...`` (stub, being written)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from postconv.decode import decode_post
from postconv.pipeline import convert


@click.command("format")
@click.argument("files", nargs=-1, type=click.Path(allow_dash=True))
def format_files(files: tuple[str, ...]) -> None:
    """Convert FILE (or - for stdin) and print the Markdown."""
    for name in files:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        sys.stdout.buffer.write(convert(decode_post(data).text).text.encode())
