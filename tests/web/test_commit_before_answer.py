"""A write is answered only after its commit: a commit that fails is never reported as saved."""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.orm import Session

from samspill.store.db import Database
from samspill.store.models import Coding
from tests.factories import Built
from tests.web.conftest import bearer


def test_a_failed_commit_answers_503_and_the_change_is_not_kept(
    client, database: Database, built: Built
) -> None:
    def full_disk(_session: Session) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    headers = bearer(database, built.owner.username)
    before = built.coding.status
    event.listen(Session, "before_commit", full_disk)
    try:
        response = client.put(
            f"/api/codings/{built.coding.id}/status", json={"status": "submitted"}, headers=headers
        )
    finally:
        event.remove(Session, "before_commit", full_disk)
    assert response.status_code == 503
    assert response.json()["error"]["message"].startswith("the server's disk is full")
    with database.session() as db:
        assert db.get(Coding, built.coding.id).status == before != "submitted"
    retry = client.put(
        f"/api/codings/{built.coding.id}/status", json={"status": "submitted"}, headers=headers
    )
    assert retry.status_code == 200 and retry.json()["status"] == "submitted"
