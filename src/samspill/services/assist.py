"""The assist pass over a session's video, kept in the database: request, run, cancel, resume.

A pass reads the session's main video's sound in chunks (``detectors.audio``), runs the voice
model and the cry detector over it, then its picture in chunks of small frames
(``detectors.frames``) through the pose model (``detectors.pose``) for proximity and holding,
all with the study's assist settings (which detectors run by default, their thresholds, the
code proposed for crying), and writes all its suggestions in one transaction at the end,
replacing the session's earlier suggestions of the same detectors (the coders' decisions on
those go with them). A failed or cancelled pass writes nothing.
Suggestions are never codes: a coder accepts each one (``assist_decisions``) before it becomes
an event.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from samspill.core.assist.cry import FrameFeatures, frame_features
from samspill.core.assist.proposals import Proposal
from samspill.core.assist.settings import AssistSettings
from samspill.core.errors import N_, ConflictError, InputError, NotFoundError, SamspillError
from samspill.core.study_settings import study_settings
from samspill.detectors.registry import MOVENET_MULTIPOSE
from samspill.services import media as media_service
from samspill.store.media import media_path
from samspill.store.models import AssistRun, ObservationSession, Suggestion, User

log = logging.getLogger("samspill.assist")
AUDIO_DETECTORS = ("speech", "cry")
PICTURE_DETECTORS = ("pose",)
DETECTORS = AUDIO_DETECTORS + PICTURE_DETECTORS
# The sound's share of a pass's progress bar when the picture is looked at too (the pose model
# takes most of the time).
AUDIO_SHARE = 0.15
FINISHED = ("done", "failed", "cancelled")


class Cancelled(Exception):
    """The pass was cancelled while it ran (checked between chunks)."""


@dataclass(frozen=True)
class PassResult:
    proposals: list[Proposal]
    duration_ms: int


def request_run(db: Session, *, session: ObservationSession, user: User | None,
                detectors: Sequence[str] | None = None) -> AssistRun:
    """Queue a pass over the session's main video (refused while one is queued or running);
    without ``detectors``, those the study's settings name (``assist.detectors``)."""
    if detectors is None:
        detectors = study_settings(session.study.settings).assist.detectors
    unknown = sorted(set(detectors) - set(DETECTORS))
    if unknown or not detectors:
        raise InputError(N_("unknown assist detector(s): {names}"),
                         fix=N_("choose among: {known}"),
                         params={"names": ", ".join(unknown) or "none",
                                 "known": ", ".join(DETECTORS)})
    videos = media_service.media_of(db, session)
    if not videos:
        raise InputError(N_("session {session} has no video for the assist to watch"),
                         fix=N_("upload the session's video first"),
                         params={"session": session.name})
    busy = db.scalar(select(AssistRun.id).where(AssistRun.session_id == session.id,
                                                AssistRun.state.in_(("queued", "running"))))
    if busy is not None:
        raise ConflictError(N_("an assist pass over session {session} is already under way"),
                            fix=N_("wait for it to finish, or cancel it"),
                            params={"session": session.name})
    run = AssistRun(session_id=session.id, media_id=videos[0].id,
                    requested_by_id=user.id if user else None, state="queued",
                    detectors=list(detectors), progress=0.0, found=0)
    db.add(run)
    db.flush()
    return run


def get_run(db: Session, run_id: int) -> AssistRun:
    run = db.get(AssistRun, run_id)
    if run is None:
        raise NotFoundError(N_("no assist pass {id}"), fix=N_("list the session's passes"),
                            params={"id": run_id})
    return run


def runs_of(db: Session, session: ObservationSession) -> Sequence[AssistRun]:
    return db.scalars(select(AssistRun).where(AssistRun.session_id == session.id)
                      .order_by(AssistRun.id.desc())).all()


def cancel(db: Session, run: AssistRun) -> None:
    """Ask a queued or running pass to stop; a finished one is left as it is."""
    if run.state in ("queued", "running"):
        run.state = "cancelled"
        run.finished_at = dt.datetime.now(dt.UTC)


def requeue_interrupted(db: Session) -> list[int]:
    """At server start: passes left running by a stopped server start again from the top."""
    ids = list(db.scalars(select(AssistRun.id).where(AssistRun.state == "running")).all())
    if ids:
        db.execute(update(AssistRun).where(AssistRun.id.in_(ids))
                   .values(state="queued", progress=0.0))
    return ids


def queued(db: Session) -> list[int]:
    return list(db.scalars(select(AssistRun.id).where(AssistRun.state == "queued")
                           .order_by(AssistRun.id)).all())


# -- running a pass ---------------------------------------------------------------------------

UnitOfWork = Callable[[], contextlib.AbstractContextManager[Session]]


def execute(unit_of_work: UnitOfWork, run_id: int, *, media_dir: Path, models_dir: Path,
            progress: Callable[[float], None] | None = None) -> AssistRun | None:
    """Run a queued pass to its end: claim it, compute, and store its suggestions at once.

    Each database step is its own short transaction (the computation holds no lock). Returns
    the finished run's final state (detached), or None when another worker claimed it."""
    with unit_of_work() as db:
        run = db.get(AssistRun, run_id)
        if run is None or run.state != "queued":
            return None
        run.state, run.progress, run.error = "running", 0.0, None
        media = media_service.get_media(db, run.media_id) if run.media_id else None
        if media is None:
            raise InputError(N_("the assist pass has no video"), fix=N_("start it again"))
        source = media_path(media_dir, media.sha256)
        offset_ms, detectors = media.offset_ms, list(run.detectors)
        session = db.get(ObservationSession, run.session_id)
        settings = study_settings(session.study.settings if session else None).assist
    reporter = _Reporter(unit_of_work, run_id, progress)
    try:
        result = compute(source, detectors, models_dir=models_dir, progress=reporter,
                         settings=settings)
    except Cancelled:
        return _finish(unit_of_work, run_id, "cancelled", None)
    except SamspillError as error:
        return _finish(unit_of_work, run_id, "failed", _error_of(error))
    except Exception as error:  # a decoder or model crash must not leave the pass "running"
        log.exception("assist pass %s failed", run_id)
        failure = InputError(N_("the assist pass failed: {kind}"),
                             fix=N_("check that the video plays; if it does, report this"),
                             params={"kind": type(error).__name__})
        return _finish(unit_of_work, run_id, "failed", _error_of(failure))
    return _store(unit_of_work, run_id, result, offset_ms)


def _error_of(error: SamspillError) -> dict[str, object]:
    return {**error.as_dict(), "template": error.template, "fix_template": error.fix_template,
            "params": error.params}


class _Reporter:
    """Writes progress at most every 2 %, and raises :class:`Cancelled` once the run is."""

    def __init__(self, unit_of_work: UnitOfWork, run_id: int,
                 also: Callable[[float], None] | None) -> None:
        self._unit_of_work, self._run_id, self._also = unit_of_work, run_id, also
        self._written = 0.0

    def __call__(self, fraction: float) -> None:
        if self._also is not None:
            self._also(fraction)
        if fraction - self._written < 0.02 and fraction < 1.0:
            return
        self._written = fraction
        with self._unit_of_work() as db:
            run = db.get(AssistRun, self._run_id)
            if run is None or run.state != "running":
                raise Cancelled
            run.progress = round(min(fraction, 1.0), 3)


def compute(source: Path, detectors: Sequence[str], *, models_dir: Path,
            progress: Callable[[float], None],
            settings: AssistSettings = AssistSettings()) -> PassResult:
    """The pure part's inputs gathered from the video in chunks, then the proposals, with the
    study's thresholds (``settings``): the sound first, then the picture."""
    from samspill.detectors import frames
    from samspill.store.media import probe

    total_ms = probe(source).duration_ms or 0
    picture = "pose" in detectors and (frames.has_video(source) or _only_pose(detectors))
    audio_share = AUDIO_SHARE if picture else 1.0
    proposals: list[Proposal] = []
    duration_ms = total_ms
    if set(detectors) & set(AUDIO_DETECTORS):
        heard, duration_ms = _audio_proposals(
            source, detectors, models_dir=models_dir, total_ms=total_ms, settings=settings,
            progress=lambda f: progress(min(0.99, f * audio_share)))
        proposals += heard
    if picture:
        proposals += _pose_proposals(
            source, models_dir=models_dir, total_ms=total_ms or duration_ms, settings=settings,
            progress=lambda f: progress(min(0.99, audio_share + f * (1 - audio_share))))
    progress(1.0)
    return PassResult(proposals, duration_ms)


def _only_pose(detectors: Sequence[str]) -> bool:
    """Asked for the picture alone: a file without one is an error (frames.NoPicture), not an
    empty pass. With sound detectors too, a sound-only file simply has no pose suggestions."""
    return set(detectors) <= set(PICTURE_DETECTORS)


def _audio_proposals(source: Path, detectors: Sequence[str], *, models_dir: Path,
                     total_ms: int, settings: AssistSettings,
                     progress: Callable[[float], None]) -> tuple[list[Proposal], int]:
    from samspill.core.assist.cry import cry_proposals
    from samspill.core.assist.speech import speech_proposals
    from samspill.detectors import audio, vad
    from samspill.detectors.registry import SILERO_VAD, model_path

    voice = vad.SileroVad(model_path(models_dir, SILERO_VAD)) if "speech" in detectors else None
    probabilities: list[np.ndarray] = []
    features: list[FrameFeatures] = []
    heard, tail = 0, np.zeros(0, dtype=np.int16)
    for chunk in audio.audio_chunks(source):
        if voice is not None:
            probabilities.append(voice.probabilities(chunk))
        if "cry" in detectors:
            part, tail = _cry_chunk(chunk, tail, settings)
            features.append(part)
        heard += len(chunk)
        progress(min(0.99, heard * 1000 / audio.RATE / total_ms) if total_ms else 0.5)
    duration_ms = heard * 1000 // audio.RATE
    proposals: list[Proposal] = []
    if voice is not None:
        probabilities.append(voice.finish())
        proposals += speech_proposals(np.concatenate(probabilities), vad.WINDOW_MS, duration_ms,
                                      SILERO_VAD.version, settings.speech_settings())
    if "cry" in detectors:
        proposals += cry_proposals(FrameFeatures.join(features), CRY_VERSION,
                                   settings.cry_settings(), code=settings.cry_code)
    return proposals, duration_ms


def _pose_proposals(source: Path, *, models_dir: Path, total_ms: int,
                    settings: AssistSettings,
                    progress: Callable[[float], None]) -> list[Proposal]:
    from samspill.core.assist.proximity import proximity_proposals
    from samspill.detectors import frames, pose
    from samspill.detectors.registry import model_path

    model_file = model_path(models_dir, MOVENET_MULTIPOSE)
    frame_ms = 1000 / settings.pose_fps
    expected = max(1, round(total_ms / frame_ms))
    people = pose.people_in(model_file, frames.frame_chunks(source, fps=settings.pose_fps),
                            seen=lambda n: progress(min(1.0, n / expected)))
    duration_ms = min(total_ms, round(len(people) * frame_ms)) if total_ms else round(
        len(people) * frame_ms)
    return proximity_proposals(people, frame_ms, duration_ms, POSE_VERSION,
                               settings.proximity_settings())


CRY_VERSION = "1"
# The pose model's package version, then the proximity rules' own (core.assist.proximity).
POSE_VERSION = f"{MOVENET_MULTIPOSE.version}+1"


def _cry_chunk(chunk: np.ndarray, tail: np.ndarray,
               settings: AssistSettings) -> tuple[FrameFeatures, np.ndarray]:
    """Features of the frames a chunk completes; the rest (the next frame's overlap) waits."""
    from samspill.core.assist.cry import HOP_MS
    from samspill.detectors.audio import RATE

    data = np.concatenate([tail, chunk])
    part = frame_features(data, RATE, settings.cry_settings())  # the f0 range to search
    return part, data[len(part.energy_db) * RATE * HOP_MS // 1000:]


def _store(unit_of_work: UnitOfWork, run_id: int, result: PassResult,
           offset_ms: int) -> AssistRun | None:
    with unit_of_work() as db:
        run = db.get(AssistRun, run_id)
        if run is None or run.state != "running":
            return run  # cancelled at the last moment: nothing written
        _replace_suggestions(db, run, result.proposals, offset_ms)
        run.state, run.progress, run.found = "done", 1.0, len(result.proposals)
        run.finished_at = dt.datetime.now(dt.UTC)
        db.flush()
        db.expunge(run)
        return run


def _replace_suggestions(db: Session, run: AssistRun, proposals: Sequence[Proposal],
                         offset_ms: int) -> None:
    detectors = {p.detector for p in proposals} | set(run.detectors)
    db.execute(delete(Suggestion).where(Suggestion.session_id == run.session_id,
                                        Suggestion.detector.in_(detectors)))
    db.add_all(Suggestion(
        id=str(uuid.uuid4()), session_id=run.session_id, run_id=run.id, detector=p.detector,
        version=p.version, subject=p.subject, code=p.code, onset_ms=p.onset_ms + offset_ms,
        offset_ms=None if p.offset_ms is None else p.offset_ms + offset_ms,
        confidence=p.confidence, modifiers=dict(p.modifiers), note=p.note,
    ) for p in proposals)


def _finish(unit_of_work: UnitOfWork, run_id: int, state: str,
            error: dict[str, object] | None) -> AssistRun | None:
    with unit_of_work() as db:
        run = db.get(AssistRun, run_id)
        if run is None:
            return None
        if run.state == "running" or state == "cancelled":
            run.state, run.error = state, error
            run.finished_at = run.finished_at or dt.datetime.now(dt.UTC)
        db.flush()
        db.expunge(run)
        return run


def suggestions_of(db: Session, session: ObservationSession) -> Sequence[Suggestion]:
    return db.scalars(select(Suggestion).where(Suggestion.session_id == session.id)
                      .order_by(Suggestion.onset_ms, Suggestion.id)).all()

