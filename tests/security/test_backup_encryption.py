"""Backups encrypted with a passphrase (issue 21, item 12). Skipped where the ``cryptography``
package is not installed; everything else about backups is in test_backup.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from samspill.cli import app
from samspill.core.errors import InputError
from samspill.services import backup as backups
from samspill.services.backup_crypto import is_encrypted
from tests.security.world import CHILD_NAME, World

pytest.importorskip("cryptography", reason="encrypted backups need 'cryptography'")
PASSPHRASE = "blue lamp under the old bridge"


def test_an_encrypted_backup_holds_nothing_readable_and_restores(
    world: World, tmp_path: Path
) -> None:
    out = tmp_path / "backup.zip"
    backups.backup(world.settings, out, passphrase=PASSPHRASE)
    data = out.read_bytes()
    assert is_encrypted(out) and CHILD_NAME.encode() not in data
    assert not zipfile.is_zipfile(out)
    assert out.stat().st_mode & 0o077 == 0
    with pytest.raises(InputError, match="passphrase is wrong"):
        backups.restore(world.settings, out, passphrase="not the passphrase at all")
    with pytest.raises(InputError, match="is encrypted"):
        backups.restore(world.settings, out)
    backups.restore(world.settings, out, passphrase=PASSPHRASE)


def test_a_cut_short_encrypted_backup_is_refused(world: World, tmp_path: Path) -> None:
    out = tmp_path / "backup.zip"
    backups.backup(world.settings, out, passphrase=PASSPHRASE)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(out.read_bytes()[:-100])
    with pytest.raises(InputError):
        backups.restore(world.settings, cut, passphrase=PASSPHRASE)


def test_backup_encrypt_from_the_command_line(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMSPILL_BACKUP_PASSPHRASE", PASSPHRASE)
    out = tmp_path / "b.zip"
    folder = str(world.settings.data_dir)
    made = CliRunner().invoke(app, ["backup", "--out", str(out), "--encrypt", "--data-dir", folder])
    assert made.exit_code == 0, made.output
    assert is_encrypted(out)
    back = CliRunner().invoke(app, ["restore", str(out), "--yes", "--data-dir", folder])
    assert back.exit_code == 0, back.output
