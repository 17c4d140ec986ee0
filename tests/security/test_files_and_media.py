"""Media types, backups and archives that try to leave the data folder, and a restore under a
running server (issue 21, items 8, 9 and 17)."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from samspill.core.errors import ConflictError, InputError
from samspill.services import accounts, archive, archive_import, studies
from samspill.services import backup as backups
from samspill.store.db import Database
from samspill.store.folder import hold_folder
from samspill.store.models import MediaFile, Study
from tests.security.world import VIDEO, World


def _export(world: World, out: Path) -> Path:
    database = Database(world.settings)
    with database.session() as db:
        archive.export_study(
            db, study=studies.get_study(db, "s1"), media_dir=world.settings.media_dir, out=out
        )
    database.dispose()
    return out


def _rewrite(source: Path, target: Path, change) -> Path:
    """A copy of a zip with ``change(name, data) -> [(ZipInfo | name, data), ...]`` applied."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            for name, data in change(item.filename, src.read(item)):
                dst.writestr(name, data)
    return target


def _import(world: World, path: Path) -> None:
    database = Database(world.settings)
    try:
        with database.session() as db:
            archive_import.import_study(
                db,
                path=path,
                media_dir=world.settings.media_dir,
                importer=accounts.get_user(db, "own"),
                rename="s9",
            )
    finally:
        database.dispose()


def _studies(world: World) -> int:
    database = Database(world.settings)
    with database.session() as db:
        count = db.scalar(select(func.count()).select_from(Study))
    database.dispose()
    return int(count or 0)


# ---------------------------------------------------------------- item 8: media types


def test_an_archive_whose_media_claims_text_html_is_refused_whole(
    world: World, tmp_path: Path
) -> None:
    good = _export(world, tmp_path / "s1.zip")

    def html(name: str, data: bytes):
        if name == "study.json":
            doc = json.loads(data)
            doc["sessions"][0]["media"][0]["content_type"] = "text/html"
            data = json.dumps(doc).encode()
        return [(name, data)]

    bad = _rewrite(good, tmp_path / "bad.zip", html)
    before = _studies(world)
    with pytest.raises(InputError, match="not a video or audio type"):
        _import(world, bad)
    assert _studies(world) == before


def test_media_are_served_only_as_video_or_audio_never_cached(
    world: World, world_client: TestClient
) -> None:
    """An old row claiming text/html (from before the import check) goes out as a download."""
    answer = world_client.get(f"/api/media/{world.media_id}", headers=world.headers("cod"))
    assert answer.status_code == 200 and answer.headers["content-type"] == "video/mp4"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"
    database = Database(world.settings)
    with database.session() as db:
        db.execute(update(MediaFile).values(content_type="text/html"))
    database.dispose()
    answer = world_client.get(f"/api/media/{world.media_id}", headers=world.headers("cod"))
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.headers["content-disposition"].startswith("attachment")
    assert answer.headers["cache-control"] == "no-store"


def test_a_range_request_still_works_without_caching(
    world: World, world_client: TestClient
) -> None:
    headers = {**world.headers("cod"), "Range": "bytes=0-99"}
    answer = world_client.get(f"/api/media/{world.media_id}", headers=headers)
    assert answer.status_code == 206 and answer.content == VIDEO[:100]
    assert answer.headers["cache-control"] == "no-store"


# ---------------------------------------------------------------- item 9: zip entries


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil", "media/../../evil", "C:/evil"])
def test_an_archive_entry_leaving_the_folder_refuses_the_import(
    world: World, tmp_path: Path, name: str
) -> None:
    bad = _rewrite(
        _export(world, tmp_path / "s1.zip"),
        tmp_path / "bad.zip",
        lambda n, d: [(n, d), (name, b"pwned")] if n == "study.json" else [(n, d)],
    )
    with pytest.raises(InputError, match=r"outside the data folder|not part of the format"):
        _import(world, bad)
    assert not (tmp_path / "evil.txt").exists()


def test_a_symbolic_link_in_an_archive_refuses_the_import(world: World, tmp_path: Path) -> None:
    link = zipfile.ZipInfo("media/" + "ab" + "c" * 62)
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    bad = _rewrite(
        _export(world, tmp_path / "s1.zip"),
        tmp_path / "bad.zip",
        lambda n, d: [(n, d), (link, b"/etc/passwd")] if n == "study.json" else [(n, d)],
    )
    with pytest.raises(InputError, match="symbolic link"):
        _import(world, bad)


def _backup(world: World, tmp_path: Path) -> Path:
    backups.backup(world.settings, tmp_path / "backup.zip")
    return tmp_path / "backup.zip"


def test_a_backup_whose_manifest_leaves_the_folder_writes_nothing(
    world: World, tmp_path: Path
) -> None:
    good = _backup(world, tmp_path)
    escape = "../../outside/pwned.txt"

    def evil(name: str, data: bytes):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["media"][escape] = backups.hashlib.sha256(b"pwned").hexdigest()
            return [(name, json.dumps(manifest).encode()), (f"media/{escape}", b"pwned")]
        return [(name, data)]

    bad = _rewrite(good, tmp_path / "bad.zip", evil)
    database_before = world.settings.sqlite_path.read_bytes()
    with pytest.raises(InputError, match="outside"):
        backups.restore(world.settings, bad)
    target = (world.settings.media_dir / escape).resolve()
    assert not target.exists()
    assert world.settings.sqlite_path.read_bytes() == database_before


def test_restore_refuses_while_a_server_holds_the_data_folder(
    world: World, tmp_path: Path
) -> None:
    good = _backup(world, tmp_path)
    with (
        hold_folder(world.settings.data_dir, "serve"),
        pytest.raises(ConflictError, match="server is running"),
    ):
        backups.restore(world.settings, good)
    backups.restore(world.settings, good)  # once the server stopped, it goes through


def test_a_second_server_on_the_same_folder_is_refused(world: World) -> None:
    with (
        hold_folder(world.settings.data_dir, "serve"),
        pytest.raises(ConflictError, match=r"already|using"),
        hold_folder(world.settings.data_dir, "serve"),
    ):
        pass
