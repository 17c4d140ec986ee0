"""Course mode (issue 12): make a course from a study, take it, see results.

A teacher (a study's owner) makes a course from the sessions they own and those sessions'
master codings; learners (any account, no study role needed) are enrolled by a teacher and
see only their course's clips. Each answer is stored as sent and graded by the pure core
(:mod:`samspill.core.course`) against the answer key the indicators derive from the master's
events. A learner reads only their own answers; a teacher reads the class's counts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from samspill.core.course import Graded, Tally, grade_answer, lesson_scores, tally
from samspill.core.course.clip_scores import ClipScores
from samspill.core.course.grading import withdrawn_clip
from samspill.core.course.model import Clip, Course, CourseHead, Lesson, SchemeRef, TaskKind
from samspill.core.course.model import parse_course as parse
from samspill.core.errors import N_, ConflictError, InputError, NotFoundError, PermissionDeniedError
from samspill.core.events import Event
from samspill.core.indicators import IndicatorSettings, settings_from
from samspill.core.scheme import Scheme
from samspill.services import audit, codings, studies
from samspill.services.media import media_of
from samspill.services.schemes import register_builtin_schemes, scheme_of
from samspill.services.scoring import settings_of
from samspill.store.models import (
    Coding,
    MediaFile,
    ObservationSession,
    SchemeVersion,
    Study,
    User,
)
from samspill.store.models_courses import (
    CourseAnswer,
    CourseClip,
    CourseLesson,
    CourseMember,
    CourseRow,
)

COURSE_ROLES = ("teacher", "learner")


# --- Finding courses and roles --------------------------------------------------------------


def find_course(db: Session, name: str) -> CourseRow | None:
    return db.scalar(select(CourseRow).where(CourseRow.name == name[:64]))


def get_course(db: Session, name: str) -> CourseRow:
    row = find_course(db, name)
    if row is None:
        raise NotFoundError(N_("no such course"), fix=N_("check the address"))
    return row


def course_role(db: Session, *, course: CourseRow, user: User) -> str | None:
    """``teacher``, ``learner`` or None; administrators teach every course."""
    if user.is_admin:
        return "teacher"
    return db.scalar(select(CourseMember.role).where(CourseMember.course_id == course.id,
                                                     CourseMember.user_id == user.id))


def courses_for(db: Session, user: User) -> list[tuple[CourseRow, str]]:
    """The courses this user teaches or takes (every course for an administrator)."""
    if user.is_admin:
        rows = db.scalars(select(CourseRow).order_by(CourseRow.name)).all()
        return [(row, "teacher") for row in rows]
    found = db.execute(select(CourseRow, CourseMember.role).join(
        CourseMember, CourseMember.course_id == CourseRow.id).where(
        CourseMember.user_id == user.id).order_by(CourseRow.name)).all()
    return [(row, role) for row, role in found]


def may_make_courses(db: Session, user: User) -> bool:
    """Teachers are study owners: they make courses from the sessions they own."""
    return user.is_admin or bool(_owned_studies(db, user))


def _owned_studies(db: Session, user: User) -> list[Study]:
    return [s for s in studies.studies_for(db, user)
            if studies.role_of(db, study=s, user=user) == "owner"]


# --- The course document --------------------------------------------------------------------


def header(row: CourseRow) -> CourseHead:
    """The course without its lessons (title, description, scheme, settings)."""
    return CourseHead.model_validate({**row.content, "name": row.name})


def lessons_of(db: Session, course: CourseRow) -> list[CourseLesson]:
    return list(db.scalars(select(CourseLesson).where(CourseLesson.course_id == course.id)
                           .order_by(CourseLesson.position)).all())


def lesson_at(db: Session, course: CourseRow, position: int) -> CourseLesson:
    row = db.scalar(select(CourseLesson).where(CourseLesson.course_id == course.id,
                                               CourseLesson.position == position))
    if row is None:
        raise NotFoundError(N_("no such lesson"), fix=N_("check the address"))
    return row


def lesson_of(row: CourseLesson) -> Lesson:
    return Lesson.model_validate(row.content)


def document(db: Session, course: CourseRow) -> Course:
    """The whole course, as exported."""
    return Course.model_validate({**course.content, "name": course.name,
                                  "lessons": [r.content for r in lessons_of(db, course)]})


def export_course(db: Session, course: CourseRow) -> dict[str, Any]:
    return document(db, course).model_dump(mode="json", exclude_none=True)


def scheme_for(db: Session, ref: SchemeRef) -> Scheme:
    """The course's scheme version, found by its content (a built-in is loaded if need be)."""
    for attempt in range(2):
        row = db.scalar(select(SchemeVersion).where(SchemeVersion.scheme_id == ref.id,
                                                    SchemeVersion.content_hash == ref.content_hash))
        if row is not None:
            return scheme_of(row)
        if attempt == 0:
            register_builtin_schemes(db)
    raise NotFoundError(N_("the course's scheme '{scheme}' (version {version}) is not loaded"),
                        fix=N_("load that scheme version with 'samspill scheme load FILE' first"),
                        params={"scheme": ref.id, "version": ref.version})


def indicator_settings(course: CourseHead) -> IndicatorSettings:
    return settings_from(course.indicator_settings or None)


# Answer keys per lesson content: computed once per process (a lesson never changes).
_KEYS: dict[str, list[ClipScores]] = {}


def answer_key(db: Session, course: CourseRow, lesson: CourseLesson) -> list[ClipScores]:
    head = header(course)
    token = hashlib.sha256(json.dumps([lesson.content, course.content], sort_keys=True,
                                      default=str).encode()).hexdigest()
    if token not in _KEYS:
        if len(_KEYS) > 512:
            _KEYS.clear()
        _KEYS[token] = lesson_scores(lesson_of(lesson), scheme=scheme_for(db, head.scheme),
                                     settings=indicator_settings(head))
    return _KEYS[token]


# --- Making a course -----------------------------------------------------------------------


@dataclass(frozen=True)
class ClipPlan:
    session: str
    start_ms: int
    end_ms: int | None = None  # None: to the end of the session


@dataclass(frozen=True)
class LessonPlan:
    """A lesson to make from a study: its task, texts (per language) and clips."""

    kind: TaskKind
    title: dict[str, str]
    clips: Sequence[ClipPlan]
    text: dict[str, str] = field(default_factory=dict)
    feedback: dict[str, str] = field(default_factory=dict)


def course_from_study(db: Session, *, study: Study, by: User, name: str,
                      title: Mapping[str, str], lessons: Sequence[LessonPlan],
                      description: Mapping[str, str] | None = None) -> CourseRow:
    """A course on ``study``'s sessions and their master codings; ``by`` must own the study.
    Every lesson's answer key is computed here, so a clip the indicators cannot score, or a
    pair of clips that does not tell withdrawal apart, is refused now, not in class."""
    if studies.role_of(db, study=study, user=by) != "owner":
        raise PermissionDeniedError(N_("only the study's owner makes a course from it"),
                                    fix=N_("ask the study's owner"))
    if not lessons:
        raise InputError(N_("a course needs at least one lesson"), fix=N_("add a lesson"))
    version, made, places = None, [], []
    for plan in lessons:
        clips, sessions = [], []
        for clip in plan.clips:
            session = studies.get_session(db, study=study, name=clip.session)
            master = master_coding(db, session)
            version = version or master.scheme_version
            if master.scheme_version.scheme_id != version.scheme_id:
                raise InputError(N_("the course's clips are coded with different schemes"),
                                 fix=N_("choose sessions coded with one scheme"))
            clips.append(_clip(db, study, session, master, clip))
            sessions.append(session)
        made.append({"title": dict(plan.title), "text": dict(plan.text),
                     "feedback": dict(plan.feedback), "task": {"kind": plan.kind},
                     "clips": [c.model_dump() for c in clips]})
        places.append(sessions)
    assert version is not None
    course = parse({"name": name, "title": dict(title), "description": dict(description or {}),
                    "scheme": {"id": version.scheme_id, "version": version.version,
                               "content_hash": version.content_hash},
                    "indicator_settings": settings_of(study).indicators, "lessons": made},
                   where="new course")
    return store_course(db, course, by=by, sessions=places)


def find_master(db: Session, session: ObservationSession) -> Coding | None:
    """The session's master coding (the latest marked), whatever its purpose."""
    found = [c for c in codings.codings_of(db, session) if c.status == "master"]
    return max(found, key=lambda c: c.id) if found else None


def master_coding(db: Session, session: ObservationSession) -> Coding:
    found = find_master(db, session)
    if found is None:
        raise ConflictError(N_("session '{session}' has no master coding"),
                            fix=N_("mark a submitted coding of it as the master first"),
                            params={"session": session.name})
    return found


def _clip(db: Session, study: Study, session: ObservationSession, master: Coding,
          plan: ClipPlan) -> Clip:
    events = codings.coding_events(db, master)
    duration = session.duration_ms or max([e.offset_ms or e.onset_ms for e in events] + [1])
    end = duration if plan.end_ms is None else plan.end_ms
    media = media_of(db, session)
    try:
        return Clip(study=study.name, session=session.name, start_ms=plan.start_ms,
                    end_ms=end, duration_ms=duration,
                    media_sha256=media[0].sha256 if media else None,
                    events=[_trimmed(e, plan.start_ms, end) for e in events])
    except ValueError:
        raise InputError(
            N_("the clip {start}–{end} ms is not inside session '{session}'"),
            fix=N_("choose a start and an end within the session's length"),
            params={"start": plan.start_ms, "end": end, "session": session.name}) from None


def _trimmed(event: Event, start_ms: int, end_ms: int) -> Event:
    # No free text leaves the study: a coder's comment may name the family, and a course
    # outlives a dyad deleted under its data rights. The codes and times are the evidence.
    return event.model_copy(update={"comment": "", "provenance": None, "frame": None})


def store_course(db: Session, course: Course, *, by: User,
                 sessions: Sequence[Sequence[ObservationSession | None]]) -> CourseRow:
    """Store a checked course; ``by`` becomes its teacher."""
    if db.scalar(select(CourseRow.id).where(CourseRow.name == course.name)) is not None:
        raise ConflictError(N_("a course named '{name}' exists already"),
                            fix=N_("choose another name"), params={"name": course.name})
    scheme, settings = scheme_for(db, course.scheme), indicator_settings(course)
    for index, lesson in enumerate(course.lessons, start=1):
        _check_key(lesson, index, scheme, settings)
    head = course.model_dump(mode="json", exclude={"lessons", "name"})
    row = CourseRow(name=course.name, content=head, created_by_id=by.id)
    db.add(row)
    db.flush()
    for index, (lesson, places) in enumerate(zip(course.lessons, sessions, strict=True), 1):
        stored = CourseLesson(course_id=row.id, position=index,
                              content=lesson.model_dump(mode="json"))
        db.add(stored)
        db.flush()
        for k, session in enumerate(places):
            db.add(CourseClip(lesson_id=stored.id, position=k,
                              session_id=session.id if session else None))
    db.add(CourseMember(course_id=row.id, user_id=by.id, role="teacher"))
    db.flush()
    audit.record(db, action="write.course", user=by, target=f"course {row.name}",
                 detail=f"{len(course.lessons)} lessons")
    return row


def _check_key(lesson: Lesson, index: int, scheme: Scheme, settings: IndicatorSettings) -> None:
    try:
        keys = lesson_scores(lesson, scheme=scheme, settings=settings)
        if lesson.task.kind == "which_clip":
            withdrawn_clip(keys[0], keys[1])
    except InputError as error:
        error.where = f"lesson {index}"
        raise


def import_course(db: Session, data: object, *, by: User, name: str | None = None) -> CourseRow:
    """Store a course file. A clip plays its session's video only when the importer owns a
    study of the clip's study name holding that session; otherwise it plays without video."""
    if not may_make_courses(db, by):
        raise PermissionDeniedError(N_("only a study's owner imports courses"),
                                    fix=N_("ask an administrator or a study's owner"))
    course = parse(data)
    if name:
        course = course.model_copy(update={"name": name})
    owned = {s.name: s for s in _owned_studies(db, by)}
    places = [[_session_of(db, owned, clip) for clip in lesson.clips] for lesson in course.lessons]
    return store_course(db, course, by=by, sessions=places)


def _session_of(db: Session, owned: dict[str, Study], clip: Clip) -> ObservationSession | None:
    study = owned.get(clip.study)
    if study is None:
        return None
    return db.scalar(select(ObservationSession).where(
        ObservationSession.study_id == study.id, ObservationSession.name == clip.session))


def delete_course(db: Session, course: CourseRow, *, by: User) -> None:
    db.delete(course)
    db.flush()
    audit.record(db, action="write.course", user=by, target=f"course {course.name}",
                 detail="deleted")


# --- Members -------------------------------------------------------------------------------


def members(db: Session, course: CourseRow) -> list[CourseMember]:
    return sorted(db.scalars(select(CourseMember).where(CourseMember.course_id == course.id)),
                  key=lambda m: (m.role != "teacher", m.user.username))


def enrol(db: Session, *, course: CourseRow, user: User, role: str, by: User) -> CourseMember:
    if role not in COURSE_ROLES:
        raise InputError(N_("unknown course role '{role}'"), fix=N_("use teacher or learner"),
                         params={"role": role[:32]})
    member = db.scalar(select(CourseMember).where(CourseMember.course_id == course.id,
                                                  CourseMember.user_id == user.id))
    if member is None:
        member = CourseMember(course_id=course.id, user_id=user.id, role=role)
        db.add(member)
    member.role = role
    db.flush()
    audit.record(db, action="write.course", user=by, target=f"course {course.name}",
                 detail=f"{role} added")
    return member


def unenrol(db: Session, *, course: CourseRow, user: User, by: User) -> None:
    teachers = [m for m in members(db, course) if m.role == "teacher"]
    if [m.user_id for m in teachers] == [user.id]:
        raise ConflictError(N_("a course keeps at least one teacher"),
                            fix=N_("add another teacher first"))
    db.execute(delete(CourseMember).where(CourseMember.course_id == course.id,
                                          CourseMember.user_id == user.id))
    audit.record(db, action="write.course", user=by, target=f"course {course.name}",
                 detail="member removed")


# --- Answers -------------------------------------------------------------------------------


def answer(db: Session, *, course: CourseRow, lesson: CourseLesson, user: User,
           sent: Mapping[str, Any]) -> tuple[CourseAnswer, Graded]:
    """Grade and store one attempt."""
    graded = grade_answer(lesson_of(lesson), sent, answer_key(db, course, lesson))
    row = CourseAnswer(lesson_id=lesson.id, user_id=user.id, answer=graded.answer)
    db.add(row)
    db.flush()
    return row, graded


def latest_answers(db: Session, course: CourseRow, user: User) -> dict[int, CourseAnswer]:
    """The user's latest attempt per lesson (by the lesson's row id). Only ``user``'s own."""
    rows = db.scalars(select(CourseAnswer).join(CourseLesson).where(
        CourseLesson.course_id == course.id, CourseAnswer.user_id == user.id)
        .order_by(CourseAnswer.id)).all()
    return {row.lesson_id: row for row in rows}


def graded(db: Session, course: CourseRow, lesson: CourseLesson, row: CourseAnswer) -> Graded:
    return grade_answer(lesson_of(lesson), row.answer, answer_key(db, course, lesson))


@dataclass(frozen=True)
class Summary:
    """A learner's own results: per lesson their latest graded answer (None: not yet)."""

    lessons: list[tuple[CourseLesson, Graded | None]]
    tally: Tally

    @property
    def done(self) -> int:
        return sum(g is not None for _, g in self.lessons)


def summary(db: Session, course: CourseRow, user: User) -> Summary:
    latest = latest_answers(db, course, user)
    out = []
    for lesson in lessons_of(db, course):
        row = latest.get(lesson.id)
        out.append((lesson, graded(db, course, lesson, row) if row else None))
    return Summary(out, tally([g for _, g in out if g is not None]))


@dataclass(frozen=True)
class LessonCounts:
    lesson: CourseLesson
    answered: int
    tally: Tally


@dataclass(frozen=True)
class ClassResults:
    """A class's results as counts only: no learner is named with an answer."""

    learners: int
    finished: int  # learners who answered every lesson
    lessons: list[LessonCounts]
    tally: Tally


def class_results(db: Session, course: CourseRow) -> ClassResults:
    learners = {m.user_id for m in members(db, course) if m.role == "learner"}
    lessons = lessons_of(db, course)
    rows = db.scalars(select(CourseAnswer).join(CourseLesson).where(
        CourseLesson.course_id == course.id).order_by(CourseAnswer.id)).all()
    latest = {(r.lesson_id, r.user_id): r for r in rows if r.user_id in learners}
    counts, everyone = [], []
    for lesson in lessons:
        mine = [graded(db, course, lesson, r) for (lid, _), r in latest.items()
                if lid == lesson.id]
        counts.append(LessonCounts(lesson, len(mine), tally(mine)))
        everyone += mine
    finished = sum(all((lesson.id, u) in latest for lesson in lessons) for u in learners)
    return ClassResults(len(learners), finished, counts, tally(everyone))


# --- Video ---------------------------------------------------------------------------------


def clip_media(db: Session, lesson: CourseLesson, position: int) -> MediaFile | None:
    """The video a lesson's clip plays from: its linked session's, the course's own video
    (by content hash) first. None when the clip has no video on this server."""
    place = db.scalar(select(CourseClip).where(CourseClip.lesson_id == lesson.id,
                                               CourseClip.position == position))
    if place is None or place.session is None:
        return None
    files = media_of(db, place.session)
    clips = lesson_of(lesson).clips
    wanted = clips[position].media_sha256 if position < len(clips) else None
    return next((m for m in files if m.sha256 == wanted), files[0] if files else None)


MAX_COURSE_FILE_BYTES = 20 * 2**20


def read_course_file(content: bytes) -> object:
    """A course file's document: JSON, or YAML (JSON is read as YAML too)."""
    import yaml

    if len(content) > MAX_COURSE_FILE_BYTES:
        raise InputError(N_("the course file is larger than {size} MB"),
                         fix=N_("export the course again; a course file holds no video"),
                         params={"size": MAX_COURSE_FILE_BYTES // 2**20})
    try:
        return yaml.safe_load(content.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        raise InputError(N_("the course file is neither JSON nor YAML"),
                         fix=N_("choose a file exported from Samspill's course page")) from None
