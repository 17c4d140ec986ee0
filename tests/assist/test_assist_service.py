"""An assist pass over a stored video, on SQLite and PostgreSQL: suggestions stored at once,
decided per coding, accepted into events with provenance; failures and cancels store nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from samspill.core.errors import ConflictError
from samspill.core.events import Event
from samspill.services import assist, assist_decisions, codings
from samspill.services import media as media_service
from samspill.services.actions import Action, apply_actions
from samspill.services.study_settings import change_settings
from samspill.store.db import Database
from samspill.store.models import AssistRun, Suggestion
from tests.assist import sounds
from tests.factories import make_coded_session

MODELS = Path(__file__).resolve().parents[2] / ".models"
BIDS = [Event(subject="child", code="bid", onset_ms=t, modifiers={"kind": "call"})
        for t in (5000, 30_000)]


def _video(path: Path, audio: np.ndarray | None, seconds: int = 60) -> Path:
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    video = ["-f", "lavfi", "-i", f"color=c=gray:s=64x48:d={seconds}:r=5"]
    if audio is None:
        subprocess.run([ffmpeg, "-v", "error", "-y", *video, "-c:v", "libx264", str(path)],
                       check=True)
        return path
    raw = path.with_suffix(".raw")
    raw.write_bytes(audio.astype("<i2").tobytes())
    subprocess.run([ffmpeg, "-v", "error", "-y", *video, "-f", "s16le", "-ar", "16000", "-ac",
                    "1", "-i", str(raw), "-c:v", "libx264", "-c:a", "aac", "-b:a", "96k",
                    "-shortest", str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    talk = sounds.speech("Yes, I see it. What a lovely red ball you have there!")
    audio = sounds.place(60_000, [(8000, talk), (40_000, sounds.cry(2000))])
    return _video(tmp_path_factory.mktemp("assist") / "session.mp4", audio)


def _pass(database: Database, video: Path, detectors: tuple[str, ...] | None = assist.DETECTORS,
          settings: dict[str, object] | None = None) -> tuple[int, AssistRun | None]:
    with database.session() as db:
        built = make_coded_session(db, events=list(BIDS))
        if settings:
            change_settings(db, study=built.study, changes=settings, by=None)
        media_service.attach_file(db, session=built.session,
                                  media_dir=database.settings.media_dir, source=video)
        run = assist.request_run(db, session=built.session, user=built.owner,
                                 detectors=detectors)
        coding_id, run_id = built.coding.id, run.id
    finished = assist.execute(database.session, run_id, media_dir=database.settings.media_dir,
                              models_dir=MODELS)
    return coding_id, finished


def test_a_pass_stores_speech_and_cry_and_the_coder_sees_silence_after_a_bid(
        database: Database, recorded: Path) -> None:
    coding_id, run = _pass(database, recorded)
    assert run is not None and run.state == "done" and run.progress == 1.0
    with database.session() as db:
        listed = assist_decisions.listing(db, codings.get_coding(db, coding_id))
    kinds = [(s["detector"], s["onset_ms"] // 1000) for s in listed]
    speech = [s for s in listed if s["detector"] == "speech"]
    assert len(speech) == 1 and abs(speech[0]["onset_ms"] - 8000) <= 200
    cry = [s for s in listed if s["detector"] == "cry"]
    assert len(cry) == 1 and abs(cry[0]["onset_ms"] - 40_000) <= 200
    assert cry[0]["code"] == "distress" and cry[0]["subject"] == "child"
    # the bid at 5 s was followed by speech; the one at 30 s was not
    assert ("silence", 30) in kinds and ("silence", 5) not in kinds
    assert all(s["decision"] is None for s in listed)
    assert run.found == 2


def test_accept_reject_and_undo_are_per_coding_and_keep_provenance(
        database: Database, recorded: Path) -> None:
    coding_id, _ = _pass(database, recorded)
    with database.session() as db:
        coding = codings.get_coding(db, coding_id)
        listed = assist_decisions.listing(db, coding)
        cry = next(s for s in listed if s["detector"] == "cry")
        speech = next(s for s in listed if s["detector"] == "speech")
        event = Event(subject="child", code="distress", onset_ms=cry["onset_ms"] - 300,
                      offset_ms=cry["offset_ms"], provenance="assist:forged@9")
        apply_actions(db, coding=coding, actions=[
            Action(id="00000000-0000-0000-0000-000000000001", type="add", event=event,
                   suggestion_id=cry["id"]),
            Action(id="00000000-0000-0000-0000-000000000002", type="reject",
                   suggestion_id=speech["id"]),
        ])
    with database.session() as db:
        coding = codings.get_coding(db, coding_id)
        stored = next(e for e in codings.coding_events(db, coding) if e.code == "distress")
        assert stored.provenance == "assist:cry@1"  # the server's, not the forged one
        assert stored.onset_ms == cry["onset_ms"] - 300  # the coder's adjusted edge
        decided = {s["id"]: s["decision"] for s in assist_decisions.listing(db, coding)}
        assert decided[cry["id"]] == "accepted" and decided[speech["id"]] == "rejected"
        with pytest.raises(ConflictError):
            assist_decisions.reject(db, coding, cry["id"])
    with database.session() as db:  # undo both: the event goes, the suggestions reopen
        coding = codings.get_coding(db, coding_id)
        apply_actions(db, coding=coding, actions=[
            Action(id="00000000-0000-0000-0000-000000000003", type="delete",
                   event_id=stored.id),
            Action(id="00000000-0000-0000-0000-000000000004", type="reopen",
                   suggestion_id=speech["id"]),
        ])
    with database.session() as db:
        listed = assist_decisions.listing(db, codings.get_coding(db, coding_id))
        assert all(s["decision"] is None for s in listed)


def test_an_add_without_a_suggestion_never_carries_a_provenance(database: Database) -> None:
    with database.session() as db:
        built = make_coded_session(db, events=[])
        apply_actions(db, coding=built.coding, actions=[Action(
            id="00000000-0000-0000-0000-000000000005", type="add",
            event=Event(subject="child", code="bid", onset_ms=1000,
                        modifiers={"kind": "call"}, provenance="assist:speech@6.2.3"))])
        assert codings.coding_events(db, built.coding)[0].provenance is None


def test_a_video_without_sound_fails_the_pass_clearly_and_stores_nothing(
        database: Database, tmp_path: Path) -> None:
    _, run = _pass(database, _video(tmp_path / "mute.mp4", None, seconds=3))
    assert run is not None and run.state == "failed"
    assert run.error is not None and "no sound" in run.error["message"]
    with database.session() as db:
        assert db.scalar(select(func.count()).select_from(Suggestion)) == 0


def test_a_cancelled_pass_stores_nothing_and_a_second_pass_is_refused_while_one_runs(
        database: Database, recorded: Path) -> None:
    with database.session() as db:
        built = _with_video(db, database, recorded)
        run = assist.request_run(db, session=built.session, user=built.owner)
        with pytest.raises(ConflictError, match="already under way"):
            assist.request_run(db, session=built.session, user=built.owner)
        run_id = run.id
    cancelled_after: list[float] = []

    def cancel_midway(fraction: float) -> None:
        if fraction > 0.3 and not cancelled_after:
            cancelled_after.append(fraction)
            with database.session() as db:
                assist.cancel(db, assist.get_run(db, run_id))

    finished = assist.execute(database.session, run_id, media_dir=database.settings.media_dir,
                              models_dir=MODELS, progress=cancel_midway)
    assert finished is not None and finished.state == "cancelled" and cancelled_after
    with database.session() as db:
        assert db.scalar(select(func.count()).select_from(Suggestion)) == 0


def test_a_pass_left_running_by_a_stopped_server_is_queued_again(
        database: Database, recorded: Path) -> None:
    with database.session() as db:
        built = _with_video(db, database, recorded)
        run = assist.request_run(db, session=built.session, user=built.owner)
        run.state, run.progress = "running", 0.4  # the server stopped here
        run_id = run.id
    with database.session() as db:
        assert assist.requeue_interrupted(db) == [run_id]
    finished = assist.execute(database.session, run_id, media_dir=database.settings.media_dir,
                              models_dir=MODELS)
    assert finished is not None and finished.state == "done"


def test_suggestions_are_not_shown_to_trainees_or_in_reliability_codings(
        database: Database) -> None:
    with database.session() as db:
        coding = make_coded_session(db, events=[]).coding
        assert assist_decisions.shown_in(coding, "coder")
        assert not assist_decisions.shown_in(coding, "trainee")
        coding.purpose = "reliability"
        assert not assist_decisions.shown_in(coding, "owner")


@pytest.fixture(scope="module")
def quiet_cry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cry some 25 dB above the room's noise: found at the default rise (15 dB) only."""
    audio = sounds.place(20_000, [(8000, sounds.cry(2000, level=2400))])
    return _video(tmp_path_factory.mktemp("assist") / "quiet.mp4", audio, seconds=20)


@pytest.mark.parametrize(("changes", "found"), [
    ({}, [("cry", "distress")]),
    ({"assist.cry_min_rise_db": "12", "assist.cry_code": "crying"}, [("cry", "crying")]),
    ({"assist.cry_min_rise_db": "35"}, []),
])
def test_a_pass_uses_the_studys_cry_settings(
        database: Database, quiet_cry: Path, changes: dict[str, object],
        found: list[tuple[str, str]]) -> None:
    _, run = _pass(database, quiet_cry, detectors=("cry",), settings=changes)
    assert run is not None and run.state == "done"
    with database.session() as db:
        stored = db.scalars(select(Suggestion).where(Suggestion.run_id == run.id)).all()
        assert [(s.detector, s.code) for s in stored] == found


def test_a_pass_without_detectors_runs_the_studys(database: Database, recorded: Path) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        media_service.attach_file(db, session=built.session,
                                  media_dir=database.settings.media_dir, source=recorded)
        assert assist.request_run(db, session=built.session, user=None).detectors == [
            "speech", "cry", "pose"]
        db.delete(db.scalars(select(AssistRun)).one())
        change_settings(db, study=built.study, changes={"assist.detectors": "speech"}, by=None)
        assert assist.request_run(db, session=built.session, user=None).detectors == ["speech"]


def test_silences_wait_the_studys_grace_after_a_bid(database: Database, recorded: Path) -> None:
    """The speech at 8–11 s follows the bid at 5 s: within a 7 s grace it is the bid itself."""
    coding_id, _ = _pass(database, recorded, detectors=("speech",),
                         settings={"assist.silence_grace_ms": "7000"})
    with database.session() as db:
        listed = assist_decisions.listing(db, codings.get_coding(db, coding_id))
    assert [s["onset_ms"] for s in listed if s["detector"] == "silence"] == [5000, 30_000]


def _with_video(db, database: Database, video: Path):  # type: ignore[no-untyped-def]
    """A coded session without events, with ``video`` attached."""
    built = make_coded_session(db, events=[])
    media_service.attach_file(db, session=built.session, media_dir=database.settings.media_dir,
                              source=video)
    return built
