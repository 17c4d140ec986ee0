"""The waveform lane in the coding screen (issue 20): drawn under the timeline from the server's
peaks, following the timeline's zoom; the demo video's synthetic sound is drawn, and a video
without audio (a mute clip made here) says so in its lane."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from samspill.services import codings, studies
from samspill.services import media as media_service
from samspill.services.demo import DEMO_STUDY
from samspill.services.schemes import latest_version
from samspill.services.setup import ensure_admin
from samspill.store.db import Database
from tests.browser.conftest import Server, log_in, open_workspace
from tests.media_clips import make_clip

pytestmark = pytest.mark.browser

INK = """() => {
  const c = document.querySelector('.tl-wave-canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1; return n;
}"""


def _mute_coding(database: Database, folder: Path) -> int:
    """A new session of the demo study whose only video has no audio stream; its coding's id."""
    mute = make_clip(folder / "mute.webm", seconds=4, fps=10, clap_at_s=None)
    with database.session() as db:
        study = studies.get_study(db, DEMO_STUDY)
        dyad = studies.get_or_create_dyad(db, study=study, code="MUTE")
        session = studies.create_session(db, study=study, dyad=dyad, name="mute")
        media_service.attach_file(db, session=session, media_dir=database.settings.media_dir,
                                  source=mute)
        coding = codings.create_coding(db, session=session, coder=ensure_admin(db),
                                       scheme_version=latest_version(db, "withdrawal-open"))
        return coding.id


def test_a_video_without_audio_shows_no_audio_in_its_lane(
        browser, demo_database: Database, server: Server, tmp_path: Path) -> None:
    coding_id = _mute_coding(demo_database, tmp_path)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    try:
        page = context.new_page()
        log_in(page, demo_database, server)
        open_workspace(page, server, coding_id)
        page.wait_for_selector(".tl-wave[data-state=none]", state="attached")
        assert page.inner_text(".tl-wave .tl-wave-note") == "no audio"
        assert page.evaluate(INK) == 0
    finally:
        context.close()


def test_the_demo_videos_synthetic_sound_is_drawn(workspace) -> None:
    page, _coding = workspace
    page.wait_for_selector(".tl-wave[data-state=drawn]", state="attached")
    assert page.evaluate(INK) > 0


def test_the_lane_draws_the_peaks_and_follows_the_zoom(workspace) -> None:
    page, _coding = workspace
    # 2 s loud, 2 s silent, repeated over the demo's length: served in place of the real file.
    steps = [(-100, 100) if (i // 200) % 2 == 0 else (0, 0) for i in range(36_000)]
    body = {"audio": True, "step_ms": 10, "duration_ms": 360_000,
            "peaks": [v for pair in steps for v in pair]}
    page.route("**/waveform", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(body)))
    page.reload()
    page.wait_for_selector(".tl-wave[data-state=drawn]", state="attached")
    whole = page.evaluate(INK)
    assert whole > 0
    page.evaluate("window.samspill.timeline.zoom(8, 1000)")
    page.wait_for_timeout(300)  # the timeline redraws in the next frame, the lane after it
    zoomed = page.evaluate(INK)
    assert zoomed > 0 and zoomed != whole
