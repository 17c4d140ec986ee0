"""Scoring stored codings, on SQLite and PostgreSQL, and the cohort table of a study."""

from __future__ import annotations

import pytest

from samspill.core.errors import InputError
from samspill.core.scoring import scores_to_json
from samspill.services import studies
from samspill.services.scoring import cohort_for_study, score_stored_coding, scores_visible
from samspill.services.simulation import add_simulated_sessions
from samspill.store.db import Database
from tests.factories import make_coded_session

COHORT_COLUMNS = [
    "session", "coder", "initiative_share", "response_latency_median_ms", "unanswered_share",
    "muted_share", "hold_median_ms", "putdowns_despite_protest", "redirect_share", "far_share",
    "hostile_rate_per_10min", "initiative_flag", "responsiveness_flag", "cursory_contact_flag",
    "redirection_flag", "distance_flag", "low_hostility_flag", "count_AE", "count_RB",
    "count_FD", "count_NI", "count_WD", "level", "disrupted", "sim_style",
]


def test_the_stored_vignette_flags_all_six_signs(database: Database) -> None:
    with database.session() as db:
        result = scores_to_json(score_stored_coding(db, make_coded_session(db).coding))
    session = {i["id"]: i for i in result["indicators"] if i["scope"] == "session"}
    assert all(item["flag"] for item in session.values()) and len(session) == 6
    # By hand from the timeline: answers after 7 s and 8 s; 5 of 7 bids unanswered.
    assert session["responsiveness"]["values"]["response_latency_median_ms"] == 7500
    assert session["responsiveness"]["values"]["unanswered_share"] == pytest.approx(5 / 7)
    assert "not clinical norms" in result["disclaimer"]


def test_a_study_cutoff_overrides_the_schemes(database: Database) -> None:
    from samspill.services import codings

    with database.session() as db:
        built = make_coded_session(db)
        codings.set_ratings(db, coding=built.coding, ratings={"level": 5})
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
        table = cohort_for_study(db, studies.get_study(db, "s1"))
    assert len(table) == 5
    assert set(COHORT_COLUMNS) <= set(table.columns)
    styles = table.set_index("session")["sim_style"]
    assert styles.dropna().value_counts().to_dict() == {"withdrawn": 2, "sensitive": 2}
    withdrawn = table[table["sim_style"] == "withdrawn"]
    sensitive = table[table["sim_style"] == "sensitive"]
    assert withdrawn["far_share"].min() > sensitive["far_share"].max()


def test_simulating_the_same_seed_twice_into_two_studies_works(database: Database) -> None:
    with database.session() as db:
        one = make_coded_session(db, study_name="one").study
        two = make_coded_session(db, study_name="two", events=[]).study
        add_simulated_sessions(db, study=one, style="hostile", sessions=1, seed=9)
        add_simulated_sessions(db, study=two, style="hostile", sessions=1, seed=9)
        assert len(cohort_for_study(db, two)) == 2


def test_scores_are_hidden_from_trainees_by_default_and_from_coders_on_request(
        database: Database) -> None:
    with database.session() as db:
        study = make_coded_session(db).study
        assert scores_visible(study, "owner") and scores_visible(study, "coder")
        assert not scores_visible(study, "trainee") and not scores_visible(study, None)
        study.settings = {"hide_scores_from_coders": True}
        assert not scores_visible(study, "coder")
