"""The demo ships the course "See what is missing" (issue 12): on the vignette and on one
simulated clip of each caregiving style, each clip showing its style plainly."""

from __future__ import annotations

from samspill.core.course import parse_course
from samspill.core.course.grading import withdrawn_clip
from samspill.services import courses
from samspill.services.demo import load_demo
from samspill.services.demo_course import DEMO_COURSE, STYLE_SEEDS
from samspill.services.setup import ensure_admin
from samspill.store.db import Database


def test_the_demo_course_has_every_task_and_an_answer_for_each_lesson(database: Database) -> None:
    with database.session() as db:
        load_demo(db, owner=ensure_admin(db), media_dir=database.settings.media_dir,
                  with_video=False)
        course = courses.get_course(db, DEMO_COURSE)
        lessons = courses.lessons_of(db, course)
        kinds = {courses.lesson_of(row).task.kind for row in lessons}
        assert kinds == {"mark_unanswered", "which_clip", "which_signs"}
        for row in lessons:
            key = courses.answer_key(db, course, row)
            kind = courses.lesson_of(row).task.kind
            if kind == "mark_unanswered":
                assert len(key[0].unanswered) >= 1
            if kind == "which_clip":
                assert withdrawn_clip(*key) == 1  # the withdrawn clip is B in both
        document = courses.export_course(db, course)
        assert parse_course(document) == courses.document(db, course)
        assert {m.user.username: m.role for m in courses.members(db, course)} == {
            "admin": "teacher"}


def test_each_style_clip_shows_its_style_plainly(database: Database) -> None:
    with database.session() as db:
        load_demo(db, owner=ensure_admin(db), media_dir=database.settings.media_dir,
                  with_video=False)
        course = courses.get_course(db, DEMO_COURSE)
        keys = {}
        for row in courses.lessons_of(db, course):
            for clip, key in zip(courses.lesson_of(row).clips, courses.answer_key(db, course, row),
                                 strict=True):
                keys[clip.session] = key
    style = {s: keys[f"sim-free-play-{seed}-course-{s}"] for s, seed in STYLE_SEEDS.items()}
    assert style["sensitive"].signs_present == 0
    assert style["sensitive"].states["hostility"] == "low"
    assert style["withdrawn"].withdrawn_profile and len(style["withdrawn"].unanswered) >= 3
    assert style["hostile"].states["hostility"] == "hostile"
    assert style["frightened"].signs_present >= 2
