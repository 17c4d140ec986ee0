"""Benchmark: how fast the command line starts (issue 15, target under 0.3 s).

Run:  .venv/bin/python bench/cli_startup.py [--runs N]

Times, as separate processes, min / median / max wall seconds over N runs (default 9) and the
median CPU seconds (user + system: on a shared, loaded machine the wall clock also counts the
time spent waiting for other processes, the CPU time does not):
- the floors: `python -c pass` with this interpreter, and the help of a one-command Typer app
  with one option (what Typer itself costs: it builds a pydantic adapter per option);
- `samspill --help`, `samspill study --help` and `samspill score --help`;
- the alternative, in the same run: the same interpreter importing what `import samspill.cli`
  loaded before the command modules moved their imports into the commands (the services,
  scoring, exports and reports, with pandas, SciPy, statsmodels and pingouin behind them).
Prints each row and the ratio of the eager import to `samspill --help` (medians).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

SAMSPILL = str(Path(sys.executable).with_name("samspill"))
EAGER = ("import samspill.services.scoring, samspill.services.exports, "
         "samspill.services.imports, samspill.services.simulation, samspill.core.reliability, "
         "samspill.core.sequential, samspill.reports.render")
TYPER_FLOOR = """
import typer
app = typer.Typer(rich_markup_mode=None)
@app.command()
def one(name: str = typer.Option("x", help="A name.")) -> None: ...
app()
"""
ROWS = {
    "floor: python -c pass": [sys.executable, "-c", "pass"],
    "floor: one-command Typer app, --help": [sys.executable, "-c", TYPER_FLOOR, "--help"],
    "samspill --help": [SAMSPILL, "--help"],
    "samspill study --help": [SAMSPILL, "study", "--help"],
    "samspill score --help": [SAMSPILL, "score", "--help"],
    "alternative: eager import of the services": [sys.executable, "-c", EAGER],
}


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each run."""
    wall, cpu = [], []
    for _ in range(runs):
        start, cpu_start = time.perf_counter(), cpu_of_children()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        wall.append(time.perf_counter() - start)
        cpu.append(cpu_of_children() - cpu_start)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    medians: dict[str, tuple[float, float]] = {}
    print(f"{'command':45} {'min':>7} {'median':>7} {'max':>7} {'CPU':>7}"
          f"  (seconds, {runs} runs; CPU = median user + system)")
    for name, command in ROWS.items():
        wall, cpu = timed(command, runs)
        medians[name] = (statistics.median(wall), statistics.median(cpu))
        print(f"{name:45} {min(wall):7.3f} {medians[name][0]:7.3f} {max(wall):7.3f} "
              f"{medians[name][1]:7.3f}")
    eager, lazy = medians["alternative: eager import of the services"], medians["samspill --help"]
    print(f"eager import / samspill --help (medians): {eager[0] / lazy[0]:.1f}× wall, "
          f"{eager[1] / lazy[1]:.1f}× CPU")


if __name__ == "__main__":
    main()
