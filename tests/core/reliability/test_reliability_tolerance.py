"""Time-unit κ with tolerance (GSEQ; Bakeman, Quera & Gnisci 2009)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samspill.core.errors import InputError
from samspill.core.reliability import time_unit_kappa, time_unit_kappa_tolerance
from tests.core.reliability.reliability_brute import (
    codes_per_unit,
    codings,
    cohen_kappa,
    keys,
    n_units,
    tolerated_pairs,
)


def _coding(rows):
    frame = pd.DataFrame(rows, columns=["subject", "code", "onset_ms", "offset_ms"])
    return frame.astype({"onset_ms": "int64", "offset_ms": "Int64"})


def test_hand_tallied_tolerance_example():
    # Units of 1 s. A = x x y y, B = x x x y: one disagreement at unit 2 (A y, B x).
    # A as reference: B has y at unit 3, within 1 unit -> agreement, kappa_a = 1.
    # B as reference: A has x at unit 1, within 1 unit -> agreement, kappa_b = 1.
    a = _coding([("c", "x", 0, 2000), ("c", "y", 2000, 4000)])
    b = _coding([("c", "x", 0, 3000), ("c", "y", 3000, 4000)])
    row = time_unit_kappa_tolerance(a, b, unit_ms=1000, tolerance_ms=1000).iloc[0]
    assert row["kappa"] == pytest.approx(0.5)  # p_o = 3/4, p_e = 1/2
    assert (row["kappa_a_reference"], row["kappa_b_reference"], row["kappa_mean"]) == (1, 1, 1)


def test_reference_coder_matters_when_codes_are_absent_nearby():
    # A = x y x x, B = x x x x. A ref: unit 1 (A y) - B has no y nearby: stays a disagreement.
    # B ref: unit 1 (B x) - A has x at unit 0: agreement, kappa_b undefined (all x) -> NaN.
    a = _coding([("c", "x", 0, 1000), ("c", "y", 1000, 2000), ("c", "x", 2000, 4000)])
    b = _coding([("c", "x", 0, 4000)])
    row = time_unit_kappa_tolerance(a, b, unit_ms=1000, tolerance_ms=1000).iloc[0]
    assert row["kappa_a_reference"] == pytest.approx(0.0)
    assert np.isnan(row["kappa_b_reference"])


@settings(max_examples=40, deadline=None)
@given(codings(), codings(), st.sampled_from([(250, 250), (500, 1000), (250, 750)]))
def test_tolerated_kappa_matches_brute_force(a, b, unit_and_tolerance):
    unit_ms, tolerance_ms = unit_and_tolerance
    n = n_units(a, b, unit_ms)
    if not keys(a, b) or n == 0:
        return
    width = tolerance_ms // unit_ms
    out = time_unit_kappa_tolerance(a, b, unit_ms=unit_ms, tolerance_ms=tolerance_ms)
    out = out.set_index(["subject", "set"])
    pooled_a, pooled_b = [], []
    for key in keys(a, b):
        ca, cb = (codes_per_unit(f, *key, unit_ms, n) for f in (a, b))
        by_a = tolerated_pairs(ca, cb, width)
        by_b = [(x, y) for y, x in tolerated_pairs(cb, ca, width)]
        np.testing.assert_allclose(out.loc[key, "kappa_a_reference"], cohen_kappa(by_a), 1e-9)
        np.testing.assert_allclose(out.loc[key, "kappa_b_reference"], cohen_kappa(by_b), 1e-9)
        pooled_a += by_a
        pooled_b += by_b
    np.testing.assert_allclose(out.loc[("all", "all"), "kappa_a_reference"],
                               cohen_kappa(pooled_a), 1e-9)
    np.testing.assert_allclose(out.loc[("all", "all"), "kappa_b_reference"],
                               cohen_kappa(pooled_b), 1e-9)


@settings(max_examples=50, deadline=None)
@given(codings(grid=200, horizon=20_000), st.integers(1, 3), st.data())
def test_constant_shift_smaller_than_tolerance_keeps_tolerated_kappa_at_one(a, width, data):
    unit_ms = 200
    tolerance_ms = width * unit_ms
    shift = data.draw(st.integers(0, tolerance_ms - 1))
    b = a.assign(onset_ms=a["onset_ms"] + shift, offset_ms=a["offset_ms"] + shift)
    out = time_unit_kappa_tolerance(a, b, unit_ms=unit_ms, tolerance_ms=tolerance_ms)
    for column in ("kappa_a_reference", "kappa_b_reference", "kappa_mean"):
        assert np.allclose(out[column].dropna(), 1.0), out


@settings(max_examples=20, deadline=None)
@given(codings(), codings())
def test_zero_tolerance_equals_untolerated_kappa(a, b):
    tol = time_unit_kappa_tolerance(a, b, unit_ms=500, tolerance_ms=0)
    plain = time_unit_kappa(a, b, unit_ms=500)
    for column in ("kappa", "kappa_a_reference", "kappa_b_reference"):
        np.testing.assert_allclose(tol[column], plain["kappa"], atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(codings(), codings())
def test_b_reference_is_a_reference_with_the_coders_swapped(a, b):
    ab = time_unit_kappa_tolerance(a, b, unit_ms=500, tolerance_ms=1000)
    ba = time_unit_kappa_tolerance(b, a, unit_ms=500, tolerance_ms=1000)
    np.testing.assert_allclose(ab["kappa_b_reference"], ba["kappa_a_reference"], atol=1e-12)
    np.testing.assert_allclose(ab["kappa_mean"], ba["kappa_mean"], atol=1e-12)


@pytest.mark.parametrize("tolerance", [-1000, 1500, 2.0])
def test_tolerance_must_be_whole_units(tolerance):
    a = _coding([("c", "x", 0, 2000)])
    with pytest.raises(InputError, match="whole number of 1000 ms units"):
        time_unit_kappa_tolerance(a, a, unit_ms=1000, tolerance_ms=tolerance)
