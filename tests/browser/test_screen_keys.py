"""The coding screen's keys and controls (issue 20): Go to, ratings and the arrows, the modifier
pop-up's Enter and Escape, menus and code keys, the timeline, evidence, double click, the help,
the coding pad, sound, speeds, the list's filter and the export button."""

from __future__ import annotations

import pytest

from samspill.store.models import Rating
from tests.browser.conftest import Server, log_in, new_coding, open_workspace
from tests.browser.test_workspace import page_events, stored_events, wait_saved

pytestmark = pytest.mark.browser


def clock_ms(page) -> int:
    return page.evaluate("window.samspill.player.nowMs()")


def settle(page) -> None:
    page.wait_for_function("() => !document.getElementById('video').seeking")


def test_go_to_starts_empty_and_escape_leaves_a_bad_time(workspace):
    page, _ = workspace
    page.keyboard.press("/")
    page.keyboard.type("1:30")
    page.keyboard.press("Enter")
    settle(page)
    page.keyboard.press("/")
    assert page.input_value("#goto") == ""
    page.keyboard.type("0:10")
    page.keyboard.press("Enter")
    settle(page)
    assert clock_ms(page) == 10_000
    page.keyboard.press("/")
    page.keyboard.type("xx")
    page.keyboard.press("Enter")  # not a time: the field keeps the focus to be corrected
    assert page.evaluate("document.activeElement.id") == "goto"
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") != "goto"
    page.keyboard.press("i")  # a code key codes, and types nothing
    page.wait_for_function("() => window.samspill.store.sorted.length === 1")
    assert page.input_value("#goto") == ""
    assert page_events(page)[0]["onset_ms"] == 10_000


def test_arrows_after_a_click_on_a_rating_seek_and_ratings_undo(workspace, demo_database):
    page, coding_id = workspace
    page.click("#ratings-form input[name=level][value='5']")
    assert "Ctrl + Z" in page.inner_text("#toast")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("ArrowRight")
    settle(page)
    assert page.is_checked("#ratings-form input[name=level][value='5']")
    assert clock_ms(page) == 6_000  # the arrows moved the video, not the level
    page.click("#ratings-form input[name=level][value='6']")
    page.keyboard.press("Control+z")
    assert page.is_checked("#ratings-form input[name=level][value='5']")
    page.keyboard.press("Control+z")
    assert not page.is_checked("#ratings-form input[name=level][value='5']")
    page.keyboard.press("Control+y")
    assert page.is_checked("#ratings-form input[name=level][value='5']")
    wait_saved(page)
    with demo_database.session() as db:
        stored = db.query(Rating).filter_by(coding_id=coding_id, item_id="level").one()
        assert stored.value == "5"


def test_enter_confirms_the_highlighted_modifier_and_a_required_one_cannot_be_skipped(workspace):
    page, _ = workspace
    page.keyboard.press("b")  # kind of bid: required in the open scheme
    page.wait_for_selector("#modifier-dialog[open]")
    page.keyboard.press("Enter")  # nothing highlighted: nothing recorded
    page.keyboard.press("Escape")  # required: not skipped
    page.keyboard.press("h")  # nor skipped by a code key
    assert page.is_visible("#modifier-dialog")
    assert "required" in page.inner_text("#modifier-hint")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # the third: reach
    page.wait_for_selector("#modifier-dialog", state="hidden")
    events = page_events(page)
    assert [(e["code"], e["modifiers"]) for e in events] == [("bid", {"kind": "reach"})]
    page.keyboard.press("r")  # respond: channel and intensity are optional
    page.wait_for_selector("#modifier-dialog[open]")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_selector("#modifier-dialog", state="hidden")
    respond = next(e for e in page_events(page) if e["code"] == "respond")
    assert respond["modifiers"] == {}


def test_a_bid_reaches_the_server_with_its_kind_in_one_add(workspace, demo_database):
    """Kind of bid is required: the bid shows at once, but goes to the server only with its
    kind, in one add (the server refuses a bid without it); Respond's optional sets still
    follow in an edit. Undo and redo send the whole bid."""
    page, coding_id = workspace
    sent: list[dict] = []
    page.on("request", lambda r: sent.extend(r.post_data_json["actions"])
            if r.method == "POST" and r.url.endswith("/actions") else None)
    page.keyboard.press("b")
    page.wait_for_selector("#modifier-dialog[open]")
    assert [e["code"] for e in page_events(page)] == ["bid"]  # in the list at once
    assert page.locator("#save-status").get_attribute("data-pending") in (None, "0")
    page.keyboard.press("2")  # show
    page.wait_for_selector("#modifier-dialog", state="hidden")
    page.keyboard.press("r")
    page.wait_for_selector("#modifier-dialog[open]")
    page.keyboard.press("1")  # channel: verbal
    page.keyboard.press("Escape")  # intensity: optional
    wait_saved(page)
    kinds = [(a["type"], a["event"]["code"], a["event"]["modifiers"]) for a in sent]
    assert kinds == [("add", "bid", {"kind": "show"}), ("add", "respond", {}),
                     ("edit", "respond", {"channel": "verbal"})]
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+y")
    wait_saved(page)
    assert [(a["type"], a.get("event", {}).get("modifiers")) for a in sent[-4:]] == [
        ("edit", {}), ("delete", None), ("delete", None), ("add", {"kind": "show"})]
    stored = {r.code: r.modifiers for r in stored_events(demo_database, coding_id)}
    assert stored == {"bid": {"kind": "show"}}


def test_code_keys_on_a_focused_menu_code_and_leave_the_menu_alone(workspace):
    page, _ = workspace
    page.focus("#speed")
    page.keyboard.press("2")  # role/boundary confusion, not 2× speed
    page.wait_for_function("() => window.samspill.store.sorted.length === 1")
    assert page.input_value("#speed") == "1"
    assert page.evaluate("document.getElementById('video').playbackRate") == 1
    assert page_events(page)[0]["code"] == "rb"
    page.focus("#language")
    page.keyboard.press("n")  # near, not "Norsk bokmål"
    page.wait_for_function("() => window.samspill.store.sorted.length === 2")
    assert page.input_value("#language") == "en"
    page.focus("#speed")
    page.keyboard.press("ArrowDown")  # the menu keeps its own arrows
    assert page.input_value("#speed") == "1.5"
    options = page.locator("#speed option").evaluate_all("(os) => os.map((o) => o.value)")
    assert options == ["0.25", "0.5", "1", "1.5", "2", "3", "4"]


def test_the_timeline_has_an_axis_a_legend_labels_and_lets_the_wheel_scroll(workspace):
    page, _ = workspace
    page.wait_for_selector(".tl-axis span")
    assert page.locator(".tl-axis span").first.inner_text() == "0:00"
    labels = page.locator(".tl-labels li").all_inner_texts()
    assert "caregiver · Proximity" in labels and "caregiver · Withdrawal" in labels
    assert not any(label.endswith(("· proximity", "· WD", "· contact")) for label in labels)
    colours = page.evaluate(
        "['near', 'far', 'absent'].map((c) => window.samspill.timeline.colourOf(c))")
    assert len(set(colours)) == 3
    assert page.locator("#timeline-legend li").all_inner_texts()[2:] == [
        "Near (within reach)", "Far (out of reach)", "Absent (out of the room)"]
    # A plain wheel is left to the page; Ctrl + wheel zooms.
    span = page.evaluate("window.samspill.timeline.span")
    page.hover(".tl-canvas")
    kept = page.evaluate("""() => { const e = new WheelEvent('wheel', {deltaY: 100, bubbles: true,
        cancelable: true}); document.querySelector('.tl-canvas').dispatchEvent(e);
        return !e.defaultPrevented; }""")
    assert kept and page.evaluate("window.samspill.timeline.span") == span
    page.keyboard.down("Control")
    page.mouse.wheel(0, -100)
    page.keyboard.up("Control")
    page.wait_for_function(f"() => window.samspill.timeline.span < {span}")


def test_a_running_bar_is_not_drawn_past_the_playhead_after_seeking_back(workspace):
    page, _ = workspace
    page.keyboard.press("/")
    page.keyboard.type("0:10")
    page.keyboard.press("Enter")
    settle(page)
    page.keyboard.press("h")  # hold starts at 0:10
    page.keyboard.press("/")
    page.keyboard.type("2:00")
    page.keyboard.press("Enter")
    settle(page)
    page.wait_for_timeout(400)  # the bar grows four times a second
    page.evaluate("window.samspill.timeline.setNow(window.samspill.player.nowMs())")
    page.keyboard.press("/")
    page.keyboard.type("0:20")
    page.keyboard.press("Enter")
    settle(page)
    page.wait_for_timeout(200)
    # The hold's lane (contact) at 1:00 looks again like an empty lane of the same shade there
    # (two lanes down: the separation lane, with no events): nothing drawn past the playhead.
    drawn = page.evaluate("""() => {
      const tl = window.samspill.timeline; const ratio = window.devicePixelRatio || 1;
      const lane = tl.lanes.get('caregiver|contact');
      const pixel = (ms, index) => [...tl.ctx.getImageData(Math.round(tl.x(ms) * ratio),
        Math.round((14 + index * 16 + 8) * ratio), 1, 1).data];
      return { before: pixel(15000, lane.index), after: pixel(60000, lane.index),
               emptyBefore: pixel(15000, lane.index + 2), empty: pixel(60000, lane.index + 2) };
    }""")
    assert drawn["before"] != drawn["emptyBefore"]  # drawn from its start to the playhead
    assert drawn["after"] == drawn["empty"]  # and not past it


def test_evidence_plays_double_click_edits_and_the_help_opens_at_the_top(workspace):
    page, _ = workspace
    page.keyboard.press("/")
    page.keyboard.type("0:05")
    page.keyboard.press("Enter")
    settle(page)
    page.keyboard.press("i")
    page.wait_for_selector("#event-list li")
    page.dblclick("#event-list li")
    page.wait_for_selector("#event-list li.editing form.edit")
    page.keyboard.press("Escape")
    # The signs panel's seek: the video comes into view and plays.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.evaluate("window.samspill.scores.onSeek(3000)")
    page.wait_for_function("() => !document.getElementById('video').paused")
    box = page.locator("#video").bounding_box()
    assert box["y"] >= -1 and box["y"] < page.viewport_size["height"]  # in view, to a pixel
    page.evaluate("document.getElementById('video').pause()")
    page.keyboard.press("?")
    page.wait_for_selector("#help[open]")
    assert page.evaluate("document.getElementById('help').scrollTop") == 0
    assert page.evaluate("document.activeElement.id") == "help-title"
    help_text = page.inner_text("#help")
    assert "Kind of bid" in help_text and "Channel, Intensity" in help_text
    assert "channel, intensity" not in help_text
    for key in ("Ctrl", "Home", "PgDn", "Backspace", "§", "Escape", "F2"):
        assert key in help_text


def test_pad_sound_filter_and_export(workspace, server: Server, demo_database):
    page, coding_id = workspace
    page.click("button.pad[data-code=initiate]")
    page.focus("button.pad[data-code=redirect]")
    page.keyboard.press("Enter")  # the pad is reachable from the keyboard
    page.wait_for_function("() => window.samspill.store.sorted.length === 2")
    page.click("#mute")
    page.wait_for_function("() => document.getElementById('mute').textContent === 'Unmute'")
    assert page.evaluate("document.getElementById('video').muted")
    page.fill("#volume", "0.5")
    page.dispatch_event("#volume", "input")
    assert page.evaluate("document.getElementById('video').volume") == 0.5
    page.click("#bigger")
    assert "big-video" in page.get_attribute("#workspace", "class")
    page.fill("#event-filter", "redir")
    page.wait_for_function("() => document.querySelectorAll('#event-list li').length === 1")
    assert "Redirect" in page.inner_text("#event-list li")
    assert "1 of 2" in page.inner_text("#event-count")
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelectorAll('#event-list li').length === 2")
    wait_saved(page)
    answer = page.request.get(server.url + page.get_attribute("#export-csv", "href"))
    assert answer.ok and "text/csv" in answer.headers["content-type"]
    lines = answer.text().strip().splitlines()
    assert lines[0].startswith("subject,code,onset_ms")
    assert sorted(line.split(",")[1] for line in lines[1:]) == sorted(
        e.code for e in stored_events(demo_database, coding_id))


def test_the_session_page_tells_codings_apart(browser, demo_database, server: Server):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    log_in(page, demo_database, server)
    first, second = new_coding(demo_database), new_coding(demo_database)
    open_workspace(page, server, first)
    page.click(".crumbs a:nth-of-type(2)")
    rows = {
        row.get_attribute("data-coding"): row.inner_text()
        for row in page.locator("table.codings-list tbody tr").all()
    }
    assert f"Coding {first}" in rows[str(first)] and f"Coding {second}" in rows[str(second)]
    assert "in progress" in rows[str(first)] and "in_progress" not in rows[str(first)]
    assert "study" in rows[str(first)]
    assert page.locator(f"tr[data-coding='{first}'] time").count() == 1
    context.close()


def test_space_in_the_pop_up_with_nothing_highlighted_does_nothing(workspace):
    """Space belongs to the pop-up: with nothing highlighted it neither skips the questions
    nor plays the video behind it."""
    page, _ = workspace
    page.keyboard.press("r")  # respond: channel and intensity, both optional
    page.wait_for_selector("#modifier-dialog[open]")
    page.keyboard.press(" ")
    assert page.is_visible("#modifier-dialog")
    assert page.evaluate("document.getElementById('video').paused")
    page.keyboard.press("ArrowDown")
    page.keyboard.press(" ")  # now the highlighted channel is chosen: verbal
    page.keyboard.press("Escape")  # intensity skipped
    page.wait_for_selector("#modifier-dialog", state="hidden")
    respond = next(e for e in page_events(page) if e["code"] == "respond")
    assert respond["modifiers"] == {"channel": "verbal"}


def test_escape_leaves_a_segments_name_so_the_next_key_codes(workspace):
    page, _ = workspace
    page.focus("#segment-name")
    page.keyboard.type("x")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") != "segment-name"
    assert page.input_value("#segment-name") == "x"  # kept as typed
    page.keyboard.press("i")
    page.wait_for_function("() => window.samspill.store.byId.size > 0")
    assert [e["code"] for e in page_events(page)][-1:] == ["initiate"]
    assert page.input_value("#segment-name") == "x"
