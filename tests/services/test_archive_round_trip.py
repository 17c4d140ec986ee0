"""A study archive carries what coders and clinicians entered in the newer tables: per-segment
ratings, session phases, moments and their guidance notes. Each test exports a study holding
them, imports the file into a fresh database (and, for new ids, beside the original) and
compares."""

from __future__ import annotations

import json
import shutil
import uuid
import zipfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from samspill.core.events import Segment
from samspill.core.scheme_check import parse_scheme
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events
from samspill.services import archive, archive_import, coding_ratings, codings, studies, trajectory
from samspill.services import moments as moment_service
from samspill.services.archive_model import ArchivedSession
from samspill.services.schemes import register_scheme
from samspill.settings import Settings
from samspill.store.db import Database
from samspill.store.models import User
from tests.factories import make_coded_session, make_user


@pytest.fixture
def fresh(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """A second, empty (migrated) database to restore into."""
    settings = Settings(data_dir=tmp_path / "fresh")
    settings.data_dir.mkdir(parents=True)
    shutil.copyfile(sqlite_template, settings.sqlite_path)
    db = Database(settings)
    yield db
    db.dispose()


def _export(database: Database, study_name: str, out: Path) -> Path:
    with database.session() as db:
        study = studies.get_study(db, study_name)
        return archive.export_study(db, study=study, media_dir=database.settings.media_dir,
                                    out=out)


def _import(database: Database, path: Path, rename: str | None = None) -> str:
    with database.session() as db:
        importer = db.query(User).filter_by(username="importer").one_or_none() or make_user(
            db, "importer")
        study = archive_import.import_study(db, path=path, media_dir=database.settings.media_dir,
                                     importer=importer, rename=rename)
        return study.name


def _session_archive(database: Database, study_name: str) -> ArchivedSession:
    with database.session() as db:
        return archive.build_archive(db, studies.get_study(db, study_name)).sessions[0]


# --- Per-segment ratings ----------------------------------------------------------------------


def _segment_scheme_text() -> str:
    text = (resources.files("samspill.core") / "schemes" / "withdrawal-open.yaml").read_text(
        encoding="utf-8")
    return text.replace("id: withdrawal-open", "id: lab-seg", 1) + (
        "\nforms: [{id: eas, per: segment, segments: [ep5, ep8]}]\n")


def _rated_study(database: Database) -> None:
    with database.session() as db:
        owner = make_user(db, "owner")
        owner.can_create_studies = True
        version = register_scheme(db, parse_scheme(_segment_scheme_text(), "lab-seg.yaml"))
        study = studies.create_study(db, name="seg", owner=owner)
        dyad = studies.get_or_create_dyad(db, study=study, code="D1")
        session = studies.create_session(db, study=study, dyad=dyad, name="v1",
                                         duration_ms=VIGNETTE_DURATION_MS)
        ep5 = Segment(spec_id="ep5", name="5 First reunion", start_ms=10_000, end_ms=20_000)
        ep8 = Segment(spec_id="ep8", name="8 Second reunion", start_ms=30_000, end_ms=40_000)
        for segment in (ep5, ep8):
            studies.put_segment(db, session=session, segment=segment)
        coding = codings.create_coding(db, session=session, coder=owner, scheme_version=version)
        codings.replace_events(db, coding=coding, events=[
            e.model_copy(update={"id": str(uuid.uuid4())}) for e in vignette_events()])
        coding_ratings.set_segment_ratings(db, coding=coding, segment_id=ep5.id,
                                    ratings={"eas_sensitivity": 5, "eas_structuring": 4})
        coding_ratings.set_segment_ratings(db, coding=coding, segment_id=ep8.id,
                                    ratings={"eas_sensitivity": 6})
        codings.submit(db, coding)


def _ratings_by_segment_name(database: Database, study_name: str) -> dict[str, dict[str, str]]:
    with database.session() as db:
        session = studies.sessions_of(db, studies.get_study(db, study_name))[0]
        names = {s.id: s.name for s in studies.segments_of(db, session)}
        coding = codings.codings_of(db, session)[0]
        return {names[k]: v for k, v in coding_ratings.segment_ratings_of(db, coding).items()}


def test_per_segment_ratings_survive_export_and_import(
    database: Database, fresh: Database, tmp_path: Path
) -> None:
    _rated_study(database)
    path = _export(database, "seg", tmp_path / "seg.zip")
    expected = {"5 First reunion": {"eas_sensitivity": "5", "eas_structuring": "4"},
                "8 Second reunion": {"eas_sensitivity": "6"}}
    assert _ratings_by_segment_name(database, "seg") == expected
    _import(fresh, path)
    assert _ratings_by_segment_name(fresh, "seg") == expected
    assert _session_archive(fresh, "seg") == _session_archive(database, "seg")
    # Beside the original the segments get new ids; the ratings follow them.
    _import(database, path, rename="seg-copy")
    assert _ratings_by_segment_name(database, "seg-copy") == expected
    original, copy = _session_archive(database, "seg"), _session_archive(database, "seg-copy")
    assert {s.id for s in copy.segments}.isdisjoint(s.id for s in original.segments)
    assert set(copy.codings[0].segment_ratings) == {s.id for s in copy.segments}


# --- Session phases ---------------------------------------------------------------------------


def test_session_phases_survive_export_and_import(
    database: Database, fresh: Database, tmp_path: Path
) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        later = studies.create_session(db, study=built.study, dyad=built.session.dyad,
                                       name="v2", duration_ms=VIGNETTE_DURATION_MS)
        unset = studies.create_session(db, study=built.study, dyad=built.session.dyad,
                                       name="v3", duration_ms=VIGNETTE_DURATION_MS)
        trajectory.set_phase(db, session=built.session, phase="intake")
        trajectory.set_phase(db, session=later, phase="follow-up")
        assert unset.name == "v3"
    path = _export(database, "s1", tmp_path / "s1.zip")
    _import(fresh, path)
    with fresh.session() as db:
        sessions = studies.sessions_of(db, studies.get_study(db, "s1"))
        phases = trajectory.phases_of(db, [s.id for s in sessions])
        assert {s.name: phases.get(s.id) for s in sessions} == {
            "v1": "intake", "v2": "follow-up", "v3": None}


# --- Moments and guidance notes ---------------------------------------------------------------


def _study_with_moments(database: Database) -> tuple[str, str]:
    """One accepted moment (trimmed, captioned, with a note) and one rejected; their keys."""
    with database.session() as db:
        built = make_coded_session(db)
        codings.submit(db, built.coding)
        found = moment_service.propose(db, built.session, None)
        assert len(found.items) >= 2, "the vignette should give at least two proposals"
        first, second = found.items[0].key, found.items[1].key
        accepted = moment_service.decide(db, built.session, key=first, status="accepted",
                                         member=None, user=built.owner)
        moment_service.change(db, accepted, moment_service.MomentChange(
            start_ms=accepted.start_ms + 500, caption="Look: she waits", freeze=True),
            duration_ms=built.session.duration_ms)
        moment_service.set_note(db, accepted, parent_did="waited", child_showed="a smile",
                                to_try="wait again", user=built.owner)
        moment_service.decide(db, built.session, key=second, status="rejected", member=None,
                              user=built.owner)
        return first, second


def _moments_seen(database: Database, study_name: str) -> list[tuple[object, ...]]:
    with database.session() as db:
        session = studies.sessions_of(db, studies.get_study(db, study_name))[0]
        found = moment_service.propose(db, session, None)
        seen = []
        for m in moment_service.moments_of(db, session):
            note = moment_service.note_of(db, m)
            assert note is not None
            seen.append((m.kind, m.start_ms, m.end_ms, m.caption, m.freeze, m.slow,
                         m.coding_id == (found.coding.id if found.coding else None),
                         note.parent_did, note.child_showed, note.to_try))
        decided = sorted((p.rank, p.status or "") for p in found.items if p.status)
        return [*seen, *decided]


def test_moments_and_guidance_notes_survive_export_and_import(
    database: Database, fresh: Database, tmp_path: Path
) -> None:
    first, second = _study_with_moments(database)
    path = _export(database, "s1", tmp_path / "s1.zip")
    before = _moments_seen(database, "s1")
    assert ("accepted" in str(before) and "rejected" in str(before))
    _import(fresh, path)
    assert _moments_seen(fresh, "s1") == before
    assert _session_archive(fresh, "s1").moments == _session_archive(database, "s1").moments
    # Beside the original the events get new ids: the moments still match their proposals.
    _import(database, path, rename="s1-copy")
    assert _moments_seen(database, "s1-copy") == before
    copy = _session_archive(database, "s1-copy")
    assert {m.proposal_key for m in copy.moments}.isdisjoint({first, second})
    assert copy.moments[0].note is not None and copy.moments[0].note.written_by == "owner-s1"


def test_an_archive_of_format_2_still_imports(
    database: Database, fresh: Database, tmp_path: Path
) -> None:
    _study_with_moments(database)
    path = _export(database, "s1", tmp_path / "s1.zip")
    old = tmp_path / "old.zip"
    with zipfile.ZipFile(path) as zf, zipfile.ZipFile(old, "w") as out:
        data = json.loads(zf.read("study.json"))
        data["format_version"] = 2
        for session in data["sessions"]:
            del session["phase"], session["moments"]
            for coding in session["codings"]:
                del coding["segment_ratings"]
        out.writestr("study.json", json.dumps(data))
    _import(fresh, old)
    with fresh.session() as db:
        session = studies.sessions_of(db, studies.get_study(db, "s1"))[0]
        assert moment_service.moments_of(db, session) == []
        assert len(codings.coding_events(db, codings.codings_of(db, session)[0])) > 0
