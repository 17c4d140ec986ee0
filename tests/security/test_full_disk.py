"""A real full disk: the data folder on a tiny tmpfs, filled up while a coder saves events.

Needs permission to mount a tmpfs (root in a container, as `make test` runs); skipped otherwise.
The simulated cases (read-only, full disk during upload) are in test_hardening.py.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from samspill.store.db import Database
from samspill.store.models import EventRow
from samspill.web.app import create_app
from tests.security.world import World


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _action(onset: int) -> dict:
    event_id = str(uuid.uuid4())
    event = {
        "id": event_id,
        "subject": "child",
        "code": "bid",
        "onset_ms": onset,
        "modifiers": {"kind": "show"},
        "comment": "x" * 2000,
    }
    return {"id": event_id, "type": "add", "event": event}


def test_a_full_disk_refuses_plainly_and_loses_nothing_acknowledged(
    template_world: World, tiny_disk: Path
) -> None:
    world = template_world.copy_to(tiny_disk / "data")
    filler = tiny_disk / "filler"
    free = shutil.disk_usage(tiny_disk).free
    filler.write_bytes(b"\0" * max(free - 256 * 1024, 0))  # leave a little room to fill
    database = Database(world.settings)
    path = f"/api/codings/{world.codings['cod']}/actions"
    acked, refused = [], None
    with TestClient(create_app(world.settings, database=database)) as client:
        for onset in range(1000, 300_000, 1000):
            action = _action(onset)
            response = client.post(path, json={"actions": [action]}, headers=world.headers("cod"))
            if response.status_code != 200:
                refused = (response, action)
                break
            acked.append(action["id"])
        assert refused is not None, "the disk never filled up"
        response, pending = refused
        assert response.status_code == 503
        assert response.json()["error"]["message"].startswith("the server's disk is full")
        filler.unlink()  # the administrator frees space; the outbox sends again
        retry = client.post(path, json={"actions": [pending]}, headers=world.headers("cod"))
        assert retry.status_code == 200 and retry.json()[0]["status"] == "applied"
    with database.session() as db:
        stored = db.scalar(select(func.count()).where(EventRow.id.in_([*acked, pending["id"]])))
    database.dispose()
    assert acked and stored == len(acked) + 1
