"""One-call summaries give exactly the tables of the individual functions."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings

from samspill.core.errors import InputError
from samspill.core.reliability import (
    agreement_timeline,
    event_agreement,
    event_kappa,
    match_events,
    percent_agreement,
    rating_agreement,
    time_unit_kappa,
    time_unit_kappa_tolerance,
)
from tests.core.reliability.reliability_brute import codings


@settings(max_examples=15, deadline=None)
@given(codings(), codings())
def test_event_agreement_collects_the_individual_tables(a, b):
    result = event_agreement(a, b, unit_ms=500, tolerance_ms=1000)
    pd.testing.assert_frame_equal(result.kappa, time_unit_kappa(a, b, unit_ms=500))
    pd.testing.assert_frame_equal(
        result.tolerance, time_unit_kappa_tolerance(a, b, unit_ms=500, tolerance_ms=1000))
    pd.testing.assert_frame_equal(result.timeline, agreement_timeline(a, b, unit_ms=500))
    pairs = match_events(a, b, tolerance_ms=1000)
    pd.testing.assert_frame_equal(result.pairs, pairs)
    pd.testing.assert_frame_equal(result.event_kappa, event_kappa(pairs))


def test_event_agreement_without_tolerance_has_no_tolerance_table():
    a = pd.DataFrame({"subject": ["c"], "code": ["x"], "onset_ms": [0], "offset_ms": [1000]})
    result = event_agreement(a, a, unit_ms=100)
    assert result.tolerance is None
    assert result.event_kappa.iloc[0]["agreement"] == 1.0


def test_rating_agreement_with_two_raters_has_weighted_kappa():
    frame = pd.DataFrame({"t": [1, 1, 2, 2, 3, 3, 4, 4], "r": ["a", "b"] * 4,
                          "v": [1, 2, 3, 3, 5, 4, 7, 7]})
    result = rating_agreement(frame, target="t", rater="r", rating="v", level="ordinal")
    assert list(result.kappa["weights"]) == ["none", "linear", "quadratic"]
    assert len(result.icc) == 6 and result.alpha.iloc[0]["level"] == "ordinal"
    pd.testing.assert_frame_equal(result.percent,
                                  percent_agreement(frame, target="t", rater="r", rating="v"))


def test_rating_agreement_on_text_labels_leaves_out_numeric_statistics():
    frame = pd.DataFrame({"t": [1, 1, 2, 2, 3, 3], "r": ["a", "b"] * 3,
                          "v": ["hi", "hi", "lo", "hi", "lo", "lo"]})
    result = rating_agreement(frame, target="t", rater="r", rating="v", level="nominal")
    assert result.icc.empty and result.kappa is None
    with pytest.raises(InputError, match="not a number"):
        rating_agreement(frame, target="t", rater="r", rating="v", level="interval")
