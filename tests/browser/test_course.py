"""Course mode in a real Chromium (issue 12): a learner takes the demo course end to end with
the keyboard (marks with M, feedback on the timeline with the master's evidence, the choice and
checklist tasks, the summary) in English and in bokmål on a 1366×768 screen; a teacher reads the
class's counts and enrols a learner from the class page."""

from __future__ import annotations

import re

import pytest

from samspill.services import courses
from samspill.services.demo_course import DEMO_COURSE
from samspill.services.setup import ensure_admin, ensure_user, login_link
from samspill.store.db import Database
from tests.browser.conftest import Server, log_in

pytestmark = pytest.mark.browser
SCREEN = {"width": 1366, "height": 768}
COURSE = f"/courses/{DEMO_COURSE}"


def _learner(database: Database, name: str) -> None:
    with database.session() as db:
        course = courses.get_course(db, DEMO_COURSE)
        courses.enrol(db, course=course, user=ensure_user(db, name), role="learner",
                      by=ensure_admin(db))


def _unanswered_ms(database: Database, lesson: int) -> list[int]:
    """The lesson's unanswered bids, as the server's answer key has them."""
    with database.session() as db:
        course = courses.get_course(db, DEMO_COURSE)
        key = courses.answer_key(db, course, courses.lesson_at(db, course, lesson))
        return [int(t) for t in key[0].unanswered["time_ms"]]


@pytest.fixture
def learner_page(browser, demo_database: Database, server: Server, request):
    language = request.param
    name = f"learner-{language}"
    _learner(demo_database, name)
    context = browser.new_context(viewport=SCREEN, locale="nb-NO" if language == "nb" else "en-GB")
    page = context.new_page()
    with demo_database.session() as db:  # committed before the server reads the link
        link = login_link(db, ensure_user(db, name), host="127.0.0.1", port=server.port)
    page.goto(link)
    yield page, server, demo_database
    context.close()


def _mark_at(page, seconds: float) -> None:
    page.evaluate(f"document.querySelector('figure.clip video').currentTime = {seconds}")
    page.wait_for_function(
        f"() => Math.abs(document.querySelector('figure.clip video').currentTime - {seconds})"
        " < 0.2")
    page.keyboard.press("m")


def _open_lesson(page, server: Server, n: int) -> None:
    page.goto(f"{server.url}{COURSE}/lessons/{n}")
    _clips_ready(page)


def _clips_ready(page) -> None:
    """Every clip's video has its metadata and stands at the clip's start."""
    page.wait_for_function("() => [...document.querySelectorAll('figure.clip')]"
                           ".every(f => f.dataset.ready === '1')")


def _fits_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
    send = page.locator("#send").bounding_box()
    assert send is not None and send["y"] + send["height"] <= SCREEN["height"]


@pytest.mark.parametrize("learner_page", ["en"], indirect=True)
def test_a_learner_takes_the_demo_course_end_to_end_in_english(learner_page) -> None:
    page, server, database = learner_page
    page.goto(f"{server.url}/courses")
    page.get_by_role("link", name="See what is missing").click()
    page.get_by_role("link", name="Maria shows her toys").click()
    _clips_ready(page)
    _fits_the_screen(page)
    # Lesson 1: the unanswered bid, and a false mark at a bid the mother answered (late).
    [bid] = _unanswered_ms(database, 1)
    _mark_at(page, bid / 1000 + 1.5)
    _mark_at(page, 22)
    assert page.locator("#marks li").count() == 2
    page.get_by_role("button", name="Send my answer").click()
    feedback = page.locator("#feedback")
    feedback.wait_for()
    assert "Marked in time: 1 of 1; false marks: 1." in feedback.inner_text()
    assert page.locator(".timeline .tick-hit").count() == 1
    assert page.locator(".timeline .tick-false").count() == 1
    false_row = page.locator("tr.row-false").inner_text()
    assert "The caregiver answers at 00:27" in false_row
    page.wait_for_function("() => document.querySelector('.timeline .tick-hit').style.left")
    left = page.locator(".timeline .tick-hit").evaluate("t => t.style.left")
    assert left == f"{round(100 * bid / 120_000, 2):g}%"
    # Lesson 2: two of the reunion's unanswered bids marked, one missed, with what followed.
    page.locator("#next").click()
    _clips_ready(page)
    bids = _unanswered_ms(database, 2)
    for bid in bids[::2]:
        _mark_at(page, bid / 1000 + 1)
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Send my answer").press("Enter")
    page.locator("#feedback").wait_for()
    hits = len(bids[::2])
    assert f"Marked in time: {hits} of {len(bids)}; false marks: 0." in page.inner_text("#feedback")
    assert page.locator("tr.row-miss").count() == len(bids) - hits
    assert "No answer within 10" in page.locator("tr.row-miss").first.inner_text()
    # Lesson 3: the checklist, with the keyboard.
    page.locator("#next").click()
    for sign in ("Interaction at a distance", "Delayed or muted responding"):
        page.get_by_role("checkbox", name=sign).check()
    page.get_by_role("button", name="Send my answer").click()
    table = page.locator("table.signs-side").inner_text()
    assert "you saw it" in table and "you missed it" in table
    # Lesson 4: which clip, and why.
    page.locator("#next").click()
    assert page.locator("figure.clip video").count() == 2
    _fits_the_screen(page)
    page.get_by_role("radio", name="Clip B").check()
    page.get_by_role("checkbox", name="Interaction at a distance").check()
    page.get_by_role("button", name="Send my answer").click()
    assert "Right: clip B shows withdrawal." in page.inner_text("#feedback")
    assert page.locator("table.signs-side tbody tr").count() == 6
    # Lessons 5 and 6, then the summary.
    page.locator("#next").click()
    page.get_by_role("radio", name="Clip A").check()
    page.get_by_role("button", name="Send my answer").click()
    assert "Not this time: clip B shows withdrawal." in page.inner_text("#feedback")
    page.locator("#next").click()
    page.get_by_role("button", name="Send my answer").click()
    page.locator("#next").click()
    page.wait_for_url(re.compile(r"/summary$"))
    main = page.inner_text("main")
    assert "Lessons answered: 6 of 6." in main
    assert f"Marked in time: {1 + hits}; missed: {len(bids) - hits}; false marks: 1." in main
    distance = page.locator("table.summary-signs tr", has_text="Interaction at a distance")
    assert distance.locator("td").first.inner_text() == "2"  # seen in lessons 3 and 4


@pytest.mark.parametrize("learner_page", ["nb"], indirect=True)
def test_a_learner_takes_a_lesson_and_reads_the_summary_in_bokmaal(learner_page) -> None:
    page, server, database = learner_page
    _open_lesson(page, server, 1)
    assert page.get_by_role("heading", level=1).inner_text() == "Maria viser lekene"
    _fits_the_screen(page)
    [bid] = _unanswered_ms(database, 1)
    page.locator("figure.clip .play").focus()
    _mark_at(page, bid / 1000)
    page.locator("#mark").click()  # the same moment again: the button marks too
    page.get_by_role("button", name="Send svaret mitt").click()
    text = page.inner_text("#feedback")
    assert "Markert i tide: 1 av 1; feil markeringer: 0." in text
    assert "Et sent, svakt nikk er et svar" in text  # the lesson's own feedback, in bokmål
    page.goto(f"{server.url}{COURSE}/summary")
    main = page.inner_text("main")
    assert "Leksjoner besvart: 1 av 6." in main
    assert "Markert i tide: 1; oversett: 0; feil markeringer: 0." in main


def test_the_teacher_sees_the_class_as_counts_and_enrols_a_learner(
        browser, demo_database: Database, server: Server) -> None:
    _learner(demo_database, "learner-class")
    with demo_database.session() as db:
        course = courses.get_course(db, DEMO_COURSE)
        lesson = courses.lesson_at(db, course, 3)
        courses.answer(db, course=course, lesson=lesson, user=ensure_user(db, "learner-class"),
                       sent={"signs": ["initiative"]})
    with demo_database.session() as db:
        found = courses.class_results(db, courses.get_course(db, DEMO_COURSE))
    context = browser.new_context(viewport=SCREEN, locale="en-GB")
    page = context.new_page()
    log_in(page, demo_database, server)
    page.goto(f"{server.url}{COURSE}/class")
    counts = page.inner_text(".class-counts")
    assert counts == (f"Learners: {found.learners}; answered every lesson: "
                      f"{found.finished}.")
    row = page.locator("table.class-lessons tr", has_text="The whole vignette")
    assert row.locator("td").first.inner_text() == str(found.lessons[2].answered)
    initiative = page.locator("table.class-signs tr", has_text="Lack of initiative")
    assert initiative.locator("td").first.inner_text() == str(
        found.tally.signs["initiative"]["seen"])
    assert "your mark" not in page.inner_text("main")
    page.get_by_label("User name").fill("learner-new")
    with demo_database.session() as db:
        ensure_user(db, "learner-new")
    page.get_by_label("User name").press("Enter")
    page.wait_for_url(re.compile(r"/class$"))
    assert page.locator("td", has_text="learner-new").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= SCREEN["width"]
    context.close()
