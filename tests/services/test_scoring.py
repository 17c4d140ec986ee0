"""Scoring stored codings, on SQLite and PostgreSQL, and the cohort table of a study."""

from __future__ import annotations

import pytest

from samspill.core.errors import InputError
from samspill.core.selection import EVERY_CODING
from samspill.services import coding_ratings, studies
from samspill.services.access import scores_visible
from samspill.services.scores_json import scores_to_json
from samspill.services.scoring import (
    IDENTITY_COLUMNS,
    cohort_for_study,
    score_stored_coding,
)
from samspill.services.simulation import add_simulated_sessions
from samspill.store.db import Database
from tests.factories import make_coded_session, make_user

COHORT_COLUMNS = [
    "session", "coder", "initiative_share", "response_latency_median_ms", "unanswered_share",
    "muted_share", "hold_median_ms", "putdowns_despite_protest", "redirect_share", "far_share",
    "hostile_rate_per_10min", "initiative_flag", "responsiveness_flag", "cursory_contact_flag",
    "redirection_flag", "distance_flag", "low_hostility_flag", "count_AE", "count_RB",
    "count_FD", "count_NI", "count_WD", "level", "disrupted", "sim_style",
    # Added with the three states: per sign its state, reason and stability, the qualifier.
    "putdown_share", "proximity_coverage", "initiative_state", "initiative_reason",
    "initiative_stability", "distance_state", "hostility_qualifier", "hostility_reason",
    "hostility_stability", "signs_present", "signs_absent", "signs_not_observable",
]
SIGNS = ["initiative", "responsiveness", "cursory_contact", "redirection", "distance"]


def test_the_stored_vignette_shows_the_five_signs_present_and_little_hostility(
        database: Database) -> None:
    with database.session() as db:
        result = scores_to_json(score_stored_coding(db, make_coded_session(db).coding))
    session = {i["id"]: i for i in result["indicators"] if i["scope"] == "session"}
    assert sorted(session) == sorted([*SIGNS, "hostility"])
    assert all(session[s]["state"] == "present" and session[s]["flag"] for s in SIGNS)
    assert session["hostility"]["kind"] == "qualifier" and session["hostility"]["state"] == "low"
    whole = next(s for s in result["scopes"] if s["scope"] == "session")
    assert (whole["signs_present"], whole["signs_not_observable"]) == (5, 0)
    assert all(session[s]["stability"] is not None for s in SIGNS)  # stored: with stability
    # By hand from the timeline: answers after 7 s and 8 s; the bid made while held is in
    # contact and not scored, so 4 of the 6 scored bids are unanswered.
    assert session["responsiveness"]["values"]["response_latency_median_ms"] == 7500
    assert session["responsiveness"]["values"]["unanswered_share"] == pytest.approx(4 / 6)
    assert "not clinical norms" in result["disclaimer"]


def test_a_study_cutoff_overrides_the_schemes(database: Database) -> None:

    with database.session() as db:
        built = make_coded_session(db)
        coding_ratings.set_ratings(db, coding=built.coding, ratings={"level": 5})
        assert scores_to_json(score_stored_coding(db, built.coding))["disrupted"] is True
        built.study.settings = {"disrupted_cutoff": 6}
        db.flush()
        result = scores_to_json(score_stored_coding(db, built.coding))
    assert (result["disrupted"], result["cutoff"]) == (False, 6)


def test_a_misspelt_study_setting_is_an_error_naming_it(database: Database) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        built.study.settings = {"indicators": {"respnse_window_ms": 5000}}
        db.flush()
        with pytest.raises(InputError, match="respnse_window_ms"):
            score_stored_coding(db, built.coding)


def test_cohort_has_one_row_per_coding_with_the_documented_columns(database: Database) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        add_simulated_sessions(db, study=built.study, style="withdrawn", sessions=2, seed=3)
        add_simulated_sessions(db, study=built.study, style="sensitive", sessions=2, seed=3)
        cohort = cohort_for_study(db, studies.get_study(db, "s1"))
    table = cohort.table
    assert len(table) == 5 and cohort.excluded.empty
    assert set(COHORT_COLUMNS) <= set(table.columns)
    assert set(table["initiative_state"]) <= {"present", "absent", "not_observable"}
    assert set(table["hostility_qualifier"]) <= {"low", "hostile", "not_observable"}
    assert (table[["signs_present", "signs_absent", "signs_not_observable"]].sum(axis=1)
            == 5).all()
    assert table["distance_stability"].between(0, 1).all()
    # The flag is kept for old exports: True exactly when the sign is present.
    assert (table["distance_flag"] == (table["distance_state"] == "present")).all()
    styles = table.set_index("session")["sim_style"]
    assert styles.dropna().value_counts().to_dict() == {"withdrawn": 2, "sensitive": 2}
    withdrawn = table[table["sim_style"] == "withdrawn"]
    sensitive = table[table["sim_style"] == "sensitive"]
    assert withdrawn["far_share"].min() > sensitive["far_share"].max()


def test_cohort_without_stability_has_no_stability_columns(database: Database) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        table = cohort_for_study(db, built.study, stability=False).table
    assert len(table) == 1 and "distance_stability" not in table
    assert table.loc[0, "distance_state"] == "present"


def test_codings_that_cannot_be_scored_are_set_apart_and_the_rest_scored(
        database: Database) -> None:
    from samspill.core.events import Event
    from samspill.services import codings
    from samspill.services.schemes import latest_version

    with database.session() as db:
        built = make_coded_session(db)
        add_simulated_sessions(db, study=built.study, style="withdrawn", sessions=2, seed=3)
        version = latest_version(db, "withdrawal-open")
        dyad = built.session.dyad
        # A hold left running (a coder still at work).
        running = codings.create_coding(db, session=built.session, coder=make_user(db, "rita"),
                                        scheme_version=version)
        codings.upsert_event(db, coding=running, event=Event(
            subject="caregiver", code="hold", onset_ms=5000))
        # An event past the end: the session was shortened after coding.
        short = studies.create_session(db, study=built.study, dyad=dyad, name="short",
                                       duration_ms=60_000)
        late = codings.create_coding(db, session=short, coder=built.owner,
                                     scheme_version=version)
        codings.replace_events(db, coding=late, events=[
            Event(subject="child", code="bid", onset_ms=50_000, modifiers={"kind": "approach"})])
        short.duration_ms = 40_000
        # A session with no length and no events.
        empty = studies.create_session(db, study=built.study, dyad=dyad, name="empty")
        codings.create_coding(db, session=empty, coder=built.owner, scheme_version=version)
        db.flush()
        cohort = cohort_for_study(db, built.study, stability=False, pooled=EVERY_CODING)
    table, excluded = cohort.table, cohort.excluded
    assert len(table) == 3  # the vignette and the two simulated sessions
    assert list(excluded.columns) == [*IDENTITY_COLUMNS, "reason", "fix"]
    why = excluded.set_index("session")
    assert sorted(zip(excluded["session"], excluded["coder"], strict=True)) == sorted(
        [("v1", "rita"), ("short", built.owner.username), ("empty", built.owner.username)])
    assert "'hold' at 5000 ms has no offset" in why.at["v1", "reason"]
    assert "beyond the media's duration 40000 ms" in why.at["short", "reason"]
    assert "has no length" in why.at["empty", "reason"]
    assert why.at["empty", "fix"] == "attach its video or set its duration"
    assert why["fix"].str.len().gt(0).all()


def test_a_study_setting_in_error_fails_the_cohort_rather_than_each_coding(
        database: Database) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        built.study.settings = {"indicators": {"respnse_window_ms": 5000}}
        db.flush()
        with pytest.raises(InputError, match="respnse_window_ms"):
            cohort_for_study(db, built.study)


def test_simulating_the_same_seed_twice_into_two_studies_works(database: Database) -> None:
    with database.session() as db:
        one = make_coded_session(db, study_name="one").study
        two = make_coded_session(db, study_name="two", events=[]).study
        add_simulated_sessions(db, study=one, style="hostile", sessions=1, seed=9)
        add_simulated_sessions(db, study=two, style="hostile", sessions=1, seed=9)
        assert len(cohort_for_study(db, two, stability=False).table) == 2


def test_scores_are_hidden_from_trainees_by_default_and_from_coders_on_request(
        database: Database) -> None:
    with database.session() as db:
        study = make_coded_session(db).study
        assert scores_visible(study, "owner") and scores_visible(study, "coder")
        assert not scores_visible(study, "trainee") and not scores_visible(study, None)
        study.settings = {"hide_scores_from_coders": True}
        assert not scores_visible(study, "coder")
