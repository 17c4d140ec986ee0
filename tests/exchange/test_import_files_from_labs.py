"""Imports of files as labs and BORIS write them (issue 22, "Data in and out"): procedure,
events past the media, what the file says about the observation, round trips that score the
same, the scheme named in Samspill's own ELAN export. Every file is synthetic, built here."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from samspill.core.errors import NotedInputError
from samspill.core.events import Event
from samspill.services import coding_ratings, codings, exports, imports, studies
from samspill.services.accounts import get_user
from samspill.services.schemes import latest_version
from samspill.services.scoring import score_stored_coding
from samspill.store.models import ObservationSession
from tests.exchange.conftest import Lab, finished, login

LENGTH_MS = 720_000  # twelve minutes: six hostile events are 5.0 per 10 minutes


def _target(db, study: str = "lab", **more) -> imports.Target:
    return imports.Target(study=studies.get_study(db, study), default_coder=get_user(db, "own"),
                          **more)


def _boris(observations: dict, behaviours: dict | None = None) -> bytes:
    conf = behaviours or {
        "0": {"type": "State event", "key": "h", "code": "hold", "description": "",
              "category": "", "modifiers": {}, "excluded": "", "coding map": ""},
        "1": {"type": "Point event", "key": "b", "code": "bid", "description": "",
              "category": "", "modifiers": {}, "excluded": "", "coding map": ""}}
    return json.dumps({
        "project_name": "lab", "project_format_version": "7.0",
        "subjects_conf": {"0": {"key": "1", "name": "caregiver", "description": ""},
                          "1": {"key": "2", "name": "child", "description": ""}},
        "behaviors_conf": conf, "observations": observations,
        "independent_variables": {"0": {"label": "age group", "type": "T"}}}).encode()


def _observation(events: list, **more: object) -> dict:
    return {"type": "MEDIA", "date": "2025-03-04T14:35:10", "description": "home visit 2",
            "time offset": 0, "events": events,
            "file": {"1": ["D:/lab/cam front.mp4"], "2": ["D:/lab/cam side.mp4"]},
            "media_info": {"length": {"D:/lab/cam front.mp4": 60.0,
                                      "D:/lab/cam side.mp4": 61.5},
                           "offset": {"1": 0, "2": -1.25}},
            "independent_variables": {"age group": "12-18 months", "dyad": "D31"}, **more}


# ---------------------------------------------------------------- procedure

def test_observations_that_do_not_say_their_procedure_are_refused_naming_them(lab: Lab):
    odd = _observation([])
    odd["independent_variables"]["procedure"] = "reunion"
    data = _boris({"o1": _observation([]), "o2": odd})
    with lab.database.session() as db, pytest.raises(NotedInputError) as caught:
        imports.import_boris(db, _target(db), data)
    assert ("2 observation(s) do not say their procedure ('o1', 'o2' = 'reunion')"
            in caught.value.message)
    assert "--procedure" in caught.value.fix
    with lab.database.session() as db:
        assert db.query(ObservationSession).filter_by(name="o1").count() == 0


@pytest.mark.parametrize(("said", "stored"), [
    ("SSP", "ssp"), ("Strange Situation", "ssp"), ("free play", "free-play"),
    ("Free_Play", "free-play")])
def test_the_procedure_variable_is_read_in_its_usual_spellings(lab: Lab, said: str,
                                                                stored: str):
    obs = _observation([])
    obs["independent_variables"]["Procedure"] = said
    with lab.database.session() as db:
        imports.import_boris(db, _target(db), _boris({"o1": obs}))
        assert studies.get_session(db, study=studies.get_study(db, "lab"),
                                   name="o1").procedure == stored


def test_the_imports_procedure_is_used_when_the_file_says_none(lab: Lab):
    with lab.database.session() as db:
        imports.import_boris(db, _target(db, procedure="ssp"), _boris({"o1": _observation([])}))
        assert studies.get_session(db, study=studies.get_study(db, "lab"),
                                   name="o1").procedure == "ssp"


# ---------------------------------------------------------------- events past the media

def test_an_event_past_the_recorded_media_length_extends_the_session_with_a_warning(lab: Lab):
    rows = [[5.0, "caregiver", "hold", "", ""], [62.5, "caregiver", "hold", "", ""],
            [63.25, "child", "bid", "", ""]]
    with lab.database.session() as db:
        result = imports.import_boris(db, _target(db, procedure="free-play"),
                                      _boris({"o1": _observation(rows)}))
        session = studies.get_session(db, study=studies.get_study(db, "lab"), name="o1")
        assert session.duration_ms == 63_250
    warning = next(w for w in result.warnings if "past the media length" in str(w))
    assert str(warning) == ("observation 'o1': events run until 63.25 s, past the media length "
                            "the file records (60 s); the session's length was set to 63.25 s")


# ---------------------------------------------------------------- what the file said

def test_description_variables_media_offsets_and_time_of_day_are_kept(lab: Lab):
    with lab.database.session() as db:
        imports.import_boris(db, _target(db, procedure="free-play"),
                             _boris({"o1": _observation([])}))
        session = studies.get_session(db, study=studies.get_study(db, "lab"), name="o1")
        meta = session.source_metadata
        assert session.dyad.code == "D31" and str(session.date) == "2025-03-04"
    assert meta["format"] == "BORIS" and meta["date"] == "2025-03-04T14:35:10"
    assert meta["description"] == "home visit 2"
    assert meta["variables"] == {"age group": "12-18 months", "dyad": "D31"}
    assert [(m["path"], m["player"], m["offset_ms"], m["duration_ms"]) for m in meta["media"]] \
        == [("D:/lab/cam front.mp4", 1, 0, 60_000), ("D:/lab/cam side.mp4", 2, -1_250, 61_500)]
    assert meta["media_length_ms"] == 60_000


def test_the_owner_sees_what_the_file_said_on_the_session_page(lab: Lab, web: TestClient):
    with lab.database.session() as db:
        imports.import_boris(db, _target(db, procedure="free-play"),
                             _boris({"o1": _observation([])}))
    login(web, "own")
    page = web.get("/studies/lab/sessions/o1").text
    assert "home visit 2" in page and "2025-03-04T14:35:10" in page
    assert "D:/lab/cam side.mp4" in page and "−00:01.250" in page


# ---------------------------------------------------------------- round trips

def _rated_session(lab: Lab) -> None:
    """Session r1: twelve minutes, the caregiver near throughout, six hostile events, rated."""
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        dyad = studies.get_or_create_dyad(db, study=study, code="D09")
        session = studies.create_session(db, study=study, dyad=dyad, name="r1",
                                         duration_ms=LENGTH_MS, procedure="free-play")
        coding = codings.create_coding(db, session=session, coder=get_user(db, "cod"),
                                       scheme_version=latest_version(db, "withdrawal-open"))
        events = [Event(subject="caregiver", code="near", onset_ms=0, offset_ms=400_000),
                  Event(subject="child", code="bid", onset_ms=10_000),
                  Event(subject="caregiver", code="respond", onset_ms=11_500)]
        events += [Event(subject="caregiver", code="ni", onset_ms=20_000 + 50_000 * n)
                   for n in range(6)]
        codings.replace_events(db, coding=coding, events=events)
        coding_ratings.set_ratings(db, coding=coding, ratings={"level": 5,
                                                        "profile": "hostile-self-referential"})


def _scores(lab: Lab, study: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, study), name="r1")
        coding = codings.codings_of(db, session)[0]
        scores = score_stored_coding(db, coding, stability=False)
        return scores.indicators, scores.ratings


def _same(before: pd.DataFrame, after: pd.DataFrame) -> None:
    assert list(before.columns) == list(after.columns)
    for column in before.columns:
        a, b = before[column], after[column]
        if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
            assert np.allclose(a.to_numpy(float), b.to_numpy(float), rtol=0, atol=1e-9,
                               equal_nan=True), column
        else:
            assert a.tolist() == b.tolist(), column


def _export(lab: Lab, kind: str) -> bytes:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        chosen = exports.choose_codings(db, study, session="r1")
        return exports.file_export(db, study, kind, chosen).body  # type: ignore[arg-type]


def _copy_study(lab: Lab) -> None:
    with lab.database.session() as db:
        copy = studies.create_study(db, name="copy", owner=get_user(db, "own"))
        studies.set_role(db, study=copy, user=get_user(db, "cod"), role="coder")


@pytest.mark.parametrize("kind", ["boris", "elan"])
def test_a_round_trip_keeps_ratings_and_length_so_every_sign_is_the_same(lab: Lab, kind: str):
    _rated_session(lab)
    before = _scores(lab, "lab")
    assert before[0]["hostile_rate_per_10min"].iloc[0] == 5.0
    body = _export(lab, kind)
    _copy_study(lab)
    with lab.database.session() as db:
        target = _target(db, "copy", coder=get_user(db, "cod"), dyad="D09")
        if kind == "boris":
            imports.import_boris(db, target, body)
        else:  # no scheme named: the file names its own
            imports.import_elan(db, target, body, session="r1")
        session = studies.get_session(db, study=studies.get_study(db, "copy"), name="r1")
        assert session.duration_ms == LENGTH_MS and session.procedure == "free-play"
        assert coding_ratings.ratings_of(db, codings.codings_of(db, session)[0]) == {
            "level": "5", "profile": "hostile-self-referential"}
    after = _scores(lab, "copy")
    assert after[0]["hostile_rate_per_10min"].iloc[0] == 5.0
    for frame_before, frame_after in zip(before, after, strict=True):
        _same(frame_before, frame_after)


def test_an_elan_export_of_another_scheme_imports_back_without_naming_it(lab: Lab):
    _rated_session(lab)
    body = _export(lab, "elan").replace(b">withdrawal-open<", b">lab-scheme<")
    with lab.database.session() as db, pytest.raises(NotedInputError) as caught:
        imports.import_elan(db, _target(db, procedure="ssp"), body, session="r9")
    assert "coded with scheme lab-scheme v1" in caught.value.message
    assert "--scheme" in caught.value.fix


# ---------------------------------------------------------------- said on the web, en and nb

def _upload(web: TestClient, language: str, name: str, body: bytes,
            **form: str) -> str:
    csrf = login(web, "own")
    web.cookies.set("samspill_lang", language)
    started = web.post("/studies/lab/import/boris", data={"csrf_token": csrf, **form},
                       files={"file": (name, body, "application/json")})
    return finished(web, started, "own").text


def test_the_job_page_says_a_newer_format_in_english_and_bokmal(lab: Lab, web: TestClient):
    body = _boris({"o1": _observation([])}).replace(b'"7.0"', b'"10.0"')
    english = _upload(web, "en", "new.boris", body)
    assert "BORIS project format 10.0; this Samspill reads formats up to 7.0" in english
    assert "upgrade Samspill" in english
    norwegian = _upload(web, "nb", "new.boris", body)
    assert "BORIS-prosjektformat 10.0; denne Samspill leser formater til og med 7.0" in norwegian
    assert "oppgrader Samspill" in norwegian


def test_the_job_page_lists_the_media_length_warning_in_bokmal(lab: Lab, web: TestClient):
    rows = [[5.0, "caregiver", "hold", "", ""], [62.5, "caregiver", "hold", "", ""]]
    page = _upload(web, "nb", "lab.boris", _boris({"o1": _observation(rows)}),
                   procedure="free-play")
    assert ("observasjon «o1»: hendelsene varer til 62.5 s, forbi medielengden filen oppgir "
            "(60 s); øktens lengde ble satt til 62.5 s") in page


def test_a_latin1_csv_upload_is_refused_naming_the_line_in_bokmal(lab: Lab, web: TestClient):
    csrf = login(web, "own")
    web.cookies.set("samspill_lang", "nb")
    text = "Who,What,At\nchild,bid,1\ncaregiver,bl\u00e5,2\n".encode("latin-1")
    page = web.post("/studies/lab/import/csv", data={"csrf_token": csrf},
                    files={"file": ("old.csv", text, "text/csv")}).text
    assert "linje 3 er ikke UTF-8-tekst: byte 0xE5 ved tegn 13" in page
    assert "lagre den som UTF-8" in page


def test_the_study_archive_keeps_what_the_file_said(lab: Lab, tmp_path):
    from samspill.services import archive, archive_import

    with lab.database.session() as db:
        imports.import_boris(db, _target(db, procedure="free-play"),
                             _boris({"o1": _observation([])}))
        path = archive.export_study(db, study=studies.get_study(db, "lab"),
                                    media_dir=tmp_path / "media", out=tmp_path / "lab.zip")
    with lab.database.session() as db:
        archive_import.import_study(db, path=path, media_dir=tmp_path / "media2",
                             importer=get_user(db, "own"), rename="lab2")
        kept = studies.get_session(db, study=studies.get_study(db, "lab2"), name="o1")
        assert kept.source_metadata["description"] == "home visit 2"
        assert kept.source_metadata["media"][1]["offset_ms"] == -1_250
