"""Load and crash benchmark: N coders post events over real HTTP to a uvicorn subprocess.

Each coder keeps an outbox like the coding screen's: every tick it adds one event action (a
client UUID) and posts everything still pending; an answer 200 acknowledges them. Midway the
server is killed with SIGKILL and restarted; the coders keep retrying the same actions. At the
end every acknowledged event must be stored exactly once.

    .venv/bin/python bench/load.py                      # 50 coders x 2 events/s, SQLite
    .venv/bin/python bench/load.py --postgres URL       # the same on PostgreSQL
    .venv/bin/python bench/load.py --preseed 2000       # codings already hold 2000 events

It prints p50/p95/p99 save latency, throughput, events lost and duplicated, and compares the
save with BORIS's way of saving (the whole project rewritten to one JSON file per save).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

from samspill.core.events import Event
from samspill.services import accounts, codings, credentials, studies
from samspill.services.schemes import latest_version, register_builtin_schemes
from samspill.settings import Settings
from samspill.store.db import Database
from samspill.store.models import AppliedAction, EventRow
from samspill.web.serving import run_in_own_loop

SERVER = """
import sys
from samspill.settings import Settings
from samspill.web.app import create_app
from samspill.web.serving import serve
settings = Settings(data_dir=sys.argv[1], database_url=sys.argv[2] or None)
app = create_app(settings)
sys.stdin.readline()  # imported and ready; bind the port only when told
serve(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="error")  # as 'samspill serve'
"""
SESSION_MS = 36_000_000  # a ten-hour session: room for every event


@dataclass
class Coder:
    token: str
    coding_id: int
    pending: list[dict] = field(default_factory=list)
    acked: set[str] = field(default_factory=set)  # event ids the server acknowledged
    sent: int = 0
    onset: int = 0


@dataclass
class Figures:
    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    failures_while_up: int = 0  # failed posts outside the kill-and-restart window
    duplicates: int = 0
    server_down: bool = False




def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(settings: Settings, n_coders: int, preseed: int = 0) -> list[Coder]:
    """A study with one session and one coding per coder, each with an API token."""
    database = Database(settings)
    database.migrate()
    coders = []
    with database.session() as db:
        register_builtin_schemes(db)
        owner = accounts.add_user(db, username="load-owner", password=None)
        study = studies.create_study(db, name="load", owner=owner)
        dyad = studies.get_or_create_dyad(db, study=study, code="L01")
        session = studies.create_session(
            db, study=study, dyad=dyad, name="l1", duration_ms=SESSION_MS
        )
        version = latest_version(db, "withdrawal-open")
        for i in range(n_coders):
            user = accounts.add_user(db, username=f"coder{i:03d}", password=None)
            studies.set_role(db, study=study, user=user, role="coder")
            coding = codings.create_coding(db, session=session, coder=user, scheme_version=version)
            coder = Coder(credentials.create_api_token(db, user=user), coding.id)
            seed = [event_for(coder) for _ in range(preseed)]
            codings.replace_events(db, coding=coding, events=[Event(**e) for e in seed])
            coders.append(coder)
    database.dispose()
    return coders


def event_for(coder: Coder) -> dict:
    coder.onset += 250
    return {
        "id": str(uuid.uuid4()),
        "subject": "child",
        "code": "bid",
        "onset_ms": coder.onset,
        "modifiers": {"kind": "show"},
    }


def _health(port: int) -> bool:
    # trust_env=False: a proxy from the environment must not stand between us and loopback.
    with httpx.Client(trust_env=False, timeout=1) as client:
        return client.get(f"http://127.0.0.1:{port}/api/health").status_code == 200


def spawn_server(settings: Settings, port: int) -> subprocess.Popen:
    """A server process that imports the app, then waits for :func:`start_server`.

    Spawning the replacement ahead keeps the outage short: a restart is then as quick as a
    supervisor restarting a warm process, not as slow as importing on a busy machine.
    """
    args = [sys.executable, "-c", SERVER, str(settings.data_dir), settings.database_url or ""]
    return subprocess.Popen([*args, str(port)], stdout=subprocess.DEVNULL, stdin=subprocess.PIPE)


def start_server(process: subprocess.Popen, port: int) -> subprocess.Popen:
    assert process.stdin is not None
    process.stdin.write(b"go\n")
    process.stdin.flush()
    deadline = time.monotonic() + 180  # imports are slow on a busy machine
    while time.monotonic() < deadline:
        try:
            if _health(port):
                return process
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the server did not start within 180 s")


async def coder_loop(
    coder: Coder,
    client: httpx.AsyncClient,
    rate: float,
    stop: asyncio.Event,
    figures: Figures,
) -> None:
    """Add one event per tick and post the outbox; keep retrying until everything is acked.

    Ticks keep a fixed schedule (a slow answer does not lower the rate), and each coder starts
    at a random point of the first tick, as coders pressing keys would.
    """
    tick = 1 / rate
    await asyncio.sleep(random.uniform(0, tick))
    next_tick = time.perf_counter()
    while not stop.is_set() or coder.pending:
        if not stop.is_set():
            coder.pending.append(
                {"id": str(uuid.uuid4()), "type": "add", "event": event_for(coder)}
            )
            coder.sent += 1
        await post_outbox(client, coder, figures, scheduled=next_tick)
        next_tick += tick
        await asyncio.sleep(max(0.0, next_tick - time.perf_counter()))


async def post_outbox(
    client: httpx.AsyncClient, coder: Coder, figures: Figures, scheduled: float
) -> None:
    """Post the outbox; the latency counts from the tick the post was due at, so a post that
    waited behind a slow one is charged its wait (no coordinated omission)."""
    batch = list(coder.pending)
    try:
        response = await client.post(
            f"/api/codings/{coder.coding_id}/actions", json={"actions": batch}
        )
    except httpx.HTTPError:
        response = None
    if response is None or response.status_code != 200:
        figures.failures += 1
        figures.failures_while_up += not figures.server_down
        return
    figures.latencies_ms.append((time.perf_counter() - scheduled) * 1000)
    event_of = {a["id"]: a["event"]["id"] for a in batch}
    for result in response.json():
        coder.acked.add(event_of[result["id"]])  # acknowledged: must be stored from now on
        figures.duplicates += result["status"] == "duplicate"
    done = {a["id"] for a in batch}
    coder.pending = [a for a in coder.pending if a["id"] not in done]


async def run_load(
    coders: list[Coder],
    port: int,
    *,
    rate: float,
    seconds: float,
    kill_at: float | None,
    restart: Callable[[], None] | None,
    figures: Figures,
) -> float:
    stop = asyncio.Event()
    # Clients are made before the clock starts: making one costs the load generator's own loop
    # about 17 ms (an SSL context), and 50 made at once stalled the first saves by up to 1 s.
    clients = [
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {c.token}"},
            timeout=10,
            trust_env=False,
        )
        for c in coders
    ]
    # The load generator's own collector pauses would be counted as save latency: none while
    # it runs (it makes little garbage in a run this short).
    gc.collect()
    gc.disable()
    started = time.perf_counter()
    tasks = [
        asyncio.create_task(coder_loop(coder, client, rate, stop, figures))
        for coder, client in zip(coders, clients, strict=True)
    ]
    try:
        if kill_at is not None and restart is not None:
            await asyncio.sleep(kill_at)
            await asyncio.to_thread(restart)
            await asyncio.sleep(max(0.0, seconds - kill_at))
        else:
            await asyncio.sleep(seconds)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=120)
    finally:
        gc.enable()
        await asyncio.gather(*(client.aclose() for client in clients))
    return time.perf_counter() - started


def stored(settings: Settings) -> tuple[dict[str, int], int]:
    """Event ids stored (with how often), and the count of applied action ids."""
    database = Database(settings)
    with database.session() as db:
        rows = db.execute(select(EventRow.id, func.count()).group_by(EventRow.id)).all()
        applied = db.scalar(select(func.count()).select_from(AppliedAction)) or 0
    database.dispose()
    return {r[0]: r[1] for r in rows}, applied


def crash_run(
    settings: Settings,
    *,
    n_coders: int,
    rate: float,
    seconds: float,
    kill_at: float | None,
    preseed: int = 0,
) -> dict:
    """The whole experiment; returns its figures (used by the test and by main)."""
    port = free_port()
    first, standby = spawn_server(settings, port), spawn_server(settings, port)
    coders = prepare(settings, n_coders, preseed)
    server = {"process": start_server(first, port)}

    def restart() -> None:
        figures.server_down = True
        server["process"].send_signal(signal.SIGKILL)
        server["killed"] = server["process"].wait()
        server["acked_at_kill"] = sum(len(c.acked) for c in coders)
        server["process"] = start_server(standby, port)
        time.sleep(0.5)  # posts already in flight to the dead server come back by now
        figures.server_down = False

    figures = Figures()
    try:
        elapsed = run_in_own_loop(
            run_load(
                coders,
                port,
                rate=rate,
                seconds=seconds,
                kill_at=kill_at,
                restart=restart if kill_at is not None else None,
                figures=figures,
            )
        )
    finally:
        for process in (first, standby):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
    counts, applied = stored(settings)
    acked = set().union(*(c.acked for c in coders))
    sent = sum(c.sent for c in coders)
    return {
        "sent": sent,
        "acked": len(acked),
        "stored": sum(counts.values()) - preseed * n_coders,
        "lost": len(acked - set(counts)),
        "stored_twice": sum(1 for n in counts.values() if n > 1),
        "applied_actions": applied,
        "duplicate_answers": figures.duplicates,
        "failed_posts": figures.failures,
        "failed_posts_while_up": figures.failures_while_up,
        "kill_status": server.get("killed"),
        "acked_after_restart": len(acked) - server.get("acked_at_kill", 0),
        "latencies_ms": figures.latencies_ms,
        "elapsed_s": elapsed,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else 0.0


def boris_style_save_ms(n_events: int, repeats: int = 50) -> float:
    """Median time to save the BORIS way: the whole project rewritten to one JSON file."""
    project = {
        "observations": {
            "l1": {"events": [[i / 4, "child", "bid", "show", ""] for i in range(n_events)]}
        }
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "project.boris"
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            path.write_text(json.dumps(project, indent=1))
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coders", type=int, default=50)
    parser.add_argument("--rate", type=float, default=2.0, help="events per second per coder")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--no-kill", action="store_true", help="no SIGKILL midway")
    parser.add_argument("--postgres", default=None, help="SQLAlchemy URL of an empty database")
    parser.add_argument("--preseed", type=int, default=0, help="events per coding beforehand")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder) / "data", database_url=args.postgres)
        result = crash_run(
            settings,
            n_coders=args.coders,
            rate=args.rate,
            seconds=args.seconds,
            kill_at=None if args.no_kill else args.seconds / 2,
            preseed=args.preseed,
        )
    report(result, args)


def report(result: dict, args: argparse.Namespace) -> None:
    lat = result.pop("latencies_ms")
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"{args.coders} coders x {args.rate} events/s for {args.seconds:.0f} s on {backend}"
        f"{'' if args.no_kill else ', server SIGKILLed and restarted midway'}"
    )
    print(
        f"save latency ms: p50 {percentile(lat, 50):.1f}  p95 {percentile(lat, 95):.1f}  "
        f"p99 {percentile(lat, 99):.1f}  (n={len(lat)} answered posts)"
    )
    print(f"throughput: {result['stored'] / result['elapsed_s']:.1f} events/s stored")
    print("counts: " + ", ".join(f"{k} {v}" for k, v in result.items() if k != "elapsed_s"))
    per_coding = args.preseed + args.seconds * args.rate
    boris = boris_style_save_ms(int(per_coding))
    print(
        f"BORIS-style whole-file save of a {int(per_coding)}-event project: {boris:.2f} ms "
        f"median; Samspill p50/BORIS = {percentile(lat, 50) / boris:.2f}"
    )
    for n in (1000, 5000):
        print(f"  BORIS-style save at {n} events: {boris_style_save_ms(n, 10):.2f} ms median")


if __name__ == "__main__":
    main()
