"""The statistics on stored codings equal the core's on the same tables, built here by hand
from the stored events (states of one exclusive set under one subject label)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from samspill.cli import app
from samspill.core.events import Event
from samspill.core.reliability import (
    agreement_timeline,
    confusion_matrix,
    event_kappa,
    icc,
    match_events,
    per_code_kappa_units,
    time_unit_kappa,
    time_unit_kappa_tolerance,
)
from samspill.services import agreement, studies
from samspill.services.setup import ensure_user
from samspill.store.db import Database
from tests.agreement.tapes import add_coding, add_tape, noisy

# The withdrawal-open scheme's state sets, written out independently of the service.
STATE_LABEL = {"near": "caregiver/proximity", "far": "caregiver/proximity",
               "absent": "caregiver/proximity", "hold": "caregiver/hold",
               "distress": "child/distress"}
LEVELS = {"ann": [2, 5, 3, 6], "bob": [3, 5, 2, 7]}


def by_hand(events: list[Event], shift_ms: int = 0) -> pd.DataFrame:
    rows = [(STATE_LABEL.get(e.code, e.subject), e.code, e.onset_ms + shift_ms,
             None if e.offset_ms is None else e.offset_ms + shift_ms) for e in events]
    frame = pd.DataFrame(rows, columns=["subject", "code", "onset_ms", "offset_ms"])
    return frame.astype({"onset_ms": "int64", "offset_ms": "Int64"})


def _study(database: Database) -> dict[str, tuple[list[Event], list[Event], int]]:
    rng = np.random.default_rng(5)
    coded = {}
    with database.session() as db:
        own, ann, bob = (ensure_user(db, n) for n in ("own", "ann", "bob"))
        study = studies.create_study(db, name="s1", owner=own)
        for i in range(4):
            session, events = add_tape(db, study, f"t{i}", seed=40 + i)
            other = noisy(events, rng, jitter_ms=2500, drop=0.3)
            add_coding(db, session, ann, events, level=LEVELS["ann"][i])
            add_coding(db, session, bob, other, level=LEVELS["bob"][i])
            coded[f"t{i}"] = (events, other, int(session.duration_ms))
    return coded


def test_pair_statistics_equal_the_cores_on_the_same_tables(database: Database) -> None:
    coded = _study(database)
    with database.session() as db:
        report = agreement.study_agreement(db, studies.get_study(db, "s1"), unit_ms=1000,
                                           tolerance_ms=2000)
    pairs = report.pairs.set_index("session")
    for name, (events_a, events_b, end) in coded.items():
        a, b = by_hand(events_a), by_hand(events_b)
        units = {"unit_ms": 1000, "end_ms": end}
        row = pairs.loc[name]
        assert row["time_unit_kappa"] == pytest.approx(
            time_unit_kappa(a, b, **units)["kappa"].iloc[-1], abs=1e-12)
        tolerant = time_unit_kappa_tolerance(a, b, tolerance_ms=2000, **units).iloc[-1]
        assert row["kappa_mean"] == pytest.approx(tolerant["kappa_mean"], abs=1e-12)
        expected = event_kappa(match_events(a, b, tolerance_ms=2000))["kappa"].iloc[0]
        assert row["event_kappa"] == pytest.approx(expected, abs=1e-12, nan_ok=True)
        pd.testing.assert_frame_equal(report.confusion[(name, "ann", "bob")],
                                      confusion_matrix(a, b, **units))
        mine = report.per_code[report.per_code["session"] == name].drop(
            columns=["session", "coder_a", "coder_b"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, per_code_kappa_units(a, b, **units))


def test_the_pairwise_matrix_pools_the_sessions_time_units(database: Database) -> None:
    """Pooled κ: every unit of every session's subject sets in one table, κ by hand."""
    coded = _study(database)
    with database.session() as db:
        report = agreement.study_agreement(db, studies.get_study(db, "s1"), unit_ms=1000)
    units = pd.concat([agreement_timeline(by_hand(a), by_hand(b), unit_ms=1000, end_ms=end)
                       for a, b, end in coded.values()])
    table = pd.crosstab(units["code_a"], units["code_b"])
    labels = sorted(set(table.index) | set(table.columns))
    counts = table.reindex(index=labels, columns=labels, fill_value=0).to_numpy(float)
    n = counts.sum()
    p_o = np.trace(counts) / n
    p_e = float((counts.sum(axis=1) * counts.sum(axis=0)).sum()) / n**2
    assert report.pairwise.loc["ann", "bob"] == pytest.approx((p_o - p_e) / (1 - p_e), abs=1e-12)
    assert report.pairwise.loc["bob", "ann"] == report.pairwise.loc["ann", "bob"]


def test_level_agreement_equals_the_cores_icc(database: Database) -> None:
    _study(database)
    with database.session() as db:
        report = agreement.study_agreement(db, studies.get_study(db, "s1"))
    frame = pd.DataFrame([(f"t{i}", coder, level) for coder, levels in LEVELS.items()
                          for i, level in enumerate(levels)], columns=["t", "r", "y"])
    expected = icc(frame, target="t", rater="r", rating="y").set_index("type")
    got = report.ratings[report.ratings["measure"] == "level"].set_index("statistic")
    for kind in ("ICC1", "ICC2", "ICC3k"):
        assert got.loc[kind, "value"] == pytest.approx(expected.loc[kind, "icc"], abs=1e-12)
    assert got.loc["percent", "value"] == pytest.approx(25.0)  # only t1 agrees (5, 5)


def test_samspill_agreement_codings_prints_the_same_statistics(
    sqlite_database: Database,
) -> None:
    coded = _study(sqlite_database)
    data = str(sqlite_database.settings.data_dir)
    result = CliRunner().invoke(app, ["agreement", "codings", "--study", "s1", "--session", "t2",
                                      "--unit-ms", "500", "--format", "json", "--data-dir", data])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    events_a, events_b, end = coded["t2"]
    expected = time_unit_kappa(by_hand(events_a), by_hand(events_b), unit_ms=500, end_ms=end)
    assert [p["session"] for p in body["pairs"]] == ["t2"]
    assert body["pairs"][0]["time_unit_kappa"] == pytest.approx(expected["kappa"].iloc[-1])
    assert body["unit_ms"] == 500 and body["confusion"][0]["labels"][0] == "nil"
    table = CliRunner().invoke(app, ["agreement", "codings", "--study", "s1", "--data-dir", data])
    assert table.exit_code == 0 and "Pairwise time-unit kappa" in table.output


def test_a_study_without_double_coding_is_refused_with_the_fix(database: Database) -> None:
    with database.session() as db:
        study = studies.create_study(db, name="s9", owner=ensure_user(db, "own"))
        with pytest.raises(Exception, match="two or more coders"):
            agreement.study_agreement(db, study)
