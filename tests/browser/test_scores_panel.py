"""The coding screen's live scores panel in a real Chromium at 1366×768: the three states with
their words, the hostility qualifier apart, the scope selector by keyboard, pivotal events that
seek the video, and a coding that cannot be scored."""

from __future__ import annotations

import uuid

import pytest

from samspill.core.events import Event
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events, vignette_segments
from samspill.services import codings, studies
from samspill.services.demo import DEMO_STUDY
from samspill.services.schemes import latest_version
from samspill.services.setup import ensure_admin
from samspill.store.db import Database
from samspill.store.models import Coding, EventRow
from tests.browser.conftest import Server, log_in, new_coding, open_workspace

pytestmark = pytest.mark.browser
FRAME_MS = 100


def near_in_free_play() -> list[Event]:
    """The vignette with Monica near Maria during free play (distance is then absent), with
    event ids of its own (ids are unique across codings)."""
    return [e.model_copy(update={"id": str(uuid.uuid4()),
                                 **({"code": "near"} if e.code == "far" and e.onset_ms == 0
                                    else {})})
            for e in vignette_events()]


@pytest.fixture
def panel(browser, demo_database: Database, server: Server):
    """A logged-in coding screen (1366×768) on a new coding holding the events above."""
    coding_id = new_coding(demo_database)
    with demo_database.session() as db:
        codings.replace_events(db, coding=db.get(Coding, coding_id), events=near_in_free_play())
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    page = context.new_page()
    log_in(page, demo_database, server)
    open_workspace(page, server, coding_id)
    page.wait_for_selector("#scores .scores-summary[data-scope=session]")
    yield page
    context.close()


def states(page) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '#scores .sign-list li.sign')].map((li) => [li.dataset.indicator, li.dataset.state]))""")


def video_ms(page) -> float:
    page.wait_for_function("() => !document.getElementById('video').seeking")
    return page.evaluate("document.getElementById('video').currentTime * 1000")


def test_the_panel_shows_the_states_and_the_scope_selector_works_by_keyboard(panel):
    page = panel
    assert states(page) == {"initiative": "present", "responsiveness": "present",
                            "cursory_contact": "present", "redirection": "present",
                            "distance": "absent"}
    summary = page.inner_text("#scores .scores-summary")
    assert "Whole session: 4 of 5 signs present, 0 not observable; little or no hostility" \
        in summary
    assert page.is_hidden("#scores .scores-outside")  # the segments cover the recording
    # The qualifier is shown apart, never as a sixth sign; the disclaimer stays visible.
    assert page.locator("#scores .sign-list [data-indicator=hostility]").count() == 0
    assert "Qualifier of the profile (not a sign)" in page.inner_text("#scores .qualifier")
    assert page.is_visible("#scores .notice")
    assert "no diagnosis" in page.inner_text("#scores .notice")
    # Words and a mark beside the colour.
    distance = page.inner_text("#scores li.sign[data-indicator=distance] .state")
    assert distance.split() == ["○", "absent"]
    assert "No criterion met" in page.inner_text("#scores li.sign[data-indicator=distance]")
    latency = page.inner_text("#scores li.sign[data-indicator=responsiveness] .values")
    assert "median latency: 7.5\u00a0s" in latency

    page.focus("#scores-scope")
    page.keyboard.press("ArrowDown")  # Reunions (together)
    page.keyboard.press("ArrowDown")  # Free play
    page.wait_for_selector("#scores .scores-summary[data-scope^='segment:']")
    assert page.evaluate("document.activeElement.id") == "scores-scope"
    assert states(page) == {"initiative": "not_observable", "responsiveness": "present",
                            "cursory_contact": "not_observable", "redirection": "not_observable",
                            "distance": "absent"}
    # One sign present is no profile: little or no hostility, and nothing more.
    assert page.inner_text("#scores .scores-summary") == (
        "Free play (00:00–02:00): 1 of 5 signs present, 3 not observable; little or no "
        "hostility or intrusiveness")
    assert page.inner_text("#scores .qualifier-sentence").strip().endswith(
        "Little or no hostility or intrusiveness")
    initiative = page.locator("#scores li.sign[data-indicator=initiative]")
    assert initiative.locator(".state").inner_text().split() == ["◌", "not", "observable"]
    assert "No episode of attachment need" in initiative.inner_text()
    # Fits the screen: no sideways scrolling at 1366×768.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def test_a_pivotal_event_is_a_button_that_seeks_the_video(panel):
    page = panel
    buttons = page.locator("#scores .sign-list .stability.fragile button.pivotal")
    assert buttons.count() > 0
    times = [int(t) for t in buttons.evaluate_all("(bs) => bs.map((b) => b.dataset.seekMs)")]
    button = buttons.nth(max(range(len(times)), key=lambda i: times[i]))  # the latest, not 0
    target = int(button.get_attribute("data-seek-ms"))
    assert target > 0 and "without this event" in button.get_attribute("aria-label")
    assert "left out" in page.locator("#scores .stability.fragile").first.inner_text()
    button.focus()
    page.keyboard.press("Enter")
    assert abs(video_ms(page) - target) < FRAME_MS
    evidence = page.locator("#scores li.sign[data-indicator=redirection] .evidence button").first
    first = int(evidence.get_attribute("data-seek-ms"))
    evidence.click()
    assert abs(video_ms(page) - first) < FRAME_MS


def test_a_refresh_rebuilds_only_the_signs_whose_words_changed(panel):
    """After a save the panel is drawn again from the server's words: a sign that says the
    same keeps its element (nothing to restyle while the coder keys), a changed one shows its
    new words, and a scope switch still shows that scope's signs."""
    page = panel
    shown = page.evaluate("""() => {
      const panel = window.samspill.scores;
      for (const node of document.querySelectorAll('#scores li.sign, #scores .qualifier'))
        node.__before = true;
      const display = structuredClone(panel.display);
      const session = display.scopes.find((s) => s.key === 'session');
      session.signs.find((s) => s.id === 'responsiveness').values[0].text = '9.9 s';
      panel.render(display);
      return Object.fromEntries([...document.querySelectorAll(
        '#scores li.sign, #scores .qualifier')].map((n) => [n.dataset.indicator, !!n.__before]));
    }""")
    assert shown == {"initiative": True, "responsiveness": False, "cursory_contact": True,
                     "redirection": True, "distance": True, "hostility": True}
    assert "9.9 s" in page.inner_text("#scores li.sign[data-indicator=responsiveness] .values")
    page.select_option("#scores-scope", index=2)  # free play: other words, other elements
    page.wait_for_selector("#scores .scores-summary[data-scope^='segment:']")
    assert states(page)["initiative"] == "not_observable"
    page.select_option("#scores-scope", index=0)
    assert states(page)["distance"] == "absent"
    assert page.locator("#scores li.sign").count() == 5


SLOW_SCORES = """([delayMs, statesToo]) => {
  // The panel's answers come delayMs late (the whole ones; the states-only ones too when
  // statesToo), each request kept in window.__asked as {kind, at, answered}.
  const asked = window.__asked = [];
  const fetchBefore = window.fetch;
  window.fetch = async (url, options) => {
    const text = String(url);
    if (!text.includes('/scores/display')) return fetchBefore(url, options);
    const kind = text.includes('stability=false') ? 'states' : 'full';
    const one = { kind, at: performance.now() };
    asked.push(one);
    const late = kind === 'full' || statesToo;
    if (late) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const response = await fetchBefore(url, options);
    one.answered = performance.now();
    return response;
  };
}"""


def test_the_panel_takes_at_most_a_third_of_the_servers_time(panel):
    """An answer that took the server 0.6 s is asked again no sooner than 1.2 s after it came,
    however many saves ask meanwhile (a long coding would otherwise keep the server scoring
    without pause, on the machine whose other core draws the coder's keys)."""
    page = panel
    page.evaluate(SLOW_SCORES, [600, True])
    page.evaluate("""async () => {
      const panel = window.samspill.scores;
      await panel.refresh();
      for (let i = 0; i < 5; i += 1) {  // saves in quick succession ask again and again
        panel.refreshSoon();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }""")
    page.wait_for_function("() => window.__asked.length >= 2", timeout=20_000)
    page.wait_for_timeout(300)
    asked = page.evaluate("() => window.__asked.map((a) => [a.at, a.answered ?? null])")
    assert len(asked) == 2  # five saves asked, one request
    (first_asked, first_answered), (second_asked, _) = asked
    took = first_answered - first_asked
    assert took >= 600
    assert second_asked - first_answered >= 2 * took - 20  # timers may fire a little early


def test_a_slow_coding_shows_fresh_states_and_its_stability_after_a_pause(panel):
    """When the whole answer is slow (its stability), a save brings the states alone, with a
    line saying the stability is being recomputed (never the old figures beside new states),
    and the stability once the coder has paused."""
    page = panel
    page.evaluate(SLOW_SCORES, [600, False])
    page.evaluate("""async () => {
      const panel = window.samspill.scores;
      await panel.refresh();  // slow: the panel learns it
      panel.refreshSoon(0);   // a save
    }""")
    page.wait_for_selector("#scores .scores-recomputing:not([hidden])")
    assert "being recomputed" in page.inner_text("#scores .scores-recomputing")
    assert page.locator("#scores .sign-list .stability").count() == 0
    assert states(page)["distance"] == "absent"
    page.wait_for_selector("#scores .scores-recomputing[hidden]", state="attached",
                           timeout=15_000)
    assert page.locator("#scores .sign-list .stability").count() == 5
    assert page.evaluate("window.__asked.map((a) => a.kind)") == ["full", "states", "full"]


def test_a_coding_that_cannot_be_scored_says_why_in_the_panel(panel, demo_database: Database):
    page = panel
    # An event past the end of the media (a shorter video attached after coding); a running
    # state no longer stops the signs (they are provisional: tests/browser/test_screen_safety.py).
    coding_id = page.evaluate("JSON.parse(document.getElementById('boot').textContent).coding.id")
    with demo_database.session() as db:
        db.add(EventRow(id=str(uuid.uuid4()), coding_id=coding_id, subject="child", code="bid",
                        onset_ms=10 * 24 * 3600 * 1000, modifiers={"kind": "show"}))
    page.evaluate("window.samspill.scores.refresh()")
    page.wait_for_selector("#scores .scores-summary.scores-problem")
    said = page.inner_text("#scores")
    assert "Scores cannot be computed yet:" in said and "beyond the media" in said
    assert "How to fix it:" in said
    assert "no diagnosis" in said


def longer_coding(database: Database) -> int:
    """A coding of a new session of the demo study whose recording runs on 2 min 30 s past its
    last marked segment, with free play near (one sign there)."""
    with database.session() as db:
        study = studies.get_study(db, DEMO_STUDY)
        dyad = studies.get_or_create_dyad(db, study=study, code=f"L{uuid.uuid4().hex[:6]}")
        session = studies.create_session(db, study=study, dyad=dyad, name=f"longer-{dyad.code}",
                                         duration_ms=VIGNETTE_DURATION_MS + 150_000)
        for segment in vignette_segments():
            studies.put_segment(db, session=session, segment=segment.model_copy(
                update={"id": str(uuid.uuid4())}))
        coding = codings.create_coding(db, session=session, coder=ensure_admin(db),
                                       scheme_version=latest_version(db, "withdrawal-open"))
        codings.replace_events(db, coding=coding, events=near_in_free_play())
        return coding.id


@pytest.mark.parametrize(("locale", "said", "outside", "free_play"), [
    ("en-GB", "Marked segments (00:00–06:00): 4 of 5 signs present, 0 not observable; little "
     "or no hostility: consistent with a withdrawn profile",
     "2 min 30 s of the recording lies outside the marked segments and is not scored",
     "1 of 5 signs present, 3 not observable; little or no hostility or intrusiveness"),
    ("nb-NO", "Markerte segmenter (00:00–06:00): 4 av 5 tegn til stede, 0 kan ikke vurderes; "
     "lite eller ingen fiendtlighet: forenlig med en tilbaketrukket profil",
     "2 min 30 s av opptaket ligger utenfor de markerte segmentene og skåres ikke",
     "1 av 5 tegn til stede, 3 kan ikke vurderes; lite eller ingen fiendtlighet eller "
     "påtrengenhet"),
])
def test_the_panel_names_the_marked_segments_and_one_sign_is_no_profile(
        browser, demo_database: Database, server: Server, locale: str, said: str, outside: str,
        free_play: str) -> None:
    coding_id = longer_coding(demo_database)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale=locale)
    page = context.new_page()
    try:
        log_in(page, demo_database, server)
        open_workspace(page, server, coding_id)
        page.wait_for_selector("#scores .scores-summary[data-scope=session]")
        assert page.inner_text("#scores .scores-summary") == said
        assert page.is_visible("#scores .scores-outside")
        assert page.inner_text("#scores .scores-outside") == outside
        options = page.locator("#scores-scope option").all_inner_texts()
        assert options[0].startswith(said.split(":")[0]) and not any(
            o in ("Whole session", "Hele økten") for o in options)
        page.select_option("#scores-scope", index=2)  # free play
        page.wait_for_selector("#scores .scores-summary[data-scope^='segment:']")
        assert page.inner_text("#scores .scores-summary").endswith(free_play)
        assert page.is_hidden("#scores .scores-outside")
    finally:
        context.close()
