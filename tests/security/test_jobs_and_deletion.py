"""Jobs are capped per user and per server (issue 21, item 16); a deleted dyad's data is gone
from earlier export jobs and from the SQLite WAL when the deletion answers (item 18)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from samspill.services import accounts
from samspill.services.jobs import REGISTRY, TooManyJobsError
from samspill.store.db import Database
from samspill.web.app import create_app
from tests.security.world import CHILD_NAME, World, marker


@pytest.fixture
def small_caps() -> Iterator[threading.Event]:
    """Caps of 2 per user and 3 per server; the event releases the jobs the test blocked."""
    release = threading.Event()
    REGISTRY.configure(per_user=2, per_server=3)
    yield release
    release.set()
    REGISTRY.configure(per_user=3, per_server=8)


def _blocked(release: threading.Event):
    return lambda _progress: release.wait(30)


def test_a_user_past_the_cap_gets_a_clear_refusal(small_caps: threading.Event) -> None:
    for _ in range(2):
        REGISTRY.start(_blocked(small_caps), user_id=9001, study="s1", kind="Export")
    with pytest.raises(TooManyJobsError, match="most one user may run at once") as refused:
        REGISTRY.start(_blocked(small_caps), user_id=9001, study="s1", kind="Export")
    assert refused.value.status_code == 429 and "wait until one" in refused.value.fix
    REGISTRY.start(_blocked(small_caps), user_id=9002, study="s1", kind="Export")  # another user
    with pytest.raises(TooManyJobsError, match="server runs 3"):
        REGISTRY.start(_blocked(small_caps), user_id=9003, study="s1", kind="Export")


def test_the_export_form_answers_429_at_the_cap(world: World) -> None:
    settings = world.settings.model_copy(update={"max_jobs_per_user": 1})
    database = Database(settings)
    with database.session() as db:
        owner_id = accounts.get_user(db, "own").id
    release = threading.Event()
    try:
        with TestClient(create_app(settings, database=database)) as client:
            REGISTRY.start(lambda _p: release.wait(30), user_id=owner_id, study="s1", kind="x")
            refused = client.post("/studies/s1/export", data={"what": "events"},
                                  headers=world.headers("own"), follow_redirects=False)
        assert refused.status_code == 429
        assert "most one user may run at once" in refused.json()["error"]["message"]
    finally:
        release.set()
        REGISTRY.configure(per_user=3, per_server=8)
        database.dispose()


def test_an_export_made_before_a_dyad_was_deleted_no_longer_serves_it(
    world: World, world_client: TestClient
) -> None:
    own = world.headers("own")
    started = world_client.post("/studies/s1/export", data={"what": "events"}, headers=own,
                                follow_redirects=False)
    page = started.headers["location"]
    job_id = page.rsplit("/", 1)[-1]
    assert REGISTRY.wait(job_id, 60).state == "done"
    before = world_client.get(f"{page}/export", headers=own)
    assert before.status_code == 200 and marker("cod") in before.text
    assert world_client.delete("/api/studies/s1/dyads/D01", headers=own).status_code == 200
    after = world_client.get(f"{page}/export", headers=own)
    assert after.status_code == 404 and marker("cod") not in after.text
    status = world_client.get(f"/api/studies/s1/jobs/{job_id}", headers=own).json()
    assert status["state"] == "failed" and "deleted" in status["error"]["message"]


def test_a_running_export_finishing_after_the_deletion_keeps_no_result(
    small_caps: threading.Event,
) -> None:
    job = REGISTRY.start(lambda _p: small_caps.wait(30) and "the dyad's rows",
                         user_id=9004, study="s7", kind="Export")
    REGISTRY.discard_study("s7")
    small_caps.set()
    assert REGISTRY.wait(job.id, 30).result is None and job.state == "failed"


def test_the_deletion_answers_only_after_the_wal_is_emptied_and_the_names_are_gone(
    world: World, world_client: TestClient
) -> None:
    own = world.headers("own")
    assert world_client.delete("/api/studies/s1/dyads/D01", headers=own).status_code == 200
    database_file = world.settings.sqlite_path
    wal = database_file.with_name(database_file.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    stored = database_file.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    for secret in (CHILD_NAME, marker("cod"), marker("master")):
        assert secret.encode() not in stored, secret
