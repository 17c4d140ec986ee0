"""Benchmark: Samspill's time-unit κ against BORIS's ``irr.cohen_kappa``, same data, same run.

    .venv/bin/python bench/agreement.py [--repeat 30] [--no-boris]

Two 60-minute codings, 2 subjects, 600 state bouts each over 6 codes per subject, all
boundaries on whole seconds. Coder B moves every other boundary by up to 3 s and recodes
about 15 % of the bouts. Samspill's κ is timed at Δ = 1 s and 0.1 s (median of
``--repeat`` runs, from the event DataFrames to the κ table); BORIS (GPL, PyPI
``boris-behav-obs``) is installed on first use into ``bench/.boris-venv`` and driven in a
subprocess. Only its ``cohen_kappa`` call is timed, not the loading of its events table.

Where the definitions coincide. BORIS samples each unit's start time t and counts a state
when start ≤ t ≤ stop (both ends), so a boundary unit holds two states; Samspill uses
onset ≤ t < offset. The bench hands BORIS each stop less half a unit, which makes the two
definitions identical on this data (boundaries on whole units, states only, codes distinct
per subject, both codings starting at 0), and reports both κ values: on the 2-subject data
and on one subject alone. BORIS rounds its κ to 3 decimals.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from samspill.core.reliability import time_unit_kappa

HERE = Path(__file__).resolve().parent
BORIS_VENV = HERE / ".boris-venv"
LENGTH_S, BOUTS, CODES = 3600, 600, 6
SUBJECTS = ("caregiver", "child")

# Our own driver for BORIS: it loads irr.py without BORIS's GUI package __init__ (which needs
# a display, PulseAudio and libmpv) by registering a bare package object and empty stand-ins
# for the GUI modules irr.py imports but cohen_kappa never calls.
DRIVER = r"""
import importlib.util, json, sqlite3, sys, time, types
from decimal import Decimal
spec = importlib.util.find_spec("boris")
package = types.ModuleType("boris")
package.__path__ = list(spec.submodule_search_locations)
sys.modules["boris"] = package
for name in ("dialog", "project_functions", "select_subj_behav", "select_observations",
             "observation_operations", "db_functions", "utilities"):
    sys.modules["boris." + name] = types.ModuleType("boris." + name)
from boris import irr
job = json.load(open(sys.argv[1]))
db = sqlite3.connect(":memory:")
db.execute("CREATE TABLE aggregated_events (observation TEXT, subject TEXT, behavior TEXT, "
           "type TEXT, modifiers TEXT, start FLOAT, stop FLOAT)")
db.executemany("INSERT INTO aggregated_events VALUES (?, ?, ?, 'STATE', '', ?, ?)", job["rows"])
cursor = db.cursor()
started = time.perf_counter()
kappa, _ = irr.cohen_kappa(cursor, "A", "B", Decimal(job["unit_s"]), job["subjects"], False)
print(json.dumps({"kappa": kappa, "seconds": time.perf_counter() - started}))
"""


def make_coding(rng: np.random.Generator) -> pd.DataFrame:
    """Coder A: per subject, 600 contiguous bouts from 0 to 60 min, whole-second cuts."""
    parts = []
    for subject in SUBJECTS:
        cuts = np.sort(rng.choice(np.arange(1, LENGTH_S), BOUTS - 1, replace=False))
        starts, stops = np.r_[0, cuts] * 1000, np.r_[cuts, LENGTH_S] * 1000
        codes = [f"{subject}_{c}" for c in rng.integers(0, CODES, BOUTS)]
        parts.append(pd.DataFrame({"subject": subject, "code": codes, "onset_ms": starts,
                                   "offset_ms": stops}))
    return pd.concat(parts, ignore_index=True)


def second_coder(a: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Coder B: every other boundary moved by up to 3 s (never past its neighbours), about
    15 % of the bouts recoded; still 600 bouts per subject."""
    parts = []
    for subject, part in a.groupby("subject", sort=False):
        cuts = part["onset_ms"].to_numpy()[1:] // 1000
        bounds = np.r_[0, cuts, LENGTH_S]
        moved = cuts.copy()
        for i in range(0, len(cuts), 2):
            low, high = bounds[i] + 1, bounds[i + 2] - 1
            moved[i] = np.clip(cuts[i] + rng.integers(-3, 4), low, high)
        starts, stops = np.r_[0, moved] * 1000, np.r_[moved, LENGTH_S] * 1000
        codes = part["code"].to_numpy().copy()
        recode = rng.random(len(codes)) < 0.15
        codes[recode] = [f"{subject}_{c}" for c in rng.integers(0, CODES, recode.sum())]
        parts.append(pd.DataFrame({"subject": subject, "code": codes, "onset_ms": starts,
                                   "offset_ms": stops}))
    return pd.concat(parts, ignore_index=True)


def time_samspill(a: pd.DataFrame, b: pd.DataFrame, unit_ms: int,
                  repeat: int) -> tuple[float, float]:
    """(pooled κ, median seconds) over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        table = time_unit_kappa(a, b, unit_ms=unit_ms)
        times.append(time.perf_counter() - started)
    return float(table["kappa"].iloc[-1]), float(np.median(times))


def boris_python() -> tuple[Path | None, str]:
    """The BORIS venv's python, installing it on first use; (None, why) when impossible.
    SAMSPILL_BORIS_PYTHON (the pinned .venv-boris that `make bench` builds) comes first."""
    pinned = os.environ.get("SAMSPILL_BORIS_PYTHON")
    if pinned and Path(pinned).exists():
        return Path(pinned), ""
    python = BORIS_VENV / "bin" / "python"
    if not python.exists():
        print(f"installing boris-behav-obs into {BORIS_VENV} (first run only) ...", flush=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(BORIS_VENV)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", "boris-behav-obs"],
                           check=True, capture_output=True, text=True)
        except (subprocess.CalledProcessError, OSError) as error:
            detail = getattr(error, "stderr", "") or str(error)
            return None, f"could not install boris-behav-obs: {detail.strip()[-300:]}"
    return python, ""


def run_boris(python: Path, a: pd.DataFrame, b: pd.DataFrame, unit_ms: int,
              subjects: tuple[str, ...]) -> dict:
    """BORIS's κ and seconds, with stops less half a unit (see the module text)."""
    rows = []
    for name, coding in (("A", a), ("B", b)):
        for r in coding[coding["subject"].isin(subjects)].itertuples(index=False):
            rows.append((name, r.subject, r.code, r.onset_ms / 1000,
                         (r.offset_ms - unit_ms / 2) / 1000))
    job = {"rows": rows, "unit_s": str(unit_ms / 1000), "subjects": list(subjects)}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(job, handle)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    try:
        done = subprocess.run([str(python), "-c", DRIVER, handle.name], capture_output=True,
                              text=True, env=env, timeout=1800)
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="Samspill runs per case")
    parser.add_argument("--no-boris", action="store_true", help="skip BORIS")
    parser.add_argument("--seed", type=int, default=2009)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    a = make_coding(rng)
    b = second_coder(a, rng)
    print(f"data: 2 codings x {len(SUBJECTS)} subjects, {len(a)} / {len(b)} state bouts, "
          f"{LENGTH_S // 60} min, {CODES} codes per subject")
    python, why = (None, "skipped (--no-boris)") if args.no_boris else boris_python()
    if python is None:
        print(f"BORIS: not run - {why}. Samspill's figures only.")
    cases = [(unit, subjects) for unit in (1000, 100) for subjects in (SUBJECTS, SUBJECTS[:1])]
    print(f"{'case':<26}{'Samspill κ':>11}{'BORIS κ':>9}{'Samspill':>12}{'BORIS':>10}"
          f"{'ratio':>10}")
    for unit, subjects in cases:
        part_a, part_b = (x[x["subject"].isin(subjects)] for x in (a, b))
        kappa, seconds = time_samspill(part_a, part_b, unit, args.repeat)
        boris = run_boris(python, a, b, unit, subjects) if python else {}
        label = f"Δ={unit / 1000:g} s, {len(subjects)} subject(s)"
        print(_line(label, kappa, seconds, boris), flush=True)


def _line(label: str, kappa: float, seconds: float, boris: dict) -> str:
    ours = f"{label:<26}{kappa:>11.4f}"
    if "error" in boris:
        return f"{ours}{'-':>9}{seconds * 1000:>10.2f}ms  BORIS failed: {boris['error']}"
    if not boris:
        return f"{ours}{'-':>9}{seconds * 1000:>10.2f}ms"
    ratio = boris["seconds"] / seconds
    return (f"{ours}{boris['kappa']:>9.3f}{seconds * 1000:>10.2f}ms{boris['seconds']:>9.2f}s"
            f"{ratio:>9.0f}x")


if __name__ == "__main__":
    main()
