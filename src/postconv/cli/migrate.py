"""``postconv migrate SRC DEST`` (stub, being written)."""

from __future__ import annotations

import click


@click.command()
@click.argument("src")
@click.argument("dest")
def migrate(src: str, dest: str) -> None:
    """Convert a whole archive (directory, zip or tar) into DEST."""
    raise click.ClickException("not yet")
