"""The server refuses what the coding screen must never send (issue 20): overlapping states of
one lane, running states at once, overlapping segments, a required modifier taken away, a
submit with a state running or a required modifier missing, and stale edits; each with a
message and a fix (in bokmål too), 409/422, and nothing stored."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from samspill.core.events import Event
from samspill.services import codings, studies
from samspill.store.db import Database
from samspill.store.models import Coding
from tests.factories import Built, make_coded_session
from tests.web.conftest import bearer


@pytest.fixture
def empty(database: Database) -> Built:
    with database.session() as db:
        return make_coded_session(db, events=[])


def _state(code: str, onset: int, offset: int | None = None, **extra: Any) -> dict[str, Any]:
    subject = "child" if code == "distress" else "caregiver"
    return {"id": str(uuid.uuid4()), "subject": subject, "code": code, "onset_ms": onset,
            "offset_ms": offset, **extra}


def _post(client: TestClient, headers: dict[str, str], built: Built, *actions: dict[str, Any],
          lang: str = "en") -> Any:
    body = {"actions": [{"id": str(uuid.uuid4()), **a} for a in actions]}
    return client.post(f"/api/codings/{built.coding.id}/actions", json=body,
                       headers={**headers, "Accept-Language": lang})


def _events(database: Database, built: Built) -> list[Any]:
    with database.session() as db:
        return codings.coding_events(db, db.get(Coding, built.coding.id))


def test_two_running_states_of_one_exclusive_group_are_refused(
    client: TestClient, database: Database, empty: Built
) -> None:
    headers = bearer(database, empty.owner.username)
    assert _post(client, headers, empty, {"type": "add", "event": _state("near", 1000)}).is_success
    far = _post(client, headers, empty, {"type": "add", "event": _state("far", 2000)})
    assert far.status_code == 409
    error = far.json()["error"]
    assert "'far' would run at the same time as 'near'" in error["message"]
    assert error["fix"].startswith("stop 'near' first")
    assert [e.code for e in _events(database, empty)] == ["near"]
    norsk = _post(client, headers, empty, {"type": "add", "event": _state("absent", 3000)},
                  lang="nb").json()["error"]
    assert "samtidig" in norsk["message"] and "Stopp" in norsk["fix"]


def test_the_exclusive_switch_is_accepted(
    client: TestClient, database: Database, empty: Built
) -> None:
    headers = bearer(database, empty.owner.username)
    near = _state("near", 1000)
    assert _post(client, headers, empty, {"type": "add", "event": near}).is_success
    answer = _post(client, headers, empty, {"type": "edit", "event": {**near, "offset_ms": 5000}},
                   {"type": "add", "event": _state("far", 5000)})
    assert answer.is_success, answer.json()
    assert [e.code for e in _events(database, empty)] == ["near", "far"]


def test_overlapping_closed_states_and_a_state_inside_a_closed_one_are_refused(
    client: TestClient, database: Database, empty: Built
) -> None:
    headers = bearer(database, empty.owner.username)
    assert _post(client, headers, empty, {"type": "add", "event": _state("hold", 1000, 5000)}
                 ).is_success
    assert _post(client, headers, empty, {"type": "add", "event": _state("hold", 2000, 6000)}
                 ).status_code == 409
    assert _post(client, headers, empty, {"type": "add", "event": _state("hold", 3000)}
                 ).status_code == 409
    # A batch with one bad action stores none of it.
    batch = _post(client, headers, empty, {"type": "add", "event": _state("hold", 7000, 8000)},
                  {"type": "add", "event": _state("hold", 7500, 9000)})
    assert batch.status_code == 409
    assert len(_events(database, empty)) == 1


def test_overlapping_segments_are_refused(
    client: TestClient, database: Database, empty: Built
) -> None:
    headers = bearer(database, empty.owner.username)
    first = {"id": str(uuid.uuid4()), "name": "Episode 1", "start_ms": 0, "end_ms": 60_000}
    second = {"id": str(uuid.uuid4()), "name": "Episode 2", "start_ms": 30_000, "end_ms": 90_000}
    assert _post(client, headers, empty, {"type": "segment", "segment": first}).is_success
    answer = _post(client, headers, empty, {"type": "segment", "segment": second})
    assert answer.status_code == 409
    assert "overlaps segment 'Episode 1'" in answer.json()["error"]["message"]
    moved = {**first, "end_ms": 20_000}  # the same segment, changed, is no overlap
    assert _post(client, headers, empty, {"type": "segment", "segment": moved}).is_success
    with database.session() as db:
        assert [s.name for s in studies.segments_of(db, empty.session)] == ["Episode 1"]


def test_an_edit_that_takes_away_a_required_modifier_is_refused(
    client: TestClient, database: Database, empty: Built
) -> None:
    headers = bearer(database, empty.owner.username)
    bid = {"id": str(uuid.uuid4()), "subject": "child", "code": "bid", "onset_ms": 1000,
           "modifiers": {"kind": "show"}}
    assert _post(client, headers, empty, {"type": "add", "event": bid}).is_success
    answer = _post(client, headers, empty, {"type": "edit", "event": {**bid, "modifiers": {}}})
    assert answer.status_code == 422
    assert "lacks its required 'kind'" in answer.json()["error"]["message"]
    assert _events(database, empty)[0].modifiers == {"kind": "show"}


def _submit(client: TestClient, headers: dict[str, str], built: Built) -> Any:
    return client.put(f"/api/codings/{built.coding.id}/status", json={"status": "submitted"},
                      headers=headers)


def test_an_add_without_its_required_modifier_is_refused_in_both_languages(
    client: TestClient, database: Database, empty: Built
) -> None:
    """The screen sends a bid with its kind in one add; an add without it never is stored."""
    headers = bearer(database, empty.owner.username)
    bid = {"id": str(uuid.uuid4()), "subject": "child", "code": "bid", "onset_ms": 1000}
    answer = _post(client, headers, empty, {"type": "add", "event": bid})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert "'bid' at 1000 ms cannot be added without its required 'kind'" in error["message"]
    assert error["fix"].startswith("send the event together with its 'kind'")
    norsk = _post(client, headers, empty, {"type": "add", "event": bid}, lang="nb").json()
    assert "kan ikke legges til uten" in norsk["error"]["message"]
    assert _events(database, empty) == []
    # An edit that would create the event is held to the same rule.
    assert _post(client, headers, empty, {"type": "edit", "event": bid}).status_code == 422
    # Non-required sets (Respond's channel) may still follow in an edit.
    respond = {"id": str(uuid.uuid4()), "subject": "caregiver", "code": "respond",
               "onset_ms": 2000}
    assert _post(client, headers, empty, {"type": "add", "event": bid | {"modifiers": {
        "kind": "show"}}}, {"type": "add", "event": respond}).is_success
    assert sorted(e.code for e in _events(database, empty)) == ["bid", "respond"]


def test_a_submit_with_a_running_state_or_a_missing_required_modifier_is_refused(
    client: TestClient, database: Database
) -> None:
    # A bid without its kind comes only from an import or an older outbox, never the screen.
    bid = Event(id=str(uuid.uuid4()), subject="child", code="bid", onset_ms=2000)
    with database.session() as db:
        empty = make_coded_session(db, events=[bid])
    headers = bearer(database, empty.owner.username)
    near = _state("near", 1000)
    assert _post(client, headers, empty, {"type": "add", "event": near}).is_success
    running = _submit(client, headers, empty)
    assert running.status_code == 409
    assert running.json()["error"]["message"].startswith("1 state(s) still running")
    assert _post(client, headers, empty,
                 {"type": "edit", "event": {**near, "offset_ms": 3000}}).is_success
    missing = _submit(client, headers, empty)
    assert missing.status_code == 409
    assert "lacks its required 'kind'" in missing.json()["error"]["message"]
    edited = {**bid.model_dump(mode="json"), "modifiers": {"kind": "look"}}
    assert _post(client, headers, empty, {"type": "edit", "event": edited}).is_success
    assert _submit(client, headers, empty).json()["status"] == "submitted"


def test_a_stale_edit_is_answered_409_with_both_versions(
    client: TestClient, database: Database, empty: Built
) -> None:
    headers = bearer(database, empty.owner.username)
    hold = _state("hold", 1000, 2000)
    assert _post(client, headers, empty, {"type": "add", "event": hold}).is_success
    read = client.get(f"/api/codings/{empty.coding.id}/workspace", headers=headers).json()
    assert read["events"][0]["version"] == 1
    mine = {**read["events"][0], "offset_ms": 2500}
    theirs = {**read["events"][0], "offset_ms": 3000}
    assert _post(client, headers, empty, {"type": "edit", "event": theirs}).is_success
    stale = _post(client, headers, empty, {"type": "edit", "event": mine})
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert (error["reason"], error["yours"], error["theirs"]) == ("stale", 1, 2)
    assert error["event"]["offset_ms"] == 3000 and error["event"]["version"] == 2
    assert _events(database, empty)[0].offset_ms == 3000
    # Keeping mine: the same edit based on the server's version.
    kept = _post(client, headers, empty, {"type": "edit", "event": mine, "base_version": 2})
    assert kept.is_success and _events(database, empty)[0].offset_ms == 2500


def test_an_edit_after_a_delete_does_not_bring_the_event_back(
    client: TestClient, database: Database, empty: Built
) -> None:
    headers = bearer(database, empty.owner.username)
    hold = _state("hold", 1000, 2000)
    assert _post(client, headers, empty, {"type": "add", "event": hold}).is_success
    assert _post(client, headers, empty, {"type": "delete", "event_id": hold["id"]}).is_success
    late = _post(client, headers, empty, {"type": "edit", "event": {**hold, "offset_ms": 4000}})
    assert late.status_code == 409 and late.json()["error"]["reason"] == "deleted"
    assert _events(database, empty) == []
    # An undone delete (an add of the same id) brings it back, with a newer version.
    assert _post(client, headers, empty, {"type": "add", "event": hold}).is_success
    read = client.get(f"/api/codings/{empty.coding.id}/workspace", headers=headers).json()
    assert read["events"][0]["version"] == 2


def test_a_delete_and_its_undo_in_one_batch_keep_the_event(
    client: TestClient, database: Database, empty: Built
) -> None:
    headers = bearer(database, empty.owner.username)
    far = _state("far", 12_000)
    assert _post(client, headers, empty, {"type": "add", "event": far}).is_success
    assert _post(client, headers, empty, {"type": "delete", "event_id": far["id"]},
                 {"type": "add", "event": {**far, "version": 2}}).is_success
    assert [e.id for e in _events(database, empty)] == [far["id"]]


def test_a_stale_delete_is_refused(client: TestClient, database: Database, empty: Built) -> None:
    headers = bearer(database, empty.owner.username)
    hold = _state("hold", 1000, 2000)
    assert _post(client, headers, empty, {"type": "add", "event": hold}).is_success
    assert _post(client, headers, empty,
                 {"type": "edit", "event": {**hold, "offset_ms": 3000}}).is_success
    stale = _post(client, headers, empty, {"type": "delete", "event_id": hold["id"],
                                           "base_version": 1})
    assert stale.status_code == 409 and stale.json()["error"]["theirs"] == 2
    assert len(_events(database, empty)) == 1


def test_every_refusal_of_the_core_is_marked_for_translation() -> None:
    from samspill.core.coding_rules import TEMPLATES
    from samspill.web.refusals import MARKED

    assert set(TEMPLATES) == set(MARKED)


def test_the_coding_screens_other_errors_are_said_in_bokmaal(
    client: TestClient, database: Database, empty: Built
) -> None:
    """Errors of the services that reach the coding screen (an action lacking a field, a rating
    off its scale, a segment ending before it starts, a locked coding) in the page's language."""
    headers = bearer(database, empty.owner.username)

    def said(*actions: dict[str, Any]) -> tuple[str, str]:
        error = _post(client, headers, empty, *actions, lang="nb").json()["error"]
        return error["message"], error["fix"]

    assert said({"type": "add"})[0].endswith("mangler «event»")
    assert said({"type": "rating", "ratings": {"level": 9}}) == (
        "«9» er ikke på skalaen til «level»", "oppgi et helt tall fra 1 til 7")
    segment = {"id": str(uuid.uuid4()), "name": "Episode 1", "start_ms": 5000, "end_ms": 1000}
    assert said({"type": "segment", "segment": segment})[0] == (
        "segmentet «Episode 1» slutter før det begynner")
    english = _post(client, headers, empty, {"type": "add"}).json()["error"]
    assert english["message"].endswith("lacks 'event'")
    with database.session() as db:
        codings.set_status(db, coding=db.get(Coding, empty.coding.id), status="submitted")
    locked, fix = said({"type": "add", "event": _state("hold", 1000)})
    assert locked.startswith(f"koding {empty.coding.id} er ") and locked.endswith(" og låst")
    assert fix == "be studiens eier om å åpne den igjen"
