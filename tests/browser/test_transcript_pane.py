"""The transcript pane in a real Chromium (issue 12): Alt + T shows it beside the event list
at 1366×768 with everything else still in view; Alt + N writes the video's time; Escape saves;
the [code] tag becomes a link that seeks the video to its event."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samspill.core.events import Event
from samspill.services import codings, transcripts
from samspill.store.db import Database
from samspill.store.models import Coding
from tests.browser.conftest import Server, log_in, new_coding, open_workspace
from tests.browser.test_screen_layout import NEEDED, inside

pytestmark = pytest.mark.browser
BID_MS = 12_300


def _coding_with_a_bid(database: Database) -> int:
    coding_id = new_coding(database)
    with database.session() as db:
        coding = db.get(Coding, coding_id)
        assert coding is not None
        codings.upsert_event(db, coding=coding, event=Event(
            subject="child", code="bid", onset_ms=BID_MS, modifiers={"kind": "show"}))
    return coding_id


@pytest.mark.parametrize("locale", ["en-GB", "nb-NO"])
def test_a_transcript_written_with_the_time_key_links_its_code_to_the_video(
    browser, demo_database: Database, server: Server, locale: str, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("SAMSPILL_SCREENSHOTS", tmp_path))
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale=locale)
    page = context.new_page()
    log_in(page, demo_database, server)
    coding_id = _coding_with_a_bid(demo_database)
    open_workspace(page, server, coding_id)
    page.keyboard.press("Alt+t")
    page.wait_for_selector("#transcript-pane:not([hidden])")
    page.wait_for_timeout(300)  # the timeline's resize
    assert page.evaluate("window.scrollY") == 0
    for selector in [*NEEDED, "#transcript-pane", "#transcript-entries"]:
        box = page.locator(selector).bounding_box()
        assert box is not None and inside(box, 1366, 768), f"{selector} at {box}"

    page.evaluate(f"window.samspill.player.seekTo({BID_MS + 400})")
    page.wait_for_function("() => !document.getElementById('video').seeking")
    page.locator("#transcript-entries").focus()
    page.keyboard.press("Enter")  # edit
    page.wait_for_selector("#transcript-text:focus")
    page.keyboard.press("Alt+n")
    page.keyboard.type("Maria holds up a toy towards her mother [bid]")
    assert page.input_value("#transcript-text") == (
        "00:12 Maria holds up a toy towards her mother [bid]")
    page.keyboard.press("Escape")  # saves, back to reading
    link = page.locator("#transcript-entries button.tr-code")
    link.wait_for()
    page.screenshot(path=str(shots / f"transcript-1366x768-{locale}.png"))
    assert link.inner_text() == "[bid]"
    with demo_database.session() as db:
        coding = db.get(Coding, coding_id)
        assert coding is not None
        state = transcripts.state_of(db, coding)
    assert state.version == 1 and state.entries[0].links[0].event_ms == BID_MS

    page.evaluate("window.samspill.player.seekTo(0)")
    page.wait_for_function("() => !document.getElementById('video').seeking")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => Math.abs(window.samspill.player.nowMs() - {BID_MS}) <= 100")
    # Alt + T again hides the pane and gives the keys back to coding.
    page.keyboard.press("Alt+t")
    page.wait_for_selector("#transcript-pane[hidden]", state="attached")
    context.close()


def test_text_not_saved_before_a_reload_comes_back_and_is_saved(
    browser, demo_database: Database, server: Server
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    page = context.new_page()
    log_in(page, demo_database, server)
    coding_id = new_coding(demo_database)
    open_workspace(page, server, coding_id)
    # What the pane keeps while the coder types, as a reload (or a lost network) left it.
    page.evaluate(f"""localStorage.setItem("samspill-transcript-/api/codings/{coding_id}/transcript",
        JSON.stringify({{text: "00:05 typed before the reload", version: 0}}))""")
    page.keyboard.press("Alt+t")
    page.wait_for_selector("#transcript-entries li >> text=typed before the reload")
    page.wait_for_function(
        "() => /1/.test(document.getElementById('transcript-status').textContent)")
    with demo_database.session() as db:
        coding = db.get(Coding, coding_id)
        assert coding is not None
        assert transcripts.state_of(db, coding).text == "00:05 typed before the reload"
    assert page.evaluate(
        f"localStorage.getItem('samspill-transcript-/api/codings/{coding_id}/transcript')") is None
    context.close()


def test_a_slow_transcript_never_pulls_the_focus_from_where_the_coder_moved_it(
        browser, demo_database: Database, server: Server) -> None:
    """The pane takes the focus when its text is in, unless the coder moved it while it
    loaded (here into Go to): a slow server must not pull the focus out of a field."""
    coding_id = _coding_with_a_bid(demo_database)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    page = context.new_page()
    try:
        log_in(page, demo_database, server)
        open_workspace(page, server, coding_id)
        page.evaluate("""() => {
          const fetchBefore = window.fetch;
          window.fetch = async (url, options) => {
            if (String(url).endsWith('/transcript'))
              await new Promise((resolve) => setTimeout(resolve, 800));
            return fetchBefore(url, options);
          };
        }""")
        page.keyboard.press("Alt+t")
        page.focus("#goto")
        page.wait_for_function("() => window.samspill.transcript.state !== null")
        page.wait_for_timeout(100)
        assert page.evaluate("document.activeElement.id") == "goto"
        page.keyboard.press("Escape")  # out of Go to; Alt + T twice: the pane takes the focus
        page.keyboard.press("Alt+t")
        page.keyboard.press("Alt+t")
        page.wait_for_selector("#transcript-entries:focus")
    finally:
        context.close()
