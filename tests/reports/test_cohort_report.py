"""The cohort report: one row per study coding, distributions, counts, the agreement hook."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from pypdf import PdfReader

from samspill.core.events import Event
from samspill.core.indicators import DISCLAIMER, SIGNS
from samspill.reports.cohort_report import cohort_document
from samspill.reports.data import CohortData
from samspill.reports.i18n import SIGN_TITLES
from samspill.reports.render import render, render_html
from samspill.services import coding_ratings, codings, studies
from samspill.services.reporting import agreement_summary, cohort_data
from samspill.services.schemes import register_builtin_schemes
from samspill.settings import Settings
from samspill.store.db import Database
from tests.factories import make_user
from tests.reports.conftest import collapse, pdf_text, store_cohort


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> CohortData:
    database = Database(Settings(data_dir=tmp_path_factory.mktemp("cohort")))
    database.migrate()
    with database.session() as db:
        register_builtin_schemes(db)
        store_cohort(db)
    with database.session() as db:
        data = cohort_data(db, study="coh")
    database.dispose()
    return data


def test_one_row_per_study_coding_without_training_codings(cohort: CohortData) -> None:
    table = cohort.table
    assert len(table) == 6 and set(table["purpose"]) == {"study"}
    assert list(table["session"]) == [f"s{i:02d}" for i in range(6)]
    assert table["level"].isna().sum() == 1  # the one coding left unrated
    assert set(table["classification"].dropna()) == {"disrupted", "not disrupted"}
    assert {f"{sign}_flag" for sign in SIGN_TITLES} <= set(table.columns)


def test_the_table_has_each_sign_s_state_reason_and_stability(cohort: CohortData) -> None:
    table = cohort.table
    for sign in SIGNS:
        for column in ("state", "reason", "stability", "stable"):
            assert f"{sign}_{column}" in table, (sign, column)
        assert set(table[f"{sign}_state"]) <= {"present", "absent", "not_observable"}
    for column in ("hostility_qualifier", "hostility_reason", "hostility_stability",
                   "signs_present", "signs_absent", "signs_not_observable"):
        assert column in table, column


def test_withdrawn_dyads_show_more_signs_than_sensitive_ones(cohort: CohortData) -> None:
    """A sanity check of the inputs the report summarises (the simulator's styles)."""
    present = (cohort.table[[f"{sign}_state" for sign in SIGNS]] == "present").sum(axis=1)
    assert present.iloc[:3].mean() > present.iloc[3:].mean()


def test_cohort_pdf_has_states_distributions_levels_and_classification_counts(
        cohort: CohortData) -> None:
    content = render(cohort_document(cohort, "en"), "pdf")
    text, pages = pdf_text(content)
    for expected in ("Cohort report", "Codings 6", "Distributions of the measures",
                     "Signs across the codings", "Levels and classifications",
                     "Classification counts", "disrupted 2", "not disrupted 3", "not rated 1",
                     collapse(DISCLAIMER)):
        assert expected in text, expected
    for title in SIGN_TITLES.values():
        assert title in text
    assert "Agreement between coders" not in text and "flagged" not in text
    assert 2 <= pages <= 8
    assert all(len(p.images) == 0 for p in PdfReader(io.BytesIO(content)).pages)


def test_cohort_html_has_three_svg_plots(cohort: CohortData) -> None:
    """The signs' states, the distributions, the levels."""
    page = render_html(cohort_document(cohort, "en"))
    assert page.count("<svg") == 3 and "Agreement between coders" not in page


def test_agreement_section_appears_only_when_statistics_are_given(cohort: CohortData) -> None:
    agreement = pd.DataFrame({"measure": ["level", "classification"],
                              "statistic": ["ICC(2,1)", "Cohen's kappa"],
                              "value": [0.8123, 0.6667], "n": [6, 6]})
    with_agreement = CohortData(**{**cohort.__dict__, "agreement": agreement})
    text, _pages = pdf_text(render(cohort_document(with_agreement, "en"), "pdf"))
    assert "Agreement between coders" in text
    assert "level ICC(2,1) 0.812 6" in text and "Cohen's kappa 0.667" in text
    norwegian = render_html(cohort_document(with_agreement, "nb"))
    assert "Samsvar mellom kodere" in norwegian and "0,812" in norwegian


def test_a_coding_that_cannot_be_scored_is_left_out_and_named(database: Database) -> None:
    with database.session() as db:
        built = store_cohort(db, name="half", n_each=1)
        running = codings.codings_of(db, built["sessions"][1])[0]  # type: ignore[index]
        codings.set_status(db, coding=running, status="in_progress")
        codings.upsert_event(db, coding=running, event=Event(
            subject="caregiver", code="hold", onset_ms=299_000))  # a state still running
    with database.session() as db:
        data = cohort_data(db, study="half")
    assert len(data.table) == 1
    assert len(data.excluded) == 1 and data.excluded[0].startswith("s01/owner-half")
    text, _pages = pdf_text(render(cohort_document(data, "en"), "pdf"))
    assert "Left out (cannot be scored)" in text


def test_a_study_without_codings_gives_a_short_report(sqlite_database: Database) -> None:
    with sqlite_database.session() as db:
        studies.create_study(db, name="empty", owner=make_user(db, "own"))
    with sqlite_database.session() as db:
        data = cohort_data(db, study="empty")
    text, pages = pdf_text(render(cohort_document(data, "en"), "pdf"))
    assert "The study has no scored codings yet." in text and pages == 1


def test_double_coded_sessions_bring_the_agreement_summary(sqlite_database: Database) -> None:
    """Three sessions coded by two coders who agree on every event and level."""
    with sqlite_database.session() as db:
        built = store_cohort(db, name="dbl", n_each=2)
        second = make_user(db, "second")
        studies.set_role(db, study=built["study"], user=second, role="coder")  # type: ignore[arg-type]
        for session in built["sessions"][1:4]:  # type: ignore[index]
            first = codings.codings_of(db, session)[0]
            copy = codings.create_coding(db, session=session, coder=second,
                                         scheme_version=first.scheme_version)
            events = [e.model_copy(update={"id": f"5{e.id[1:]}"})
                      for e in codings.coding_events(db, first)]
            codings.replace_events(db, coding=copy, events=events)
            coding_ratings.set_ratings(db, coding=copy,
                                       ratings=coding_ratings.ratings_of(db, first))
            for coding in (first, copy):
                codings.set_status(db, coding=coding, status="submitted")
    with sqlite_database.session() as db:
        summary = agreement_summary(db, study="dbl")
        data = cohort_data(db, study="dbl", agreement=summary)
    assert summary is not None
    kappa = summary[summary["statistic"] == "time-unit kappa (mean of pairs)"]
    assert kappa["value"].iloc[0] == pytest.approx(1.0) and kappa["targets"].iloc[0] == 3
    assert (summary.loc[summary["measure"] == "level", "value"] == 1.0).any()
    text, _pages = pdf_text(render(cohort_document(data, "en"), "pdf"))
    assert "Agreement between coders" in text
    assert "time-unit kappa (mean of pairs) 1.000 – – 3" in text


def test_no_agreement_summary_without_double_coding(sqlite_database: Database) -> None:
    with sqlite_database.session() as db:
        store_cohort(db, name="single", n_each=1)
        assert agreement_summary(db, study="single") is None


def test_relations_section_only_with_a_rating_form(cohort: CohortData) -> None:
    assert "Relations between instruments" not in render_html(cohort_document(cohort, "en"))
    table = cohort.table.copy()
    n = len(table)
    # Non-hostility falls exactly as the hostile rate rises: r = -1 over every coding.
    table["hostile_rate_per_10min"] = [float(i) for i in range(n)]
    table["eas_nonhostility"] = [7.0 - i for i in range(n)]
    with_form = CohortData(**{**cohort.__dict__, "table": table})
    page = render_html(cohort_document(with_form, "en"))
    assert "Relations between instruments" in page
    assert "eas_nonhostility × hostile_rate_per_10min" in page and "-1.00" in page
    norwegian = render_html(cohort_document(with_form, "nb"))
    assert "Sammenhenger mellom instrumenter" in norwegian
