"""The cohort table over Parquet files with DuckDB: the fast path of ``samspill cohort``.

Same codings, same rows, same values as :func:`samspill.services.scoring.cohort_for_study`
(the *pandas path*: events read from the database row by row); a test compares the two
column by column. What differs is where the events come from and who does which part:

1. :func:`samspill.services.columnar.refresh` keeps one Parquet file per coding version
   (written only for codings changed since the last run).
2. DuckDB scans the files of a batch of codings once into a temporary table, and does the
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
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
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
                    ) -> pandas_path.Cohort:
    """The cohort of :func:`~samspill.services.scoring.cohort_for_study` (same arguments,
    same result) from the study's Parquet files under ``root``, refreshed first."""
    import duckdb

    chosen = pandas_path.cohort_codings(db, study, pooled)
    reconciled = pooling.reconciled_ids(db, (c.session_id for c in chosen))
    settings = pandas_path.settings_of(study)
    settings.indicator_settings()  # a study setting in error fails the cohort, not each coding
    files = columnar.refresh(db, study, root)
    groups: dict[int, list[Coding]] = defaultdict(list)
    for coding in chosen:
        groups[coding.scheme_version_id].append(coding)
    tables, excluded = [], []
    done, total = 0, max(len(chosen), 1)
    size = pandas_path.STABILITY_BATCH if stability else batch
    with duckdb.connect() as con:
        for group in groups.values():
            scheme = scheme_of(group[0].scheme_version)
            for part in pandas_path._batches(group, size):
                rows, failed = _score_stored(con, db, part, files, scheme, settings,
                                             stability=stability)
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


def _score_stored(con: duckdb.DuckDBPyConnection, db: Session, part: list[Coding],
                  files: Mapping[int, Path], scheme: Scheme, settings: StudySettings, *,
                  stability: bool) -> tuple[pd.DataFrame | None,
                                            list[tuple[Coding, SamspillError]]]:
    """One batch's rows (``coding_id`` and the core's columns); a batch with a coding that
    cannot be scored goes to the pandas path whole, for its exact reasons."""
    ids = [c.id for c in part]
    scanned = scan(con, [files[i] for i in ids], scheme)
    try:
        durations = {c.id: pandas_path.coding_duration(c, scanned.last_ms.get(c.id))
                     for c in part}
        rows = score_scanned(con, scanned, pandas_path._segments_table(db, part), durations,
                             pandas_path._ratings(db, ids), scheme, settings,
                             stability=stability)
    except SamspillError:
        scores, failed = pandas_path._score_resilient(db, part, scheme, settings,
                                                      stability=stability)
        if scores is None:
            return None, failed
        return cohort_table(scores).rename(columns={"coding": "coding_id"}), failed
    return rows, []


@dataclass(frozen=True)
class Scanned:
    """A batch's events as the core reads them (``coding`` plus ``event_needs``, sorted as
    the pandas path sorts them) and each coding's last onset or offset in ms."""

    events: pd.DataFrame
    last_ms: dict[int, int]


def scan(con: duckdb.DuckDBPyConnection, files: Sequence[Path], scheme: Scheme) -> Scanned:
    """Read the files once into DuckDB's temporary table ``ev`` and fetch the events."""
    del scheme  # kinds come from the scheme inside the core, as on the pandas path
    if not files:
        con.execute("CREATE OR REPLACE TEMP TABLE ev (coding BIGINT, seq INTEGER, "
                    "subject VARCHAR, code VARCHAR, onset_ms BIGINT, offset_ms BIGINT, "
                    "modifiers VARCHAR)")
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE ev AS SELECT coding, seq, subject, code, "
                    "onset_ms, offset_ms, modifiers FROM read_parquet($files)",
                    {"files": [str(f) for f in files]})
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


def table_of_files(files: Mapping[int, Path], durations: Mapping[int, int],
                   segments: pd.DataFrame, scheme: Scheme, settings: StudySettings, *,
                   stability: bool = False, batch: int = BATCH,
                   ) -> pd.DataFrame:
    """The core's cohort rows of codings given by their Parquet files alone (no database:
    what ``bench/scale.py`` times): ``coding_id``, then the columns of ``cohort_table`` with
    DuckDB's dimension counts. ``segments`` in ``segments_frame`` form with a ``coding``
    column; no ratings (level and profile empty). Raises when a coding cannot be scored."""
    import duckdb

    ids = list(files)
    parts = []
    with duckdb.connect() as con:
        for start in range(0, len(ids), max(batch, 1)):
            part = ids[start:start + batch]
            scanned = scan(con, [files[i] for i in part], scheme)
            mine = segments[segments["coding"].isin(part)].reset_index(drop=True)
            parts.append(score_scanned(con, scanned, mine, {i: durations[i] for i in part},
                                       {}, scheme, settings, stability=stability))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
