"""The cohort table over Parquet files with DuckDB: the fast path of ``samspill cohort``.

Same codings, same rows, same values as :func:`samspill.services.scoring.cohort_for_study`
(the *pandas path*: events read from the database row by row); a test compares the two
column by column. What differs is where the events come from and who does which part:

1. :func:`samspill.services.columnar.refresh` keeps one Parquet file per coding version
   (written only for codings changed since the last run), compacted into a base of large
   files once there are many.
2. DuckDB scans the events of a batch of codings once into a temporary table (from the
   base's parts and the codings' own files), and does the
   grouping and the per-coding aggregation: each coding's last onset or offset (its length
   when the session has none, the one rule of ``coding_duration``) and its counts per
   AMBIANCE dimension over the whole session (events whose onset lies in the observed
   period: from the first segment's start to the last one's end, else the recording), and
   returns the events sorted as the pandas path sorts them (coding, onset, subject, code,
   then the store's order), as columnar arrays.
3. The five signs and the hostility qualifier are computed by the core's vectorised numpy
   code (:func:`samspill.core.scoring.score_codings`) over those arrays: the same code as
   the pandas path, so the constructs cannot drift apart (the hybrid the issue allows: the
   answer chains of ``first_answers``, the clipping of holds to segments and presence are
   too intricate to restate in SQL without a second definition to keep equal). Evidence
   and the per-scope counts, which the cohort table does not show, are not computed.

Construct-preserving decisions: subjects, codes and modifiers reach the core as they are
stored (codes and subjects as categories; modifiers parsed once per distinct JSON text,
then shared, so no per-event Python); event ids are replaced by row numbers (the cohort
table shows none, and stability draws by row). A batch holding a coding that cannot be
scored (a running state, an event past the end, no length) is handed to the pandas path
as a whole, so the excluded codings get exactly its reasons and fixes.

Batches are independent: with many of them, two worker processes (one DuckDB thread each)
scan and score them, while this process reads what the database holds for each (segments,
ratings, lengths) and handles the batches a worker could not score.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from samspill.core.arrays import Int64Array, ObjectArray
from samspill.core.errors import SamspillError
from samspill.core.scheme import Scheme
from samspill.core.scoring import cohort_table, score_codings
from samspill.core.selection import ONE_PER_SESSION, Pooling
from samspill.core.study_settings import StudySettings
from samspill.services import columnar, pooling
from samspill.services import scoring as pandas_path
from samspill.services.schemes import scheme_of
from samspill.store.models import Coding, Study

if TYPE_CHECKING:
    import duckdb

ENGINES = ("duckdb", "pandas")
# Codings per DuckDB scan and core pass: ~500 k events of 95-minute sessions, a few hundred
# MB at the peak; with stability the pandas path's batch (its progress keeps moving).
BATCH = 1_000
# Worker processes when a cohort has at least MIN_PARALLEL batches (fewer: starting a
# process, about a second of imports, costs more than it saves).
WORKERS = min(2, os.cpu_count() or 1)
MIN_PARALLEL = 4


def cohort_with(engine: str, db: Session, study: Study, *, root: Path, stability: bool = True,
                progress: pandas_path.Progress | None = None,
                pooled: Pooling = ONE_PER_SESSION) -> pandas_path.Cohort:
    """The study's cohort by ``engine``: ``duckdb`` (this module) or ``pandas``."""
    if engine == "pandas":
        return pandas_path.cohort_for_study(db, study, stability=stability, progress=progress,
                                            pooled=pooled)
    return cohort_columnar(db, study, root=root, stability=stability, progress=progress,
                           pooled=pooled)


def cohort_columnar(db: Session, study: Study, *, root: Path, stability: bool = True,
                    progress: pandas_path.Progress | None = None,
                    pooled: Pooling = ONE_PER_SESSION, batch: int = BATCH,
                    workers: int | None = None) -> pandas_path.Cohort:
    """The cohort of :func:`~samspill.services.scoring.cohort_for_study` (same arguments,
    same result) from the study's Parquet files under ``root``, refreshed first.
    ``workers``: processes scanning and scoring (default: :data:`WORKERS` when there are
    :data:`MIN_PARALLEL` batches or more, else this process alone)."""
    chosen = pandas_path.cohort_codings(db, study, pooled)
    reconciled = pooling.reconciled_ids(db, (c.session_id for c in chosen))
    settings = pandas_path.settings_of(study)
    settings.indicator_settings()  # a study setting in error fails the cohort, not each coding
    layout = columnar.refresh(db, study, root)
    groups: dict[int, list[Coding]] = defaultdict(list)
    for coding in chosen:
        groups[coding.scheme_version_id].append(coding)
    size = pandas_path.STABILITY_BATCH if stability else batch
    parts: list[tuple[list[Coding], Scheme]] = []
    for group in groups.values():
        scheme = scheme_of(group[0].scheme_version)
        parts += [(part, scheme) for part in pandas_path._batches(group, size)]
    jobs = [Job(layout.sources(c.id for c in part),
                {c.id: c.session.duration_ms for c in part},
                pandas_path._segments_table(db, part),
                pandas_path._ratings(db, [c.id for c in part]), scheme, settings, stability)
            for part, scheme in parts]
    tables, excluded = [], []
    done, total = 0, max(len(chosen), 1)
    for (part, scheme), rows in zip(parts, run_jobs(jobs, workers), strict=True):
        failed: list[tuple[Coding, SamspillError]] = []
        if rows is None:  # a coding that cannot be scored: the pandas path, for its reasons
            scores, failed = pandas_path._score_resilient(db, part, scheme, settings,
                                                          stability=stability)
            rows = None if scores is None else cohort_table(scores).rename(
                columns={"coding": "coding_id"})
        if rows is not None:
            tables.append(pandas_path._identity(part, study, reconciled)
                          .merge(rows, on="coding_id", how="right"))
        excluded += failed
        done += len(part)
        if progress is not None:
            progress(done / total)
    columns = [*pandas_path.IDENTITY_COLUMNS, *pandas_path.SELECTION_COLUMNS]
    return pandas_path.Cohort(
        pandas_path._in_order(pandas_path._sorted(tables, columns)),
        pandas_path._excluded_table(excluded, study))


@dataclass(frozen=True)
class Job:
    """One batch, as a worker needs it: where its events are, each coding's session length
    (None: 1 ms past its last event), segments (``coding`` column), ratings, the scheme."""

    sources: columnar.Sources
    lengths: dict[int, int | None]
    segments: pd.DataFrame
    ratings: dict[int, dict[str, str]]
    scheme: Scheme
    settings: StudySettings
    stability: bool


def run_jobs(jobs: Sequence[Job], workers: int | None = None
             ) -> Iterator[pd.DataFrame | None]:
    """Each job's rows in order (None: a coding of it cannot be scored), by ``workers``
    processes (None: :data:`WORKERS` from :data:`MIN_PARALLEL` jobs on)."""
    if workers is None:
        workers = WORKERS if len(jobs) >= MIN_PARALLEL else 1
    if workers <= 1 or len(jobs) <= 1:
        import duckdb

        with duckdb.connect() as con:
            for job in jobs:
                yield run_job(job, con)
        return
    # Spawned, not forked: the parent holds database connections and DuckDB's threads.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_one_thread) as pool:
        yield from pool.map(run_job, jobs)


_WORKER: dict[str, Any] = {}


def _one_thread() -> None:
    """A worker's DuckDB: one thread, as the workers already use the cores."""
    import duckdb

    _WORKER["con"] = duckdb.connect(config={"threads": 1})


def run_job(job: Job, con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame | None:
    """One batch's rows (``coding_id`` and the core's columns), None when a coding of it
    cannot be scored."""
    con = con if con is not None else _WORKER["con"]
    scanned = scan(con, job.sources, job.scheme)
    durations = {}
    for coding_id, length in job.lengths.items():
        duration = pandas_path.length_rule(length, scanned.last_ms.get(coding_id))
        if duration is None:
            return None
        durations[coding_id] = duration
    try:
        return score_scanned(con, scanned, job.segments, durations, job.ratings, job.scheme,
                             job.settings, stability=job.stability)
    except SamspillError:
        return None


@dataclass(frozen=True)
class Scanned:
    """A batch's events as the core reads them (``coding`` plus ``event_needs``, sorted as
    the pandas path sorts them) and each coding's last onset or offset in ms."""

    events: pd.DataFrame
    last_ms: dict[int, int]


def scan(con: duckdb.DuckDBPyConnection, sources: columnar.Sources, scheme: Scheme
         ) -> Scanned:
    """Read the batch's events once into DuckDB's temporary table ``ev`` and fetch them."""
    del scheme  # kinds come from the scheme inside the core, as on the pandas path
    columns = "coding, seq, subject, code, onset_ms, offset_ms, modifiers"
    selects: list[str] = []
    values: dict[str, Any] = {}
    if sources.parts:
        # The base is sorted by coding: the id range skips the other row groups, the
        # list drops the rows of other codings and of replaced versions (the tombstones).
        selects.append(f"SELECT {columns} FROM read_parquet($parts) WHERE coding BETWEEN "
                       "$lo AND $hi AND coding IN (SELECT unnest($ids))")
        values |= {"parts": [str(f) for f in sources.parts], "ids": sources.base_ids,
                   "lo": min(sources.base_ids), "hi": max(sources.base_ids)}
    if sources.files:
        selects.append(f"SELECT {columns} FROM read_parquet($files)")
        values["files"] = [str(f) for f in sources.files]
    if not selects:
        con.execute("CREATE OR REPLACE TEMP TABLE ev (coding BIGINT, seq INTEGER, "
                    "subject VARCHAR, code VARCHAR, onset_ms BIGINT, offset_ms BIGINT, "
                    "modifiers VARCHAR)")
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE ev AS " + " UNION ALL ".join(selects),
                    values)
    last = con.sql("SELECT coding, max(greatest(onset_ms, coalesce(offset_ms, onset_ms))) "
                   "FROM ev GROUP BY coding").fetchall()
    table = con.sql("SELECT coding, subject, code, onset_ms, offset_ms, modifiers FROM ev "
                    "ORDER BY coding, onset_ms, subject, code, seq").to_arrow_table()
    return Scanned(_events_frame(table), {int(c): int(t) for c, t in last})


def _events_frame(table: Any) -> pd.DataFrame:
    import pyarrow.compute as pc

    n = table.num_rows
    offset = table.column("offset_ms")
    return pd.DataFrame({
        "coding": table.column("coding").to_numpy(),
        "event_id": np.arange(n, dtype="int64"),
        "subject": _categorical(table.column("subject")),
        "code": _categorical(table.column("code")),
        "onset_ms": table.column("onset_ms").to_numpy(),
        "offset_ms": pd.arrays.IntegerArray(
            pc.fill_null(offset, 0).to_numpy().astype("int64"),
            offset.is_null().to_numpy(zero_copy_only=False)),
        "modifiers": _modifiers(table.column("modifiers")),
    })


def _dictionary(column: Any) -> tuple[Int64Array, list[Any]]:
    """(indices, distinct values) of a string column, by Arrow's dictionary encoding."""
    import pyarrow as pa

    encoded = column.dictionary_encode().combine_chunks() if len(column) else pa.array(
        [], pa.string()).dictionary_encode()
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")
    return indices, encoded.dictionary.to_pylist()


def _categorical(column: Any) -> pd.Categorical:
    indices, values = _dictionary(column)
    return pd.Categorical.from_codes(indices, categories=pd.Index(values, dtype=object))


def _modifiers(column: Any) -> ObjectArray:
    """Each event's modifiers as the pandas path has them (a dict); the JSON text of each
    distinct set is parsed once, and events with the same set share its dict."""
    indices, texts = _dictionary(column)
    parsed = np.empty(len(texts) + 1, dtype=object)
    parsed[:] = [json.loads(t) if t else {} for t in texts] + [{}]
    out: ObjectArray = parsed[indices]  # -1 (no text): the empty set, the store's default
    return out


def score_scanned(con: duckdb.DuckDBPyConnection, scanned: Scanned, segments: pd.DataFrame,
                  durations: Mapping[int, int], ratings: Mapping[int, Mapping[str, Any]],
                  scheme: Scheme, settings: StudySettings, *, stability: bool,
                  ) -> pd.DataFrame:
    """The cohort rows of a scanned batch: the core's signs, DuckDB's dimension counts."""
    scores = score_codings(
        scanned.events, segments, scheme=scheme, durations=pd.Series(durations),
        ratings={i: ratings.get(i, {}) for i in durations},
        settings=settings.indicator_settings(), disrupted_cutoff=settings.disrupted_cutoff,
        stability=stability, evidence=False, counts=False)
    rows = cohort_table(scores).rename(columns={"coding": "coding_id"})
    counts = dimension_counts(con, segments, durations, scheme).reindex(
        rows["coding_id"]).fillna(0).astype("int64")
    at = rows.columns.get_loc("level")
    for offset, column in enumerate(counts.columns):
        rows.insert(int(at) + offset, column, counts[column].to_numpy())  # type: ignore[arg-type]
    return rows


def dimension_counts(con: duckdb.DuckDBPyConnection, segments: pd.DataFrame,
                     durations: Mapping[int, int], scheme: Scheme) -> pd.DataFrame:
    """``count_<dimension>`` per coding (index: coding id), by DuckDB over table ``ev``:
    the events (points and state onsets) of the dimension's codes whose onset lies in the
    coding's observed period, as :func:`samspill.core.ambiance.ambiance_counts` counts them
    for the whole-session scope."""
    periods = observed_periods(segments, durations)
    code_dims = pd.DataFrame([(c.id, c.dimension) for c in scheme.codes if c.dimension],
                             columns=["code", "dim"])
    con.register("periods", periods)
    con.register("code_dims", code_dims)
    found = con.sql(
        "SELECT ev.coding, d.dim, count(*) AS n FROM ev "
        "JOIN periods p ON ev.coding = p.coding JOIN code_dims d ON ev.code = d.code "
        "WHERE ev.onset_ms >= p.start_ms AND ev.onset_ms < p.end_ms GROUP BY ALL").df()
    con.unregister("periods")
    con.unregister("code_dims")
    dims = [d.id for d in scheme.dimensions]
    wide = found.pivot_table(index="coding", columns="dim", values="n", aggfunc="sum",
                             fill_value=0) if len(found) else pd.DataFrame()
    return wide.reindex(index=list(durations), columns=dims).fillna(0).astype(
        "int64").rename(columns=lambda d: f"count_{d}")


def observed_periods(segments: pd.DataFrame, durations: Mapping[int, int]) -> pd.DataFrame:
    """Per coding the observed period (``coding, start_ms, end_ms``): from its first
    segment's start to its last one's end, else the whole recording (the core's
    ``observed_period``)."""
    out = pd.DataFrame({"coding": list(durations), "start_ms": 0,
                        "end_ms": list(durations.values())}).astype("int64")
    if len(segments):
        span = segments.groupby("coding").agg(first=("start_ms", "min"),
                                              last=("end_ms", "max"))
        has = out["coding"].isin(span.index)
        out.loc[has, "start_ms"] = span["first"].reindex(out.loc[has, "coding"]).to_numpy()
        out.loc[has, "end_ms"] = span["last"].reindex(out.loc[has, "coding"]).to_numpy()
    return out


def table_of_layout(layout: columnar.Layout, durations: Mapping[int, int],
                    segments: pd.DataFrame, scheme: Scheme, settings: StudySettings, *,
                    stability: bool = False, batch: int = BATCH, workers: int | None = None,
                    ) -> pd.DataFrame:
    """The core's cohort rows of codings given by where their events are (no database:
    what ``bench/scale.py`` times): ``coding_id``, then the columns of ``cohort_table`` with
    DuckDB's dimension counts. ``segments`` in ``segments_frame`` form with a ``coding``
    column; no ratings (level and profile empty). Raises when a coding cannot be scored."""
    ids = sorted(durations)
    jobs = []
    for start in range(0, len(ids), max(batch, 1)):
        part = ids[start:start + batch]
        mine = segments[segments["coding"].isin(part)].reset_index(drop=True)
        jobs.append(Job(layout.sources(part), {i: durations[i] for i in part}, mine, {},
                        scheme, settings, stability))
    parts = list(run_jobs(jobs, workers))
    if any(p is None for p in parts):
        raise ValueError("a coding cannot be scored")
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
