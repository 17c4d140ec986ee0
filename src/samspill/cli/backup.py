"""`samspill backup --out F` and `samspill restore F`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from samspill.cli.common import DataDir, console, open_database, settings_for

PASSPHRASE_ENV = "SAMSPILL_BACKUP_PASSPHRASE"


def _passphrase(confirm: bool) -> str:
    """From $SAMSPILL_BACKUP_PASSPHRASE (for scheduled backups), else asked for, unshown."""
    given = os.environ.get(PASSPHRASE_ENV)
    if given:
        return given
    return str(typer.prompt("Backup passphrase", hide_input=True, confirmation_prompt=confirm))


def backup(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write (a zip).")],
    encrypt: Annotated[bool, typer.Option(
        "--encrypt", help="Encrypt the backup with a passphrase (asked for, or "
        "$SAMSPILL_BACKUP_PASSPHRASE); AES-256-GCM, key by scrypt.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Back up the database (online: the server may keep running) and the media files. The
    file is readable by this account only (0600)."""
    from samspill.services import audit
    from samspill.services import backup as backups
    passphrase = _passphrase(confirm=True) if encrypt else None
    database = open_database(data_dir)
    try:
        manifest = backups.backup(database.settings, out, passphrase=passphrase)
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
    """Replace the database and media with a backup; every entry's name and checksum is
    verified first. Refused while a server runs on the data folder: stop it first. An encrypted
    backup asks for its passphrase (or reads $SAMSPILL_BACKUP_PASSPHRASE)."""
    from samspill.services import audit
    from samspill.services import backup as backups
    from samspill.services.backup_crypto import is_encrypted
    settings = settings_for(data_dir)
    if not yes:
        typer.confirm(f"Replace all data in {settings.data_dir} with {source}?", abort=True)
    encrypted = source.is_file() and is_encrypted(source)
    passphrase = _passphrase(confirm=False) if encrypted else None
    manifest = backups.restore(settings, source, passphrase=passphrase)
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
