"""Benchmark: import and export a BORIS project of 100 observations x 3,000 events.

Run: ``.venv/bin/python bench/interop.py`` (optionally ``--observations N --events M``, and
``--elan-files F --elan-events E`` for the ELAN folder; 0 files leaves it out).
Target: export <= 2 s, import (read and paired) <= 1 s (issue 15). Compared, in the same run,
with what a user would otherwise run: plain ``json.load`` plus a naive pairing loop (no
checks), and BORIS's own loader
(``project_functions.open_project_json``) and START/STOP flagging (``events_start_stop``) when
a Python with boris-behav-obs is given in SAMSPILL_BORIS_PYTHON (default .venv-boris, which
`make boris` builds).
BORIS's flagging rescans the whole event list for every event, so it is timed on one
observation and multiplied by the number of observations (marked "extrapolated").
Then a folder of 200 ELAN files (300 events each, written by Samspill's export) imported with
Samspill's reader, against pympi reading every tier of the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from samspill.core.events import Event
from samspill.core.scheme_check import load_builtin_scheme
from samspill.interop.boris import read_boris, write_boris
from samspill.interop.model import MediaFile, Observation, Project

BORIS_VENV_PYTHON = Path(__file__).resolve().parents[1] / ".venv-boris" / "bin" / "python"
BORIS_SCRIPT = r"""
import importlib.util, json, sys, time, types
spec = importlib.util.find_spec("boris")
package = types.ModuleType("boris"); package.__path__ = list(spec.submodule_search_locations)
sys.modules["boris"] = package
try:
    import boris.mpv2
except OSError:
    stub = types.ModuleType("boris.mpv2"); stub.dll = ""; sys.modules["boris.mpv2"] = stub
from boris import project_functions as pf
c0 = time.process_time(); _, _, pj, _ = pf.open_project_json(sys.argv[1])
c1 = time.process_time()
obs = next(iter(pj["observations"].values()))
pf.events_start_stop(pj["behaviors_conf"], obs["events"], obs["type"])
c2 = time.process_time()
print(json.dumps({"load": c1 - c0, "flag_one": c2 - c1, "n": len(pj["observations"])}))
"""


def synthetic_project(observations: int, events: int, seed: int = 2026) -> Project:
    """A valid coding per observation: a third states in three lanes, the rest points."""
    scheme = load_builtin_scheme("withdrawal-open")
    rng = random.Random(seed)
    obs = [Observation(name=f"dyad-{i:03d}", media=[MediaFile(path=f"/data/dyad-{i:03d}.mp4",
                                                               duration_ms=3_600_000, fps=25.0)],
                       variables={"procedure": "free-play"}, events=_events(rng, events))
           for i in range(observations)]
    return Project(name="bench", scheme=scheme, observations=obs)


def _events(rng: random.Random, n: int) -> list[Event]:
    out: list[Event] = []
    states = n // 3
    for subject, codes, share in (("caregiver", ["near", "far", "absent"], 0.5),
                                  ("caregiver", ["hold"], 0.25), ("child", ["distress"], 0.25)):
        k = int(states * share)
        cuts = sorted(rng.sample(range(0, 3_600_000), 2 * k))
        out += [Event(subject=subject, code=rng.choice(codes), onset_ms=a, offset_ms=b)
                for a, b in zip(cuts[::2], cuts[1::2], strict=True)]
    kinds = ["look", "show", "reach", "approach", "call"]
    while len(out) < n:
        t = rng.randrange(3_600_000)
        if rng.random() < 0.5:
            out.append(Event(subject="child", code="bid", onset_ms=t,
                             modifiers={"kind": rng.choice(kinds)}))
        else:
            out.append(Event(subject="caregiver", code="respond", onset_ms=t,
                             modifiers={"channel": "verbal", "intensity": "full"},
                             comment="answers"))
    return out


def naive_load(data: bytes) -> int:
    """What a script would do: json.load and pair START/STOP by parity, without any checks."""
    pj = json.loads(data)
    states = {b["code"] for b in pj["behaviors_conf"].values() if "State" in b["type"]}
    intervals = 0
    for obs in pj["observations"].values():
        running: dict[tuple, float] = {}
        for t, subject, code, modifier, *_ in sorted(obs["events"], key=lambda r: r[0]):
            if code not in states:
                intervals += 1
            elif running.pop((subject, code, modifier), None) is None:
                running[(subject, code, modifier)] = t
            else:
                intervals += 1
    return intervals


def _timed(fn, *args, repeat: int = 3):
    """Best wall-clock seconds of ``repeat`` runs, the CPU seconds of that run, the result."""
    best, cpu, result = float("inf"), 0.0, None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn(*args)
        wall = time.perf_counter() - start
        if wall < best:
            best, cpu = wall, time.process_time() - start_cpu
    return best, cpu, result


def _boris(data: bytes) -> dict | None:
    python = os.environ.get("SAMSPILL_BORIS_PYTHON", str(BORIS_VENV_PYTHON))
    if not Path(python).exists():
        return None
    with tempfile.NamedTemporaryFile(suffix=".boris", delete=False) as f:
        f.write(data)
    try:
        run = subprocess.run([python, "-c", BORIS_SCRIPT, f.name], capture_output=True, text=True,
                             timeout=900, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                             check=False)
    finally:
        os.unlink(f.name)
    if run.returncode != 0:
        print(f"BORIS could not run: {run.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(run.stdout.strip().splitlines()[-1])


def elan_folder(files: int, events: int, folder: Path) -> tuple[list[Path], object]:
    """``files`` .eaf files of ``events`` events each, written by Samspill's ELAN export."""
    from samspill.interop.elan import write_elan

    project = synthetic_project(files, events, seed=7)
    paths = []
    for n, observation in enumerate(project.observations):
        path = folder / f"session-{n:03d}.eaf"
        data = write_elan(observation, project.scheme)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        paths.append(path)
    return paths, project.scheme


def read_folder(paths: list[Path], scheme) -> int:
    from samspill.interop.elan import read_elan

    found = 0
    for path in paths:
        imported = read_elan(path.read_bytes(), scheme=scheme, source=path.name)
        found += sum(len(o.events) for o in imported.project.observations)
    return found


def pympi_folder(paths: list[Path]) -> int:
    """The alternative: pympi reads each file and lists every tier's annotations (no checks,
    no pairing into events, no scheme)."""
    from pympi import Elan

    count = 0
    for path in paths:
        eaf = Elan.Eaf(str(path))
        count += sum(len(eaf.get_annotation_data_for_tier(t)) for t in eaf.get_tier_names())
    return count


def elan_rows(files: int, events: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths, scheme = elan_folder(files, events, Path(folder))
        ours_s, ours_cpu, found = _timed(read_folder, paths, scheme, repeat=1)
        pympi_s, pympi_cpu, _ = _timed(pympi_folder, paths, repeat=1)
        size = sum(p.stat().st_size for p in paths) / 2**20
    print(f"ELAN folder: {files} files x {events} events = {found:,} events, {size:.1f} MB")
    print(f"import (read_elan, each file checked against the scheme): {ours_s:6.2f} wall "
          f"{ours_cpu:6.2f} CPU s")
    print(f"pympi reading the tiers (no checks, no events):          {pympi_s:6.2f} wall "
          f"{pympi_cpu:6.2f} CPU s   import/pympi = {ours_cpu / pympi_cpu:.1f}x CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=100)
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--elan-files", type=int, default=200)
    parser.add_argument("--elan-events", type=int, default=300)
    args = parser.parse_args()
    project = synthetic_project(args.observations, args.events)
    total = sum(len(o.events) for o in project.observations)
    export_s, export_cpu, data = _timed(write_boris, project)
    import_s, import_cpu, imported = _timed(read_boris, data)
    if sum(len(o.events) for o in imported.project.observations) != total:
        raise SystemExit("the import lost events")
    checked_s, checked_cpu, _ = _timed(lambda: read_boris(data, scheme=project.scheme), repeat=1)
    naive_s, naive_cpu, _ = _timed(naive_load, data)
    print(f"BORIS project: {args.observations} observations x {args.events} events = {total:,} "
          f"events, {len(data) / 2**20:.1f} MB JSON; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs")
    print("                               wall s   CPU s")
    print(f"export (write_boris):          {export_s:6.2f}  {export_cpu:6.2f}   target <= 2 s")
    print(f"import (read_boris):           {import_s:6.2f}  {import_cpu:6.2f}   target <= 1 s")
    print(f"import with the study's scheme: {checked_s:5.2f}  {checked_cpu:6.2f}   (also checks "
          "every event against the scheme)")
    print(f"json.load + naive pairing:     {naive_s:6.2f}  {naive_cpu:6.2f}   import/naive = "
          f"{import_cpu / naive_cpu:.1f}x CPU (the difference buys checks, errors, warnings)")
    boris = _boris(data)
    if boris is None:
        print("BORIS loader: not available (set SAMSPILL_BORIS_PYTHON to a Python with "
              "boris-behav-obs)")
    else:
        flag_all = boris["flag_one"] * boris["n"]
        print(f"BORIS open_project_json:                {boris['load']:6.2f}   import/BORIS load "
              f"= {import_cpu / boris['load']:.2f}x CPU")
        print(f"BORIS load + events_start_stop:         {boris['load'] + flag_all:6.2f}   "
              f"BORIS/import = {(boris['load'] + flag_all) / import_cpu:.0f}x CPU (flagging "
              f"extrapolated from 1 observation: {boris['flag_one']:.2f} s)")
    sys.stdout.flush()
    if args.elan_files:
        elan_rows(args.elan_files, args.elan_events)


if __name__ == "__main__":
    main()
