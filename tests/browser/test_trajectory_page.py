"""The dyad's course page in a real Chromium (issue 23): reached from the study page, the demo
family's three sessions in order with the chart and the change index, fitting 1366×768, in
English and then in bokmål."""

from __future__ import annotations

import pytest

from samspill.services.demo import DEMO_DYAD, DEMO_STUDY
from samspill.store.db import Database
from tests.browser.conftest import Server, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def small_screen(browser, demo_database: Database, server: Server):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    page = context.new_page()
    log_in(page, demo_database, server)
    yield page
    context.close()


def test_the_course_page_in_english_then_bokmaal(small_screen, server: Server) -> None:
    page = small_screen
    page.goto(f"{server.url}/studies/{DEMO_STUDY}")
    page.locator(f"a[href='/studies/{DEMO_STUDY}/dyads/{DEMO_DYAD}']").first.click()
    page.wait_for_url(f"**/dyads/{DEMO_DYAD}")
    assert page.locator("h1").inner_text() == f"Course over time: {DEMO_DYAD}"
    rows = page.locator("#course-sessions tbody tr")
    # The demo family's three sessions in date order (other browser tests may add a session to
    # the shared demo server).
    names = [r.get_attribute("data-session") for r in rows.all()]
    assert [n for n in names if n and n.startswith("vignette")] == [
        "vignette", "vignette-2", "vignette-3"]
    assert page.locator("svg.course-chart").count() == 2
    assert page.locator("svg.course-chart").first.is_visible()
    distance = page.locator("#scope-session tr[data-indicator='distance']")
    assert "reliable change" in distance.inner_text()
    assert "towards fewer signs" in distance.inner_text()
    assert page.locator(".change-within").count() >= 1
    # The page never scrolls sideways at 1366×768 (wide tables scroll in their own box).
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, f"the page is {width} px wide"
    # The phase menus are keyboard-reachable for the owner.
    page.locator("#phase-1").focus()
    assert page.evaluate("document.activeElement.id") == "phase-1"

    page.select_option("#language", "nb")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == f"Forløp over tid: {DEMO_DYAD}"
    distance = page.locator("#scope-session tr[data-indicator='distance']")
    assert "pålitelig endring" in distance.inner_text()
    assert "mot færre tegn" in distance.inner_text()
    assert "inntak" in page.locator("#course-sessions").inner_text()
    page.select_option("#language", "en")
    page.locator("form.lang button").click()
    page.wait_for_load_state()
