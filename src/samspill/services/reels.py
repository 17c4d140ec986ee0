"""Exporting a session's feedback reel as one MP4: durable render jobs (issue 23).

A render is asked for (:func:`request_render`, written to the audit log at once), run by the
server's reel worker (:func:`execute`; ffmpeg in :mod:`samspill.services.reel_video`), and
downloaded when done. The file lies in ``<data_dir>/reels`` under a random name; it is removed
with its dyad (:func:`files_of_dyad`, :func:`remove_files`). The video shows the study's
pseudonymous codes only (the dyad's code and the session's name), never identifying data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from samspill.core.errors import N_, ConflictError, InputError, NotFoundError, SamspillError
from samspill.core.reel import ClipSpec, plan, reel_length_ms
from samspill.services import audit
from samspill.services import media as media_service
from samspill.services import moments as moment_service
from samspill.store.media import media_path
from samspill.store.models import ObservationSession, Study, User
from samspill.store.models_moments import ReelRender

log = logging.getLogger("samspill.reels")
LANGUAGES = ("en", "nb")
BUSY = ("queued", "running")
PARTIAL = ".part.mp4"
# What the reel says by itself where a moment has no caption (in the chosen language).
KIND_WORDS = {"good": N_("A good moment"), "missed": N_("A moment to talk about")}
UnitOfWork = Callable[[], contextlib.AbstractContextManager[Session]]


def reels_dir(data_dir: Path) -> Path:
    return data_dir / "reels"


Say = Callable[[str], str]


def clips_for(db: Session, session: ObservationSession, say: Say) -> list[ClipSpec]:
    """The accepted moments as clips, an empty caption given its kind's words (``say``
    translates them into the reel's language)."""
    out = []
    for m in moment_service.moments_of(db, session):
        clip = moment_service.clip_of(m)
        if not clip.caption:
            clip = ClipSpec(clip.start_ms, clip.end_ms, clip.key_ms,
                            say(KIND_WORDS.get(m.kind, "")), clip.freeze, clip.slow)
        out.append(clip)
    return out


def request_render(db: Session, *, study: Study, session: ObservationSession, user: User | None,
                   language: str, say: Say | None = None) -> ReelRender:
    """Queue an export of the session's reel; the audit log names who, which and how many.
    ``say`` translates the words the reel says by itself into ``language``."""
    if language not in LANGUAGES:
        raise InputError(N_("a reel is made in English (en) or bokmål (nb), not '{language}'"),
                         fix=N_("choose en or nb"), params={"language": language})
    clips = clips_for(db, session, say or (lambda text: text))
    if not clips:
        raise InputError(N_("the reel of session {session} holds no moment yet"),
                         fix=N_("accept at least one proposed moment first"),
                         params={"session": session.name})
    if not media_service.media_of(db, session):
        raise InputError(N_("session {session} has no video to cut the reel from"),
                         fix=N_("upload the session's video first"),
                         params={"session": session.name})
    busy = db.scalar(select(ReelRender.id).where(ReelRender.session_id == session.id,
                                                 ReelRender.state.in_(BUSY)))
    if busy is not None:
        raise ConflictError(N_("a reel of session {session} is being made already"),
                            fix=N_("wait for it to finish"), params={"session": session.name})
    render = ReelRender(session_id=session.id, requested_by_id=user.id if user else None,
                        language=language, state="queued", progress=0.0,
                        clips=[c.__dict__ for c in clips])
    db.add(render)
    db.flush()
    audit.record(db, action="export.reel", user=user, target=f"session {session.name}",
                 study=study.name, detail=f"dyad={session.dyad.code} moments={len(clips)} "
                 f"language={language} render={render.id}")
    return render


def renders_of(db: Session, session: ObservationSession) -> list[ReelRender]:
    return list(db.scalars(select(ReelRender).where(ReelRender.session_id == session.id)
                           .order_by(ReelRender.id.desc())).all())


def get_render(db: Session, session: ObservationSession, render_id: int) -> ReelRender:
    render = db.get(ReelRender, render_id)
    if render is None or render.session_id != session.id:
        raise NotFoundError(N_("no such reel export"), fix=N_("export the reel again"))
    return render


def file_of(render: ReelRender, data_dir: Path) -> Path:
    """The finished MP4 of a render, or "not ready" with the fix."""
    path = reels_dir(data_dir) / (render.file_name or "")
    if render.state != "done" or not render.file_name or not path.is_file():
        raise NotFoundError(N_("this reel export is not ready"),
                            fix=N_("wait until its progress reaches 100 %, or export again"))
    return path


def download_name(session: ObservationSession, render: ReelRender) -> str:
    """Codes only: the study, the dyad's code, the session's name."""
    return f"reel-{session.study.name}-{session.dyad.code}-{session.name}-{render.language}.mp4"


def requeue_interrupted(db: Session) -> list[int]:
    """At server start: renders a stopped server left running start again."""
    ids = list(db.scalars(select(ReelRender.id).where(ReelRender.state == "running")).all())
    if ids:
        db.execute(update(ReelRender).where(ReelRender.id.in_(ids))
                   .values(state="queued", progress=0.0))
    return ids


def sweep_partial(data_dir: Path) -> int:
    """At server start, before any render runs: remove unfinished files a stopped server
    left (their renders start again from the top). How many there were."""
    folder = reels_dir(data_dir)
    found = list(folder.glob(f"*{PARTIAL}")) if folder.is_dir() else []
    for path in found:
        path.unlink(missing_ok=True)
    return len(found)


def queued(db: Session) -> list[int]:
    return list(db.scalars(select(ReelRender.id).where(ReelRender.state == "queued")
                           .order_by(ReelRender.id)).all())


def execute(unit_of_work: UnitOfWork, render_id: int, *, media_dir: Path,
            data_dir: Path, progress: Callable[[float], None] | None = None) -> str | None:
    """Run a queued render to its end; its final state (None when another worker took it)."""
    from samspill.services import reel_video

    with unit_of_work() as db:
        render = db.get(ReelRender, render_id)
        if render is None or render.state != "queued":
            return None
        session = db.get(ObservationSession, render.session_id)
        videos = media_service.media_of(db, session) if session else []
        if session is None or not videos:
            render.state, render.error = "failed", {"message": "the session has no video"}
            return "failed"
        render.state, render.progress = "running", 0.0
        source, offset = media_path(media_dir, videos[0].sha256), videos[0].offset_ms
        clips = [_on_media(ClipSpec(**c), offset) for c in render.clips]
        label = f"{session.dyad.code} · {session.name}"
    folder = reels_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    # Written under a name that says "unfinished" (a stopped server's leftovers are swept at
    # the next start), then given a name nobody can guess.
    part = folder / f"{render_id}{PARTIAL}"
    out = folder / f"{render_id}-{secrets.token_hex(8)}.mp4"
    try:
        reel_video.render(source, plan(clips), part, label=label,
                          progress=_Reporter(unit_of_work, render_id, progress))
        part.replace(out)
    except SamspillError as error:
        part.unlink(missing_ok=True)
        return _finish(unit_of_work, render_id, state="failed", error=error.as_dict())
    except Exception as error:  # ffmpeg missing, a disk full: the render must end, and say so
        part.unlink(missing_ok=True)
        log.error("reel render %s failed: %s", render_id, type(error).__name__)
        return _finish(unit_of_work, render_id, state="failed",
                       error={"message": "the reel could not be made",
                              "fix": f"report this ({type(error).__name__})"})
    return _finish(unit_of_work, render_id, state="done", out=out,
                   length_ms=reel_length_ms(clips))


def _on_media(clip: ClipSpec, offset_ms: int) -> ClipSpec:
    """Session times to the video's own (media time 0 is ``offset_ms`` on the session)."""
    shift = -offset_ms
    return ClipSpec(max(0, clip.start_ms + shift), clip.end_ms + shift,
                    max(0, clip.key_ms + shift), clip.caption, clip.freeze, clip.slow)


class _Reporter:
    """Writes progress at most every 2 %."""

    def __init__(self, unit_of_work: UnitOfWork, render_id: int,
                 also: Callable[[float], None] | None = None) -> None:
        self._unit_of_work, self._id, self._written = unit_of_work, render_id, 0.0
        self._also = also

    def __call__(self, fraction: float) -> None:
        if self._also is not None:
            self._also(fraction)
        if fraction - self._written < 0.02 and fraction < 1.0:
            return
        self._written = fraction
        with self._unit_of_work() as db:
            render = db.get(ReelRender, self._id)
            if render is not None and render.state == "running":
                render.progress = round(min(fraction, 1.0), 3)


def _finish(unit_of_work: UnitOfWork, render_id: int, *, state: str,
            error: Mapping[str, object] | None = None, out: Path | None = None,
            length_ms: int | None = None) -> str:
    with unit_of_work() as db:
        render = db.get(ReelRender, render_id)
        if render is None:  # the dyad was deleted meanwhile: its reel must not stay behind
            if out is not None:
                out.unlink(missing_ok=True)
            return "deleted"
        render.state, render.error = state, dict(error) if error is not None else None
        render.finished_at = dt.datetime.now(dt.UTC)
        if out is not None:
            render.file_name, render.size_bytes = out.name, out.stat().st_size
            render.duration_ms, render.progress = length_ms, 1.0
        return state


def files_of_dyad(db: Session, dyad_id: int) -> tuple[str, ...]:
    """The reel files of a dyad's sessions (to remove once its deletion is committed)."""
    found = db.scalars(select(ReelRender.file_name).join(
        ObservationSession, ObservationSession.id == ReelRender.session_id).where(
        ObservationSession.dyad_id == dyad_id, ReelRender.file_name.is_not(None))).all()
    return tuple(sorted(f for f in found if f))


def remove_files(data_dir: Path, names: tuple[str, ...]) -> int:
    """Remove reel files after a deletion is committed; how many were there."""
    removed = 0
    for name in names:
        path = reels_dir(data_dir) / Path(name).name
        if path.is_file():
            path.unlink()
            removed += 1
    return removed
