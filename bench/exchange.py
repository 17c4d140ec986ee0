"""Benchmark: a BORIS project into a study's store and out again, and the withdrawal query on it.

Run: ``.venv/bin/python bench/exchange.py`` (optionally ``--observations N --events M``).
The converters alone are timed by ``bench/interop.py``; this one times what a user waits for in
``samspill import boris`` / ``samspill export …`` / ``samspill sequential study`` on SQLite, and
prints each against the converter's own share (read_boris, write_boris) as a ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from interop import synthetic_project  # the interop benchmark's generator
from samspill.interop.boris import read_boris, write_boris
from samspill.services import analysis, exports, imports, studies
from samspill.services.schemes import register_builtin_schemes
from samspill.services.setup import ensure_admin
from samspill.settings import Settings
from samspill.store.db import Database


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=100)
    parser.add_argument("--events", type=int, default=3000)
    args = parser.parse_args()
    body = write_boris(synthetic_project(args.observations, args.events))
    database = Database(Settings(data_dir=Path(tempfile.mkdtemp()) / "data"))
    database.migrate()
    with database.session() as db:
        register_builtin_schemes(db)
        studies.create_study(db, name="bench", owner=ensure_admin(db))
    read_s, project = _timed(lambda: read_boris(body, source="bench.boris"))
    write_s, _ = _timed(lambda: write_boris(project.project))  # type: ignore[attr-defined]
    print(f"{args.observations} observations x {args.events} events, SQLite")
    with database.session() as db:
        target = imports.Target(study=studies.get_study(db, "bench"),
                                default_coder=ensure_admin(db), dyad="B1")
        seconds, result = _timed(lambda: imports.import_boris(db, target, body,
                                                              scheme_id="withdrawal-open"))
    print(f"import into the store  {seconds:6.2f} s  ({seconds / read_s:4.1f} x read_boris "
          f"{read_s:.2f} s; {result.events} events)")  # type: ignore[attr-defined]
    steps = {
        "export boris": lambda db, s, c: exports.file_export(db, s, "boris", c),
        "export events parquet": lambda db, s, c: exports.table_export(db, s, "events",
                                                                       "parquet", c),
        "sequential study": lambda db, s, c: analysis.withdrawal_query(db, c),
    }
    for label, step in steps.items():
        with database.session() as db:
            start = time.perf_counter()
            study = studies.get_study(db, "bench")
            step(db, study, exports.choose_codings(db, study))
            seconds = time.perf_counter() - start
        ratio = f"  ({seconds / write_s:4.1f} x write_boris {write_s:.2f} s)" if (
            label == "export boris") else ""
        print(f"{label:<22} {seconds:6.2f} s{ratio}")
    database.dispose()


if __name__ == "__main__":
    main()
