"""A rating form rated per segment (issue 14) through the services: stored per segment (by the
coding screen's actions), refused where it does not belong, scored, agreed and exported with
one column set per segment, and gone with its segment."""

from __future__ import annotations

import uuid
from importlib import resources

import pytest

from samspill.core.errors import InputError, NotFoundError
from samspill.core.events import Segment
from samspill.core.scheme_check import parse_scheme
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events
from samspill.services import actions, coding_ratings, codings, studies
from samspill.services.agreement import study_agreement
from samspill.services.exports import choose_codings, table_export
from samspill.services.schemes import register_scheme
from samspill.services.scoring import cohort_for_study
from samspill.store.db import Database
from tests.factories import make_user

SENSITIVITY = [2, 3, 4, 5, 6]  # ep5, per session; ep8 is one higher


def _scheme_text() -> str:
    text = (resources.files("samspill.core") / "schemes" / "withdrawal-open.yaml").read_text(
        encoding="utf-8")
    return text.replace("id: withdrawal-open", "id: lab-seg", 1) + (
        "\nforms: [{id: eas, per: segment, segments: [ep5, ep8]}]\n")


def _rate(db, coding, segment_id: str, **ratings: int | None) -> None:  # type: ignore[no-untyped-def]
    action = actions.Action(id=str(uuid.uuid4()), type="rating", segment_id=segment_id,
                            ratings=ratings)
    actions.apply_actions(db, coding=coding, actions=[action])


def _study(database: Database) -> dict[str, str]:
    """Five sessions with ep5 and ep8 marked, each coded by two coders who rate EAS adult
    sensitivity and structuring in both reunions (the second coder one lower in odd sessions)."""
    with database.session() as db:
        owner, second = make_user(db, "owner"), make_user(db, "second")
        owner.can_create_studies = True
        version = register_scheme(db, parse_scheme(_scheme_text(), "lab-seg.yaml"))
        study = studies.create_study(db, name="seg", owner=owner)
        ids = {}
        for n, value in enumerate(SENSITIVITY):
            dyad = studies.get_or_create_dyad(db, study=study, code=f"D{n}")
            session = studies.create_session(db, study=study, dyad=dyad, name=f"v{n}",
                                             duration_ms=VIGNETTE_DURATION_MS)
            ep5 = Segment(spec_id="ep5", name="5 First reunion", start_ms=10_000, end_ms=20_000)
            ep8 = Segment(spec_id="ep8", name="8 Second reunion", start_ms=30_000,
                          end_ms=40_000)
            for segment in (ep5, ep8):
                studies.put_segment(db, session=session, segment=segment)
            ids[f"v{n}"] = ep5.id
            for k, coder in enumerate((owner, second)):
                coding = codings.create_coding(db, session=session, coder=coder,
                                               scheme_version=version)
                codings.replace_events(db, coding=coding, events=[
                    e.model_copy(update={"id": str(uuid.uuid4())}) for e in vignette_events()])
                lower = k * (n % 2)
                _rate(db, coding, ep5.id, eas_sensitivity=value - lower, eas_structuring=4)
                _rate(db, coding, ep8.id, eas_sensitivity=value + 1 - lower, eas_structuring=6)
                codings.submit(db, coding)
        db.commit()
        return ids


def test_ratings_are_stored_per_segment_and_refused_where_they_do_not_belong(
        database: Database) -> None:
    ep5 = _study(database)
    with database.session() as db:
        study = studies.get_study(db, "seg")
        session = studies.get_session(db, study=study, name="v0")
        other = codings.create_coding(db, session=session, coder=make_user(db, "third"),
                                      scheme_version=register_scheme(
                                          db, parse_scheme(_scheme_text())))
        _rate(db, other, ep5["v0"], eas_sensitivity=6)
        assert coding_ratings.segment_ratings_of(db, other) == {ep5["v0"]: {"eas_sensitivity": "6"}}
        _rate(db, other, ep5["v0"], eas_sensitivity=None)  # an undo unsets it
        assert coding_ratings.segment_ratings_of(db, other) == {}
        with pytest.raises(InputError, match="rated per segment"):
            coding_ratings.set_ratings(db, coding=other, ratings={"eas_sensitivity": 5})
        with pytest.raises(InputError, match="not rated per segment"):
            coding_ratings.set_segment_ratings(db, coding=other, segment_id=ep5["v0"],
                                        ratings={"level": 3})
        with pytest.raises(NotFoundError, match="no segment"):
            coding_ratings.set_segment_ratings(db, coding=other, segment_id=ep5["v1"],
                                        ratings={"eas_sensitivity": 3})
        with pytest.raises(InputError, match="scale of 'eas_sensitivity'"):
            _rate(db, other, ep5["v0"], eas_sensitivity=9)
        ep2 = Segment(spec_id="ep2", name="2 Caregiver and child", start_ms=1000, end_ms=9000)
        studies.put_segment(db, session=session, segment=ep2)
        with pytest.raises(InputError, match="not rated in segment"):
            _rate(db, other, ep2.id, eas_sensitivity=3)


def test_the_cohort_scores_and_exports_each_segment_and_agreement_takes_each(
        database: Database) -> None:
    _study(database)
    with database.session() as db:
        study = studies.get_study(db, "seg")
        table = cohort_for_study(db, study, stability=False).table.sort_values("session")
        assert table["eas_sensitivity_ep5"].tolist() == SENSITIVITY
        assert table["eas_sensitivity_ep8"].tolist() == [v + 1 for v in SENSITIVITY]
        assert table["eas_structuring_ep8"].tolist() == [6] * 5
        assert table["eas_adult_ep5"].isna().all()  # two of the four adult scales rated
        assert "eas_sensitivity" not in table.columns
        exported = table_export(db, study, "cohort", "sav", choose_codings(db, study))
        assert b"eas_sensitivity_ep8" in exported.body
        assert b"EAS adult sensitivity (1-7), segment ep8" in exported.body  # its label
        report = study_agreement(db, study)
        measures = set(report.ratings["measure"])
        assert {"eas_sensitivity_ep5", "eas_sensitivity_ep8", "eas_structuring_ep5"} <= measures
        icc = report.ratings[(report.ratings["measure"] == "eas_sensitivity_ep8")
                             & (report.ratings["statistic"] == "ICC1")]
        assert len(icc) == 1 and 0 < icc["value"].iloc[0] <= 1


def test_deleting_a_segment_deletes_its_ratings(database: Database) -> None:
    ep5 = _study(database)
    with database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "seg"), name="v2")
        studies.delete_segment(db, session=session, segment_id=ep5["v2"])
        db.flush()
        table = cohort_for_study(db, studies.get_study(db, "seg"), stability=False).table
        row = table.set_index("session").loc["v2"]
        assert row["eas_sensitivity_ep5"] != row["eas_sensitivity_ep5"]  # NaN: gone
        assert row["eas_sensitivity_ep8"] == SENSITIVITY[2] + 1


def test_relations_and_the_cohort_report_pair_each_segments_scales_by_default(
        database: Database) -> None:
    from samspill.reports.cohort_report import cohort_document
    from samspill.services.relations import study_relations
    from samspill.services.reporting import cohort_data

    _study(database)
    with database.session() as db:
        found = study_relations(db, studies.get_study(db, "seg"))
        data = cohort_data(db, study="seg", stability=False)
    n = {(x, y): k for x, y, k in zip(found["x"], found["y"], found["n"], strict=True)}
    # Each scale once per segment, against the sign it speaks to; the rated ones over the five
    # sessions (one coding each), the others (not rated here) with none.
    assert n[("eas_sensitivity_ep5", "unanswered_share")] == 5
    assert n[("eas_sensitivity_ep8", "unanswered_share")] == 5
    assert n[("eas_nonhostility_ep8", "hostile_rate_per_10min")] == 0
    assert not any(x.startswith("eas_") and not x.endswith(("_ep5", "_ep8")) for x, _ in n)
    assert data.segments == ("ep5", "ep8")
    text = repr(cohort_document(data, language="en"))
    assert "eas_sensitivity_ep8 × unanswered_share" in text
