"""Time-unit κ (Bakeman, Quera & Gnisci 2009) against a unit-by-unit brute force and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.core.errors import EventError, InputError
from samspill.core.reliability import (
    agreement_timeline,
    confusion_matrix,
    per_code_kappa_units,
    time_unit_kappa,
)
from tests.core.reliability.reliability_brute import (
    codes_per_unit,
    codings,
    cohen_kappa,
    keys,
    n_units,
)


def _coding(rows):
    frame = pd.DataFrame(rows, columns=["subject", "code", "onset_ms", "offset_ms"])
    return frame.astype({"onset_ms": "int64", "offset_ms": "Int64"})


A = _coding([("c", "x", 0, 1000), ("c", "y", 1000, 3000), ("c", "p", 1500, None)])
B = _coding([("c", "x", 0, 2000), ("c", "y", 2000, 3500)])


def test_hand_tallied_example_at_half_second_units():
    # Units of 500 ms up to 3500 ms: A = x x y y y y nil, B = x x x x y y y.
    # Cells: (x,x)=2, (y,x)=2, (y,y)=2, (nil,y)=1 -> p_o = 4/7, p_e = 20/49, kappa = 8/29.
    out = time_unit_kappa(A, B, unit_ms=500).set_index(["subject", "set"])
    assert out.loc[("c", "state"), "units"] == 7
    assert out.loc[("c", "state"), "kappa"] == pytest.approx(8 / 29, abs=1e-12)
    matrix = confusion_matrix(A, B, unit_ms=500)
    assert matrix.loc["y", "x"] == 2 and matrix.loc["nil", "y"] == 1
    assert matrix.loc["p", "nil"] == 1  # the point event's unit, in the point set


def test_state_applies_from_onset_up_to_but_not_at_offset():
    one = _coding([("c", "x", 0, 1000), ("c", "y", 1000, 1500)])
    line = agreement_timeline(one, one, unit_ms=1000)
    assert list(line["code_a"]) == ["x", "y"]  # unit 1 starts at 1000 < 1500


def test_unit_with_two_points_takes_the_earliest():
    pts = _coding([("c", "q", 1700, None), ("c", "p", 1200, None)])
    line = agreement_timeline(pts, pts, unit_ms=1000)
    assert list(line["code_a"]) == ["nil", "p"]


def _brute_tables(a, b, unit_ms):
    n = n_units(a, b, unit_ms)
    out = {}
    for subject, kind in keys(a, b):
        ca = codes_per_unit(a, subject, kind, unit_ms, n)
        cb = codes_per_unit(b, subject, kind, unit_ms, n)
        out[(subject, kind)] = list(zip(ca, cb, strict=True))
    return out


@settings(max_examples=40, deadline=None)
@given(codings(), codings(), st.sampled_from([250, 500, 1000]))
def test_kappa_matches_unit_by_unit_brute_force(a, b, unit_ms):
    brute = _brute_tables(a, b, unit_ms)
    if not brute or n_units(a, b, unit_ms) == 0:
        return
    out = time_unit_kappa(a, b, unit_ms=unit_ms).set_index(["subject", "set"])
    for key, pairs in brute.items():
        np.testing.assert_allclose(out.loc[key, "kappa"], cohen_kappa(pairs), atol=1e-9)
    pooled = [p for pairs in brute.values() for p in pairs]
    np.testing.assert_allclose(out.loc[("all", "all"), "kappa"], cohen_kappa(pooled), atol=1e-9)
    assert out.loc[("all", "all"), "units"] == len(pooled)


@settings(max_examples=30, deadline=None)
@given(codings(), codings())
def test_per_code_kappa_matches_brute_force_two_by_two(a, b):
    brute = _brute_tables(a, b, 500)
    if not brute:
        return
    out = per_code_kappa_units(a, b, unit_ms=500).set_index("code")
    for code in out.index:
        pairs = [(x == code, y == code) for key_pairs in brute.values()
                 if any(code in p for p in key_pairs) for x, y in key_pairs]
        np.testing.assert_allclose(out.loc[code, "kappa"], cohen_kappa(pairs), atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(codings(), st.sampled_from([100, 1000]))
def test_perfect_agreement_gives_kappa_one(a, unit_ms):
    out = time_unit_kappa(a, a, unit_ms=unit_ms)
    defined = out["kappa"].dropna()
    assert np.allclose(defined, 1.0)
    assert (out["agreement"].dropna() == 1.0).all()


@settings(max_examples=30, deadline=None)
@given(codings(), codings())
def test_swapping_coders_leaves_kappa_unchanged_and_transposes_matrix(a, b):
    ab = time_unit_kappa(a, b, unit_ms=500)
    ba = time_unit_kappa(b, a, unit_ms=500)
    np.testing.assert_allclose(ab["kappa"], ba["kappa"], atol=1e-12)
    pd.testing.assert_frame_equal(confusion_matrix(a, b, unit_ms=500).T,
                                  confusion_matrix(b, a, unit_ms=500), check_names=False)


@settings(max_examples=20, deadline=None)
@given(codings(), codings())
def test_timeline_disagreements_equal_off_diagonal_of_matrix(a, b):
    line = agreement_timeline(a, b, unit_ms=500)
    matrix = confusion_matrix(a, b, unit_ms=500).to_numpy()
    assert line["disagree"].sum() == matrix.sum() - np.trace(matrix)


def test_end_ms_adds_nil_units_that_count_as_agreement():
    plain = time_unit_kappa(A, B, unit_ms=500).set_index("set")
    longer = time_unit_kappa(A, B, unit_ms=500, end_ms=10_000).set_index("set")
    assert longer.loc["state", "units"] == 20
    assert longer.loc["state", "agreement"] > plain.loc["state", "agreement"]


def test_custom_column_names_are_used():
    renamed = A.rename(columns={"subject": "who", "onset_ms": "t0", "offset_ms": "t1"})
    other = B.rename(columns={"subject": "who", "onset_ms": "t0", "offset_ms": "t1"})
    out = time_unit_kappa(renamed, other, unit_ms=500, subject="who", onset="t0", offset="t1")
    assert out.iloc[-1]["kappa"] == pytest.approx(time_unit_kappa(A, B, unit_ms=500)
                                                  .iloc[-1]["kappa"])


def test_overlapping_states_of_one_subject_raise_event_error():
    clash = _coding([("c", "x", 0, 1000), ("c", "y", 500, 1500)])
    with pytest.raises(EventError, match=r"overlap.*Fix"):
        time_unit_kappa(clash, B, unit_ms=100)


@pytest.mark.parametrize(("frame", "error", "words"), [
    (_coding([("c", "x", 1000, 500)]), EventError, "before it starts"),
    (_coding([("c", "nil", 0, 500)]), EventError, "reserved code"),
    (A.drop(columns="code"), InputError, "no column 'code'"),
    (A.assign(onset_ms=["zero", "1", "2"]), InputError, "whole milliseconds"),
    (A.assign(onset_ms=[-5, 1000, 1500]), InputError, "negative"),
])
def test_bad_codings_raise_typed_errors(frame, error, words):
    with pytest.raises(error, match=words):
        time_unit_kappa(frame, B, unit_ms=100)


@pytest.mark.parametrize("unit", [0, -100, 2.5, True])
def test_unit_length_must_be_a_positive_whole_number(unit):
    with pytest.raises(InputError, match="unit_ms"):
        time_unit_kappa(A, B, unit_ms=unit)


def test_end_before_the_codings_end_is_refused():
    with pytest.raises(InputError, match="end_ms"):
        time_unit_kappa(A, B, unit_ms=100, end_ms=1000)
