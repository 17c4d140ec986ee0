"""Nothing corrupts a coding, nothing locks anyone out (issue 20), in Chromium: a stale edit
asks whose version stays, a deleted segment is asked for and can be undone, a 500 is a server
error, a second tab takes over when the first closes, and a running state gives provisional
signs instead of none."""

from __future__ import annotations

from samspill.core.events import Event
from samspill.services import codings, studies
from samspill.store.db import Database
from tests.browser.conftest import Server, open_workspace
from tests.browser.test_workspace import stored_events, wait_saved


def _log_point(page, key: str = "i") -> dict:
    page.keyboard.press(key)
    wait_saved(page)
    return page.evaluate("({...window.samspill.store.sorted.at(-1)})")


def _changed_elsewhere(database: Database, coding_id: int, event: dict, comment: str) -> None:
    """Another window's edit, saved on the server (the version moves on)."""
    fields = {k: v for k, v in event.items() if k != "version"}
    with database.session() as db:
        coding = codings.get_coding(db, coding_id)
        codings.upsert_event(db, coding=coding, event=Event(**{**fields, "comment": comment}),
                             base_version=event["version"])


def _edit_on_page(page, comment: str) -> None:
    page.evaluate("""(comment) => {
        const e = window.samspill.store.sorted.at(-1);
        window.samspill.history.commit([{ type: "edit", event: { ...e, comment } }], "edit");
    }""", comment)


def test_a_stale_edit_asks_keep_mine_or_take_theirs_from_the_keyboard(workspace, demo_database):
    page, coding_id = workspace
    event = _log_point(page)
    _changed_elsewhere(demo_database, coding_id, event, "theirs")
    _edit_on_page(page, "mine")
    dialog = page.wait_for_selector("dialog.conflict[open]")
    assert "changed in another window" in dialog.inner_text()
    assert "Keep mine" in dialog.inner_text() and "Take theirs" in dialog.inner_text()
    page.keyboard.press("Enter")  # the focus starts on Keep mine
    page.wait_for_selector("dialog.conflict", state="detached")
    wait_saved(page)
    assert [e.comment for e in stored_events(demo_database, coding_id)] == ["mine"]
    assert page.evaluate("window.samspill.store.sorted.at(-1).comment") == "mine"

    event = page.evaluate("({...window.samspill.store.sorted.at(-1)})")
    _changed_elsewhere(demo_database, coding_id, event, "theirs again")
    _edit_on_page(page, "mine again")
    page.wait_for_selector("dialog.conflict[open]")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Take theirs
    page.wait_for_selector("dialog.conflict", state="detached")
    wait_saved(page)
    assert [e.comment for e in stored_events(demo_database, coding_id)] == ["theirs again"]
    page.wait_for_function(
        "() => window.samspill.store.sorted.at(-1).comment === 'theirs again'")


def test_an_edit_after_a_delete_elsewhere_does_not_bring_the_event_back_unasked(
        workspace, demo_database):
    page, coding_id = workspace
    event = _log_point(page)
    with demo_database.session() as db:
        codings.delete_event(db, coding=codings.get_coding(db, coding_id), event_id=event["id"])
    _edit_on_page(page, "late")
    dialog = page.wait_for_selector("dialog.conflict[open]")
    assert "deleted in another window" in dialog.inner_text()
    page.keyboard.press("Escape")  # take theirs: the deletion stands
    page.wait_for_selector("dialog.conflict", state="detached")
    wait_saved(page)
    assert stored_events(demo_database, coding_id) == []
    page.wait_for_function("() => window.samspill.store.sorted.length === 0")


def test_deleting_a_segment_asks_first_and_undo_brings_it_back(workspace, demo_database):
    page, coding_id = workspace
    with demo_database.session() as db:
        session = codings.get_coding(db, coding_id).session
        before = [s.model_dump() for s in studies.segments_of(db, session)]
    assert before, "the demo session has segments"
    questions: list[str] = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.click("#segment-list li:first-child button")
    assert "Delete segment" in questions[0] and "Ctrl + Z" in questions[0]
    page.once("dialog", lambda d: answer(d, True))
    page.click("#segment-list li:first-child button")
    wait_saved(page)
    with demo_database.session() as db:
        assert len(studies.segments_of(db, session)) == len(before) - 1
    page.keyboard.press("Control+z")
    wait_saved(page)
    with demo_database.session() as db:
        assert [s.model_dump() for s in studies.segments_of(db, session)] == before
    assert page.locator("#segment-list li").count() == len(before)


def test_a_server_error_is_said_as_such_not_as_offline(workspace):
    page, _ = workspace
    page.route("**/actions", lambda route: route.fulfill(
        status=500, content_type="application/json",
        body='{"error": {"message": "something went wrong on the server"}}'))
    page.keyboard.press("i")
    page.wait_for_selector("#save-status[data-state=server]")
    assert "Server error" in page.inner_text("#save-status")
    page.unroute("**/actions")
    wait_saved(page)


def test_the_second_tab_hides_submit_and_takes_over_when_the_first_closes(
        workspace, server: Server, demo_database):
    page, coding_id = workspace
    second = page.context.new_page()
    open_workspace(second, server, coding_id)
    assert "another tab" in second.inner_text("#banner")
    assert not second.is_visible("#submit-coding")
    page.close()
    second.wait_for_function("() => document.getElementById('banner').hidden")
    assert second.is_visible("#submit-coding")
    second.keyboard.press("i")
    wait_saved(second)
    assert [e.code for e in stored_events(demo_database, coding_id)] == ["initiate"]


def test_a_running_state_gives_provisional_signs_in_the_panel(workspace):
    page, _ = workspace
    page.keyboard.press("n")  # Near runs: a proximity state always runs
    wait_saved(page)
    note = page.wait_for_selector("#scores .scores-provisional:not([hidden])", timeout=20_000)
    assert "Provisional" in note.inner_text()
    assert page.locator("#scores .sign").count() >= 5
