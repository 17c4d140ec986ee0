"""Benchmark: the coding workspace in Chromium with a coding of 5,000 events.

Run: ``.venv/bin/python bench/workspace.py`` (optionally ``--events N --presses M``).
Measures, in the page, the time from a key press (the keydown's own time stamp) to the new event
being in both the event list and the timeline:

- ``dom``: the list row and the timeline element are in the document;
- ``layout``: the same plus a forced style and layout of the new row;
- ``frame``: the next display frame after the change has been produced (what the coder sees).

Targets: ``frame`` p95 <= 16 ms (one display frame at 60 Hz) and the page usable (the
``samspill-ready`` mark: list and timeline drawn, outbox opened) within 1 s of navigation.
A "floor" row measures a key that changes one word, the same way: what any change costs this
machine to get on screen (the wait for the next display frame included).
Three more rows (issue 20): a key with a modifier pop-up (``b``, a bid: its required Kind of
bid holds the event on screen until answered), from the key to the bid in the list and the
timeline with its pop-up open; the answer (``2``, show) to the bid sent and redrawn with its
kind; and the plain key with the scores panel on (it fetches the signs a moment after a save,
one request at a time, and redraws them when the page is idle, so presses land while it is
busy; the scoring itself runs on the server, which here shares the machine with the browser:
some 1.5 s of one core for 5,000 events, nine tenths of it the signs' stability, so while the
coder keys the panel asks for the states alone, 0.1 s, and for the stability once they pause,
which presses 0.6 to 1.2 s apart never do; it also asks again no sooner than twice as long as
its last answer took). A last row splits that cost: the same panel, whose answers come after
the same wait but without the server's work (the first scoring kept and sent again), so that
what the screen adds and what the server's CPU takes from the browser can be told apart.
Every row's p95 is also given over the floor's, and
the frame column is judged against the targets (met, or missed by how much). The load average
is printed too: the machine is shared, so compare runs made under a similar load.
Compared, in the same run, with a naive list that rebuilds every row on each change (what BORIS
does with its event table), switched on through the page's own list object.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from samspill.core.events import Event
from samspill.services import codings
from samspill.services.demo import DEMO_SESSION, DEMO_STUDY, load_demo
from samspill.services.schemes import latest_version, register_builtin_schemes
from samspill.services.setup import ensure_admin, login_link
from samspill.services.studies import get_session, get_study
from samspill.settings import Settings
from samspill.store.db import Database
from samspill.web.app import create_app

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PORT = 8791
SPLIT_ROW = "i, panel, no server CPU"
PROBE = """() => {
  window.__lat = [];
  document.addEventListener("keydown", (e) => { window.__t0 = e.timeStamp; }, true);
  document.addEventListener("samspill:applied", () => {
    const t0 = window.__t0;
    const dom = performance.now() - t0;
    const rows = document.querySelectorAll("#event-list li");
    rows[rows.length >> 1].getBoundingClientRect();
    const layout = performance.now() - t0;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => window.__lat.push([dom, layout, performance.now() - t0]);
      channel.port2.postMessage(null);
    });
  });
}"""


# The floor: a key whose handler changes one word on the page, measured the same way. What it
# shows is the machine's own cost of getting any change onto the screen.
FLOOR = """() => {
  window.__floor = [];
  document.addEventListener("keydown", (e) => {
    if (e.key !== "q") return;
    const t0 = e.timeStamp;
    document.getElementById("event-count").textContent = `(${window.__floor.length})`;
    const dom = performance.now() - t0;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => window.__floor.push([dom, dom, performance.now() - t0]);
      channel.port2.postMessage(null);
    });
  });
}"""


def floor_latencies(page, presses: int) -> list[list[float]]:
    page.evaluate(FLOOR)
    for i in range(presses):
        page.keyboard.press("q")
        page.wait_for_function("(n) => window.__floor.length >= n", arg=i + 1)
        page.wait_for_timeout(30)
    return page.evaluate("() => window.__floor")


def coded_session(database: Database, count: int) -> int:
    """The demo study with one more coding of ``count`` point events spread over the session."""
    rng = random.Random(7)
    with database.session() as db:
        register_builtin_schemes(db)
        owner = ensure_admin(db)
        load_demo(db, owner=owner, media_dir=database.settings.media_dir, with_video=True)
        session = get_session(db, study=get_study(db, DEMO_STUDY), name=DEMO_SESSION)
        version = latest_version(db, "withdrawal-open")
        coding = codings.create_coding(db, session=session, coder=owner, scheme_version=version)
        points = [c for c in codings.coding_scheme(coding).codes if c.kind == "point"]
        events = []
        for _ in range(count):
            code = rng.choice(points)
            events.append(
                Event(
                    id=str(uuid.uuid4()),
                    subject=code.subjects[0],
                    code=code.id,
                    onset_ms=rng.randrange(0, session.duration_ms),
                )
            )
        codings.replace_events(db, coding=coding, events=events)
        return coding.id


def serve(database: Database) -> uvicorn.Server:
    app = create_app(database.settings, database=database)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=PORT, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


@contextlib.contextmanager
def scoring_without_cpu() -> Iterator[None]:
    """The server answers the panel with its first scoring again, after as long as that took:
    the same answers and waits, without the CPU the scoring takes from the browser."""
    from samspill.services import scoring

    real = scoring.scored_coding
    kept: list[tuple[object, float]] = []

    def kept_scoring(*args: object, **kwargs: object) -> object:
        if not kept:
            started = time.perf_counter()
            kept.append((real(*args, **kwargs), time.perf_counter() - started))
        time.sleep(kept[0][1])
        return kept[0][0]

    scoring.scored_coding = kept_scoring
    try:
        yield
    finally:
        scoring.scored_coding = real


def open_times(page, url: str, times: int) -> list[float]:
    found = []
    for _ in range(times):
        page.goto(url)
        page.wait_for_selector("body[data-ready=true]", timeout=120_000)
        found.append(
            page.evaluate("() => performance.getEntriesByName('samspill-ready')[0].startTime")
        )
    return found


def press_latencies(
    page, presses: int, duration_ms: int, *, scores: bool = False
) -> list[list[float]]:
    """The plain key ``i``; with ``scores`` the panel refreshes after each save, and the next
    press waits 0.6 to 1.2 s so that it often lands while the panel fetches or redraws (not
    for the outbox: the server, on the same machine, scores 5,000 events between saves)."""
    rng = random.Random(11)
    page.evaluate(PROBE)
    if not scores:
        page.evaluate("() => { window.samspill.scores.refreshSoon = () => {}; }")
    for i in range(presses):
        page.evaluate("(ms) => window.samspill.player.seekTo(ms)", rng.randrange(duration_ms))
        page.wait_for_function("() => !document.getElementById('video').seeking")
        page.keyboard.press("i")
        page.wait_for_function("(n) => window.__lat.length >= n", arg=i + 1)
        if scores:  # the server scores while it saves: the outbox may stay a step behind
            page.wait_for_timeout(rng.randrange(600, 1200))
        else:
            page.wait_for_function("() => window.samspill.outbox.count === 0", timeout=120_000)
    return page.evaluate("() => window.__lat")


def popup_latencies(page, presses: int, duration_ms: int) -> tuple[list, list]:
    """``b`` (shown, its pop-up open) and then ``2`` (its kind chosen: sent and redrawn): the
    probe records one sample for each, in turn."""
    rng = random.Random(13)
    page.evaluate(PROBE)
    page.evaluate("() => { window.samspill.scores.refreshSoon = () => {}; }")
    for i in range(presses):
        page.evaluate("(ms) => window.samspill.player.seekTo(ms)", rng.randrange(duration_ms))
        page.wait_for_function("() => !document.getElementById('video').seeking")
        page.keyboard.press("b")
        page.wait_for_function("(n) => window.__lat.length >= n", arg=2 * i + 1)
        page.wait_for_selector("#modifier-dialog[open]")
        page.keyboard.press("2")
        page.wait_for_function("(n) => window.__lat.length >= n", arg=2 * i + 2)
        page.wait_for_function("() => window.samspill.outbox.count === 0", timeout=120_000)
    samples = page.evaluate("() => window.__lat")
    return samples[0::2], samples[1::2]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(name: str, samples: list[list[float]]) -> dict[str, float]:
    out = {}
    for i, label in enumerate(("dom", "layout", "frame")):
        column = [s[i] for s in samples]
        out[f"{label}_p50"], out[f"{label}_p95"] = pct(column, 0.5), pct(column, 0.95)
    cells = [
        f"{k} {out[f'{k}_p50']:6.1f} / {out[f'{k}_p95']:6.1f} ms"
        for k in ("dom", "layout", "frame")
    ]
    print(f"  {name:<26} " + "  ".join(cells))
    return out


def verdict(value: float, limit: float) -> str:
    """Met, or missed and by how much, said plainly."""
    return "met" if value <= limit else f"MISSED by {value - limit:.1f} ms"


def print_targets(floor: dict[str, float], rows: dict[str, dict[str, float]]) -> None:
    """The frame column (what the coder sees) against the targets of issues 15 and 20."""
    plain = rows["incremental (Samspill)"]["frame_p95"]
    print("\ntargets (frame p95: the key to the frame that shows it):")
    print(f"  issue 15, plain key <= 16 ms: {plain:.1f} ms, {verdict(plain, 16.0)}")
    limit = floor["frame_p95"] + 3.0
    print(f"  issue 20, each row <= floor + 3 ms = {limit:.1f} ms:")
    for name, row in rows.items():
        added = row["frame_p95"] - floor["frame_p95"]
        print(f"    {name:<26} {added:+6.1f} ms over the floor, {verdict(row['frame_p95'], limit)}")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--presses", type=int, default=100)
    parser.add_argument("--naive-presses", type=int, default=30, help="the naive list is slow")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        database = Database(Settings(data_dir=Path(folder) / "data"))
        database.migrate()
        print(f"load average at the start: {load_average()} (2 cores, shared)")
        print(f"preparing the demo study and a coding of {args.events} events …")
        coding_id = coded_session(database, args.events)
        server = serve(database)
        with database.session() as db:
            link = login_link(db, ensure_admin(db), host="127.0.0.1", port=PORT)
        url = f"http://127.0.0.1:{PORT}/codings/{coding_id}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(link)
            opened = open_times(page, url, 5)
            print(f"\nopen the page ({args.events} events), navigation to usable, 5 loads:")
            print(
                f"  median {statistics.median(opened):.0f} ms, worst {max(opened):.0f} ms"
                f"  (target <= 1000 ms)"
            )
            duration = page.evaluate("() => window.samspill.player.sessionEndMs()")
            print(f"\nkeypress to visible in list and timeline, {args.presses} presses, p50 / p95:")
            floor = report("floor (one word changed)", floor_latencies(page, args.presses))
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]")
            fast = report("incremental (Samspill)", press_latencies(page, args.presses, duration))
            rows = {"incremental (Samspill)": fast}
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]")
            key, answer = popup_latencies(page, args.presses, duration)
            rows["b, pop-up open"] = report("b, pop-up open", key)
            rows["2, kind chosen, sent"] = report("2, kind chosen, sent", answer)
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]")
            rows["i, scores panel on"] = report(
                "i, scores panel on", press_latencies(page, args.presses, duration, scores=True)
            )
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]")
            with scoring_without_cpu():
                presses = press_latencies(page, args.presses, duration, scores=True)
            split = report(SPLIT_ROW, presses)
            page.goto(url)
            page.wait_for_selector("body[data-ready=true]")
            page.evaluate("() => { window.samspill.list.full = true; }")
            naive = report(
                "naive full re-render", press_latencies(page, args.naive_presses, duration)
            )
            browser.close()
        server.should_exit = True
        print("\np95 over the floor's p95 (target: at most 3 ms added):")
        for name, row in rows.items():
            cells = [
                f"{k} {row[f'{k}_p95'] - floor[f'{k}_p95']:+6.1f} ms"
                for k in ("dom", "layout", "frame")
            ]
            print(f"  {name:<26} " + "  ".join(cells))
        print(
            f"\nnaive/incremental: dom p50 x{naive['dom_p50'] / fast['dom_p50']:.0f}, "
            f"layout p95 x{naive['layout_p95'] / fast['layout_p95']:.0f}, "
            f"frame p95 x{naive['frame_p95'] / fast['frame_p95']:.1f}"
        )
        print_targets(floor, rows)
        added = split["frame_p95"] - floor["frame_p95"]
        print(
            f"  the scores panel's answers without the server's CPU: {added:+.1f} ms over the"
            " floor (what the screen itself adds; the rest of the row above is the server's"
            " scoring on the same cores)"
        )
    print(f"load average at the end: {load_average()} (2 cores, shared)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
