"""One scoring pipeline: the cohort CSV, the cohort export and the cohort PDF hold the same
codings (training and reliability codings are none of them; a reconciled coding is; one that
cannot be scored is left out of each for the same reason), and a session report scores as the
coding screen does."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from samspill.core.events import Event
from samspill.core.scoring import cohort_table
from samspill.core.selection import EVERY_CODING
from samspill.core.vignette import vignette_events
from samspill.reports.cohort_report import cohort_document
from samspill.reports.render import render
from samspill.services import assignments, codings, consensus, exports, studies
from samspill.services.reporting import coding_data, cohort_data
from samspill.services.schemes import latest_version
from samspill.services.scores_json import scores_to_json
from samspill.services.scoring import cohort_for_study, in_cohort, score_stored_coding
from samspill.store.db import Database
from samspill.store.models import ObservationSession
from tests.factories import make_coded_session, make_user
from tests.reports.conftest import pdf_text, store_cohort


def _mixed_study(db: Session) -> dict[str, Any]:
    """``store_cohort`` (six study codings, one training coding) and more: a reliability
    coding, a session reconciled from two coders' codings (the reconciled one its master), and
    a coding with a state left running, which cannot be scored."""
    built = store_cohort(db, name="mix", n_each=2)
    study, owner, sessions = built["study"], built["owner"], built["sessions"]
    version = latest_version(db, "withdrawal-open")
    users = {}
    for name, role in (("tina", "trainee"), ("rel", "coder"), ("ben", "coder"),
                       ("rita", "coder")):
        users[name] = make_user(db, name)
        studies.set_role(db, study=study, user=users[name], role=role)
    practice = codings.create_coding(db, session=sessions[1], coder=users["tina"],
                                     scheme_version=version, purpose="training")
    codings.replace_events(db, coding=practice, events=_copy(db, sessions[1])[:20])
    reliability = codings.create_coding(db, session=sessions[2], coder=users["rel"],
                                        scheme_version=version, purpose="reliability")
    codings.replace_events(db, coding=reliability, events=_copy(db, sessions[2]))
    # Two coders of session 3; the owner reconciles them into the master coding.
    reconciled = sessions[3]
    first = codings.codings_of(db, reconciled)[0]
    second = codings.create_coding(db, session=reconciled, coder=users["ben"],
                                   scheme_version=version)
    codings.replace_events(db, coding=second, events=_copy(db, reconciled))
    for coding in (first, second):
        codings.set_status(db, coding=coding, status="submitted")
    assignments.assign(db, session=reconciled, usernames=[owner.username, "ben"], by=owner)
    assignments.open_reconciliation(db, session=reconciled, by=owner, tolerance_ms=1000)
    master = consensus.build(db, session=reconciled, by=owner, event_choices={},
                             rating_choices={}, master=True)
    running = codings.create_coding(db, session=sessions[0], coder=users["rita"],
                                    scheme_version=version)
    codings.upsert_event(db, coding=running, event=Event(
        subject="caregiver", code="hold", onset_ms=299_000))
    return {**built, "practice": practice, "reliability": reliability, "master": master,
            "running": running}


def _copy(db: Session, session: ObservationSession) -> list[Event]:
    """The events of the session's first coding, with new ids."""
    first = codings.codings_of(db, session)[0]
    return [Event(**e.model_dump(exclude={"id"})) for e in codings.coding_events(db, first)]


def test_the_cohort_csv_the_export_and_the_pdf_hold_the_same_codings(
        database: Database) -> None:
    with database.session() as db:
        built = _mixed_study(db)
        ids = {k: built[k].id for k in ("practice", "reliability", "master", "running")}
    with database.session() as db:
        study = studies.get_study(db, "mix")
        # Every coding: the rule of which codings the cohort holds, not of one per session.
        csv = cohort_for_study(db, study, pooled=EVERY_CODING)
        exported = exports.table_export(db, study, "cohort", "csv",
                                        exports.choose_codings(db, study), pooled=EVERY_CODING)
        report = cohort_data(db, study="mix", pooled=EVERY_CODING)
        held = {c.id for s in studies.sessions_of(db, study) for c in codings.codings_of(db, s)
                if in_cohort(c)}
    export_table = pd.read_csv(io.BytesIO(exported.body))
    rows = ["coding_id", "dyad", "session", "coder", "status"]
    # The same codings, scored the same: CSV (samspill cohort), export, report data.
    assert list(csv.table[rows].itertuples(index=False)) == list(
        export_table[rows].itertuples(index=False)) == list(
        report.table[rows].itertuples(index=False))
    assert set(csv.table["coding_id"]) == held - {ids["running"]}
    assert ids["master"] in held and not {ids["practice"], ids["reliability"]} & held
    assert (report.table["purpose"] == "study").all()
    for column in ("initiative_state", "distance_stability", "level", "signs_present"):
        pd.testing.assert_series_equal(csv.table[column], report.table[column],
                                       check_dtype=False)
    # The same coding left out, for the same reason, in each.
    for excluded in (csv.excluded, exported.excluded):
        assert list(excluded["coding_id"]) == [ids["running"]]
    assert report.excluded == (f"s00/rita: {csv.excluded['reason'].iloc[0]}",)
    # The PDF: the number of codings, each one's row, the left-out coding; no practice.
    text, _pages = pdf_text(render(cohort_document(report, "en"), "pdf"))
    assert f"Codings {len(csv.table)} " in text
    table = text[text.rindex("Dyad Session Coder Status"):]
    for (dyad, session, coder), n in csv.table.value_counts(["dyad", "session", "coder"]).items():
        assert table.count(f"{dyad} {session} {coder} ") == n, (session, coder)
    assert "Left out (cannot be scored) s00/rita:" in text
    assert "tina" not in text and " rel " not in text


def test_a_session_report_scores_as_the_coding_screen_does(database: Database) -> None:
    """With stability, and the report's row of the cohort equals the CSV's."""
    with database.session() as db:
        built = make_coded_session(db)
        data = coding_data(db, built.coding)
        panel = score_stored_coding(db, built.coding)
        csv = cohort_for_study(db, built.study)
    assert data.has_stability
    pd.testing.assert_frame_equal(data.indicators, panel.indicators)
    pd.testing.assert_frame_equal(data.evidence, panel.evidence)
    pd.testing.assert_frame_equal(data.pivotal, panel.pivotal)
    assert data.rating["level"] == scores_to_json(panel)["level"]
    row = cohort_table(panel).drop(columns="coding")
    pd.testing.assert_frame_equal(row.reset_index(drop=True),
                                  csv.table[list(row.columns)].reset_index(drop=True),
                                  check_dtype=False)


def test_a_session_without_length_is_scored_to_its_last_event(database: Database) -> None:
    """One length rule: 1 ms past the last onset or offset, also when every event is a point
    (the cohort once failed there with a TypeError)."""
    points = [e for e in vignette_events() if e.offset_ms is None]
    with database.session() as db:
        built = make_coded_session(db, events=points)
        built.session.duration_ms = None
        db.flush()
        data = coding_data(db, built.coding, stability=False)
        cohort = cohort_for_study(db, built.study, stability=False)
    assert data.header.duration_ms == max(e.onset_ms for e in points) + 1
    assert len(cohort.table) == 1 and cohort.excluded.empty
