"""A rating form rated per segment (issue 14), filled by keyboard in a real Chromium: the
coder picks the segment in the form's menu, tabs to an item and sets it with the arrow keys;
each segment keeps its own ratings, Ctrl+Z undoes one, and the server stores them per segment."""

from __future__ import annotations

from importlib import resources

import pytest

from samspill.core.events import Segment
from samspill.core.scheme_check import parse_scheme
from samspill.services import coding_ratings, codings, studies
from samspill.services.demo import DEMO_STUDY
from samspill.services.schemes import register_scheme
from samspill.services.setup import ensure_admin
from samspill.store.db import Database
from tests.browser.conftest import Server, log_in, open_workspace
from tests.browser.test_workspace import wait_saved

pytestmark = pytest.mark.browser
CHOICE = 'select[data-segment-choice="eas"]'


def _coding(database: Database, procedure: str = "free-play") -> tuple[int, str, str]:
    """A session (no video) with ep2, ep5 and ep8 marked, coded under a scheme that rates EAS
    in ep5 and ep8; (coding id, ep5's id, ep8's id). Under ``procedure="ssp"`` the segments
    are the Strange Situation template's own."""
    text = (resources.files("samspill.core") / "schemes" / "withdrawal-open.yaml").read_text(
        encoding="utf-8").replace("id: withdrawal-open", "id: lab-per-segment", 1)
    forms = "\nforms: [{id: eas, per: segment, segments: [ep5, ep8]}]\n"
    with database.session() as db:
        version = register_scheme(db, parse_scheme(text + forms))
        study = studies.get_study(db, DEMO_STUDY)
        dyad = studies.get_or_create_dyad(db, study=study, code="SEG-1")
        session = studies.create_session(db, study=study, dyad=dyad,
                                         name=f"per-segment-{procedure}",
                                         procedure=procedure, duration_ms=60_000)
        made = [Segment(spec_id=spec, name=name, start_ms=start, end_ms=start + 9000)
                for spec, name, start in (("ep2", "2 Caregiver and child", 1000),
                                          ("ep5", "5 First reunion", 20_000),
                                          ("ep8", "8 Second reunion", 40_000))]
        for segment in made:
            studies.put_segment(db, session=session, segment=segment)
        coding = codings.create_coding(db, session=session, coder=ensure_admin(db),
                                       scheme_version=version)
        return coding.id, made[1].id, made[2].id


def test_a_form_rated_per_segment_fills_by_keyboard(browser, demo_database: Database,
                                                     server: Server) -> None:
    coding_id, ep5, ep8 = _coding(demo_database)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    page = context.new_page()
    log_in(page, demo_database, server)
    open_workspace(page, server, coding_id)
    # Only the form's segments are offered, in time order; ep2 is not.
    options = page.eval_on_selector(CHOICE, "s => [...s.options].map((o) => o.value)")
    assert options == [ep5, ep8]
    sensitivity = 'input[name="eas_sensitivity"]'
    page.focus(CHOICE)
    page.keyboard.press("Tab")  # to the first item's first value: 1
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # 3
    assert page.is_checked(f'{sensitivity}[value="3"]')
    assert "5 First reunion" in page.inner_text("#toast")
    page.focus(CHOICE)
    page.keyboard.press("ArrowDown")  # the second reunion: nothing rated there yet
    assert page.input_value(CHOICE) == ep8
    assert page.locator(f"{sensitivity}:checked").count() == 0
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # 1
    page.keyboard.press("ArrowRight")  # 2
    page.keyboard.press("ArrowRight")  # 3
    page.keyboard.press("ArrowRight")  # 4
    page.keyboard.press("Control+z")  # back to 3, in the second reunion only
    assert page.is_checked(f'{sensitivity}[value="3"]')
    page.keyboard.press("Control+y")
    assert page.is_checked(f'{sensitivity}[value="4"]')
    page.focus(CHOICE)
    page.keyboard.press("ArrowUp")  # the first reunion shows its own 3 again
    assert page.is_checked(f'{sensitivity}[value="3"]')
    wait_saved(page)
    with demo_database.session() as db:
        coding = codings.get_coding(db, coding_id)
        assert coding_ratings.segment_ratings_of(db, coding) == {
            ep5: {"eas_sensitivity": "3"}, ep8: {"eas_sensitivity": "4"}}
        assert coding_ratings.ratings_of(db, coding) == {}
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.is_checked(f'{sensitivity}[value="3"]')  # the first reunion, from the server
    context.close()


def test_the_segment_menu_and_the_rating_message_name_segments_in_bokmaal(
        browser, demo_database: Database, server: Server) -> None:
    """A template's segment is stored with its English name; the form's menu and the message
    after a rating show the name the rest of the screen shows (the template's, in bokmål)."""
    coding_id, ep5, ep8 = _coding(demo_database, procedure="ssp")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="nb-NO")
    page = context.new_page()
    log_in(page, demo_database, server)
    open_workspace(page, server, coding_id)
    names = page.evaluate("JSON.parse(document.getElementById('boot').textContent)"
                          ".template_names")
    assert names["ep5"] != "5 First reunion" and names["ep8"] != "8 Second reunion"
    assert page.eval_on_selector(CHOICE, "s => [...s.options].map((o) => [o.value, o.text])") == [
        [ep5, names["ep5"]], [ep8, names["ep8"]]]
    assert names["ep5"] in page.inner_text("#segment-list")
    page.focus(CHOICE)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # 1 for the first reunion
    assert f"({names['ep5']})" in page.inner_text("#toast")
    wait_saved(page)
    context.close()
