"""Pairwise agreement matrices for N coders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samspill.core.errors import InputError
from samspill.core.reliability import pairwise, pairwise_matrix, time_unit_kappa


def _coding(coder, rows):
    frame = pd.DataFrame(rows, columns=["subject", "code", "onset_ms", "offset_ms"])
    return frame.astype({"onset_ms": "int64", "offset_ms": "Int64"}).assign(coder=coder)


CODINGS = pd.concat([
    _coding("ann", [("c", "x", 0, 2000), ("c", "y", 2000, 5000)]),
    _coding("bo", [("c", "x", 0, 3000), ("c", "y", 3000, 5000)]),
    _coding("cy", [("c", "x", 0, 1000), ("c", "y", 1000, 5000)]),
])


def _kappa(a, b):
    return time_unit_kappa(a, b, unit_ms=1000)["kappa"].iloc[-1]


def test_pairwise_matrix_is_symmetric_and_matches_each_pair():
    matrix = pairwise_matrix(CODINGS, coder="coder", statistic=_kappa)
    assert list(matrix.index) == ["ann", "bo", "cy"]
    assert np.isnan(np.diag(matrix.to_numpy())).all()
    np.testing.assert_allclose(matrix.to_numpy(), matrix.to_numpy().T)
    ann = CODINGS[CODINGS["coder"] == "ann"].drop(columns="coder")
    cy = CODINGS[CODINGS["coder"] == "cy"].drop(columns="coder")
    assert matrix.loc["ann", "cy"] == pytest.approx(_kappa(ann, cy))


def test_pairwise_long_table_lists_each_unordered_pair_once():
    long = pairwise(CODINGS, coder="coder", statistic=_kappa)
    assert list(zip(long["coder_a"], long["coder_b"], strict=True)) == [
        ("ann", "bo"), ("ann", "cy"), ("bo", "cy")]


def test_pairwise_needs_two_coders():
    with pytest.raises(InputError, match="two or more coders"):
        pairwise(CODINGS[CODINGS["coder"] == "ann"], coder="coder", statistic=_kappa)
