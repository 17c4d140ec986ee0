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
