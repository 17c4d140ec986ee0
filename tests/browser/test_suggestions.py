"""The assist's suggestions in the coding screen (issue 11), by keyboard: go to the list, move
through it, move a suggestion's start, accept it (an event with the assist's provenance, which
the six signs count), reject another, and undo the rejection. Suggestions are put in the
database directly: running the assist is tested in tests/assist."""

from __future__ import annotations

import json

import pytest

from samspill.services import codings, studies
from samspill.services.demo import DEMO_SESSION, DEMO_STUDY
from samspill.services.media import media_of
from samspill.services.schemes import latest_version
from samspill.services.setup import ensure_admin
from samspill.store.models import AssistRun, MediaFile, Suggestion
from tests.browser.conftest import open_workspace

pytestmark = pytest.mark.browser
CRY = "00000000-0000-4000-8000-00000000c001"
SPEECH = "00000000-0000-4000-8000-00000000c002"


@pytest.fixture(scope="module")
def assisted(demo_database) -> int:
    """A session beside the demo's (the same video), with two suggestions and a coding."""
    with demo_database.session() as db:
        study = studies.get_study(db, DEMO_STUDY)
        demo = studies.get_session(db, study=study, name=DEMO_SESSION)
        session = studies.create_session(db, study=study, dyad=demo.dyad, name="assisted",
                                         duration_ms=demo.duration_ms)
        video = media_of(db, demo)[0]
        db.add(MediaFile(session_id=session.id, sha256=video.sha256, filename=video.filename,
                         content_type=video.content_type, size_bytes=video.size_bytes,
                         duration_ms=video.duration_ms, fps=video.fps, offset_ms=0))
        run = AssistRun(session_id=session.id, state="done", progress=1.0,
                        detectors=["speech", "cry"], found=2)
        db.add(run)
        db.flush()
        db.add_all([
            Suggestion(id=SPEECH, session_id=session.id, run_id=run.id, detector="speech",
                       version="6.2.3", subject="any", code="speech", onset_ms=20_500,
                       offset_ms=22_000, confidence=0.9, modifiers={}, note=""),
            Suggestion(id=CRY, session_id=session.id, run_id=run.id, detector="cry",
                       version="1", subject="child", code="distress", onset_ms=181_000,
                       offset_ms=186_000, confidence=0.8, modifiers={}, note=""),
        ])
        coding = codings.create_coding(db, session=session, coder=ensure_admin(db),
                                       scheme_version=latest_version(db, "withdrawal-open"))
        return coding.id


def _get(page, url: str) -> dict:
    return json.loads(page.evaluate(
        "async (u) => JSON.stringify(await (await fetch(u)).json())", url))


def _values(node: object, key: str) -> list:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == key] + \
            [x for v in node.values() for x in _values(v, key)]
    if isinstance(node, list):
        return [x for v in node for x in _values(v, key)]
    return []


@pytest.fixture
def assisted_page(browser, demo_database, server, assisted: int):
    """The assisted coding's screen at 1366×768, its suggestions shown."""
    from tests.browser.conftest import log_in

    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    page = context.new_page()
    log_in(page, demo_database, server)
    open_workspace(page, server, assisted)
    page.wait_for_selector("#suggestions:not([hidden]) li[role=option]")
    yield page
    context.close()


def _saved(page) -> None:
    page.wait_for_selector("#save-status[data-state=saved]", timeout=20_000)


def test_accept_reject_and_adjust_suggestions_by_key(assisted_page, assisted: int) -> None:
    page = assisted_page
    assert "not codes" in page.inner_text("#suggestions h2")
    assert "never codes" in page.inner_text("#suggestions p")
    before = _values(_get(page, f"/api/codings/{assisted}/scores"), "need_episodes")

    page.keyboard.press("Alt+s")
    assert page.evaluate("document.activeElement.id === '' && "
                         "document.activeElement.classList.contains('suggestion-list')")
    page.keyboard.press("ArrowDown")  # the second: the cry at 3:01
    selected = page.locator(".suggestion-list li[aria-selected=true]")
    assert "03:01" in selected.inner_text() and "Distress" in selected.inner_text()
    assert abs(page.evaluate("window.samspill.player.nowMs()") - 181_000) < 200
    page.keyboard.press("Shift+ArrowLeft")  # its start 100 ms earlier
    page.keyboard.press("a")
    page.wait_for_selector(".suggestion-list li[data-decision=accepted]")
    _saved(page)
    events = _get(page, f"/api/codings/{assisted}/events")["events"]
    accepted = [e for e in events if e["code"] == "distress"]
    assert len(accepted) == 1 and accepted[0]["onset_ms"] == 180_900
    assert accepted[0]["offset_ms"] == 186_000 and accepted[0]["provenance"] == "assist:cry@1"
    after = _values(_get(page, f"/api/codings/{assisted}/scores"), "need_episodes")
    assert max(after) > max(before or [0])  # the accepted distress is an episode of need

    page.keyboard.press("ArrowUp")  # the speech at 0:20.5: reject it, then undo
    page.keyboard.press("x")
    page.wait_for_selector(".suggestion-list li[data-decision=rejected]")
    _saved(page)
    listed = {s["id"]: s["decision"]
              for s in _get(page, f"/api/codings/{assisted}/suggestions")["suggestions"]}
    assert listed == {CRY: "accepted", SPEECH: "rejected"}
    page.keyboard.press("Control+z")
    page.wait_for_selector(".suggestion-list li[data-decision=rejected]", state="detached")
    _saved(page)
    listed = {s["id"]: s["decision"]
              for s in _get(page, f"/api/codings/{assisted}/suggestions")["suggestions"]}
    assert listed == {CRY: "accepted", SPEECH: None}


def test_a_suggestion_of_no_code_asks_which_code(assisted_page, assisted: int) -> None:
    page = assisted_page
    page.keyboard.press("Alt+s")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")  # the speech: no code of the scheme
    page.keyboard.press("a")
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
    page.select_option("#suggestions select", "initiate")
    page.keyboard.press("Enter")
    page.wait_for_selector(".suggestion-list li[data-decision=accepted] >> text=Speech")
    _saved(page)
    events = _get(page, f"/api/codings/{assisted}/events")["events"]
    initiated = [e for e in events if e["code"] == "initiate"]
    assert [e["provenance"] for e in initiated] == ["assist:speech@6.2.3"]
    assert initiated[0]["onset_ms"] == 20_500 and initiated[0]["offset_ms"] is None


def test_alt_n_in_a_text_field_is_the_fields_not_the_suggestions(assisted_page) -> None:
    """Alt + N in the transcript's editor writes the time there and only there; in the Go to
    field it does nothing: the page's Alt + N (next suggestion) never takes the focus away."""
    page = assisted_page
    page.keyboard.press("Alt+t")
    # The pane has its text from the server and the focus (it takes it when loaded).
    page.wait_for_function("() => window.samspill.transcript.state !== null")
    page.wait_for_selector("#transcript-entries:focus")
    page.keyboard.press("Enter")  # edit
    page.wait_for_selector("#transcript-text:focus")
    page.keyboard.press("Alt+n")
    assert page.input_value("#transcript-text") == "00:00 "
    assert page.evaluate("document.activeElement.id") == "transcript-text"
    assert page.locator(".suggestion-list li[aria-selected=true]").count() == 0
    page.keyboard.press("Escape")  # saves, back to reading
    page.wait_for_selector("#transcript-entries:focus")
    page.focus("#goto")
    page.keyboard.press("Alt+n")
    assert page.evaluate("document.activeElement.id") == "goto"
    assert page.locator(".suggestion-list li[aria-selected=true]").count() == 0
    page.locator("#timeline").focus()
    page.keyboard.press("Alt+n")  # outside a text field it still goes to the next suggestion
    page.wait_for_selector(".suggestion-list li[aria-selected=true]")


def test_the_lists_keys_stay_in_the_list_and_option_s_works_on_a_mac(assisted_page) -> None:
    """A, X, U and Delete with no suggestion chosen never reach the page (where `a` logs
    Absent); Alt + S is read from the physical key, since on a Mac Option + S types "ß"."""
    page = assisted_page
    before = page.evaluate("window.samspill.store.byId.size")
    page.evaluate("""() => {
      const list = document.querySelector('.suggestion-list');
      list.focus();
      window.samspill.suggestions.selected = null;
      for (const key of ['a', 'x', 'u', 'Delete'])
        list.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
    }""")
    page.wait_for_timeout(300)
    assert page.evaluate("window.samspill.store.byId.size") == before
    page.locator("#timeline").focus()
    page.evaluate("""() => document.activeElement.dispatchEvent(new KeyboardEvent('keydown',
        { key: 'ß', code: 'KeyS', altKey: true, bubbles: true, cancelable: true }))""")
    page.wait_for_function(
        "() => document.activeElement === document.querySelector('.suggestion-list')")
