"""Benchmark: a family's course page (issue 23) on a large study, scored again or reused.

Run:  .venv/bin/python bench/trajectory.py [--sessions N] [--quick]

Builds the demo study (the family Monica and Maria, three sessions) on a temporary SQLite
database and adds N simulated free-play sessions (default 1,000), half of them coded by a
second coder too, so the course's agreement (ICC lower bound) and spread come from the whole
study. Then times, wall clock, what the course page computes (``dyad_course``):

- *rescoring*: every coding of the study scored on every request (the path before the rows
  were reused: ``cohort_for_study`` without ``reuse``);
- *first request*: nothing kept yet (a fresh server), every coding scored once and kept;
- *repeated request*: nothing changed, every row reused;
- *after one edit*: one event of one coding moved, that coding scored again.

Each step runs ``--repeat`` times (default 3) and the median is printed, with the ratio
against rescoring, the load average before and after (the machine may be shared), and a check
that the reused course equals the rescored one. The family's own three sessions are scored
with stability (their points on the page) when they are not kept: that part is shown on its
own line (in both paths' first request; kept like the rest afterwards).
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.services import access as policy
from samspill.services import score_rows, studies, trajectory
from samspill.services.demo import DEMO_DYAD, DEMO_STUDY, load_demo
from samspill.services.setup import ensure_admin
from samspill.services.simulation import add_second_codings, add_simulated_sessions
from samspill.settings import Settings
from samspill.store.db import Database
from samspill.store.models import Coding, EventRow, ObservationSession, User

STYLES = ("sensitive", "withdrawn", "hostile", "frightened")


def build(db: Session, owner: User, media_dir: Path, n: int) -> int:
    load_demo(db, owner=owner, media_dir=media_dir, with_video=False)
    study = studies.get_study(db, DEMO_STUDY)
    per_style = max(n // len(STYLES), 1)
    for seed, style in enumerate(STYLES, start=100):
        add_simulated_sessions(db, study=study, style=style, sessions=per_style, seed=seed)
        add_second_codings(db, study=study, style=style, sessions=per_style // 2, seed=seed)
    return len(db.scalars(select(Coding.id)).all())


def course(db: Session, owner: User) -> trajectory.Course:
    return trajectory.dyad_course(db, study=studies.get_study(db, DEMO_STUDY),
                                  dyad_code=DEMO_DYAD, member=policy.Member(owner, "owner"))


def rescoring(db: Session, owner: User) -> trajectory.Course:
    """The course as it was computed before: nothing reused (no kept rows, points or ICC)."""
    original, remembered = trajectory.cohort_for_study, score_rows.remembered

    @functools.wraps(original)
    def every_time(*args: Any, **kwargs: Any) -> Any:
        return original(*args, **{**kwargs, "reuse": False})

    trajectory.cohort_for_study = every_time  # type: ignore[assignment]
    score_rows.remembered = lambda db, where, key, compute: compute()  # type: ignore[assignment]
    try:
        return course(db, owner)
    finally:
        trajectory.cohort_for_study = original  # type: ignore[assignment]
        score_rows.remembered = remembered  # type: ignore[assignment]


def median_seconds(step: Callable[[], object], repeat: int,
                   before: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def edit_one(db: Session) -> None:
    """Move the first event of one simulated coding by 0.1 s, as an edit does."""
    coding_id = db.scalar(select(Coding.id).join(ObservationSession)
                          .where(ObservationSession.name.like("sim-%")).order_by(Coding.id))
    row = db.scalars(select(EventRow).where(EventRow.coding_id == coding_id)
                     .order_by(EventRow.onset_ms)).first()
    assert row is not None
    row.onset_ms += 100
    if row.offset_ms is not None:
        row.offset_ms += 100
    row.version += 1
    db.flush()


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100 sessions, one run each")
    args = parser.parse_args()
    n, repeat = (100, 1) if args.quick else (args.sessions, args.repeat)
    with tempfile.TemporaryDirectory() as folder:
        database = Database(Settings(data_dir=Path(folder) / "data"))
        database.migrate()
        with database.session() as db:
            owner = ensure_admin(db)
            start = time.perf_counter()
            codings = build(db, owner, database.settings.media_dir, n)
            print(f"study: {n} simulated sessions + the family's, {codings} codings "
                  f"(built in {time.perf_counter() - start:.0f} s)")
            print(f"load average before: {load()}")
            points = median_seconds(lambda: [trajectory._point(db, s, None, policy.Member(
                owner, "owner")) for s in trajectory.dyad_sessions_by_code(
                    db, study=studies.get_study(db, DEMO_STUDY), dyad_code=DEMO_DYAD)], repeat,
                before=lambda: score_rows.forget(db))
            old = median_seconds(lambda: rescoring(db, owner), repeat)
            first = median_seconds(lambda: course(db, owner), repeat,
                                   before=lambda: score_rows.forget(db))
            again = median_seconds(lambda: course(db, owner), repeat)
            edited = median_seconds(lambda: course(db, owner), repeat,
                                    before=lambda: edit_one(db))
            reused, fresh = course(db, owner).trajectory, rescoring(db, owner).trajectory
            pd.testing.assert_frame_equal(reused.measures, fresh.measures)
            pd.testing.assert_frame_equal(reused.table, fresh.table)
            print(f"{'of which: the family’s 3 sessions with stability':<54} {points:7.2f} s")
            for label, seconds in (("rescoring every coding (before)", old),
                                   ("first request (nothing kept)", first),
                                   ("repeated request", again),
                                   ("after one coding changed", edited)):
                print(f"{label:<54} {seconds:7.2f} s  {old / seconds:5.1f}× as fast as "
                      "rescoring")
            print("reused course == rescored course: yes")
            print(f"load average after: {load()}")
        database.dispose()


if __name__ == "__main__":
    main()
