"""Benchmark: the agreement workflows on stored codings (issue 5), on a temporary SQLite study.

Run:  .venv/bin/python bench/agreement_study.py [--quick]

Builds a study of simulated 20-minute free plays (--quick: 5-minute) with a master coding and
noisy codings by three coders and one trainee (points moved by up to 1.5 s, 15 % left out),
then times, wall clock, each step a user waits for:

- the agreement report of the whole study (every pair of every session, pooled matrix,
  level, disrupted, and the five signs' and the hostility qualifier's agreement), and of one
  session;
- the disagreements of one session for reconciliation (three coders);
- the trainee's feedback on one tape and the certification report across all tapes.

It prints the sizes (sessions, codings, events), the seconds per step, and the share of the
whole-study report that one scoring pass over the study takes (the signs need scores).

The scoring pass is timed with ``cohort_for_study(..., stability=False)``, what it measured
before ``cohort_for_study`` computed each sign's stability by default: the agreement report,
reconciliation and feedback score without stability too (``agreement.score_rows``). The
stability's cost is timed in ``bench/scoring.py``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.agreement.tapes import add_coding, noisy

from samspill.services import agreement, assignments, consensus, studies, training
from samspill.services.schemes import register_builtin_schemes
from samspill.services.scoring import cohort_for_study
from samspill.services.setup import ensure_user
from samspill.settings import Settings
from samspill.store.db import Database

CODERS = ("ann", "bob", "cat")


def build(db, n: int, minutes: int) -> int:
    from samspill.core.simulate import simulate_session

    rng = np.random.default_rng(1)
    own = ensure_user(db, "own")
    study = studies.create_study(db, name="bench", owner=own)
    users = {n: ensure_user(db, n) for n in (*CODERS, "tra")}
    for name in CODERS:
        studies.set_role(db, study=study, user=users[name], role="coder")
    studies.set_role(db, study=study, user=users["tra"], role="trainee")
    events = 0
    for i in range(n):
        sim = simulate_session("withdrawn" if i % 2 else "sensitive", seed=i,
                               duration_ms=minutes * 60_000)
        dyad = studies.get_or_create_dyad(db, study=study, code=f"D{i}")
        session = studies.create_session(db, study=study, dyad=dyad, name=f"t{i:02d}",
                                         duration_ms=sim.duration_ms)
        level = 1 + i % 7
        master = add_coding(db, session, own, sim.events, level=level)
        training.mark_master(db, coding=master, purpose="training", by=own)
        for name in (*CODERS, "tra"):
            add_coding(db, session, users[name], noisy(sim.events, rng, jitter_ms=1500,
                                                        drop=0.15), level=level)
        assignments.assign(db, session=session, usernames=list(CODERS), by=own)
        events += len(sim.events) * 5
    return events


def timed(label: str, step) -> float:
    start = time.perf_counter()
    step()
    seconds = time.perf_counter() - start
    print(f"{label:<52} {seconds:8.2f} s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n, minutes = (6, 5) if args.quick else (20, 20)
    with tempfile.TemporaryDirectory() as folder:
        database = Database(Settings(data_dir=Path(folder) / "data"))
        database.migrate()
        with database.session() as db:
            register_builtin_schemes(db)
            events = build(db, n, minutes)
            study = studies.get_study(db, "bench")
            first = studies.get_session(db, study=study, name="t00")
            assignments.open_reconciliation(db, session=first, by=ensure_user(db, "own"),
                                            tolerance_ms=2000)
            tra = ensure_user(db, "tra")
            print(f"{n} sessions of {minutes} min, {n * 5} codings, {events} events")
            whole = timed("agreement report, whole study (5 coders incl. master)",
                          lambda: agreement.study_agreement(db, study))
            timed("agreement report, one session", lambda: agreement.study_agreement(
                db, study, session_name="t00"))
            scoring = timed("scoring every coding, one pass without stability",
                            lambda: cohort_for_study(db, study, stability=False))
            timed("disagreements of one session (3 coders)",
                  lambda: consensus.disagreements(db, first))
            mine = training.submitted_coding(db, first, tra)
            timed("trainee feedback on one tape", lambda: training.feedback(db, mine))
            timed(f"certification report ({n} tapes)",
                  lambda: training.certification(db, study, tra))
            print(f"one scoring pass, as a share of the whole report: {scoring / whole:.0%}")
        database.dispose()


if __name__ == "__main__":
    main()
