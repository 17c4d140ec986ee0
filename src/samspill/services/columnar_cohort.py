"""The cohort table over Parquet files with DuckDB: the fast path of ``samspill cohort``.

Same codings, same rows, same values as :func:`samspill.services.scoring.cohort_for_study`
(the *pandas path*: events read from the database row by row); a test compares the two
column by column. What differs is where the events come from and who does which part:

1. :func:`samspill.services.columnar.refresh` keeps one Parquet file per coding version
   (written only for codings changed since the last run), compacted into a base of large
   files once there are many.
2. DuckDB scans the events of a batch of codings in one query (from the base's parts,
   whose coding range skips the other row groups, and the codings' own files) into
   Arrow columns. They are put in the pandas path's order (coding, onset, subject, code,
   then the store's order) in numpy: the rows come as stored, by coding and onset, so only
   the runs of events at the same instant are sorted, by the ranks of their subjects' and
   codes' text (the order of DuckDB's and Python's string comparison). From the same
   arrays, one pass each: every coding's last onset or offset (its length when the session
   has none, the one rule of ``coding_duration``) and its counts per AMBIANCE dimension
   over the whole session (events whose onset lies in the observed period: from the first
   segment's start to the last one's end, else the recording).
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
from samspill.services import columnar, pooling, stored_tables
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
                stored_tables.segments_table(db, part),
                stored_tables.ratings_table(db, [c.id for c in part]), scheme, settings, stability)
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
        duration = stored_tables.length_rule(length, scanned.last_ms.get(coding_id))
        if duration is None:
            return None
        durations[coding_id] = duration
    try:
        return score_scanned(scanned, job.segments, durations, job.ratings, job.scheme,
                             job.settings, stability=job.stability)
    except SamspillError:
        return None


@dataclass(frozen=True)
class Scanned:
    """A batch's events as the core reads them (``coding`` plus ``event_needs``, sorted as
    the pandas path sorts them), each coding's last onset or offset in ms, and each event's
    code as an integer (``code``: the positions in ``codes``, ``-1``: none) for the counts."""

    events: pd.DataFrame
    last_ms: dict[int, int]
    code: Int64Array
    codes: list[Any]


def scan(con: duckdb.DuckDBPyConnection, sources: columnar.Sources, scheme: Scheme
         ) -> Scanned:
    """Read the batch's events once with DuckDB and put them in the pandas path's order."""
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
        selects.append("SELECT NULL::BIGINT AS coding, NULL::INTEGER AS seq, NULL::VARCHAR "
                       "AS subject, NULL::VARCHAR AS code, NULL::BIGINT AS onset_ms, "
                       "NULL::BIGINT AS offset_ms, NULL::VARCHAR AS modifiers LIMIT 0")
    table = con.sql(" UNION ALL ".join(selects), params=values or None).to_arrow_table()
    return _scanned(table)


def _scanned(table: Any) -> Scanned:
    """The scanned rows sorted (see :func:`event_order`) into the core's columns."""
    import pyarrow.compute as pc

    coding = table.column("coding").to_numpy().astype("int64")
    onset = table.column("onset_ms").to_numpy().astype("int64")
    offset_column = table.column("offset_ms")
    missing = offset_column.is_null().to_numpy(zero_copy_only=False)
    offset = pc.fill_null(offset_column, 0).to_numpy().astype("int64")
    subject, subjects = _dictionary(table.column("subject"))
    code, codes = _dictionary(table.column("code"))
    modifier, texts = _dictionary(table.column("modifiers"))
    order = event_order(coding, onset, _ranks(subject, subjects), _ranks(code, codes),
                        table.column("seq").to_numpy().astype("int64"))
    coding, onset, offset, missing = coding[order], onset[order], offset[order], missing[order]
    subject, code = subject[order], code[order]
    events = pd.DataFrame({
        "coding": coding,
        "event_id": np.arange(len(order), dtype="int64"),
        "subject": _categorical(subject, subjects),
        "code": _categorical(code, codes),
        "onset_ms": onset,
        "offset_ms": pd.arrays.IntegerArray(offset, missing),
        "modifiers": _modifiers(modifier[order], texts),
    })
    return Scanned(events, _last_ms(coding, np.where(missing, onset, np.maximum(onset, offset))),
                   code, codes)


def event_order(coding: Int64Array, onset: Int64Array, subject: Int64Array,
                code: Int64Array, seq: Int64Array) -> Int64Array:
    """The rows' order by coding, onset, subject, code, then the store's order (``seq``),
    as the pandas path sorts them (``subject`` and ``code`` as ranks of their text).

    The rows usually come as stored (by coding and ``seq``, so by coding and onset): then
    only the runs of events at the same instant are sorted, not the whole batch."""
    n = len(coding)
    if n < 2:
        return np.arange(n)
    step_coding, step_onset = np.diff(coding), np.diff(onset)
    if not ((step_coding > 0) | ((step_coding == 0) & (step_onset >= 0))).all():
        return np.lexsort((seq, code, subject, onset, coding))
    tied = (step_coding == 0) & (step_onset == 0)  # row i + 1 at row i's instant
    order = np.arange(n)
    if not tied.any():
        return order
    in_run = np.zeros(n, dtype=bool)
    in_run[1:] |= tied
    in_run[:-1] |= tied
    rows = np.flatnonzero(in_run)
    run = np.cumsum(np.concatenate([[True], ~tied]))[rows]  # runs keep their places
    order[rows] = rows[np.lexsort((seq[rows], code[rows], subject[rows], run))]
    return order


def _ranks(indices: Int64Array, values: list[Any]) -> Int64Array:
    """Each row's rank of its text among ``values`` (code point order, as Python's and
    DuckDB's string order; none: last)."""
    rank = np.empty(len(values) + 1, dtype="int64")
    rank[np.argsort(np.array(values, dtype=object), kind="stable")] = np.arange(len(values))
    rank[-1] = len(values)  # index -1: no text
    found: Int64Array = rank[indices]
    return found


def _last_ms(coding: Int64Array, last: Int64Array) -> dict[int, int]:
    """Each coding's latest onset or offset (``coding`` sorted)."""
    if not len(coding):
        return {}
    starts = np.flatnonzero(np.concatenate([[True], coding[1:] != coding[:-1]]))
    return dict(zip(coding[starts].tolist(), np.maximum.reduceat(last, starts).tolist(),
                    strict=True))


def _dictionary(column: Any) -> tuple[Int64Array, list[Any]]:
    """(indices, distinct values) of a string column, by Arrow's dictionary encoding."""
    import pyarrow as pa

    encoded = column.dictionary_encode().combine_chunks() if len(column) else pa.array(
        [], pa.string()).dictionary_encode()
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")
    return indices, encoded.dictionary.to_pylist()


def _categorical(indices: Int64Array, values: list[Any]) -> pd.Categorical:
    """Categories in the order the sorted rows first show them, as before the sort."""
    codes, used = pd.factorize(indices)
    known = used >= 0
    categories = np.array([*values, None], dtype=object)[used[known]]
    renumber = np.where(known, np.cumsum(known) - 1, -1)
    return pd.Categorical.from_codes(renumber[codes], categories=pd.Index(categories,
                                                                          dtype=object))


def _modifiers(indices: Int64Array, texts: list[Any]) -> ObjectArray:
    """Each event's modifiers as the pandas path has them (a dict); the JSON text of each
    distinct set is parsed once, and events with the same set share its dict."""
    parsed = np.empty(len(texts) + 1, dtype=object)
    parsed[:] = [json.loads(t) if t else {} for t in texts] + [{}]
    out: ObjectArray = parsed[indices]  # -1 (no text): the empty set, the store's default
    return out


def score_scanned(scanned: Scanned, segments: pd.DataFrame, durations: Mapping[int, int],
                  ratings: Mapping[int, Mapping[str, Any]], scheme: Scheme,
                  settings: StudySettings, *, stability: bool) -> pd.DataFrame:
    """The cohort rows of a scanned batch: the core's signs, then the dimension counts."""
    scores = score_codings(
        scanned.events, segments, scheme=scheme, durations=pd.Series(durations),
        ratings={i: ratings.get(i, {}) for i in durations},
        settings=settings.indicator_settings(), disrupted_cutoff=settings.disrupted_cutoff,
        stability=stability, evidence=False, counts=False)
    rows = cohort_table(scores).rename(columns={"coding": "coding_id"})
    counts = dimension_counts(scanned, segments, durations, scheme).reindex(
        rows["coding_id"]).fillna(0).astype("int64")
    at = rows.columns.get_loc("level")
    for offset, column in enumerate(counts.columns):
        rows.insert(int(at) + offset, column, counts[column].to_numpy())  # type: ignore[arg-type]
    return rows


def dimension_counts(scanned: Scanned, segments: pd.DataFrame,
                     durations: Mapping[int, int], scheme: Scheme) -> pd.DataFrame:
    """``count_<dimension>`` per coding (index: coding id): the events (points and state
    onsets) of the dimension's codes whose onset lies in the coding's observed period, as
    :func:`samspill.core.ambiance.ambiance_counts` counts them for the whole-session scope;
    one pass over the scanned rows."""
    dims = [d.id for d in scheme.dimensions]
    dim_of = {c.id: dims.index(c.dimension) for c in scheme.codes if c.dimension in dims}
    # Each distinct code's dimension (-1: none); the last slot for rows with no code.
    dim_of_code = np.array([dim_of.get(c, -1) for c in scanned.codes] + [-1], dtype="int64")
    ids = np.fromiter(durations, dtype="int64", count=len(durations))
    if not len(ids):
        return pd.DataFrame(columns=[f"count_{d}" for d in dims], dtype="int64")
    start, end = observed_periods(segments, durations)
    position = pd.Index(ids).get_indexer(scanned.events["coding"].to_numpy())
    mine = np.maximum(position, 0)
    onset = scanned.events["onset_ms"].to_numpy()
    dim = dim_of_code[scanned.code]
    counted = (position >= 0) & (dim >= 0) & (onset >= start[mine]) & (onset < end[mine])
    found = np.bincount(mine[counted] * len(dims) + dim[counted],
                        minlength=len(ids) * len(dims)).reshape(len(ids), len(dims))
    return pd.DataFrame(found.astype("int64"), index=ids,
                        columns=[f"count_{d}" for d in dims])


def observed_periods(segments: pd.DataFrame, durations: Mapping[int, int]
                     ) -> tuple[Int64Array, Int64Array]:
    """Per coding of ``durations`` (in its order) the observed period's start and end: from
    its first segment's start to its last one's end, else the whole recording (the core's
    ``observed_period``)."""
    ids = np.fromiter(durations, dtype="int64", count=len(durations))
    start = np.zeros(len(ids), dtype="int64")
    end = np.fromiter(durations.values(), dtype="int64", count=len(ids))
    if len(segments):
        at = pd.Index(ids).get_indexer(segments["coding"].to_numpy())
        mine = at >= 0
        first = np.full(len(ids), np.iinfo("int64").max)
        np.minimum.at(first, at[mine], segments["start_ms"].to_numpy(dtype="int64")[mine])
        last = np.full(len(ids), -1)
        np.maximum.at(last, at[mine], segments["end_ms"].to_numpy(dtype="int64")[mine])
        has = last >= 0
        start[has], end[has] = first[has], last[has]
    return start, end


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
