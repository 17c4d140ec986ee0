"""Timing of matched events: a coder who logs every event late matches every event within the
tolerance, yet is late; feedback must be able to say by how much."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samspill.core.errors import InputError
from samspill.core.reliability import (
    match_events,
    time_unit_kappa,
    timing_differences,
    timing_summary,
)


def _coding(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["subject", "code", "onset_ms", "offset_ms"])


MASTER = _coding([("caregiver", "respond", 10_000, None), ("child", "bid", 4_000, None),
                  ("caregiver", "near", 0, 20_000)])


def test_a_respond_one_second_late_matches_but_reads_one_second_late() -> None:
    late = _coding([("caregiver", "respond", 11_000, None), ("child", "bid", 4_000, None),
                    ("caregiver", "near", 0, 20_000)])
    pairs = match_events(late, MASTER, tolerance_ms=2_000)
    assert pairs["agree"].all(), "every event is matched within the tolerance"
    timing = timing_differences(pairs, late, MASTER)
    respond = timing.set_index("code_b").loc["respond"]
    assert respond["onset_lag_ms"] == 1_000 and pd.isna(respond["offset_lag_ms"])
    assert timing.set_index("code_b").loc["near", "offset_lag_ms"] == 0
    summary = timing_summary(timing, unit_ms=1_000)
    assert (summary["matched"], summary["late"], summary["early"], summary["on_time"]) == \
        (3, 1, 0, 2)
    assert summary["max_abs_lag_ms"] == 1_000
    # ...and the time-unit κ of the points is what falls, which is why the timing is shown.
    points = time_unit_kappa(late, MASTER, unit_ms=1_000, end_ms=20_000)
    rows = points.set_index(["subject", "set"])
    assert rows.loc[("caregiver", "point"), "kappa"] < 0.5


def test_early_onsets_and_ends_that_differ_are_told_apart() -> None:
    other = _coding([("caregiver", "respond", 8_500, None), ("child", "bid", 4_200, None),
                     ("caregiver", "near", 0, 17_000)])
    timing = timing_differences(match_events(other, MASTER, tolerance_ms=2_000), other, MASTER)
    summary = timing_summary(timing, unit_ms=1_000)
    assert (summary["early"], summary["ends_differ"], summary["on_time"]) == (1, 1, 1)
    lags = dict(zip(timing["code_b"], timing["onset_lag_ms"], strict=True))
    assert lags == {"near": 0, "bid": 200, "respond": -1_500}


def test_unmatched_events_are_not_timing_differences() -> None:
    fewer = _coding([("child", "bid", 9_000, None)])
    timing = timing_differences(match_events(fewer, MASTER, tolerance_ms=2_000), fewer, MASTER)
    assert timing.empty
    summary = timing_summary(timing, unit_ms=1_000)
    assert summary["matched"] == 0 and summary["max_abs_lag_ms"] == 0


def test_bad_input_is_refused_with_a_fix() -> None:
    with pytest.raises(InputError, match="unit_ms"):
        timing_summary(pd.DataFrame({"onset_lag_ms": [], "offset_lag_ms": []}), unit_ms=0)
    with pytest.raises(InputError, match="column"):
        timing_differences(pd.DataFrame({"x": [1]}), MASTER, MASTER)


def test_random_shifts_come_back_as_the_lags() -> None:
    rng = np.random.default_rng(5)
    onsets = np.arange(0, 200_000, 5_000)
    shifts = rng.integers(-1_500, 1_501, len(onsets))
    ref = _coding([("child", "bid", int(t), None) for t in onsets])
    moved = _coding([("child", "bid", int(t + s), None) for t, s in zip(onsets, shifts,
                                                                           strict=True)])
    timing = timing_differences(match_events(moved, ref, tolerance_ms=2_000), moved, ref)
    assert timing["onset_lag_ms"].tolist() == shifts.tolist()
