"""A scheme with the EAS form loads, rates, scores, exports; relations over a cohort."""

from __future__ import annotations

import uuid
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from samspill.cli import app
from samspill.core.errors import InputError
from samspill.core.scheme_check import parse_scheme
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events
from samspill.interop.tabular import undocumented
from samspill.services import coding_ratings, codings, studies
from samspill.services.relations import study_relations
from samspill.services.schemes import register_scheme, scheme_of
from samspill.services.scoring import cohort_for_study
from samspill.store.db import Database
from tests.factories import make_coded_session, make_user

# Five sessions: EAS non-hostility falls as the hostile behaviour coded rises.
NONHOSTILITY = [7, 6, 5, 3, 2]


def _lab_scheme_text() -> str:
    text = (resources.files("samspill.core") / "schemes" / "withdrawal-open.yaml").read_text(
        encoding="utf-8")
    return text.replace("id: withdrawal-open", "id: lab-eas", 1) + "\nforms: [eas]\n"


def _cohort(database: Database, *, second_coder: bool = False) -> None:
    scheme = parse_scheme(_lab_scheme_text(), "lab-eas.yaml")
    with database.session() as db:
        owner = make_user(db, "owner")
        owner.can_create_studies = True
        version = register_scheme(db, scheme)
        assert scheme_of(version).rating_form("eas") is not None
        study = studies.create_study(db, name="s1", owner=owner)
        second = make_user(db, "coder2") if second_coder else None
        for n, value in enumerate(NONHOSTILITY):
            dyad = studies.get_or_create_dyad(db, study=study, code=f"D{n}",
                                              child_birth_month="2022-01")
            session = studies.create_session(db, study=study, dyad=dyad, name=f"v{n}",
                                             duration_ms=VIGNETTE_DURATION_MS)
            coders = [owner, second] if second is not None else [owner]
            for k, coder in enumerate(coders):
                _rated(db, coder, session, version, n, value - k * (n % 2))
        db.commit()


def _rated(db, coder, session, version, n: int, value: int) -> None:  # type: ignore[no-untyped-def]
    """One submitted coding: the vignette plus 3n hostile points, the EAS adult items rated."""
    coding = codings.create_coding(db, session=session, coder=coder, scheme_version=version)
    hostile = [e.model_copy(update={"onset_ms": 1000 + 500 * k, "code": "ni",
                                    "subject": "caregiver", "modifiers": {}})
               for k, e in enumerate(vignette_events()[:n * 3]) if e.offset_ms is None]
    events = [e.model_copy(update={"id": str(uuid.uuid4())})
              for e in vignette_events() + hostile]  # event ids are unique per database
    codings.replace_events(db, coding=coding, events=events)
    coding_ratings.set_ratings(db, coding=coding, ratings={
        "eas_sensitivity": 5, "eas_structuring": 6, "eas_nonintrusiveness": "4",
        "eas_nonhostility": value, "level": 2})
    if n == 0:
        with pytest.raises(InputError, match="scale of 'eas_sensitivity'"):
            coding_ratings.set_ratings(db, coding=coding, ratings={"eas_sensitivity": 8})
    codings.submit(db, coding)


def test_a_scheme_with_the_eas_form_rates_scores_and_relates(database: Database) -> None:
    _cohort(database)
    with database.session() as db:
        study = studies.get_study(db, "s1")
        table = cohort_for_study(db, study, stability=False).table
        assert table["eas_adult"].tolist() == [(5 + 6 + 4 + v) / 4 for v in NONHOSTILITY]
        assert table["eas_child"].isna().all()  # child scales not rated
        assert undocumented(table[["eas_nonhostility", "eas_adult", "eas_child"]]) == []
        found = study_relations(db, study)
    row = found.set_index(["x", "y"]).loc[("eas_nonhostility", "hostile_rate_per_10min")]
    assert row["n"] == 5 and row["pearson_r"] < 0
    assert row["pearson_ci_low"] < row["pearson_r"] < row["pearson_ci_high"]


def test_relations_on_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    data = str(tmp_path / "data")
    assert runner.invoke(app, ["demo", "--no-video", "--data-dir", data]).exit_code == 0
    none = runner.invoke(app, ["relations", "--study", "demo", "--data-dir", data])
    assert isinstance(none.exception, InputError) and "no rating form" in str(none.exception)
    bad = runner.invoke(app, ["relations", "--study", "demo", "--pair", "level",
                              "--data-dir", data])
    assert isinstance(bad.exception, InputError) and "X:Y" in str(bad.exception)
    asked = runner.invoke(app, ["relations", "--study", "demo", "--pair",
                                "level:unanswered_share", "--format", "json", "--data-dir", data])
    assert asked.exit_code == 0, asked.output
    assert '"x": "level"' in asked.output


def test_agreement_on_form_items_and_scores(database: Database) -> None:
    from samspill.services.agreement import study_agreement

    _cohort(database, second_coder=True)
    with database.session() as db:
        report = study_agreement(db, studies.get_study(db, "s1"))
    ratings = report.ratings
    measures = set(ratings["measure"])
    assert {"level", "eas_nonhostility", "eas_adult"} <= measures
    icc1 = ratings[(ratings["measure"] == "eas_adult") & (ratings["statistic"] == "ICC1")]
    assert len(icc1) == 1 and 0 < icc1["value"].iloc[0] <= 1


def test_care_index_sums_are_problems_to_check_not_refusals(database: Database) -> None:
    text = _lab_scheme_text().replace("forms: [eas]", "forms: [care]")
    with database.session() as db:
        built = make_coded_session(db)
        version = register_scheme(db, parse_scheme(text))
        coding = codings.create_coding(db, session=built.session,
                                       coder=make_user(db, "carer"), scheme_version=version)
        coding_ratings.set_ratings(db, coding=coding, ratings={
            "care_sensitivity": 6, "care_control": 6, "care_unresponsiveness": 3})
        assert coding_ratings.rating_problems(db, coding) == [
            "care_sensitivity + care_control + care_unresponsiveness add up to 15, not 14. "
            "Fix: the manual's scales add up to 14: check the ratings"]
        coding_ratings.set_ratings(db, coding=coding, ratings={"care_control": 5})
        assert coding_ratings.rating_problems(db, coding) == []
        assert coding_ratings.rating_problems(db, built.coding) == []  # a scheme without forms
