"""Imports into a study: round trips, mapping, and bad or hostile files that store nothing."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest
from sqlalchemy import func, select

from samspill.core.errors import ConflictError, EventError, InputError, SamspillError
from samspill.services import codings, exports, imports, studies
from samspill.services.accounts import get_user
from samspill.store.db import Database
from samspill.store.models import Coding, Dyad, EventRow, ObservationSession
from tests.exchange.conftest import Lab, build_lab


def _key(events) -> list[tuple]:
    return sorted((e.subject, e.code, e.onset_ms, e.offset_ms, json.dumps(e.modifiers,
                                                                          sort_keys=True))
                  for e in events)


def _counts(lab: Lab) -> tuple[int, ...]:
    with lab.database.session() as db:
        return tuple(db.scalar(select(func.count()).select_from(t))
                     for t in (ObservationSession, Dyad, Coding, EventRow))


def _export(lab: Lab, kind: str, **choose) -> bytes:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        chosen = exports.choose_codings(db, study, **choose)
        if kind in exports.TABLE_KINDS:
            return exports.table_export(db, study, kind, "csv", chosen).body
        return exports.file_export(db, study, kind, chosen).body


def _target(db, study: str = "lab", coder: str | None = None, **more) -> imports.Target:
    return imports.Target(study=studies.get_study(db, study), default_coder=get_user(db, "own"),
                          coder=get_user(db, coder) if coder else None, **more)


def _new_study(lab: Lab, name: str = "copy") -> None:
    """An empty study with the lab's owner and its two coders."""
    with lab.database.session() as db:
        study = studies.create_study(db, name=name, owner=get_user(db, "own"))
        for coder in ("cod", "cod2"):
            studies.set_role(db, study=study, user=get_user(db, coder), role="coder")


def test_a_boris_export_imports_into_another_study_with_sessions_dyads_and_coders(
        lab: Lab) -> None:
    body = _export(lab, "boris")
    _new_study(lab)
    with lab.database.session() as db:
        result = imports.import_boris(db, _target(db, "copy"), body, source="lab.boris")
    assert result.events > 0 and sorted(result.sessions_created) == ["v1", "v2"]
    with lab.database.session() as db:
        for study in ("lab", "copy"):
            target = studies.get_session(db, study=studies.get_study(db, study), name="v1")
            assert target.dyad.code == "D01"
            found = {c.coder.username: _key(codings.coding_events(db, c))
                     for c in codings.codings_of(db, target)}
            if study == "lab":
                original = found
        assert found == original


def test_a_gzipped_boris_project_imports_too(lab: Lab) -> None:
    body = gzip.compress(_export(lab, "boris", session="v2"))
    _new_study(lab)
    with lab.database.session() as db:
        result = imports.import_boris(db, _target(db, "copy"), body, source="x.boris.gz")
    assert result.sessions_created == ["v2"] and len(result.codings) == 1


def test_elan_round_trip_adds_a_coding_to_an_existing_session(lab: Lab) -> None:
    body = _export(lab, "elan", session="v2")
    with lab.database.session() as db:
        user = get_user(db, "cod")
        result = imports.import_elan(db, _target(db, coder="cod"), body, session="v2")
        session = studies.get_session(db, study=studies.get_study(db, "lab"), name="v2")
        mine = next(c for c in codings.codings_of(db, session) if c.coder_id == user.id)
        master = next(c for c in codings.codings_of(db, session) if c.status == "master")
        assert _key(codings.coding_events(db, mine)) == _key(codings.coding_events(db, master))
    assert result.sessions_created == [] and result.events == 21


def test_a_mapped_csv_in_seconds_imports_as_a_new_session(lab: Lab) -> None:
    rows = ["Who;What;Start (s);End (s)", "child;bid;20,0;", "caregiver;far;0;12.5"]
    mapping = imports.parse_mapping("Who=subject,What=code,Start (s)=onset_ms,End (s)=offset_ms")
    with lab.database.session() as db:
        result = imports.import_csv(db, _target(db, dyad="D07", procedure="free-play"),
                                    "\n".join(rows).encode(),
                                    session="t1", mapping=mapping, time_unit="s")
        session = studies.get_session(db, study=studies.get_study(db, "lab"), name="t1")
        events = codings.coding_events(db, codings.codings_of(db, session)[0])
        assert session.dyad.code == "D07" and result.sessions_created == ["t1"]
    assert _key(events) == [("caregiver", "far", 0, 12500, "{}"), ("child", "bid", 20000, None,
                                                                     "{}")]


def test_the_events_table_export_imports_back_as_csv(lab: Lab) -> None:
    body = _export(lab, "events", session="v2")
    _new_study(lab)
    with lab.database.session() as db:
        imports.import_csv(db, _target(db, "copy", dyad="D02", procedure="ssp"), body,
                           session="v2")
        copied = studies.get_session(db, study=studies.get_study(db, "copy"), name="v2")
        original = studies.get_session(db, study=studies.get_study(db, "lab"), name="v2")
        assert (_key(codings.coding_events(db, codings.codings_of(db, copied)[0]))
                == _key(codings.coding_events(db, codings.codings_of(db, original)[0])))


def test_importing_the_same_file_twice_replaces_the_open_coding(lab: Lab) -> None:
    body = _export(lab, "boris", session="v2")
    _new_study(lab)
    for _ in range(2):
        with lab.database.session() as db:
            imports.import_boris(db, _target(db, "copy"), body)
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "copy"), name="v2")
        assert len(codings.codings_of(db, session)) == 1
        assert len(codings.coding_events(db, codings.codings_of(db, session)[0])) == 21


def test_an_import_into_a_locked_coding_is_refused_and_stores_nothing(lab: Lab) -> None:
    body = _export(lab, "boris", session="v2")  # v2's only coding is own's master
    before = _counts(lab)
    with pytest.raises(ConflictError, match="locked"), lab.database.session() as db:
        imports.import_boris(db, _target(db), body)
    assert _counts(lab) == before


def _boris_project(lab: Lab) -> dict:
    return json.loads(_export(lab, "boris"))


def _hostile_boris(lab: Lab) -> dict[str, bytes]:
    project = _boris_project(lab)
    broken_event = json.loads(json.dumps(project))
    first = next(iter(broken_event["observations"].values()))
    first["events"].append(["soon", "child", "bid", "", ""])
    unknown = json.loads(json.dumps(project))
    next(iter(unknown["observations"].values()))["events"].append([5.0, "child", "giggle", "",
                                                                   ""])
    huge = json.loads(json.dumps(project))
    next(iter(huge["observations"].values()))["events"].append([1e300, "child", "bid", "", ""])
    return {
        "malformed JSON": b'{"behaviors_conf": {',
        "not a project": b'{"hello": 1}',
        "wrong types": json.dumps(broken_event).encode(),
        "unknown behaviour": json.dumps(unknown).encode(),
        "huge time": json.dumps(huge).encode(),
        "zip bomb": _gzip_bomb(300),
    }


def _gzip_bomb(megabytes: int) -> bytes:
    """Gzip of ``megabytes`` MB of spaces, built in chunks (a few hundred kB compressed)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b" " * 2**20
    return b"".join([packer.compress(chunk) for _ in range(megabytes)] + [packer.flush()])


def test_an_import_is_all_or_nothing_on_each_storage_backend(database: Database) -> None:
    lab = build_lab(database)
    body = _export(lab, "boris")
    project = json.loads(body)
    last = list(project["observations"])[-1]
    project["observations"][last]["events"].append([1.0, "child", "giggle", "", ""])
    _new_study(lab)
    with pytest.raises(InputError, match="giggle"), lab.database.session() as db:
        imports.import_boris(db, _target(db, "copy"), json.dumps(project).encode())
    with lab.database.session() as db:
        assert studies.sessions_of(db, studies.get_study(db, "copy")) == []
        result = imports.import_boris(db, _target(db, "copy"), body)
    assert len(result.codings) == 4 and _counts(lab)[0] == 4


def test_broken_or_hostile_boris_files_are_named_and_import_nothing(lab: Lab) -> None:
    files = _hostile_boris(lab)
    _new_study(lab)
    before = _counts(lab)
    for problem, body in files.items():
        with pytest.raises(SamspillError) as caught, lab.database.session() as db:
            imports.import_boris(db, _target(db, "copy"), body, source="bad.boris")
        assert "bad.boris" in str(caught.value), problem
        assert _counts(lab) == before, problem


def test_an_elan_file_with_entities_is_refused_before_parsing(lab: Lab) -> None:
    evil = (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "boom">]>'
            b'<ANNOTATION_DOCUMENT>&e;</ANNOTATION_DOCUMENT>')
    before = _counts(lab)
    with pytest.raises(InputError), lab.database.session() as db:
        imports.import_elan(db, _target(db), evil, session="x1", source="evil.eaf")
    assert _counts(lab) == before


def test_a_bad_csv_row_anywhere_imports_nothing(lab: Lab) -> None:
    text = "subject,code,onset_ms\nchild,bid,1000\nchild,giggle,2000\n"
    before = _counts(lab)
    with pytest.raises(EventError, match="row 3"), lab.database.session() as db:
        imports.import_csv(db, _target(db, dyad="D09"), text.encode(), session="x1",
                           source="bad.csv")
    assert _counts(lab) == before


def test_one_bad_observation_rolls_back_the_ones_before_it(lab: Lab) -> None:
    project = _boris_project(lab)
    _new_study(lab)
    names = list(project["observations"])
    project["observations"][names[-1]]["independent_variables"]["dyad"] = "bad code!"
    before = _counts(lab)
    with pytest.raises(InputError, match="not a valid dyad name"), lab.database.session() as db:
        imports.import_boris(db, _target(db, "copy"), json.dumps(project).encode())
    assert _counts(lab) == before


def test_two_observations_for_one_coder_and_session_are_refused(lab: Lab) -> None:
    body = _export(lab, "boris", session="v1")  # three codings of v1
    _new_study(lab)
    with pytest.raises(InputError, match="both give"), lab.database.session() as db:
        imports.import_boris(db, _target(db, "copy", coder="own"), body)


@pytest.mark.parametrize(("text", "expected"), [
    ("Behavior=code, Start (s)=onset_ms", {"code": "Behavior", "onset_ms": "Start (s)"}),
    ("", {}),
    ("a=b=code", {"code": "a=b"}),
])
def test_mappings_read_column_equals_field(text: str, expected: dict) -> None:
    assert imports.parse_mapping(text) == expected


def test_a_mapping_without_equals_is_refused() -> None:
    with pytest.raises(InputError, match="column=field"):
        imports.parse_mapping("Behavior")


def test_session_names_are_made_valid() -> None:
    assert imports.session_name("Observation #1 (mother)") == "Observation-1-mother"
    assert imports.session_name("###") == "observation"
