"""The timeline redraws only what an edit or a delete changed (issues 15 and 20): a modifier
chosen draws nothing, a moved or deleted mark redraws its stretch of lane, and the canvas is then
pixel for pixel what a whole redraw gives. The event list writes the rows in view at once and
the hidden rows above and below them when the page is idle."""

from __future__ import annotations

import pytest

from tests.browser.test_workspace import go_to, page_events, wait_saved

pytestmark = pytest.mark.browser

# The whole canvas's pixels, and the same after a whole redraw; plus how often redraw() ran.
SAME_AS_WHOLE = """() => {
  const tl = window.samspill.timeline;
  const { width, height } = tl.canvas;
  const now = tl.ctx.getImageData(0, 0, width, height).data;
  tl.redraw();
  const whole = tl.ctx.getImageData(0, 0, width, height).data;
  let differ = 0;
  for (let i = 0; i < now.length; i += 1) if (now[i] !== whole[i]) differ += 1;
  return differ;
}"""

COUNT_REDRAWS = """() => {
  const tl = window.samspill.timeline;
  window.__redraws = 0;
  const redraw = tl.redraw.bind(tl);
  tl.redraw = () => { window.__redraws += 1; redraw(); };
}"""


def test_edits_and_deletes_redraw_their_stretch_only_and_match_a_whole_redraw(workspace):
    page, _ = workspace
    for time, key in (("0:10", "i"), ("0:12", "i"), ("0:20", "h"), ("0:30", "h"), ("0:40", "d")):
        go_to(page, time)
        page.wait_for_timeout(700)  # a state's second press this soon would only warn
        page.keyboard.press(key)
    page.wait_for_function("() => window.samspill.store.sorted.length === 4")
    wait_saved(page)
    page.wait_for_timeout(100)  # the whole redraw of the last seek is drawn
    page.evaluate(COUNT_REDRAWS)
    # A bid: shown with its required pop-up open, then its kind chosen; the mark stays as drawn.
    go_to(page, "0:15")
    page.keyboard.press("b")
    page.wait_for_selector("#modifier-dialog[open]")
    page.keyboard.press("2")
    page.wait_for_selector("#modifier-dialog", state="hidden")
    page.wait_for_function("() => window.samspill.store.sorted.length === 5")
    bid = next(e for e in page_events(page) if e["code"] == "bid")
    assert bid["modifiers"]  # the kind is stored on the event
    # A point moved (an edit of its time) and another deleted, through the undo history.
    page.evaluate("""() => {
      const { store, history } = window.samspill;
      const [first, second] = store.sorted.filter((e) => e.code === 'initiate');
      history.commit([{ type: 'edit', event: { ...first, onset_ms: 50000 } }], 'moved');
      history.commit([{ type: 'delete', event_id: second.id }], 'deleted');
      const hold = store.sorted.find((e) => e.code === 'hold');
      history.commit([{ type: 'edit', event: { ...hold, offset_ms: 25000 } }], 'shorter');
    }""")
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.__redraws") == 0  # no whole redraw for any of these
    assert page.evaluate(SAME_AS_WHOLE) == 0
    # Undone: the deleted point and the moved one come back where they were.
    for _ in range(3):
        page.keyboard.press("Control+z")
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.__redraws") == 1  # only the check's own
    assert page.evaluate(SAME_AS_WHOLE) == 0
    wait_saved(page)


def test_a_new_event_far_away_fills_the_rows_around_it_when_idle(workspace):
    page, _ = workspace
    page.evaluate("""() => {
      const { store } = window.samspill;
      const events = [];
      for (let i = 0; i < 400; i += 1) {
        events.push({ id: `seeded-${i}`, subject: 'caregiver', code: 'initiate',
          onset_ms: i * 400, offset_ms: null, modifiers: {}, comment: '' });
      }
      store.load(events);
    }""")
    go_to(page, "2:30")
    page.evaluate("""() => {
      window.__rows = [];
      document.addEventListener('samspill:applied',
        () => window.__rows.push(document.querySelectorAll('#event-list li').length));
    }""")
    page.keyboard.press("i")
    page.wait_for_function("() => window.__rows.length === 1")
    page.wait_for_timeout(300)
    shown, later = page.evaluate("""() => [window.__rows[0],
      document.querySelectorAll('#event-list li').length]""")
    assert later > shown  # the hidden rows above and below, added when idle
    rows = page.evaluate("""() => [...document.querySelectorAll('#event-list li')].map(
      (li) => Number(li.getAttribute('aria-posinset')))""")
    assert rows == list(range(rows[0], rows[0] + len(rows)))  # in order, none missing
    new = page.evaluate("""() => {
      const list = document.getElementById('event-list');
      const row = [...list.querySelectorAll('li')]
        .find((li) => !li.dataset.id.startsWith('seeded-'));
      const box = row.getBoundingClientRect();
      const view = list.parentElement.getBoundingClientRect();
      return box.top >= view.top && box.bottom <= view.bottom;
    }""")
    assert new  # the new event's row is in view
