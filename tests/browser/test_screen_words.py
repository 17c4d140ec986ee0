"""The coding screen says things in the page's language, with the names it shows elsewhere
(bokmål here): a deleted code and its undo, the conflict dialog and the list's filter name codes
and subjects by their labels; the browser refusing to store, the actions set aside and a segment
ending before it starts are said in words, not in English or as ids."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Server, workspace_in
from tests.browser.test_screen_safety import _changed_elsewhere, _edit_on_page, _log_point
from tests.browser.test_workspace import wait_saved

pytestmark = pytest.mark.browser


@pytest.fixture
def bokmaal(browser, demo_database, server: Server):
    """A logged-in bokmål page on a new coding's workspace: (page, coding id)."""
    yield from workspace_in(browser, demo_database, server, "nb-NO")


def said(page, msgid: str, **params: str) -> str:
    """The page's own translation of ``msgid`` (checked to be one), with its fields filled."""
    text = page.evaluate(
        "(m) => JSON.parse(document.getElementById('boot').textContent).strings[m]", msgid)
    assert text and text != msgid, f"{msgid!r} is not translated"
    for key, value in params.items():
        text = text.replace(f"{{{key}}}", value)
    return text


def shown_row(page) -> tuple[str, str]:
    """The first row's subject and code, as the list shows them."""
    row = page.locator("#event-list li").first
    return row.locator(".who").inner_text(), row.locator(".code").inner_text()


def test_a_deleted_code_and_its_undo_name_the_code_as_shown(bokmaal):
    page, _ = bokmaal
    _log_point(page)  # i: the caregiver initiates
    _, code = shown_row(page)
    assert code != "initiate"
    page.locator("#event-list li").first.focus()
    page.keyboard.press("Delete")
    page.wait_for_function("() => window.samspill.store.sorted.length === 0")
    page.keyboard.press("Control+z")
    page.wait_for_function("() => window.samspill.store.sorted.length === 1")
    deleted = said(page, "Deleted {code} at {time}", code=code, time="00:00.000")
    assert page.inner_text("#toast") == said(page, "Undone: {what}", what=deleted)


def test_the_conflict_dialog_names_subject_and_code_as_the_list_does(bokmaal, demo_database):
    page, coding_id = bokmaal
    event = _log_point(page)
    who, code = shown_row(page)
    assert (who, code) != ("caregiver", "initiate")
    _changed_elsewhere(demo_database, coding_id, event, "theirs")
    _edit_on_page(page, "mine")
    dialog = page.wait_for_selector("dialog.conflict[open]")
    text = dialog.inner_text()
    assert said(page, "Yours: {what}", what=f"{who} · {code} · 00:00.000") in text
    assert said(page, "Theirs: {what}", what=f"{who} · {code} · 00:00.000") in text
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog.conflict", state="detached")
    wait_saved(page)


def test_the_filter_finds_an_event_by_the_subject_it_shows(bokmaal):
    page, _ = bokmaal
    _log_point(page)
    who, code = shown_row(page)
    assert who != "caregiver"
    for words, found in ((who.lower(), 1), ("caregiver", 1), (code, 1), ("nobody-here", 0)):
        page.fill("#event-filter", words)
        page.wait_for_function(
            "(n) => document.querySelectorAll('#event-list li[data-id]').length === n", arg=found)


def test_a_write_the_browser_broke_off_is_said_in_the_pages_language(bokmaal):
    page, _ = bokmaal
    # The transaction ends with no request pending and no error of its own, as when the
    # browser gives it up.
    page.evaluate("""() => {
        IDBObjectStore.prototype.add = function () { this.transaction.abort(); return {}; };
    }""")
    page.keyboard.press("i")
    page.wait_for_selector("#toast.bad")
    assert page.inner_text("#toast") == said(
        page, "Not saved: {message}", message=said(page, "the browser broke off storing it"))


def test_an_action_set_aside_is_listed_in_words(bokmaal):
    page, _ = bokmaal
    page.route("**/actions", lambda route: route.fulfill(
        status=422, content_type="application/json", body='{"error": {}}'))
    page.keyboard.press("i")
    item = page.wait_for_selector("#set-aside li")
    added = said(page, "Added an event")
    assert item.inner_text().startswith(f"{added}: 422")
    assert said(page, "Not saved: {message}", message=added) in page.inner_text("#toast")
    page.unroute("**/actions")
    # Submit would lock the coding with the refused action still in this browser: refused.
    page.evaluate("() => { window.confirm = () => { throw new Error('asked to confirm'); }; }")
    page.click("#submit-coding")
    page.wait_for_function("(text) => document.getElementById('toast').textContent === text",
                           arg=said(page, "{n} change(s) were set aside and are not saved: send "
                                    "them again or let them go, then submit", n="1"))
    page.click("#set-aside button:last-of-type")  # discard
    page.wait_for_selector("#set-aside li", state="detached")


def test_a_segment_that_would_end_at_its_start_says_so_as_a_segment(bokmaal):
    page, _ = bokmaal
    page.keyboard.press("[")
    page.keyboard.press("]")  # the video has not moved: the end is the start
    page.wait_for_selector("#toast.bad")
    assert page.inner_text("#toast") == said(page, "A segment must end after it starts")
