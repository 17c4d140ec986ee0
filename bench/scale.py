"""Benchmark: the whole cohort table of 1,000 → 10,000 → 100,000 sessions (≈ 50 M events).

Run:  PYTHONPATH=src .venv/bin/python bench/scale.py [--max-sessions N] [--pandas-max N]

Target (issue 15, P6): 100,000 sessions → the whole cohort table in ≤ 60 s and ≤ 4 GB RAM on
this 2-core machine, by the columnar path (Parquet files + DuckDB + the core's vectorised
signs; ``docs/scale.md``).

What it does, in one run:

1. Simulates a pool of 64 sessions of 95 minutes (≈ 500 events each; the four styles in
   turn) with the real simulator, then tiles them, vectorised, into N sessions (session i is
   the pool's session i mod 64 under its own coding id) and writes one Parquet file per
   coding in the store's layout (``study=1/coding=<id>/v0.parquet``), 1,000 sessions at a
   time. The simulator itself takes ~20 ms a session; tiling is what makes 100,000 sessions
   possible in minutes. Generation and writing are timed apart and not counted.
2. Per size (1k, 10k, 100k up to ``--max-sessions``), in a fresh process: the whole cohort
   table from those files (``table_of_files``: DuckDB scan, sort and dimension counts, the
   core's signs), without stability. Prints wall and CPU seconds, events per second and the
   child's peak RSS; then the growth from the smallest to the largest size (log-log slope:
   1.0 = linear).
3. The ratio against the current path, on the sizes it can still do (``--pandas-max``,
   default 1,000): the same sessions stored in SQLite (events inserted in bulk, not timed),
   the cohort by ``cohort_for_study`` (events read from the database row by row into
   pandas) against ``cohort_columnar`` cold (writing every Parquet file) and warm (files
   current), with the tables checked equal.

Prints the machine's load average before and after: the 2 cores are shared, and the wall
clock counts the time spent waiting for other processes.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.simulate import STYLES, cohort_frames, simulate_session
from samspill.core.study_settings import study_settings

POOL = 64
MINUTES = 95
CHUNK = 1_000
SCHEME = "withdrawal-open"


def pool() -> tuple[pd.DataFrame, pd.DataFrame, dict[int, int]]:
    """The pool's events (store order: coding, onset, id), segments and lengths."""
    sims = [simulate_session(STYLES[i % 4], seed=np.random.SeedSequence([15, i]),
                             duration_ms=MINUTES * 60_000, name=f"p{i:02d}")
            for i in range(POOL)]
    events, segments, durations = cohort_frames(sims)
    number = {f"p{i:02d}": i for i in range(POOL)}
    events = events.assign(coding=events["coding"].map(number)).sort_values(
        ["coding", "onset_ms", "event_id"], ignore_index=True)
    segments = segments.assign(coding=segments["coding"].map(number))
    return events, segments, {number[k]: int(v) for k, v in durations.items()}


def pool_table(events: pd.DataFrame) -> pa.Table:
    """The pool in the Parquet layout of ``services.columnar`` (modifiers as JSON text)."""
    from samspill.services.columnar import events_table

    modifiers = [json.dumps(m) for m in events["modifiers"]]  # 64 sessions: set-up only
    offset = [None if pd.isna(v) else int(v) for v in events["offset_ms"]]
    frame = [None if pd.isna(v) else int(v) for v in events["frame"]]
    table = events_table([events["coding"].tolist(), events["event_id"].tolist(),
                          events["subject"].tolist(), events["code"].tolist(),
                          events["onset_ms"].tolist(), offset, modifiers,
                          events["comment"].fillna("").tolist(), frame])
    coding = events["coding"].to_numpy()
    starts = np.searchsorted(coding, coding)
    return table.set_column(1, "seq", pa.array((np.arange(len(coding)) - starts)
                                               .astype("int32")))


def tiled(table: pa.Table, first: int, n: int) -> pa.Table:
    """Sessions first..first+n: session i is pool session i mod POOL, coding id i + 1."""
    coding = table.column("coding").to_numpy()
    lengths = np.bincount(coding, minlength=POOL)
    starts = np.cumsum(lengths) - lengths
    pick = (np.arange(first, first + n) % POOL)
    size = lengths[pick]
    out_starts = np.cumsum(size) - size
    rows = np.arange(int(size.sum())) - np.repeat(out_starts - starts[pick], size)
    ids = np.repeat(np.arange(first, first + n, dtype="int64") + 1, size)
    part = table.take(pa.array(rows))
    return part.set_column(0, "coding", pa.array(ids))


def write(root: Path, n: int, table: pa.Table) -> float:
    """The compacted base of n codings under ``root/study=1`` (``columnar.write_base``, the
    layout a study's cohort keeps once compacted); seconds taken."""
    from samspill.services.columnar import PART_CODINGS, write_base

    def blocks() -> Any:
        for first in range(0, n, PART_CODINGS):
            size = min(PART_CODINGS, n - first)
            yield ({i: "v0" for i in range(first + 1, first + size + 1)},
                   tiled(table, first, size))

    started = time.perf_counter()
    write_base(root / "study=1", blocks())
    return time.perf_counter() - started


def write_files(root: Path, n: int, table: pa.Table) -> float:
    """One Parquet file per coding (the layout before compaction); seconds taken."""
    from samspill.services.columnar import write_file

    started = time.perf_counter()
    for first in range(0, n, CHUNK):
        part = tiled(table, first, min(CHUNK, n - first))
        bounds = np.searchsorted(part.column("coding").to_numpy(),
                                 np.arange(first, first + min(CHUNK, n - first) + 1) + 1)
        for i in range(len(bounds) - 1):
            write_file(part.slice(int(bounds[i]), int(bounds[i + 1] - bounds[i])),
                       root / "study=1" / f"coding={first + i + 1}" / "v0.parquet")
    return time.perf_counter() - started


def layout_of(root: Path, n: int, files: bool = False) -> Any:
    from samspill.services.columnar import Layout, read_base

    if files:
        return Layout(files={i: root / "study=1" / f"coding={i}" / "v0.parquet"
                             for i in range(1, n + 1)})
    base = read_base(root / "study=1")
    assert base is not None
    return Layout(base={i: base.part(i) for i in range(1, n + 1)})


def lengths_of(n: int, durations: dict[int, int], segments: pd.DataFrame
               ) -> tuple[dict[int, int], pd.DataFrame]:
    pick = np.arange(n) % POOL
    ids = np.arange(n) + 1
    seg = segments.set_index("coding").loc[pick].reset_index(drop=True).assign(coding=ids)
    return {int(i): durations[int(p)] for i, p in zip(ids, pick, strict=True)}, seg


def score_size(args: tuple[str, int, dict[int, int], pd.DataFrame, int, bool]
               ) -> dict[str, Any]:
    """In a fresh process: the whole table of the first n sessions; time and peak RSS (of
    this process and, separately, of its largest worker)."""
    from samspill.services.columnar_cohort import table_of_layout

    root, n, durations, segments, workers, files = args
    length, seg = lengths_of(n, durations, segments)
    scheme = load_builtin_scheme(SCHEME)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu, wall = time.process_time(), time.perf_counter()
    table = table_of_layout(layout_of(Path(root), n, files), length, seg, scheme,
                            study_settings({}), workers=workers)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu += (children.ru_utime + children.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"n": n, "rows": len(table), "wall": wall, "cpu": cpu,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_mb": children.ru_maxrss / 1024,
            "present": int(table["signs_present"].sum())}


def run_size(root: Path, n: int, durations: dict[int, int], segments: pd.DataFrame,
             workers: int, files: bool = False) -> dict[str, Any]:
    from concurrent.futures import ProcessPoolExecutor

    # An executor's process, not a Pool's: a Pool's daemonic child could not start workers.
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as child:
        found: dict[str, Any] = child.submit(score_size, (str(root), n, durations, segments,
                                                           workers, files)).result()
    return found


def compare_with_pandas(n: int, events: pd.DataFrame, segments: pd.DataFrame,
                        durations: dict[int, int], work: Path) -> dict[str, float]:
    """The same n sessions in SQLite: the pandas path against the columnar one (cold, warm)."""
    from samspill.services.columnar_cohort import cohort_columnar
    from samspill.services.scoring import cohort_for_study
    from samspill.settings import Settings
    from samspill.store.db import Database

    settings = Settings(data_dir=work / "db")
    database = Database(settings)
    database.migrate()
    with database.session() as db:
        study = store(db, n, events, segments, durations)
    out: dict[str, float] = {}
    with database.session() as db:
        started = time.perf_counter()
        slow = cohort_for_study(db, study, stability=False)
        out["pandas"] = time.perf_counter() - started
        for run in ("cold", "warm"):
            started = time.perf_counter()
            fast = cohort_columnar(db, study, root=settings.columnar_dir, stability=False)
            out[run] = time.perf_counter() - started
    floats = slow.table.select_dtypes("float").columns
    same = (list(fast.table.columns) == list(slow.table.columns)
            and np.allclose(fast.table[floats].to_numpy(float), slow.table[floats].to_numpy(
                float), atol=1e-9, rtol=0, equal_nan=True)
            and fast.table.drop(columns=floats).astype(str).equals(
                slow.table.drop(columns=floats).astype(str)))
    out["same"] = float(same)
    database.dispose()
    return out


def store(db: Any, n: int, events: pd.DataFrame, segments: pd.DataFrame,
          durations: dict[int, int]) -> Any:
    """n tiled sessions as a coder's codings (events inserted in one bulk statement)."""
    from sqlalchemy import insert

    from samspill.core.events import Segment
    from samspill.services import accounts, codings, studies
    from samspill.services.schemes import latest_version, register_builtin_schemes
    from samspill.store.models import EventRow

    register_builtin_schemes(db)
    owner = accounts.add_user(db, username="bench", password=None, is_admin=True)
    study = studies.create_study(db, name="scale", owner=owner)
    version = latest_version(db, SCHEME)
    rows: list[dict[str, Any]] = []
    by_pool = {p: g for p, g in events.groupby("coding")}
    for i in range(n):
        p = i % POOL
        dyad = studies.get_or_create_dyad(db, study=study, code=f"D{i:06d}")
        session = studies.create_session(db, study=study, dyad=dyad, name=f"s{i:06d}",
                                         duration_ms=durations[p])
        for s in segments[segments["coding"] == p].itertuples():
            studies.put_segment(db, session=session, segment=Segment(
                name=s.name, spec_id=s.spec_id, role=s.role, start_ms=s.start_ms,
                end_ms=s.end_ms))
        coding = codings.create_coding(db, session=session, coder=owner, scheme_version=version)
        rows += [{"id": f"{i:08x}-{e.event_id[9:]}", "coding_id": coding.id,
                  "subject": e.subject, "code": e.code, "onset_ms": int(e.onset_ms),
                  "offset_ms": None if pd.isna(e.offset_ms) else int(e.offset_ms),
                  "modifiers": e.modifiers, "comment": "", "frame": None}
                 for e in by_pool[p].itertuples()]
    db.execute(insert(EventRow), rows)
    db.flush()
    return study


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-sessions", type=int, default=100_000,
                        help="largest cohort (1,000 → 10,000 → 100,000 up to this)")
    parser.add_argument("--pandas-max", type=int, default=1_000,
                        help="largest cohort also run by the pandas path (0: none)")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--workers", type=int, default=2,
                        help="processes scanning and scoring the batches")
    parser.add_argument("--files-max", type=int, default=10_000,
                        help="also time one file per coding against the base, one process, "
                        "on this many sessions (0: no)")
    args = parser.parse_args()
    sizes = [s for s in (1_000, 10_000, 100_000) if s <= args.max_sessions] or [
        args.max_sessions]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    started = time.perf_counter()
    events, segments, durations = pool()
    table = pool_table(events)
    per_session = len(events) / POOL
    print(f"pool: {POOL} simulated sessions of {MINUTES} min, {per_session:.0f} events each "
          f"({time.perf_counter() - started:.1f} s)")
    work = Path(tempfile.mkdtemp(prefix="samspill-scale-"))
    root = args.keep or work / "columnar"
    try:
        took = write(root, sizes[-1], table)
        print(f"write path: the compacted base of {sizes[-1]:,} codings "
              f"({sizes[-1] * per_session / 1e6:.1f} M events) written in {took:.1f} s "
              "(not timed below)")
        results = []
        for n in sizes:
            found = run_size(root, n, durations, segments, args.workers)
            results.append(found)
            events_n = n * per_session
            print(f"{n:>7,} sessions {events_n / 1e6:6.1f} M events: whole table in "
                  f"{found['wall']:7.1f} s wall ({found['cpu']:.1f} s CPU, {args.workers} "
                  f"process(es)), {events_n / found['wall'] / 1e3:6.0f} k events/s, peak RSS "
                  f"{found['rss_mb']:,.0f} MB + {args.workers} × {found['worker_mb']:,.0f} MB, "
                  f"{found['rows']:,} rows")
        if len(results) > 1:
            a, b = results[0], results[-1]
            slope = math.log(b["wall"] / a["wall"]) / math.log(b["n"] / a["n"])
            print(f"growth {a['n']:,} → {b['n']:,} sessions: ×{b['wall'] / a['wall']:.1f} "
                  f"time for ×{b['n'] / a['n']:.0f} sessions (log-log slope {slope:.2f})")
        last = results[-1]
        memory = last["rss_mb"] + args.workers * last["worker_mb"]
        verdict = "met" if last["wall"] <= 60 and memory <= 4096 else "missed"
        print(f"target at {last['n']:,} sessions (≤ 60 s, ≤ 4,096 MB): {verdict} "
              f"({last['wall']:.1f} s wall, {last['cpu']:.1f} s CPU, {memory:,.0f} MB at most)")
        if args.files_max:
            n = min(args.files_max, sizes[-1])
            flat = work / "files"
            took = write_files(flat, n, table)
            one = run_size(flat, n, durations, segments, 1, files=True)
            again = run_size(root, n, durations, segments, 1)
            print(f"{n:,} sessions, one process: one file per coding {one['wall']:.1f} s wall "
                  f"({one['cpu']:.1f} s CPU; writing them {took:.1f} s), compacted base "
                  f"{again['wall']:.1f} s ({again['cpu']:.1f} s CPU): "
                  f"×{one['wall'] / again['wall']:.1f}")
        for n in [s for s in sizes if s <= args.pandas_max]:
            found_db = compare_with_pandas(n, events, segments, durations, work)
            print(f"{n:>7,} sessions from SQLite: pandas path {found_db['pandas']:.1f} s; "
                  f"duckdb cold (writing every file) {found_db['cold']:.1f} s, warm "
                  f"{found_db['warm']:.1f} s: ×{found_db['pandas'] / found_db['warm']:.1f} "
                  f"faster warm, ×{found_db['pandas'] / found_db['cold']:.1f} cold; "
                  f"tables equal: {'yes' if found_db['same'] else 'NO'}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
