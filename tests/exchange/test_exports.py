"""Every export of a stored study, read back with the tool a researcher would use."""

from __future__ import annotations

import io
import os
import tempfile

import pandas as pd
import pyreadstat
import pytest

from samspill.core.errors import InputError, NotFoundError
from samspill.core.selection import EVERY_CODING, Pooling
from samspill.interop.boris import read_boris
from samspill.interop.elan import read_elan
from samspill.interop.variables import COHORT_COLUMNS, EVENT_TABLE_COLUMNS, REGISTRY
from samspill.services import codings, exports, studies
from samspill.services.schemes import scheme_of
from samspill.store.models import MediaFile
from tests.exchange.conftest import Lab


def _read(fmt: str, body: bytes) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(io.BytesIO(body), dtype={"dyad": str})
    if fmt == "xlsx":
        return pd.read_excel(io.BytesIO(body), sheet_name=0)
    if fmt == "parquet":
        return pd.read_parquet(io.BytesIO(body))
    frame, _ = _read_sav(body)
    return frame


def _read_sav(body: bytes):
    handle, path = tempfile.mkstemp(suffix=".sav")
    os.write(handle, body)
    os.close(handle)
    try:
        return pyreadstat.read_sav(path)
    finally:
        os.unlink(path)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "parquet"])
def test_the_cohort_table_reads_back_with_the_registered_names(lab: Lab, fmt: str) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        chosen = exports.choose_codings(db, study)
        exported = exports.table_export(db, study, "cohort", fmt, chosen, pooled=EVERY_CODING)
        expected = exports.cohort_frame(db, study, chosen, pooled=EVERY_CODING)
    back = _read(fmt, exported.body)
    assert list(back.columns[: len(COHORT_COLUMNS)]) == COHORT_COLUMNS
    assert len(back) == 4 and sorted(back["coding_id"]) == sorted(lab.coding_ids.values())
    assert exported.taken == 4
    assert back["unanswered_share"].tolist() == pytest.approx(
        expected["unanswered_share"].tolist())
    assert exported.name == f"lab-cohort.{fmt}"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "sav", "parquet"])
def test_the_events_table_holds_every_event_once(lab: Lab, fmt: str) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        chosen = exports.choose_codings(db, study)
        stored = sum(len(codings.coding_events(db, c)) for c in chosen)
        body = exports.table_export(db, study, "events", fmt, chosen).body
    back = _read(fmt, body)
    assert list(back.columns) == EVENT_TABLE_COLUMNS
    assert len(back) == stored
    first = back[back["code"] == "bid"].sort_values("onset_ms").iloc[0]
    assert int(first["onset_ms"]) == 20000 and first["subject"] == "child"


def test_spss_gets_variable_and_value_labels(lab: Lab) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        body = exports.table_export(db, study, "cohort", "sav",
                                    exports.choose_codings(db, study)).body
    _, meta = _read_sav(body)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["unanswered_share"] == "Share of bids unanswered (proportion 0-1)"
    assert meta.variable_value_labels["status"] == {1.0: "in progress", 2.0: "submitted",
                                                    3.0: "master"}
    assert meta.variable_value_labels["initiative_flag"] == {0.0: "no", 1.0: "yes"}
    assert meta.variable_value_labels["distance_state"] == {
        0.0: "absent", 1.0: "present", 9.0: "not observable"}
    assert meta.variable_value_labels["hostility_qualifier"] == {
        0.0: "hostile", 1.0: "low", 9.0: "not observable"}
    assert "not a sign" in labels["hostility_qualifier"]
    assert not [text for labelled in meta.variable_value_labels.values()
                for text in labelled.values() if "_" in text], "value labels are words"


def _leave_a_hold_running(lab: Lab) -> None:
    from samspill.core.events import Event

    with lab.database.session() as db:
        coding = codings.get_coding(db, lab.coding_ids["cod"])
        codings.upsert_event(db, coding=coding, event=Event(
            subject="caregiver", code="hold", onset_ms=5000))


def test_an_unscorable_coding_is_left_out_of_the_cohort_export_with_its_reason(lab: Lab) -> None:
    _leave_a_hold_running(lab)
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        chosen = exports.choose_codings(db, study)
        exported = exports.table_export(db, study, "cohort", "csv", chosen, stability=False,
                                        pooled=EVERY_CODING)
        only_cod = [c for c in chosen if c.id == lab.coding_ids["cod"]]
        predictors = exports.table_export(db, study, "predictors", "csv", only_cod)
        events = exports.table_export(db, study, "events", "csv", chosen)
    back = _read("csv", exported.body)
    assert sorted(back["coding_id"]) == sorted(
        i for k, i in lab.coding_ids.items() if k != "cod")
    assert "distance_stability" not in back  # stability=False
    left = exported.excluded
    assert left["coding_id"].tolist() == [lab.coding_ids["cod"]]
    assert left["coder"].tolist() == ["cod"] and "has no offset" in left["reason"].iloc[0]
    assert left["fix"].iloc[0].startswith("correct the events")
    assert predictors.excluded["coding_id"].tolist() == [lab.coding_ids["cod"]]
    assert _read("csv", predictors.body).empty
    assert events.excluded.empty


def test_the_cohort_takes_one_coding_per_session_by_default(lab: Lab) -> None:
    """v1 is coded by own (master), cod and cod2: by default it counts once, as its master;
    coder:cod still takes the master; off takes all three."""
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        chosen = exports.choose_codings(db, study)
        default = exports.table_export(db, study, "cohort", "csv", chosen, stability=False)
        preferring = exports.cohort_frame(db, study, chosen, stability=False,
                                          pooled=Pooling(prefer="cod"))
        every = exports.cohort_frame(db, study, chosen, stability=False, pooled=EVERY_CODING)
        events = exports.table_export(db, study, "events", "csv", chosen)
    back = _read("csv", default.body)
    masters = sorted([lab.coding_ids["own"], lab.coding_ids["v2"]])
    assert sorted(back["coding_id"]) == masters and default.taken == 2
    assert back["session"].is_unique
    assert back["status"].tolist() == ["master", "master"]
    assert back["purpose"].tolist() == ["study", "study"]
    assert back["reconciled"].tolist() == [False, False]
    assert list(back.columns[-2:]) == ["purpose", "reconciled"]
    assert sorted(preferring["coding_id"]) == masters
    assert len(every) == 4 and every["session"].tolist().count("v1") == 3
    assert events.taken == 4  # the events table lists every coding by default


def test_the_cohort_carries_states_stability_and_the_qualifier(lab: Lab) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        frame = exports.cohort_frame(db, study, exports.choose_codings(db, study))
    master = frame[frame["coding_id"] == lab.coding_ids["own"]].iloc[0]
    assert master["distance_state"] == "present" and bool(master["distance_flag"])
    assert master["hostility_qualifier"] == "low" and master["signs_present"] == 5
    assert 0 <= master["distance_stability"] <= 1
    assert list(frame.columns[: len(COHORT_COLUMNS)]) == [
        c for c in COHORT_COLUMNS if c in frame.columns]


def test_predictors_have_one_row_per_dyad_and_the_master_stands_for_its_session(
        lab: Lab) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        chosen = exports.choose_codings(db, study)
        table = exports.predictors_frame(db, study, chosen)
        cohort = exports.cohort_frame(db, study, chosen)
    assert table["dyad"].tolist() == ["D01", "D02"]
    master = cohort[cohort["coding_id"] == lab.coding_ids["own"]].iloc[0]
    d01 = table[table["dyad"] == "D01"].iloc[0]
    assert d01["unanswered_share"] == pytest.approx(master["unanswered_share"])
    assert {c for c in table.columns} <= set(REGISTRY)


def test_boris_export_reads_back_with_sessions_dyads_and_events(lab: Lab) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        chosen = exports.choose_codings(db, study)
        body = exports.file_export(db, study, "boris", chosen).body
        stored = {c.id: codings.coding_events(db, c) for c in chosen}
        names = exports.observation_names(chosen)
    project = read_boris(body).project
    assert sorted(o.name for o in project.observations) == sorted(names.values())
    assert {"v1.cod", "v1.own", "v2"} <= set(names.values())
    for coding_id, name in names.items():
        observation = next(o for o in project.observations if o.name == name)
        assert observation.variables["dyad"] in ("D01", "D02")
        key = sorted((e.subject, e.code, e.onset_ms, e.offset_ms) for e in stored[coding_id])
        assert sorted((e.subject, e.code, e.onset_ms, e.offset_ms)
                      for e in observation.events) == key


def test_elan_export_holds_one_coding_and_reads_back(lab: Lab) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        one = exports.choose_codings(db, study, session="v2")
        body = exports.file_export(db, study, "elan", one, tiers="subject-dimension").body
        scheme = scheme_of(one[0].scheme_version)
        events = codings.coding_events(db, one[0])
        with pytest.raises(InputError, match="one coding"):
            exports.file_export(db, study, "elan", exports.choose_codings(db, study))
    back = read_elan(body, scheme=scheme).project.observations[0].events
    assert len(back) == len(events)


def test_sdis_export_declares_the_exclusive_sets_and_every_session(lab: Lab) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        text = exports.file_export(db, study, "sdis", exports.choose_codings(db, study)).body
    sdis = text.decode("utf-8")
    assert "Timed" in sdis and "(" in sdis.split(";")[0]
    assert sdis.count("/") >= 4 and "<v2>" in sdis


def test_an_export_of_nothing_names_the_problem(lab: Lab) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        with pytest.raises(NotFoundError, match="no coding of session 'v2' by 'cod'"):
            exports.choose_codings(db, study, session="v2", coder="cod")
        with pytest.raises(InputError, match="unknown table"):
            exports.table_export(db, study, "people", "csv",  # type: ignore[arg-type]
                                 exports.choose_codings(db, study))


def test_the_visible_filter_keeps_only_what_the_caller_allows(lab: Lab) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        own_only = exports.choose_codings(db, study, visible=lambda c: c.coder.username == "cod")
        frame = exports.events_frame(db, study, own_only)
    assert set(frame["coder"]) == {"cod"} and set(frame["coding_id"]) == {lab.coding_ids["cod"]}


def test_coding_files_name_videos_by_session_never_by_the_uploaded_name(lab: Lab) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        session = studies.get_session(db, study=study, name="v2")
        db.add(MediaFile(session_id=session.id, sha256="0" * 64, filename="Ingrid Testesen.MP4",
                         content_type="video/mp4", size_bytes=10, duration_ms=360_000, fps=25.0,
                         offset_ms=1500))
        db.flush()
        chosen = exports.choose_codings(db, study, session="v2")
        files = [exports.file_export(db, study, kind, chosen).body for kind in ("boris", "elan")]
    for body in files:
        assert b"Ingrid" not in body and b"v2.mp4" in body
    media = read_boris(files[0]).project.observations[0].media[0]
    assert (media.path, media.offset_ms, media.fps) == ("v2.mp4", 1500, 25.0)
