"""Several cameras in the coding screen (issue 14, M17), in a real Chromium: the second camera
(30 fps, started 1.3 s after the main one at 25 fps, shorter, with its own sound) plays in step
with the main video within one frame after a seek, while playing, and at double speed; before
it starts its tile says so; the clap in both audio tracks proposes the 1.3 s offset, which the
owner keeps; the layout and the main view change by key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samspill.services import codings, studies
from samspill.services import media as media_service
from samspill.services.demo import DEMO_STUDY
from samspill.services.schemes import latest_version
from samspill.services.setup import ensure_admin
from samspill.store.db import Database
from samspill.store.models import MediaFile
from tests.browser.conftest import Server, log_in, open_workspace
from tests.browser.test_screen_layout import NEEDED, inside
from tests.media_clips import make_clip

pytestmark = pytest.mark.browser
LAG_MS = 1300
FOLLOWER_FRAME_MS = 1000 / 30


def two_camera_coding(database: Database, folder: Path, name: str,
                      offset_ms: int) -> tuple[int, int]:
    """A new session of the demo study with two cameras; (coding id, second clip's id)."""
    main = make_clip(folder / "main.webm", seconds=10, fps=25, clap_at_s=2.5, seed=1)
    second = make_clip(folder / "second.webm", seconds=8, fps=30, clap_at_s=2.5 - LAG_MS / 1000,
                       seed=2, colour="teal")
    with database.session() as db:
        study = studies.get_study(db, DEMO_STUDY)
        dyad = studies.get_or_create_dyad(db, study=study, code=f"CAM-{name}")
        session = studies.create_session(db, study=study, dyad=dyad, name=f"cameras-{name}")
        media_dir = database.settings.media_dir
        media_service.attach_file(db, session=session, media_dir=media_dir, source=main)
        clip = media_service.attach_file(db, session=session, media_dir=media_dir, source=second,
                                         offset_ms=offset_ms)
        coding = codings.create_coding(db, session=session, coder=ensure_admin(db),
                                       scheme_version=latest_version(db, "withdrawal-open"))
        return coding.id, clip.id


@pytest.fixture
def page_of(browser, demo_database: Database, server: Server):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    page = context.new_page()
    log_in(page, demo_database, server)

    def opened(coding_id: int):
        open_workspace(page, server, coding_id)
        page.wait_for_function("() => document.querySelector('.tile video').readyState >= 2")
        return page

    yield opened
    context.close()


def settle(page) -> None:
    page.wait_for_function("() => !document.getElementById('video').seeking"
                           " && !document.querySelector('.tile video').seeking")
    page.wait_for_timeout(300)  # the frame callbacks of both videos


def paused_error_frames(page) -> float:
    errors = page.evaluate("window.samspill.sync.pausedErrors()")
    assert len(errors) == 1
    return errors[0] / FOLLOWER_FRAME_MS


def test_two_cameras_stay_within_a_frame_after_seek_play_and_rate_change(
        page_of, demo_database: Database, tmp_path: Path) -> None:
    coding_id, _clip = two_camera_coding(demo_database, tmp_path, "sync", LAG_MS)
    page = page_of(coding_id)
    box = page.locator("#video-box")
    assert box.get_attribute("class") and "multi" in box.get_attribute("class")
    # Before the second camera starts (session 0.5 s is its media −0.8 s): a note, clock goes on.
    page.evaluate("window.samspill.player.seekTo(500)")
    settle(page)
    assert page.get_attribute(".tile", "data-state") == "before"
    assert page.inner_text(".tile .tile-note") == "not started yet"
    measured = {}
    for at in (2000, 3517, 5040, 7333):
        page.evaluate(f"window.samspill.player.seekTo({at})")
        settle(page)
        assert page.get_attribute(".tile", "data-state") == "on"
        error = paused_error_frames(page)
        # The follower shows the frame that holds the main frame's time: 0 ≤ error < 1 frame.
        assert -0.05 <= error < 1, f"after a seek to {at} ms: {error:.2f} frames"
        measured[f"seek {at}"] = error
    page.evaluate("window.samspill.player.seekTo(2000)")
    settle(page)
    page.keyboard.press("Space")
    page.wait_for_function("() => window.samspill.player.nowMs() > 3600")  # started, caught up
    _caught_up(page)
    page.evaluate("window.samspill.sync.samples.length = 0")
    page.wait_for_timeout(1200)
    # Nine samples in ten within a frame (the drift is sampled at every main frame and every
    # 100 ms; on a loaded test machine a decoder may stall for a moment); the largest is shown.
    playing = page.evaluate("window.samspill.sync.driftFrames(200, 0.9)")
    assert playing is not None and playing < 1, f"playing: {playing:.2f} frames"
    measured["playing 1x (90 %)"] = playing
    measured["playing 1x (max)"] = page.evaluate("window.samspill.sync.driftFrames(200)")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # 1.5×, 2×
    assert page.evaluate("document.getElementById('video').playbackRate") == 2
    page.wait_for_timeout(600)  # the follower catches the new rate up
    _caught_up(page)
    page.evaluate("window.samspill.sync.samples.length = 0")
    page.wait_for_timeout(800)
    fast = page.evaluate("window.samspill.sync.driftFrames(200, 0.9)")
    assert fast is not None and fast < 1, f"playing at 2×: {fast:.2f} frames"
    measured["playing 2x (90 %)"] = fast
    measured["playing 2x (max)"] = page.evaluate("window.samspill.sync.driftFrames(200)")
    page.keyboard.press("Space")
    settle(page)
    error = paused_error_frames(page)
    assert -0.05 <= error < 1
    measured["paused after play"] = error
    shown = {k: round(v, 2) for k, v in measured.items()}
    print("sync error in frames of the 30 fps camera:", shown)


def test_the_layout_and_the_main_view_change_by_key(page_of, demo_database: Database,
                                                     tmp_path: Path) -> None:
    coding_id, clip = two_camera_coding(demo_database, tmp_path, "keys", LAG_MS)
    page = page_of(coding_id)
    layout = page.get_attribute("#video-box", "data-layout")
    page.keyboard.press("Alt+L")
    assert page.get_attribute("#video-box", "data-layout") != layout
    page.keyboard.press("Alt+M")
    assert "is-big" in (page.get_attribute(f'.tile[data-media="{clip}"]', "class") or "")
    page.keyboard.press("Alt+M")
    assert "is-big" in (page.get_attribute("#video", "class") or "")
    events = page.evaluate("window.samspill.store.sorted.length")
    page.keyboard.press("Alt+.")  # one frame of the 30 fps clip later: 33 ms
    page.keyboard.press("Alt+Shift+.")  # and 100 ms
    assert page.inner_text("#sync-offset") == "+00:01.433"
    assert page.evaluate("window.samspill.store.sorted.length") == events  # nothing logged
    page.wait_for_selector("#toast.shown:has-text('Offset saved')", timeout=10_000)
    with demo_database.session() as db:
        assert db.get(MediaFile, clip).offset_ms == LAG_MS + 133  # type: ignore[union-attr]


def test_the_clap_aligns_the_second_camera_and_the_owner_keeps_it(
        page_of, demo_database: Database, tmp_path: Path) -> None:
    coding_id, clip = two_camera_coding(demo_database, tmp_path, "clap", 0)
    page = page_of(coding_id)
    page.click("#sync-align")
    page.wait_for_selector("#sync-proposal:not([hidden])", timeout=30_000)
    proposed = int(page.get_attribute("#sync-proposal", "data-offset") or "0")
    assert abs(proposed - LAG_MS) <= 10, proposed
    # Shown at once: the second camera already plays at the proposed offset.
    assert page.evaluate(f"window.samspill.sync.follower({clip}).offsetMs") == proposed
    with demo_database.session() as db:
        assert db.get(MediaFile, clip).offset_ms == 0  # type: ignore[union-attr]  # not yet
    page.click("#sync-keep")
    page.wait_for_selector("#toast.shown:has-text('Offset saved')", timeout=10_000)
    with demo_database.session() as db:
        assert db.get(MediaFile, clip).offset_ms == proposed  # type: ignore[union-attr]


@pytest.mark.parametrize("locale", ["en-GB", "nb-NO"])
def test_two_cameras_fit_the_small_screen_in_both_layouts(
        browser, demo_database: Database, server: Server, tmp_path: Path, locale: str) -> None:
    coding_id, _clip = two_camera_coding(demo_database, tmp_path, f"fit-{locale}", LAG_MS)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale=locale)
    page = context.new_page()
    log_in(page, demo_database, server)
    open_workspace(page, server, coding_id)
    page.wait_for_timeout(300)  # the timeline's first resize
    shots = Path(os.environ.get("SAMSPILL_SCREENSHOTS", tmp_path))
    for layout in ("side", "thumbs"):
        page.select_option("#sync-layout", layout)
        page.wait_for_timeout(100)
        page.screenshot(path=str(shots / f"cameras-{layout}-1366x768-{locale}.png"))
        assert page.evaluate("window.scrollY") == 0
        for selector in [*NEEDED, "#sync-bar", "#sync-align", ".tile video"]:
            box = page.locator(selector).bounding_box()
            assert box is not None, f"{selector} is not shown"
            assert inside(box, 1366, 768), f"{selector} at {box} is outside 1366×768 ({layout})"
        assert page.locator(".tile video").bounding_box()["width"] > 100  # type: ignore[index]
    context.close()


def _caught_up(page) -> None:
    """A decoder stalled by a loaded machine is caught up by the nudging: wait (at most 8 s)
    until the last 20 samples are within a frame, before measuring the next stretch."""
    page.wait_for_function("() => { const d = window.samspill.sync.driftFrames(20, 0.9); "
                           "return d !== null && d < 1; }", timeout=8000)
