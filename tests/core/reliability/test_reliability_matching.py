"""Event matching by onset tolerance, against exhaustive search and by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.core.errors import InputError
from samspill.core.reliability import event_kappa, event_matrix, match_events, point_summary


def _coding(rows):
    frame = pd.DataFrame(rows, columns=["subject", "code", "onset_ms", "offset_ms"])
    return frame.astype({"onset_ms": "int64", "offset_ms": "Int64"})


def test_points_pair_within_tolerance_and_leave_the_rest_to_nil():
    a = _coding([("c", "p", 1000, None), ("c", "p", 5000, None), ("c", "q", 9000, None)])
    b = _coding([("c", "p", 1300, None), ("c", "q", 5200, None), ("c", "q", 20000, None)])
    pairs = match_events(a, b, tolerance_ms=500)
    matrix = event_matrix(pairs)
    assert matrix.loc["p", "p"] == 1 and matrix.loc["p", "q"] == 1
    assert matrix.loc["q", "nil"] == 1 and matrix.loc["nil", "q"] == 1
    assert matrix.loc["nil", "nil"] == 0
    summary = point_summary(pairs).set_index("subject").loc["all"]
    assert summary["matched_share"] == pytest.approx(2 * 2 / 6)
    assert summary["median_onset_diff_ms"] == pytest.approx(250)


def test_matching_prefers_the_same_code_over_the_nearest_onset():
    a = _coding([("c", "p", 1000, None)])
    b = _coding([("c", "q", 1000, None), ("c", "p", 1400, None)])
    pairs = match_events(a, b, tolerance_ms=500)
    paired = pairs.dropna(subset=["a_row", "b_row"])
    assert list(paired["code_b"]) == ["p"]


def test_min_overlap_keeps_barely_overlapping_states_apart():
    a = _coding([("c", "x", 0, 1000)])
    b = _coding([("c", "x", 900, 5000)])
    assert event_matrix(match_events(a, b, tolerance_ms=1000)).loc["x", "x"] == 1
    apart = event_matrix(match_events(a, b, tolerance_ms=1000, min_overlap=0.5))
    assert apart.loc["x", "x"] == 0 and apart.loc["x", "nil"] == 1


def test_events_of_different_subjects_or_kinds_never_pair():
    a = _coding([("mother", "x", 0, 1000), ("child", "p", 0, None)])
    b = _coding([("child", "x", 0, 1000), ("mother", "p", 0, None)])
    pairs = match_events(a, b, tolerance_ms=1000)
    assert pairs[["a_row", "b_row"]].isna().any(axis=1).all()


def _rank(pairs, tolerance):
    """The documented order of pairings: most pairs, then most agreements, then least gap."""
    paired = pairs.dropna(subset=["a_row", "b_row"])
    return (-len(paired), -int((paired["code_a"] == paired["code_b"]).sum()),
            round(float(paired["onset_diff_ms"].abs().sum()), 6))


def _best_rank(a, b, tolerance):
    """Exhaustive search over every one-to-one pairing of A's and B's events."""
    best = None
    slots = list(range(len(b))) + [None] * len(a)
    for choice in itertools.permutations(slots, len(a)):
        used = [j for j in choice if j is not None]
        if len(used) != len(set(used)):
            continue
        gaps = [abs(a[i][1] - b[j][1]) for i, j in enumerate(choice) if j is not None]
        if any(g > tolerance for g in gaps):
            continue
        agree = sum(a[i][0] == b[j][0] for i, j in enumerate(choice) if j is not None)
        rank = (-len(used), -agree, round(float(sum(gaps)), 6))
        best = rank if best is None else min(best, rank)
    return best


def test_matching_pairs_the_most_events_before_agreeing_codes():
    # One agreeing pair (q-q) leaves two events unpaired; two disagreeing pairs pair them all.
    a = _coding([("c", "p", 0, None), ("c", "q", 1000, None)])
    b = _coding([("c", "q", 500, None), ("c", "r", 2500, None)])
    pairs = match_events(a, b, tolerance_ms=1500)
    paired = pairs.dropna(subset=["a_row", "b_row"])
    assert len(paired) == 2 and not paired["agree"].any()


points = st.lists(st.tuples(st.sampled_from("pq"), st.integers(0, 3000)), max_size=4)


@settings(max_examples=60, deadline=None)
@given(points, points, st.sampled_from([0, 300, 1000]))
def test_matching_finds_the_best_pairing_found_by_exhaustive_search(pa, pb, tolerance):
    a = _coding([("c", code, t, None) for code, t in pa])
    b = _coding([("c", code, t, None) for code, t in pb])
    pairs = match_events(a, b, tolerance_ms=tolerance)
    assert _rank(pairs, tolerance) == _best_rank(pa, pb, tolerance)
    assert (pairs["onset_diff_ms"].dropna().abs() <= tolerance).all()
    assert pairs["a_row"].dropna().is_unique and pairs["b_row"].dropna().is_unique
    assert pairs["a_row"].notna().sum() == len(a) and pairs["b_row"].notna().sum() == len(b)


@settings(max_examples=30, deadline=None)
@given(points.filter(lambda p: len({c for c, _ in p}) == 2))
def test_identical_codings_match_completely_with_kappa_one(pa):
    a = _coding([("c", code, t, None) for code, t in pa])
    pairs = match_events(a, a, tolerance_ms=0)
    assert event_kappa(pairs).iloc[0]["kappa"] == pytest.approx(1.0)
    summary = point_summary(pairs).iloc[-1]
    assert summary["matched_share"] == 1.0 and summary["median_abs_onset_diff_ms"] == 0


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"tolerance_ms": -1}, "tolerance_ms"),
    ({"tolerance_ms": 100, "min_overlap": 1.5}, "min_overlap"),
])
def test_bad_matching_parameters_raise_input_error(kwargs, words):
    a = _coding([("c", "x", 0, 1000)])
    with pytest.raises(InputError, match=words):
        match_events(a, a, **kwargs)


def test_point_summary_is_nan_without_points():
    a = _coding([("c", "x", 0, 1000)])
    summary = point_summary(match_events(a, a, tolerance_ms=0)).iloc[-1]
    assert summary["matched"] == 0 and np.isnan(summary["matched_share"])


def test_agree_marks_pairs_with_the_same_code_only():
    a = _coding([("c", "p", 1000, None), ("c", "p", 5000, None), ("c", "q", 9000, None)])
    b = _coding([("c", "p", 1300, None), ("c", "q", 5200, None)])
    pairs = match_events(a, b, tolerance_ms=500).sort_values("onset_a_ms")
    assert list(pairs["agree"]) == [True, False, False]
