"""The waveform lane in the coding screen (issue 20): drawn under the timeline from the server's
peaks, following the timeline's zoom; the demo video has no audio, and the lane says so."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

INK = """() => {
  const c = document.querySelector('.tl-wave-canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1; return n;
}"""


def test_a_video_without_audio_shows_no_audio_in_its_lane(workspace) -> None:
    page, _coding = workspace
    page.wait_for_selector(".tl-wave[data-state=none]", state="attached")
    assert page.inner_text(".tl-wave .tl-wave-note") == "no audio"
    assert page.evaluate(INK) == 0


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
