"""The moments page (issue 23) by keyboard at 1366×768: proposals marked as suggestions, two
accepted by key, one trimmed with [ and Shift+], captioned; the reel played in the browser as
one sequence with its caption and freeze frame, to its end."""

from __future__ import annotations

import json
import uuid

import pytest

from samspill.core.vignette import vignette_events
from samspill.services import codings, studies
from samspill.services.demo import DEMO_SESSION, DEMO_STUDY
from samspill.services.media import media_of
from samspill.services.schemes import latest_version
from samspill.services.setup import ensure_admin
from samspill.store.models import MediaFile

pytestmark = pytest.mark.browser
SESSION = "guidance"


@pytest.fixture(scope="module")
def guided(demo_database) -> str:
    """A session beside the demo's (its video, the vignette coded and marked master)."""
    with demo_database.session() as db:
        study = studies.get_study(db, DEMO_STUDY)
        demo = studies.get_session(db, study=study, name=DEMO_SESSION)
        session = studies.create_session(db, study=study, dyad=demo.dyad, name=SESSION,
                                         duration_ms=demo.duration_ms)
        video = media_of(db, demo)[0]
        db.add(MediaFile(session_id=session.id, sha256=video.sha256, filename=video.filename,
                         content_type=video.content_type, size_bytes=video.size_bytes,
                         duration_ms=video.duration_ms, fps=video.fps, offset_ms=0))
        coding = codings.create_coding(db, session=session, coder=ensure_admin(db),
                                       scheme_version=latest_version(db, "withdrawal-open"))
        codings.replace_events(db, coding=coding, events=[  # the demo's, under new ids
            e.model_copy(update={"id": str(uuid.uuid4())}) for e in vignette_events()])
        codings.set_status(db, coding=coding, status="master")
    return f"/studies/{DEMO_STUDY}/sessions/{SESSION}/moments"


def _state(page) -> dict:
    url = f"/api/studies/{DEMO_STUDY}/sessions/{SESSION}/moments"
    return json.loads(page.evaluate(
        "async (u) => JSON.stringify(await (await fetch(u)).json())", url))


def _wait_moments(page, count: int) -> None:
    page.wait_for_function(
        "(n) => document.querySelectorAll('#chosen .moment-row').length === n", arg=count,
        timeout=20_000)


def test_choose_trim_caption_and_play_the_reel_by_key(browser, demo_database, server,
                                                      guided: str) -> None:
    from tests.browser.conftest import log_in

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    page = context.new_page()
    try:
        log_in(page, demo_database, server)
        page.goto(server.url + guided)
        notice = page.locator(".suggestion-notice")
        assert "suggestions" in notice.inner_text()
        assert page.locator("#proposals .moment-row").count() >= 3
        assert page.locator("#moments-timeline .block").count() >= 3
        # Fits 1366 wide: nothing to scroll sideways.
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 1366
        page.locator("#proposals").focus()
        page.keyboard.press("a")
        _wait_moments(page, 1)
        first = _state(page)["moments"][0]
        page.keyboard.press("[")  # the start a second earlier
        page.keyboard.press("Shift+BracketRight")  # the end a second earlier
        trimmed = _wait_for(page, lambda s: s["moments"][0]["end_ms"] == first["end_ms"] - 1000)
        assert trimmed["moments"][0]["start_ms"] == max(0, first["start_ms"] - 1000)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("a")
        _wait_moments(page, 2)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("x")  # a third proposal rejected
        _wait_for(page, lambda s: sum(p["status"] == "rejected" for p in s["proposals"]) == 1)
        page.locator("#chosen").focus()
        page.keyboard.press("c")
        page.keyboard.type("She looks at you: see her")
        page.locator("#moment-freeze").check()
        page.keyboard.press("Enter")
        _wait_for(page, lambda s: "She looks at you: see her" in [
            m["caption"] for m in s["moments"]])
        # Short clips, so the reel plays in a few seconds: narrowed by key, a second a press.
        for moment in _state(page)["moments"]:
            _narrow(page, moment)
        page.locator("#chosen").focus()
        page.keyboard.press("p")
        page.wait_for_selector("body[data-reel=playing]", timeout=10_000)
        page.wait_for_function(
            "() => document.getElementById('reel-caption').textContent.includes('She looks')",
            timeout=30_000)
        page.wait_for_function("() => document.getElementById('reel-effect').textContent"
                               " === 'Freeze'", timeout=30_000)
        page.wait_for_selector("body[data-reel=ended]", timeout=60_000)
        assert page.locator("#reel-status").inner_text() == "The reel has ended."
    finally:
        context.close()


def _wait_for(page, ok, tries: int = 100) -> dict:
    for _ in range(tries):
        found = _state(page)
        if ok(found):
            return found
        page.wait_for_timeout(200)
    raise AssertionError(f"the page never reached the state: {found}")


def _narrow(page, moment: dict) -> None:
    """Select the moment in the reel list and narrow it to about 3 s around its key second."""
    page.locator(f"#chosen .moment-row[data-key='{moment['key']}']").click()
    page.locator("#chosen").focus()
    start_presses = max(0, (moment["key_ms"] - moment["start_ms"]) // 1000 - 1)
    end_presses = max(0, (moment["end_ms"] - moment["key_ms"]) // 1000 - 2)
    for _ in range(start_presses):
        page.keyboard.press("Shift+BracketLeft")
    for _ in range(end_presses):
        page.keyboard.press("Shift+BracketRight")
    _wait_for(page, lambda s: any(m["key"] == moment["key"]
                                  and m["end_ms"] - m["start_ms"] <= 4000
                                  for m in s["moments"]))
