"""The columnar cohort (Parquet + DuckDB) against the pandas path, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.orm import Session

from samspill.core.events import Event, Segment
from samspill.core.selection import EVERY_CODING, ONE_PER_SESSION, Pooling
from samspill.services import codings, columnar, studies
from samspill.services.columnar_cohort import cohort_columnar, event_order
from samspill.services.schemes import latest_version
from samspill.services.scoring import Cohort, cohort_for_study
from samspill.services.simulation import add_simulated_sessions
from samspill.store.db import Database
from samspill.store.models import Study
from tests.factories import make_coded_session, make_user


def assert_same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    """Column by column: same names, order and rows; floats within 1e-9, NaN where NaN."""
    assert list(fast.columns) == list(slow.columns)
    assert len(fast) == len(slow)
    for column in slow.columns:
        a, b = fast[column], slow[column]
        if pd.api.types.is_float_dtype(b) and pd.api.types.is_float_dtype(a):
            assert np.allclose(a.to_numpy(), b.to_numpy(), rtol=0, atol=1e-9,
                               equal_nan=True), column
        else:
            assert a.astype(object).where(a.notna(), None).tolist() == \
                b.astype(object).where(b.notna(), None).tolist(), column


def assert_cohorts_equal(fast: Cohort, slow: Cohort) -> None:
    assert_same(fast.table, slow.table)
    assert_same(fast.excluded, slow.excluded)


def both(db: Session, study: Study, root: Path, *, stability: bool = False,
         pooled: Pooling = ONE_PER_SESSION, batch: int = 1_000,
         workers: int | None = None) -> tuple[Cohort, Cohort]:
    fast = cohort_columnar(db, study, root=root, stability=stability, pooled=pooled,
                           batch=batch, workers=workers)
    return fast, cohort_for_study(db, study, stability=stability, pooled=pooled)


@pytest.mark.parametrize(("seed", "procedure"), [(1, "free-play"), (7, "ssp"), (11, "ssp")])
def test_duckdb_and_pandas_give_the_same_cohort_on_simulated_studies(
        database: Database, tmp_path: Path, seed: int, procedure: str) -> None:
    with database.session() as db:
        built = make_coded_session(db)  # the vignette: every sign present
        for style in ("sensitive", "withdrawn", "hostile", "frightened"):
            add_simulated_sessions(db, study=built.study, style=style, sessions=2, seed=seed,
                                   procedure=procedure)  # type: ignore[arg-type]
        fast, slow = both(db, built.study, tmp_path, batch=3)  # batches of 3: 3 batches
    assert len(slow.table) == 9
    assert_cohorts_equal(fast, slow)


def test_stability_every_coding_and_broken_codings_give_the_same_cohort(
        database: Database, tmp_path: Path) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        add_simulated_sessions(db, study=built.study, style="withdrawn", sessions=1, seed=3)
        version = latest_version(db, "withdrawal-open")
        # A second coder on the vignette: one per session keeps the first, off keeps both.
        second = codings.create_coding(db, session=built.session, coder=make_user(db, "rita"),
                                       scheme_version=version)
        codings.replace_events(db, coding=second, events=[
            Event(subject="child", code="bid", onset_ms=1000, modifiers={"kind": "call"})])
        codings.upsert_event(db, coding=second, event=Event(
            subject="caregiver", code="hold", onset_ms=5000))  # left running: excluded
        # An empty coding of a session with a length; one with no length and no events.
        dyad = built.session.dyad
        quiet = studies.create_session(db, study=built.study, dyad=dyad, name="quiet",
                                       duration_ms=120_000)
        codings.create_coding(db, session=quiet, coder=built.owner, scheme_version=version)
        empty = studies.create_session(db, study=built.study, dyad=dyad, name="empty")
        codings.create_coding(db, session=empty, coder=built.owner, scheme_version=version)
        # Segments on the vignette's session: the counts follow the observed period.
        studies.put_segment(db, session=built.session, segment=Segment(
            name="Reunion", role="reunion", start_ms=10_000, end_ms=60_000))
        db.flush()
        for pooled in (ONE_PER_SESSION, EVERY_CODING):
            fast, slow = both(db, built.study, tmp_path, pooled=pooled, batch=2)
            assert_cohorts_equal(fast, slow)
        assert len(slow.excluded) == 2  # the running hold, the session with no length
        fast, slow = both(db, built.study, tmp_path, stability=True)
    assert "distance_stability" in slow.table
    assert_cohorts_equal(fast, slow)


def test_a_changed_coding_gets_a_new_file_and_a_deleted_one_loses_its_folder(
        database: Database, tmp_path: Path) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        add_simulated_sessions(db, study=built.study, style="hostile", sessions=1, seed=5)
        first = columnar.refresh(db, built.study, tmp_path).files
        mine = first[built.coding.id]
        assert mine.exists() and len(first) == 2
        stamp = {c: p.stat().st_mtime_ns for c, p in first.items()}
        codings.upsert_event(db, coding=built.coding, event=Event(
            subject="caregiver", code="respond", onset_ms=2_000))
        db.flush()
        second = columnar.refresh(db, built.study, tmp_path).files
        assert second[built.coding.id] != mine and not mine.exists()
        assert second[built.coding.id].exists()
        assert [p.name for p in second[built.coding.id].parent.iterdir()] == [
            second[built.coding.id].name]
        other = next(c for c in first if c != built.coding.id)
        assert second[other] == first[other]  # unchanged: not rewritten
        assert second[other].stat().st_mtime_ns == stamp[other]
        fast, slow = both(db, built.study, tmp_path)
        assert_cohorts_equal(fast, slow)
        gone = second[built.coding.id].parent
        db.delete(built.coding)
        db.flush()
        third = columnar.refresh(db, built.study, tmp_path).files
    assert built.coding.id not in third and not gone.exists()
    assert oct(columnar.study_dir(tmp_path, built.study.id).stat().st_mode & 0o777) == "0o700"


def test_compaction_reads_the_base_and_never_a_replaced_version(
        database: Database, tmp_path: Path) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        for style in ("sensitive", "withdrawn", "hostile"):
            add_simulated_sessions(db, study=built.study, style=style, sessions=2, seed=9)
        compacted = columnar.refresh(db, built.study, tmp_path, compact_at=1)
        study = columnar.study_dir(tmp_path, built.study.id)
        assert len(compacted) == 7 and not compacted.files
        assert [f.name.split("=")[0] for f in study.iterdir()] == ["base"]
        fast, slow = both(db, built.study, tmp_path, batch=3)  # read from the base
        assert_cohorts_equal(fast, slow)
        # A change after compaction: the coding gets its own file; its base rows are dead.
        codings.upsert_event(db, coding=built.coding, event=Event(
            subject="caregiver", code="respond", onset_ms=2_000))
        db.flush()
        mixed = columnar.refresh(db, built.study, tmp_path)
        assert list(mixed.files) == [built.coding.id] and len(mixed.base) == 6
        fast, slow = both(db, built.study, tmp_path, batch=3)
        assert_cohorts_equal(fast, slow)
        fast, _ = both(db, built.study, tmp_path, batch=2, workers=2)  # two processes
        assert_cohorts_equal(fast, slow)
        # The next compaction absorbs the file and replaces the old generation.
        old = compacted.base[built.coding.id].parent
        again = columnar.refresh(db, built.study, tmp_path, compact_at=1)
        assert not again.files and not old.exists()
        assert [f.name.split("=")[0] for f in study.iterdir()] == ["base"]
        db.delete(built.coding)
        db.flush()
        fast, slow = both(db, built.study, tmp_path, batch=3)
        assert built.coding.id not in columnar.refresh(db, built.study, tmp_path)
    assert_cohorts_equal(fast, slow)


def test_edge_codings_give_the_same_cohort(database: Database, tmp_path: Path) -> None:
    """One-event codings, codings with no events of a subject or of a dimension, events at
    the same instant (sorted by subject and code, whatever order they were saved in), a
    state running to the very end, and events outside the observed period."""
    bid = {"kind": "reach"}
    edges = {
        "one-bid": [Event(subject="child", code="bid", onset_ms=4_000, modifiers=bid)],
        "one-act": [Event(subject="caregiver", code="wd", onset_ms=0)],
        "caregiver-only": [Event(subject="caregiver", code=c, onset_ms=t)
                           for c, t in (("ae", 1_000), ("rb", 1_000), ("respond", 9_000))],
        "child-only": [Event(subject="child", code="bid", onset_ms=t, modifiers=bid)
                       for t in (1_000, 3_000, 3_000, 50_000)],
        "same-instant": [  # saved in an order that is not the sorted one
            Event(subject="caregiver", code="wd", onset_ms=5_000),
            Event(subject="child", code="bid", onset_ms=5_000, modifiers=bid),
            Event(subject="caregiver", code="ae", onset_ms=5_000),
            Event(subject="caregiver", code="respond", onset_ms=5_000),
            Event(subject="caregiver", code="hold", onset_ms=5_000, offset_ms=20_000),
            Event(subject="child", code="distress", onset_ms=5_000, offset_ms=8_000)],
        "running-to-the-end": [
            Event(subject="child", code="bid", onset_ms=2_000, modifiers=bid),
            Event(subject="caregiver", code="near", onset_ms=0, offset_ms=60_000),
            Event(subject="caregiver", code="hold", onset_ms=30_000, offset_ms=60_000)],
        "outside-the-segments": [  # counts only inside the observed period
            Event(subject="caregiver", code=c, onset_ms=t)
            for c, t in (("ae", 1_000), ("ae", 10_000), ("fd", 30_000), ("fd", 40_000))],
    }
    with database.session() as db:
        built = make_coded_session(db)
        version = latest_version(db, "withdrawal-open")
        for name, events in edges.items():
            session = studies.create_session(db, study=built.study, dyad=built.session.dyad,
                                             name=name, duration_ms=60_000)
            coding = codings.create_coding(db, session=session, coder=built.owner,
                                           scheme_version=version)
            codings.replace_events(db, coding=coding, events=events)
            if name == "outside-the-segments":
                studies.put_segment(db, session=session, segment=Segment(
                    name="Play", role="plain", start_ms=5_000, end_ms=35_000))
        db.flush()
        fast, slow = both(db, built.study, tmp_path, batch=3)  # one file per coding
        assert_cohorts_equal(fast, slow)
        columnar.refresh(db, built.study, tmp_path, compact_at=1)
        fast, slow = both(db, built.study, tmp_path, batch=4)  # from the compacted base
    assert_cohorts_equal(fast, slow)
    assert len(slow.table) == len(edges) + 1 and slow.excluded.empty
    counts = slow.table.set_index("session")
    assert counts.loc["outside-the-segments", ["count_AE", "count_FD"]].tolist() == [1, 1]


@pytest.mark.parametrize("shuffled", [False, True])
def test_event_order_is_the_full_sort_whether_rows_come_stored_or_not(shuffled: bool) -> None:
    rng = np.random.default_rng(4)
    n = 5_000
    coding, onset = rng.integers(0, 40, n), rng.integers(0, 300, n)  # many ties
    subject, code, seq = rng.integers(-1, 3, n), rng.integers(-1, 9, n), rng.permutation(n)
    stored = np.lexsort((onset, coding))  # as the base holds them: by coding and onset
    rows = rng.permutation(n) if shuffled else stored
    coding, onset, subject, code, seq = (a[rows] for a in (coding, onset, subject, code, seq))
    ranked = [np.where(a < 0, 99, a) for a in (subject, code)]  # no text: last
    expected = np.lexsort((seq, ranked[1], ranked[0], onset, coding))
    found = event_order(coding, onset, ranked[0], ranked[1], seq)
    assert found.tolist() == expected.tolist()
