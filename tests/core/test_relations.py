"""Relations between instruments: r and ρ with Fisher-z intervals, checked against scipy."""

from __future__ import annotations

import math
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from samspill.core.errors import InputError
from samspill.core.relations import (
    default_pairs,
    fisher_ci,
    instrument_correlations,
    rated_segments,
)
from samspill.core.scheme_check import parse_scheme


def test_hand_worked_fisher_interval() -> None:
    # r = 0.5, n = 28: z = atanh(0.5) = 0.549306, se = 1/5 = 0.2, 1.959964 * 0.2 = 0.391993;
    # tanh(0.157313) = 0.156028, tanh(0.941299) = 0.735819 (to 6 places).
    low, high = fisher_ci(0.5, 28)
    assert (low, high) == (pytest.approx(0.156028, abs=2e-6), pytest.approx(0.735819, abs=2e-6))
    assert all(math.isnan(v) for v in fisher_ci(0.5, 3))


def test_pearson_matches_scipy_and_spearman_is_ranked() -> None:
    rng = np.random.default_rng(7)
    x = rng.integers(1, 8, 40).astype(float)
    y = 0.6 * x + rng.normal(0, 1.5, 40)
    frame = pd.DataFrame({"eas_nonhostility": x, "hostile_rate_per_10min": y})
    frame.loc[3, "eas_nonhostility"] = None  # a coding not rated: left out of the pair
    row = instrument_correlations(frame, [("eas_nonhostility", "hostile_rate_per_10min")]).iloc[0]
    both = frame.dropna()
    expected = stats.pearsonr(both["eas_nonhostility"], both["hostile_rate_per_10min"])
    ci = expected.confidence_interval(0.95)
    assert row["n"] == 39
    assert row["pearson_r"] == pytest.approx(expected.statistic, abs=1e-12)
    assert row["pearson_ci_low"] == pytest.approx(ci.low, abs=1e-6)
    assert row["pearson_ci_high"] == pytest.approx(ci.high, abs=1e-6)
    rho = stats.spearmanr(both["eas_nonhostility"], both["hostile_rate_per_10min"]).statistic
    assert row["spearman_rho"] == pytest.approx(rho)
    se = math.sqrt((1 + rho ** 2 / 2) / 36)
    assert row["spearman_ci_low"] == pytest.approx(math.tanh(math.atanh(rho) - 1.959964 * se),
                                                   abs=1e-6)


def test_too_few_or_constant_are_noted_and_unknown_columns_refused() -> None:
    frame = pd.DataFrame({"a": [1.0, 2, 3, None, 5], "b": [2.0, 2, 2, 2, 2],
                          "c": [True, False, True, True, False]})
    rows = instrument_correlations(frame, [("a", "b"), ("a", "c")])
    assert rows["note"].tolist() == ["a column does not vary", ""]
    assert rows.loc[1, "n"] == 4 and not math.isnan(rows.loc[1, "pearson_r"])
    short = instrument_correlations(frame.head(3), [("a", "c")]).iloc[0]
    assert short["note"].startswith("fewer than 4") and math.isnan(short["pearson_r"])
    with pytest.raises(InputError, match="no column zz"):
        instrument_correlations(frame, [("a", "zz")])
    assert default_pairs(["eas_nonhostility", "hostile_rate_per_10min", "level"]) == [
        ("eas_nonhostility", "hostile_rate_per_10min")]


def test_default_pairs_take_a_scale_rated_per_segment_in_each_segment() -> None:
    columns = ["level", "unanswered_share", "hostile_rate_per_10min", "eas_sensitivity",
               "eas_sensitivity_ep5", "eas_sensitivity_ep8", "eas_nonhostility_ep5",
               "eas_sensitivity_count", "eas_adult_ep5"]
    assert default_pairs(columns, ["ep5", "ep8"]) == [
        ("eas_nonhostility_ep5", "hostile_rate_per_10min"),
        ("eas_sensitivity", "unanswered_share"),
        ("eas_sensitivity_ep5", "unanswered_share"),
        ("eas_sensitivity_ep8", "unanswered_share"),
        ("eas_adult_ep5", "level")]
    assert default_pairs(columns) == [("eas_sensitivity", "unanswered_share")]
    assert default_pairs(["eas_sensitivity_ep5", "level"], ["ep5"]) == []  # no sign column


def test_the_segments_are_those_the_schemes_forms_are_rated_in() -> None:
    text = (resources.files("samspill.core") / "schemes" / "withdrawal-open.yaml").read_text(
        encoding="utf-8")
    plain = parse_scheme(text)
    segmented = parse_scheme(text.replace("id: withdrawal-open", "id: lab-seg", 1)
                             + "\nforms: [ainsworth, {id: eas, per: segment, segments: [ep8, "
                             "ep5]}]\n")
    assert rated_segments([plain]) == [] and rated_segments([plain, segmented]) == ["ep8", "ep5"]
