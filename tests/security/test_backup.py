"""Backups: the round trip gives identical data, checked table by table and file by file."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from samspill.cli import app
from samspill.core.errors import InputError
from samspill.services import backup as backups
from samspill.services import studies
from samspill.store.db import Database
from samspill.store.media import store_file
from tests.factories import make_coded_session


def _checksums(database: Database) -> dict:
    with database.engine.connect() as connection:
        return backups.table_checksums(connection)


def _media(database: Database) -> dict[str, str]:
    folder = database.settings.media_dir
    return {p.name: backups.file_sha256(p) for p in folder.glob("??/*")}


def _fill(database: Database, tmp_path: Path) -> None:
    video = tmp_path / "clip.bin"
    video.write_bytes(b"not really a video, but bytes to keep" * 100)
    with database.session() as db:
        built = make_coded_session(db)
        store_file(database.settings.media_dir, video)
        studies.set_role(db, study=built.study, user=built.owner, role="owner")


def test_a_backup_restores_identical_data(database: Database, tmp_path: Path) -> None:
    _fill(database, tmp_path)
    before, media = _checksums(database), _media(database)
    assert before["events"]["rows"] > 10 and media
    out = tmp_path / "backup.zip"
    manifest = backups.backup(database.settings, out)
    assert manifest["tables"] == before
    with database.session() as db:  # lose data after the backup
        db.execute(text("DELETE FROM events"))
        db.execute(text("DELETE FROM studies"))
    shutil.rmtree(database.settings.media_dir)
    database.dispose()
    backups.restore(database.settings, out)
    assert _checksums(database) == before
    assert _media(database) == media


def test_a_damaged_backup_is_refused_before_anything_changes(
    sqlite_database: Database, tmp_path: Path
) -> None:
    _fill(sqlite_database, tmp_path)
    out = tmp_path / "backup.zip"
    backups.backup(sqlite_database.settings, out)
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("media/"):
                data = data[:-1] + b"X"
            dst.writestr(item, data)
    before = _checksums(sqlite_database)
    with pytest.raises(backups.BackupError, match="does not match its checksum"):
        backups.restore(sqlite_database.settings, damaged)
    assert _checksums(sqlite_database) == before


def test_a_file_that_is_no_backup_gives_a_clear_error(
    sqlite_database: Database, tmp_path: Path
) -> None:
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("study.json", "{}")
    with pytest.raises(InputError, match="no readable manifest"):
        backups.restore(sqlite_database.settings, other)
    with pytest.raises(InputError, match="no backup file"):
        backups.restore(sqlite_database.settings, tmp_path / "missing.zip")


def test_backup_and_restore_from_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    data = tmp_path / "data"
    assert runner.invoke(app, ["init", "--data-dir", str(data)]).exit_code == 0
    out = tmp_path / "b.zip"
    result = runner.invoke(app, ["backup", "--out", str(out), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    restored = runner.invoke(app, ["restore", str(out), "--yes", "--data-dir", str(data)])
    assert restored.exit_code == 0 and "checksums match" in " ".join(restored.output.split())
    listed = runner.invoke(app, ["audit", "list", "--action", "restore", "--data-dir", str(data)])
    assert "restore" in listed.output
