"""`samspill backup --out F` and `samspill restore F`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from samspill.cli.common import DataDir, console, open_database, settings_for
from samspill.services import audit
from samspill.services import backup as backups


def backup(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (a zip).")],
    data_dir: DataDir = None,
) -> None:
    """Back up the database (online: the server may keep running) and the media files."""
    database = open_database(data_dir)
    try:
        manifest = backups.backup(database.settings, out)
        with database.session() as db:
            audit.record(db, action="backup", target=str(out.name), detail=_counts(manifest))
    finally:
        database.dispose()
    console.print(f"backup written: {out} ({_counts(manifest)})")


def restore(
    source: Annotated[Path, typer.Argument(help="A file written by 'samspill backup'.")],
    data_dir: DataDir = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Replace the current data without asking.")
    ] = False,
) -> None:
    """Replace the database and media with a backup; every checksum is verified. Stop the server
    first."""
    settings = settings_for(data_dir)
    if not yes:
        typer.confirm(f"Replace all data in {settings.data_dir} with {source}?", abort=True)
    manifest = backups.restore(settings, source)
    database = open_database(data_dir)  # newer code may have newer migrations to apply
    try:
        with database.session() as db:
            audit.record(db, action="restore", target=str(source.name), detail=_counts(manifest))
    finally:
        database.dispose()
    console.print(f"restored from {source}; checksums match ({_counts(manifest)})")


def _counts(manifest: dict) -> str:
    events = manifest["tables"].get("events", {}).get("rows", 0)
    return f"{events} events, {len(manifest['media'])} media files"
