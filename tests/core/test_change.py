"""The reliable change index of Jacobson & Truax (1991), and its verdicts (issue 23)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from samspill.core.change import (
    RC_CRITICAL,
    judge,
    reliable_change,
    s_diff,
    spread,
    standard_error,
)

# The worked example. Formula: Jacobson, N. S., & Truax, P. (1991). Clinical significance: A
# statistical approach to defining meaningful change in psychotherapy research. Journal of
# Consulting and Clinical Psychology, 59(1), 12-19 (RC = (x2 - x1) / S_diff,
# S_diff = sqrt(2 SE^2), SE = s1 sqrt(1 - r_xx), |RC| > 1.96). Figures: a pre-treatment SD of
# 7.5 and a reliability of .80, as in the example of the R package MDMA's rci() (its
# covariance matrix has variance 56.25 = 7.5^2 and it is called with rxx = .8), with a client
# moving from 40 to 50. Worked by hand:
#   SE     = 7.5 * sqrt(0.2)         = 3.354101966249685
#   S_diff = sqrt(2 * 3.3541...^2)   = 4.743416490252569
#   RC     = (50 - 40) / 4.7434...   = 2.108185106778920  > 1.96: reliable change
#   the smallest reliable change     = 1.96 * 4.7434...  = 9.297096320895035
S1, RXX, X1, X2 = 7.5, 0.80, 40.0, 50.0


def test_the_worked_example_to_one_millionth() -> None:
    assert standard_error(S1, RXX) == pytest.approx(3.354101966249685, abs=1e-6)
    assert s_diff(S1, RXX) == pytest.approx(4.743416490252569, abs=1e-6)
    assert reliable_change(X1, X2, S1, RXX) == pytest.approx(2.108185106778920, abs=1e-6)
    change = judge(X1, X2, S1, RXX)
    assert change.verdict == "reliable" and change.difference == 10.0
    assert change.smallest == pytest.approx(9.297096320895035, abs=1e-6)
    # A change of 9 points, just under the smallest reliable one, is within coder disagreement.
    assert judge(X1, X1 + 9, S1, RXX).verdict == "within"
    assert judge(X2, X1, S1, RXX).rc == pytest.approx(-2.108185106778920, abs=1e-6)


def test_the_index_agrees_with_its_one_line_form_on_many_values() -> None:
    rng = np.random.default_rng(23)
    for _ in range(200):
        x1, x2, s1 = rng.normal(50, 10), rng.normal(50, 10), rng.uniform(0.5, 20)
        r = rng.uniform(0.01, 0.99)
        expected = (x2 - x1) / math.sqrt(2 * s1 ** 2 * (1 - r))
        assert reliable_change(x1, x2, s1, r) == pytest.approx(expected, rel=1e-12)
        assert judge(x1, x2, s1, r).verdict == ("reliable" if abs(expected) > RC_CRITICAL
                                                else "within")


@pytest.mark.parametrize("r_xx", [None, math.nan, 0.0, -0.2])
def test_without_agreement_the_change_is_not_judged(r_xx: float | None) -> None:
    change = judge(10, 90, 5, r_xx)
    assert change.verdict == "no_agreement" and math.isnan(change.rc)
    assert change.difference == 80  # the difference itself is still shown


def test_what_cannot_be_compared_or_spread_is_said() -> None:
    assert judge(None, 3, 5, 0.9).verdict == "not_comparable"
    assert judge(2, math.nan, 5, 0.9).verdict == "not_comparable"
    assert judge(2, 3, math.nan, 0.9).verdict == "no_spread"
    assert judge(2, 3, 0.0, 0.9).verdict == "no_spread"


def test_perfect_agreement_makes_any_difference_reliable() -> None:
    assert judge(2, 3, 5, 1.0).verdict == "reliable" and judge(2, 3, 5, 1.0).rc == math.inf
    assert judge(3, 2, 5, 1.0).rc == -math.inf
    assert judge(2, 2, 5, 1.0).verdict == "within"


def test_the_spread_is_the_sample_sd_of_at_least_three_values() -> None:
    assert spread([1.0, 2.0, 3.0, math.nan]) == pytest.approx(1.0)
    assert math.isnan(spread([1.0, 2.0]))


# Jacobson & Truax's (1991) own worked example: Table 2 of the paper, the Dyadic Adjustment
# Scale (DAS; higher is better) of 30 couples before and after marital therapy (the couple's
# mean of both partners). Transcribed as in the R package JTRCI (A. W. Kruijt), whose README
# works this table with a reliability of .84 and the pre-treatment SD as s1, and plots its
# classes: 18 couples changed reliably for the better (10 "recovered" + 8 "improved"),
# 1 reliably for the worse, 11 "unchanged"; its reliable-change boundary runs 13.1 DAS points
# from the diagonal and its criterion A (pre mean + 2 SD) is 105.2.
JT_TABLE2_PRE = [90.5, 74, 97, 73.5, 61, 66.5, 68.5, 86.5, 88.5, 68.5, 98, 80.5, 89.5, 91.5,
                 83.5, 60.5, 83, 88, 98.5, 78.5, 99.5, 79.5, 84.5, 92.5, 93, 85, 64, 61, 80,
                 82.5]
JT_TABLE2_POST = [97, 124, 97.5, 88, 96.5, 62.5, 112.5, 103.5, 90, 82.5, 105, 99.5, 112.5, 101,
                  99.5, 79.5, 88, 100.5, 119, 116, 116, 129, 113, 118, 92, 114, 68, 52, 60.5,
                  104.5]
JT_TABLE2_RXX = 0.84
# The couples (1-based, table order) JTRCI plots as reliably better and reliably worse.
JT_BETTER = {2, 4, 5, 7, 8, 10, 12, 13, 15, 16, 19, 20, 21, 22, 23, 24, 26, 30}
JT_WORSE = {29}


def test_jacobson_and_truax_table_2_classifies_as_an_independent_implementation() -> None:
    s1 = spread(JT_TABLE2_PRE)
    # The spread and the boundary that JTRCI draws (criterion A = mean + 2 SD = 105.2).
    assert float(np.mean(JT_TABLE2_PRE)) + 2 * s1 == pytest.approx(105.2, abs=0.05)
    assert s1 == pytest.approx(11.825661265562113, abs=1e-6)
    d = s_diff(s1, JT_TABLE2_RXX)
    assert d == pytest.approx(math.sqrt(2) * s1 * math.sqrt(1 - JT_TABLE2_RXX), abs=1e-9)
    assert RC_CRITICAL * d == pytest.approx(13.1, abs=0.05)
    better, worse = set(), set()
    for couple, (x1, x2) in enumerate(zip(JT_TABLE2_PRE, JT_TABLE2_POST, strict=True), 1):
        change = judge(x1, x2, s1, JT_TABLE2_RXX)
        assert change.rc == pytest.approx((x2 - x1) / d, abs=1e-9)
        if change.verdict == "reliable":
            (better if change.rc > 0 else worse).add(couple)
        else:
            assert change.verdict == "within"
    assert better == JT_BETTER and worse == JT_WORSE
    assert 30 - len(better) - len(worse) == 11
    # Couple 2 (74 -> 124) worked by hand: 50 / (sqrt(2) * 11.8257 * 0.4) = 7.4743.
    assert judge(74, 124, s1, JT_TABLE2_RXX).rc == pytest.approx(7.47428373462015, abs=1e-6)
    # The closest calls either side of the boundary (14.0 and 12.5 points).
    assert judge(68.5, 82.5, s1, JT_TABLE2_RXX).verdict == "reliable"
    assert judge(88, 100.5, s1, JT_TABLE2_RXX).verdict == "within"
