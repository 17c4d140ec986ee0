"""Course mode's access (issue 12), over HTTP: a learner reaches their course's clips and
nothing else (no study page, no other video, no other course), and no learner reads another's
answers; courses travel as files without giving an importer another study's video."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from samspill.services import accounts, courses, credentials, studies
from samspill.store.db import Database
from tests.factories import make_user
from tests.security.world import VIDEO, World

CLIP = "/courses/c1/lessons/1/clips/0/video"


def test_a_learner_plays_the_lessons_clip_but_opens_no_study_page(
        world: World, world_client: TestClient) -> None:
    learner = world.headers("lea")
    assert world_client.get(CLIP, headers=learner).content == VIDEO
    for path in ("/studies/s1", "/studies/s1/sessions/v1", f"/api/media/{world.media_id}",
                 f"/codings/{world.codings['master']}", "/api/studies/s1/sessions"):
        answer = world_client.get(path, headers=learner)
        assert answer.status_code == 404, path
    assert world_client.get("/courses/c1/lessons/1/clips/1/video",
                            headers=learner).status_code == 404


def test_a_learner_cannot_reach_another_course_or_its_clips(
        world: World, world_client: TestClient) -> None:
    database = Database(world.settings)
    with database.session() as db:
        study = studies.get_study(db, "s1")
        plan = courses.LessonPlan("which_signs", {"en": "Other"}, [courses.ClipPlan("v1", 0)])
        courses.course_from_study(db, study=study, by=accounts.get_user(db, "own"), name="c2",
                                  title={"en": "Other"}, lessons=[plan])
    database.dispose()
    for path in ("/courses/c2", "/courses/c2/lessons/1", "/courses/c2/lessons/1/clips/0/video",
                 "/courses/c2/summary"):
        answer = world_client.get(path, headers=world.headers("lea"))
        assert (answer.status_code, answer.json()["error"]["message"]) == (
            404, "no such course"), path
    listed = world_client.get("/courses", headers=world.headers("lea")).text
    assert "/courses/c1" in listed and "/courses/c2" not in listed


def test_no_learner_sees_another_learners_answers_and_the_teacher_sees_counts_only(
        world: World, world_client: TestClient) -> None:
    database = Database(world.settings)
    with database.session() as db:
        other = make_user(db, "lea2")
        course = courses.get_course(db, "c1")
        courses.enrol(db, course=course, user=other, role="learner",
                      by=accounts.get_user(db, "own"))
        token = credentials.create_api_token(db, user=other)
        key = courses.answer_key(db, course, courses.lesson_at(db, course, 1))
        target = int(key[0].unanswered["time_ms"].iloc[0])
    database.dispose()
    second = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    sent = world_client.post("/courses/c1/lessons/1/answer", headers=second,
                             data={"marks": f"{target + 1234}"}, follow_redirects=False)
    assert sent.status_code == 303
    mine = world_client.get("/courses/c1/lessons/1/feedback", headers=second).text
    assert "00:" in mine and "your mark" in mine
    learner = world.headers("lea")
    assert world_client.get("/courses/c1/lessons/1/feedback", headers=learner,
                            follow_redirects=False).status_code == 303  # none of their own
    summary = world_client.get("/courses/c1/summary", headers=learner).text
    assert "Lessons answered: 0 of 1." in summary
    assert world_client.get("/courses/c1/class", headers=learner).status_code == 403
    counts = world_client.get("/courses/c1/class", headers=world.headers("tea")).text
    assert "Learners: 2; answered every lesson: 1." in counts
    assert "your mark" not in counts


def test_a_course_travels_as_one_file_and_plays_video_only_where_the_importer_owns_it(
        world: World, world_client: TestClient) -> None:
    exported = world_client.get("/courses/c1/export", headers=world.headers("own"))
    document = exported.json()
    assert document["format"] == "samspill-course"
    clip = document["lessons"][0]["clips"][0]
    assert (clip["study"], clip["session"]) == ("s1", "v1") and clip["events"]
    assert "video" not in json.dumps(document).lower().replace("media_sha256", "")
    files = {"file": ("c1.course.json", exported.content, "application/json")}
    for asker, name, plays in (("own", "c1-copy", 200), ("out", "c1-out", 404)):
        made = world_client.post("/courses/import", headers=world.headers(asker), files=files,
                                 data={"name": name}, follow_redirects=False)
        assert made.status_code == 303, made.text
        video = world_client.get(f"/courses/{name}/lessons/1/clips/0/video",
                                 headers=world.headers(asker))
        assert video.status_code == plays
    refused = world_client.post("/courses/import", headers=world.headers("lea"), files=files,
                                data={"name": "c1-lea"})
    assert refused.status_code == 403
    clash = world_client.post("/courses/import", headers=world.headers("own"), files=files)
    assert clash.status_code == 409


def test_a_bad_course_file_is_refused_with_its_place_and_a_fix(
        world: World, world_client: TestClient) -> None:
    document = world_client.get("/courses/c1/export", headers=world.headers("own")).json()
    document["lessons"][0]["task"]["kind"] = "guess"
    files = {"file": ("bad.json", json.dumps(document).encode(), "application/json")}
    answer = world_client.post("/courses/import", headers=world.headers("own"), files=files,
                               data={"name": "bad"})
    error = answer.json()["error"]
    assert answer.status_code == 400 and "lessons.0.task.kind" in error["message"]
    assert error["fix"]


def test_a_study_owner_makes_a_course_from_the_form_and_others_cannot(
        world: World, world_client: TestClient) -> None:
    assert world_client.get("/studies/s1/courses/new",
                            headers=world.headers("tea")).status_code == 404
    assert world_client.get("/studies/s1/courses/new",
                            headers=world.headers("cod")).status_code == 403
    form = {"name": "from-form", "title": "From the form", "kind-1": "which_signs",
            "session-1": "v1", "start-1": "3:00", "end-1": "4:20",
            "kind-2": "mark_unanswered", "session-2": "v1", "start-2": "0:00"}
    made = world_client.post("/studies/s1/courses", headers=world.headers("own"), data=form,
                             follow_redirects=False)
    assert made.status_code == 303, made.text
    page = world_client.get("/courses/from-form", headers=world.headers("own")).text
    assert page.count("/courses/from-form/lessons/") >= 2
    bad = world_client.post("/studies/s1/courses", headers=world.headers("own"),
                            data={**form, "name": "bad-time", "start-1": "soon"})
    assert bad.status_code == 400 and "lesson 1" in bad.json()["error"]["message"]


def test_a_learner_playing_a_clip_is_in_the_audit_log_as_a_video_read(
        world: World, world_client: TestClient) -> None:
    from sqlalchemy import select

    from samspill.store.models import AuditEntry

    assert world_client.get(CLIP, headers=world.headers("lea")).status_code == 200
    database = Database(world.settings)
    with database.session() as db:
        rows = db.scalars(select(AuditEntry).where(AuditEntry.username == "lea")).all()
        assert [r.action for r in rows if r.target.endswith(CLIP)] == ["read.video"]
    database.dispose()
