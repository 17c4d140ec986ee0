"""Course mode's pages (issue 12): the course list, a lesson with its task and feedback, a
learner's own summary, a teacher's class view (counts only), making a course from a study,
enrolment, export and import. Access is the course role's (``course.take``,
``course.teach``) or, to make a course from a study, the study owner's (``course.create``)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from samspill.core.errors import N_, InputError, NotFoundError
from samspill.services import accounts, courses, studies
from samspill.services.media import media_of
from samspill.store.media import media_path
from samspill.store.models_courses import CourseLesson
from samspill.web import course_text as words
from samspill.web.deps import (
    Access,
    Authenticated,
    DbSession,
    MakeCourse,
    TakeCourse,
    TeachCourse,
)
from samspill.web.templating import templates

router = APIRouter(include_in_schema=False)


def _page(request: Request, access: Access, name: str, **context: object) -> Response:
    return templates.TemplateResponse(request, name, {
        "user": access.user, "csrf": access.csrf, "role": access.role, "words": words,
        **context})


@router.get("/courses")
def course_list(request: Request, access: Authenticated, db: DbSession) -> Response:
    owned = [s for s in studies.studies_for(db, access.user)
             if studies.role_of(db, study=s, user=access.user) == "owner"]
    return _page(request, access, "courses.html",
                 courses=[(row, role, courses.header(row))
                          for row, role in courses.courses_for(db, access.user)],
                 owned=owned, may_import=courses.may_make_courses(db, access.user))


@router.post("/courses/import")
async def import_form(access: Authenticated, db: DbSession, file: UploadFile,
                      name: Annotated[str, Form(max_length=64)] = "") -> Response:
    content = await file.read(courses.MAX_COURSE_FILE_BYTES + 1)
    row = courses.import_course(db, courses.read_course_file(content), by=access.user,
                                name=name.strip() or None)
    return RedirectResponse(f"/courses/{row.name}", status_code=303)


@router.get("/courses/{course}")
def course_page(request: Request, access: TakeCourse, db: DbSession) -> Response:
    course = access.the_course
    latest = courses.latest_answers(db, course, access.user)
    lessons = [(lesson, courses.lesson_of(lesson), lesson.id in latest)
               for lesson in courses.lessons_of(db, course)]
    return _page(request, access, "course.html", course=course, head=courses.header(course),
                 lessons=lessons)


@router.get("/courses/{course}/lessons/{lesson}")
def lesson_page(request: Request, access: TakeCourse, db: DbSession, lesson: int) -> Response:
    course = access.the_course
    row = courses.lesson_at(db, course, lesson)
    return _page(request, access, "course_lesson.html", **_lesson_context(db, access, row),
                 graded=None)


@router.post("/courses/{course}/lessons/{lesson}/answer")
def answer_form(
    access: TakeCourse, db: DbSession, lesson: int,
    marks: Annotated[str, Form(max_length=10_000)] = "",
    choice: Annotated[str, Form(max_length=1)] = "",
    signs: Annotated[list[str] | None, Form(max_length=64)] = None,
) -> Response:
    course = access.the_course
    row = courses.lesson_at(db, course, lesson)
    sent: dict[str, object] = {"marks": _marks(marks), "signs": signs or []}
    if choice:
        sent["choice"] = {"a": 0, "b": 1}.get(choice.lower(), -1)
    courses.answer(db, course=course, lesson=row, user=access.user, sent=sent)
    return RedirectResponse(f"/courses/{course.name}/lessons/{lesson}/feedback",
                            status_code=303)


def _marks(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise InputError(N_("marks must be a list of whole milliseconds"),
                         fix=N_("send the times of your marks in ms")) from None


@router.get("/courses/{course}/lessons/{lesson}/feedback")
def feedback_page(request: Request, access: TakeCourse, db: DbSession, lesson: int) -> Response:
    """The learner's own latest answer to the lesson, graded; never anyone else's."""
    course = access.the_course
    row = courses.lesson_at(db, course, lesson)
    latest = courses.latest_answers(db, course, access.user).get(row.id)
    if latest is None:
        return RedirectResponse(f"/courses/{course.name}/lessons/{lesson}", status_code=303)
    graded = courses.graded(db, course, row, latest)
    context = _lesson_context(db, access, row)
    rows: list[dict[str, object]] = []
    if graded.marks is not None:
        head, clip = courses.header(course), courses.lesson_of(row).clips[0]
        rows = words.mark_rows(
            graded.marks.records(), start_ms=clip.start_ms, end_ms=clip.end_ms,
            names=words.Names(courses.scheme_for(db, head.scheme)),
            window_ms=courses.indicator_settings(head).response_window_ms)
    return _page(request, access, "course_lesson.html", **context, graded=graded,
                 feedback_rows=rows)


def _lesson_context(db: DbSession, access: Access, row: CourseLesson) -> dict[str, object]:
    course = access.the_course
    lesson = courses.lesson_of(row)
    total = len(courses.lessons_of(db, course))
    clips = []
    for k, clip in enumerate(lesson.clips):
        media = courses.clip_media(db, row, k)
        clips.append({"clip": clip, "media": media, "offset": media.offset_ms if media else 0,
                      "src": f"/courses/{course.name}/lessons/{row.position}/clips/{k}/video"})
    return {"course": course, "head": courses.header(course), "row": row, "lesson": lesson,
            "clips": clips, "total": total, "key": courses.answer_key(db, course, row)}


@router.get("/courses/{course}/lessons/{lesson}/clips/{clip}/video")
def clip_video(request: Request, access: TakeCourse, db: DbSession, lesson: int,
               clip: int) -> FileResponse:
    """A lesson's clip's video: only to the course's learners and teachers, and only for a
    clip of one of its lessons (never any other video of the study)."""
    row = courses.lesson_at(db, access.the_course, lesson)
    media = courses.clip_media(db, row, clip)
    if media is None:
        raise NotFoundError(N_("no such media"), fix=N_("this clip has no video on this server"))
    path = media_path(request.app.state.settings.media_dir, media.sha256)
    return FileResponse(path, media_type=media.content_type)


@router.get("/courses/{course}/summary")
def summary_page(request: Request, access: TakeCourse, db: DbSession) -> Response:
    course = access.the_course
    found = courses.summary(db, course, access.user)
    return _page(request, access, "course_summary.html", course=course,
                 head=courses.header(course), summary=found)


@router.get("/courses/{course}/class")
def class_page(request: Request, access: TeachCourse, db: DbSession) -> Response:
    course = access.the_course
    return _page(request, access, "course_class.html", course=course,
                 head=courses.header(course), results=courses.class_results(db, course),
                 members=courses.members(db, course))


@router.post("/courses/{course}/members")
def add_member(access: TeachCourse, db: DbSession,
               username: Annotated[str, Form(max_length=64)],
               role: Annotated[str, Form(max_length=16)] = "learner") -> Response:
    course = access.the_course
    courses.enrol(db, course=course, user=accounts.get_user(db, username.strip()), role=role,
                  by=access.user)
    return RedirectResponse(f"/courses/{course.name}/class", status_code=303)


@router.post("/courses/{course}/members/remove")
def remove_member(access: TeachCourse, db: DbSession,
                  username: Annotated[str, Form(max_length=64)]) -> Response:
    course = access.the_course
    courses.unenrol(db, course=course, user=accounts.get_user(db, username), by=access.user)
    return RedirectResponse(f"/courses/{course.name}/class", status_code=303)


@router.get("/courses/{course}/export")
def export(access: TeachCourse, db: DbSession) -> Response:
    course = access.the_course
    body = json.dumps(courses.export_course(db, course), ensure_ascii=False, indent=1)
    return Response(body, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{course.name}.course.json"'})


@router.get("/studies/{study}/courses/new")
def new_course_page(request: Request, access: MakeCourse, db: DbSession) -> Response:
    study = access.the_study
    sessions = [(s, bool(media_of(db, s))) for s in studies.sessions_of(db, study)
                if courses.find_master(db, s) is not None]
    return _page(request, access, "course_new.html", study=study, sessions=sessions,
                 rows=range(1, words.NEW_COURSE_ROWS + 1))


@router.post("/studies/{study}/courses")
async def new_course_form(request: Request, access: MakeCourse, db: DbSession) -> Response:
    form = {k: str(v) for k, v in (await request.form()).multi_items()}
    plans = words.lesson_plans(form)
    name = form.get("name", "").strip()
    title = {words.language(): form.get("title", "").strip() or name}
    row = await run_in_threadpool(courses.course_from_study, db, study=access.the_study,
                                  by=access.user, name=name, title=title, lessons=plans)
    return RedirectResponse(f"/courses/{row.name}/class", status_code=303)
