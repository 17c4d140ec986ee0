"""The coding screen's layout (issue 20): at 1366×768 and 1920×1080, in English and bokmål,
everything a coder needs is inside the viewport without scrolling: the video, the event list,
the timeline with every lane of the current subject, the keys bar and the save status; and the
save status stays in view (Offline) when the coder scrolls down to the ratings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import Server, log_in, new_coding, open_workspace

pytestmark = pytest.mark.browser

NEEDED = ["#video", ".ws-list .event-scroll", "#timeline", ".ws-keys", "#save-status",
          ".ws-keys .keys li:last-child", ".tl-labels li:last-child", "#clock", "#speed"]


def inside(box: dict, width: int, height: int) -> bool:
    return (box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width + 0.5
            and box["y"] + box["height"] <= height + 0.5)


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
@pytest.mark.parametrize("locale", ["en-GB", "nb-NO"])
def test_everything_a_coder_needs_is_in_view_without_scrolling(
    browser, demo_database, server: Server, tmp_path: Path, width: int, height: int, locale: str
):
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    log_in(page, demo_database, server)
    open_workspace(page, server, new_coding(demo_database))
    page.wait_for_timeout(300)  # the timeline's first resize
    shots = Path(os.environ.get("SAMSPILL_SCREENSHOTS", tmp_path))
    page.screenshot(path=str(shots / f"coding-{width}x{height}-{locale}.png"))
    assert page.evaluate("window.scrollY") == 0
    for selector in NEEDED:
        box = page.locator(selector).bounding_box()
        assert box is not None, f"{selector} is not shown"
        assert inside(box, width, height), f"{selector} at {box} is outside {width}×{height}"
    status = page.locator("#save-status")
    # Not cut off: the status's text fits its box.
    assert page.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1", status.element_handle())
    # Offline stays in sight while coding, also scrolled down to the ratings and the signs.
    context.set_offline(True)
    page.keyboard.press("i")
    page.wait_for_selector("#save-status[data-state=offline]", timeout=20_000)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("window.scrollY") > 0
    page.wait_for_timeout(200)  # the status floats in the next frame once the pad is out of view
    assert inside(status.bounding_box(), width, height)
    context.set_offline(False)
    context.close()
