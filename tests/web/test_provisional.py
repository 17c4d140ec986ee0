"""A running state never fails a page (issue 20): the signs are counted up to the playhead
(the panel) or the end of the media (the pages), and marked as provisional."""

from __future__ import annotations

from fastapi.testclient import TestClient

from samspill.core.vignette import vignette_events
from samspill.services import agreement, codings
from samspill.store.db import Database
from tests.factories import Built, make_coded_session
from tests.web.conftest import bearer
from tests.web.test_pages import _login


def _running(database: Database) -> Built:
    """The vignette with its last proximity state left running (a coder left the screen)."""
    events = vignette_events()
    last = max((e for e in events if e.code in ("near", "far", "absent")),
               key=lambda e: e.onset_ms)
    events = [e if e.id != last.id else e.model_copy(update={"offset_ms": None})
              for e in events]
    with database.session() as db:
        built = make_coded_session(db, events=[])
        for event in events:  # as the screen saves them (an import refuses a running state)
            codings.upsert_event(db, coding=built.coding, event=event, kind="add")
        return built


def test_the_panel_counts_a_running_state_up_to_the_playhead(
    client: TestClient, database: Database
) -> None:
    built = _running(database)
    headers = {**bearer(database, built.owner.username), "Accept-Language": "nb"}
    path = f"/api/codings/{built.coding.id}/scores"
    to_end = client.get(path, headers=headers)
    assert to_end.status_code == 200, to_end.json()
    assert to_end.json()["provisional"] is True
    assert "Foreløpig" in to_end.json()["display"]["provisional"]
    at_playhead = client.get(path, params={"until_ms": 200_000}, headers=headers).json()
    assert at_playhead["provisional_until"] == 200_000
    assert at_playhead["display"]["provisional"] != to_end.json()["display"]["provisional"]


def test_the_session_page_and_the_report_show_a_provisional_score(
    client: TestClient, database: Database
) -> None:
    built = _running(database)
    _login(client, built.owner.username)
    page = client.get(f"/studies/{built.study.name}/sessions/{built.session.name}")
    assert page.status_code == 200
    assert "scores-provisional" in page.text and "cannot be computed" not in page.text
    report = client.get(f"/studies/{built.study.name}/sessions/{built.session.name}/report")
    assert report.status_code == 200 and "Provisional: a state was still running" in report.text
    norsk = client.get(f"/studies/{built.study.name}/sessions/{built.session.name}/report",
                       params={"lang": "nb"})
    assert "Foreløpig: en tilstand løp fortsatt" in norsk.text


def test_agreement_scores_a_coding_with_a_running_state(database: Database) -> None:
    built = _running(database)
    with database.session() as db:
        coding = codings.get_coding(db, built.coding.id)
        rows = agreement.score_rows(db, coding.session.study, [coding])
        assert list(rows["coding_id"]) == [coding.id]


def test_a_final_score_is_not_provisional(
    client: TestClient, database: Database, built: Built
) -> None:
    _login(client, built.owner.username)
    report = client.get(f"/studies/{built.study.name}/sessions/{built.session.name}/report")
    assert report.status_code == 200 and "Provisional" not in report.text
    answer = client.get(f"/api/codings/{built.coding.id}/scores",
                        headers=bearer(database, built.owner.username)).json()
    assert answer["provisional"] is False and answer["display"]["provisional"] == ""
