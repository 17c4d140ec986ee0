"""Backups: one zip with the database, the media files and a manifest of checksums.

SQLite is copied with its online backup API (safe while the server writes); PostgreSQL with
``pg_dump`` from the very snapshot in which the table checksums are computed. ``restore``
verifies every file's SHA-256 before touching anything, restores, and then checks that each
table's checksum equals the manifest's, so a restore either gives identical data or says why not.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.engine import make_url

from samspill.core.errors import InputError, SamspillError
from samspill.services import backup_crypto
from samspill.settings import Settings
from samspill.store.folder import (
    BACKUP_MEDIA,
    check_entries,
    hold_folder,
    inside,
    media_entry,
    private_dir,
    private_file,
)
from samspill.store.models import Base

FORMAT = "samspill-backup"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
_CHUNK = 1 << 20


class BackupError(SamspillError):
    """A backup or restore could not be completed; nothing was changed by a failed restore."""


def table_checksums(connection: Connection) -> dict[str, dict[str, Any]]:
    """Row count and SHA-256 of every table's rows in primary-key order, backend-neutral."""
    sums = {}
    for table in Base.metadata.sorted_tables:
        digest, rows = hashlib.sha256(), 0
        order = list(table.primary_key.columns)
        for row in connection.execute(select(table).order_by(*order)):
            digest.update(json.dumps([_plain(v) for v in row], default=str).encode() + b"\n")
            rows += 1
        sums[table.name] = {"rows": rows, "sha256": digest.hexdigest()}
    return sums


def _plain(value: Any) -> Any:
    # SQLite hands back naive UTC stamps, PostgreSQL aware ones: compare them as UTC.
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return value


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(settings: Settings, out: Path, *, passphrase: str | None = None) -> dict[str, Any]:
    """Write the backup zip to ``out`` (atomically, mode 0600); returns its manifest. With a
    ``passphrase`` the file is encrypted (:mod:`samspill.services.backup_crypto`)."""
    if passphrase is not None:
        backup_crypto.check_passphrase(passphrase)
    with tempfile.TemporaryDirectory(prefix="samspill-backup-") as folder:
        work = Path(folder)
        if settings.database_url:
            member, tables = PG_MEMBER, _dump_postgres(settings.database_url, work / PG_MEMBER)
        else:
            member, tables = SQLITE_MEMBER, _copy_sqlite(settings.sqlite_path, work / SQLITE_MEMBER)
        media = _media_files(settings.media_dir)
        manifest = {
            "format": FORMAT,
            "format_version": 1,
            "created": dt.datetime.now(dt.UTC).isoformat(),
            "backend": "postgresql" if settings.database_url else "sqlite",
            "database": {"member": member, "sha256": file_sha256(work / member)},
            "tables": tables,
            "media": {rel: file_sha256(path) for rel, path in media.items()},
        }
        if passphrase is None:
            _write_zip(out, work / member, member, media, manifest)
        else:
            _write_zip(work / "plain.zip", work / member, member, media, manifest)
            partial = private_file(out.with_name(out.name + ".part"))
            backup_crypto.encrypt_file(work / "plain.zip", partial, passphrase)
            partial.replace(out)
    return manifest


def _write_zip(
    out: Path, database: Path, member: str, media: dict[str, Path], manifest: dict[str, Any]
) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = private_file(out.with_name(out.name + ".part"))  # 0600: it holds everything
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(database, member)
        for rel, path in media.items():
            zf.write(path, f"media/{rel}", compress_type=zipfile.ZIP_STORED)
        zf.writestr("manifest.json", json.dumps(manifest, indent=1))
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    partial.replace(out)  # a half-written backup never carries the final name


def _media_files(media_dir: Path) -> dict[str, Path]:
    if not media_dir.exists():
        return {}
    return {
        p.relative_to(media_dir).as_posix(): p
        for p in sorted(media_dir.glob("??/*"))
        if p.is_file() and len(p.name) == 64
    }


def _copy_sqlite(source: Path, target: Path) -> dict[str, Any]:
    if not source.exists():
        raise BackupError(f"no database at {source}", fix="check --data-dir")
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # the online backup API: a consistent copy while others write
    finally:
        dst.close()
        src.close()
    engine = create_engine(f"sqlite:///{target}", hide_parameters=True)
    with engine.connect() as connection:
        sums = table_checksums(connection)
    engine.dispose()
    return sums


def _pg_command(url: str, program: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for a libpq tool; the password goes by environment, not argv."""
    parsed = make_url(url)
    args = [program, "--no-password", "-d", parsed.database or "postgres"]
    args += ["-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432)]
    if parsed.username:
        args += ["-U", parsed.username]
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    if shutil.which(program) is None:
        raise BackupError(f"'{program}' is not installed", fix="install the PostgreSQL client")
    return args, env


def _dump_postgres(url: str, target: Path) -> dict[str, Any]:
    engine = create_engine(url, isolation_level="REPEATABLE READ", hide_parameters=True)
    try:
        with engine.connect() as connection, connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            sums = table_checksums(connection)  # the same snapshot pg_dump reads
            args, env = _pg_command(url, "pg_dump")
            args += ["--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
            _run([*args, "-f", str(target)], env)
    finally:
        engine.dispose()
    return sums


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{args[0]} failed: {last}", fix="check the database URL and rights")


def restore(settings: Settings, source: Path, *, passphrase: str | None = None) -> dict[str, Any]:
    """Restore a backup, decrypting it first if it was encrypted (see :func:`_restore`)."""
    if not backup_crypto.is_encrypted(_existing(source)):
        return _restore(settings, source)
    if passphrase is None:
        raise InputError(f"{source} is encrypted", fix="give its passphrase")
    with tempfile.TemporaryDirectory(prefix="samspill-restore-") as folder:
        plain = Path(folder) / "backup.zip"
        backup_crypto.decrypt_file(source, plain, passphrase)
        return _restore(settings, plain)


def _restore(settings: Settings, source: Path) -> dict[str, Any]:
    """Restore a backup over the configured database and media folder; returns its manifest.

    Every entry's name and checksum is verified before anything is replaced (a name that
    would leave the data folder refuses the whole restore); afterwards the restored tables
    must match the manifest's checksums exactly. Refused while a server holds the folder.
    """
    with hold_folder(settings.data_dir, "restore"), zipfile.ZipFile(_existing(source)) as zf:
        manifest = _read_manifest(zf, source)
        _check_names(zf, manifest, source)
        backend = "postgresql" if settings.database_url else "sqlite"
        if manifest["backend"] != backend:
            raise InputError(
                f"{source} is a {manifest['backend']} backup, this installation uses {backend}",
                fix="restore into a data folder or database URL of the same kind",
            )
        _verify_members(zf, manifest, source)
        with tempfile.TemporaryDirectory(prefix="samspill-restore-") as folder:
            database = Path(zf.extract(manifest["database"]["member"], folder))
            if backend == "postgresql":
                _restore_postgres(settings.database_url or "", database)
            else:
                _restore_sqlite(database, settings.sqlite_path)
        _restore_media(zf, manifest, settings.media_dir)
    _check_tables(settings, manifest)
    return manifest


def _existing(source: Path) -> Path:
    if not source.is_file():
        raise InputError(f"no backup file at {source}", fix="give the file 'backup --out' wrote")
    return source


def _read_manifest(zf: zipfile.ZipFile, source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise InputError(f"{source} has no readable manifest", fix="use a Samspill backup") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError(f"{source} is not a Samspill backup", fix="use a Samspill backup")
    return manifest


def _check_names(zf: zipfile.ZipFile, manifest: dict[str, Any], source: Path) -> None:
    """Every entry of the zip and every name in the manifest stays inside the data folder
    (issue 21, item 9: a manifest naming ../../outside/pwned.txt wrote there)."""
    check_entries(zf, source, {"manifest.json", SQLITE_MEMBER, PG_MEMBER}, BACKUP_MEDIA)
    database, media = manifest.get("database"), manifest.get("media")
    if (
        not isinstance(database, dict)
        or database.get("member") not in (SQLITE_MEMBER, PG_MEMBER)
        or not isinstance(media, dict)
        or not isinstance(manifest.get("tables"), dict)
    ):
        raise InputError(f"{source} has a malformed manifest; nothing was changed",
                         fix="use a file 'samspill backup' wrote, unchanged")
    for rel in media:
        if not media_entry(str(rel)):
            raise InputError(
                f"{source}: the manifest names the media file '{str(rel)[:120]}', which would "
                "land outside the media folder; nothing was changed",
                fix="use a file 'samspill backup' wrote, unchanged",
            )


def _verify_members(zf: zipfile.ZipFile, manifest: dict[str, Any], source: Path) -> None:
    expected = {manifest["database"]["member"]: manifest["database"]["sha256"]}
    expected |= {f"media/{rel}": sha for rel, sha in manifest["media"].items()}
    for member, sha in expected.items():
        digest = hashlib.sha256()
        try:
            with zf.open(member) as handle:
                for chunk in iter(functools.partial(handle.read, _CHUNK), b""):
                    digest.update(chunk)
        except KeyError as exc:
            raise BackupError(f"{source} lacks {member}", fix="use a complete backup") from exc
        if digest.hexdigest() != sha:
            raise BackupError(
                f"{member} in {source} does not match its checksum",
                fix="the backup is damaged; use another copy",
            )


def _restore_sqlite(copy: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(copy)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # replaces the live database page by page, under its own lock
    finally:
        dst.close()
        src.close()


def _restore_postgres(url: str, dump: Path) -> None:
    args, env = _pg_command(url, "pg_restore")
    flags = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
    _run([*args, *flags, "--exit-on-error", str(dump)], env)


def _restore_media(zf: zipfile.ZipFile, manifest: dict[str, Any], media_dir: Path) -> None:
    wanted = set(manifest["media"])
    for rel in sorted(wanted):
        target = inside(media_dir, rel)
        if target.exists() and file_sha256(target) == manifest["media"][rel]:
            continue
        private_dir(target.parent)
        partial = target.with_name(target.name + ".part")
        with zf.open(f"media/{rel}") as src, partial.open("wb") as dst:
            shutil.copyfileobj(src, dst, _CHUNK)
        partial.replace(target)
    for rel, path in _media_files(media_dir).items():
        if rel not in wanted:
            path.unlink()  # not in the backup: the restored state never had it


def _check_tables(settings: Settings, manifest: dict[str, Any]) -> None:
    engine = create_engine(settings.effective_database_url(), hide_parameters=True)
    try:
        with engine.connect() as connection:
            found = table_checksums(connection)
    finally:
        engine.dispose()
    wrong = sorted(name for name, sums in manifest["tables"].items() if found.get(name) != sums)
    if wrong:
        raise BackupError(
            f"after the restore, tables differ from the backup: {', '.join(wrong)}",
            fix="stop the server during a restore and run it again",
        )
