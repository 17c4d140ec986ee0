"""Two writers of one coding at the same moment (two browsers, two API clients): the coding's
row is held while a batch is checked and written, so of two overlapping states one is stored
and the other refused, on SQLite and on PostgreSQL (issue 20: 11 of 30 and 27 of 30 before)."""

from __future__ import annotations

import threading
import uuid

from samspill.core.errors import RefusedError, SamspillError
from samspill.services import actions, codings
from samspill.store.db import Database
from samspill.store.models import Coding, EventRow
from tests.factories import make_coded_session

TRIES = 15


def _hold(onset: int, offset: int | None) -> actions.Action:
    event = {"id": str(uuid.uuid4()), "subject": "caregiver", "code": "hold",
             "onset_ms": onset, "offset_ms": offset}
    return actions.Action.model_validate({"id": str(uuid.uuid4()), "type": "add", "event": event})


def _race(database: Database, coding_id: int, batches: list[actions.Action]) -> list[object]:
    """Each action saved by its own thread and database session, started together."""
    start = threading.Barrier(len(batches))
    outcomes: list[object] = [None] * len(batches)

    def save(i: int) -> None:
        start.wait()
        try:
            with database.session() as db:
                coding = codings.get_coding(db, coding_id)
                actions.apply_actions(db, coding=coding, actions=[batches[i]])
            outcomes[i] = "stored"
        except SamspillError as error:
            outcomes[i] = error

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_overlapping_holds_sent_at_once_are_never_both_stored(database: Database) -> None:
    with database.session() as db:
        built = make_coded_session(db, events=[])
        coding_id = built.coding.id
    for i in range(TRIES):
        base = 10_000 * i
        outcomes = _race(database, coding_id, [_hold(base + 1000, base + 5000),
                                               _hold(base + 2000, base + 6000)])
        assert sorted(map(type, outcomes), key=str) == sorted([str, RefusedError], key=str), \
            outcomes
    with database.session() as db:
        assert db.query(EventRow).filter(EventRow.coding_id == coding_id).count() == TRIES


def test_two_running_states_started_at_once_never_run_together(database: Database) -> None:
    with database.session() as db:
        built = make_coded_session(db, events=[])
        coding_id = built.coding.id
    outcomes = _race(database, coding_id, [_hold(1000, None), _hold(1500, None)])
    assert sum(o == "stored" for o in outcomes) == 1, outcomes
    with database.session() as db:
        events = codings.coding_events(db, db.get(Coding, coding_id))
        assert len(events) == 1
