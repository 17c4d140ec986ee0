"""The foundation's 'done when': the demo over the API with a token, and range-served video."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from samspill.services.demo import load_demo
from samspill.services.setup import ensure_admin
from samspill.store.db import Database
from tests.web.conftest import bearer


def test_a_token_lists_the_demo_study_and_its_vignette(database: Database,
                                                        client: TestClient) -> None:
    with database.session() as db:
        load_demo(db, owner=ensure_admin(db), media_dir=database.settings.media_dir,
                  with_video=True)
    headers = bearer(database, "admin")
    assert client.get("/api/health").status_code == 200
    assert "demo" in [s["name"] for s in client.get("/api/studies", headers=headers).json()]
    sessions = client.get("/api/studies/demo/sessions", headers=headers).json()
    vignette = next(s for s in sessions if s["name"] == "vignette")
    assert vignette["duration_ms"] == 360_000 and vignette["media"][0]["fps"] == 10.0
    assert any(s["name"].startswith("sim-") for s in sessions)
    url = vignette["media"][0]["url"]
    part = client.get(url, headers={**headers, "Range": "bytes=100-199"})
    assert part.status_code == 206 and len(part.content) == 100
    size = vignette["media"][0]["size_bytes"]
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    whole = Path(database.settings.media_dir).rglob("*")
    assert any(p.is_file() and p.stat().st_size == size for p in whole)


def test_loading_the_demo_twice_changes_nothing(database: Database) -> None:
    with database.session() as db:
        first = load_demo(db, owner=ensure_admin(db), media_dir=database.settings.media_dir,
                          with_video=False)
        again = load_demo(db, owner=ensure_admin(db), media_dir=database.settings.media_dir,
                          with_video=False)
    assert first.id == again.id
