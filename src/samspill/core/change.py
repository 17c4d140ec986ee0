"""Is a change between two sessions more than coder disagreement explains? The reliable change
index (RC) of Jacobson & Truax (1991).

    RC = (x2 − x1) / S_diff,   S_diff = sqrt(2 · SE²),   SE = s1 · sqrt(1 − r_xx)

``x1`` and ``x2`` are one measure at the earlier and the later session, ``s1`` the spread
(standard deviation) of that measure among the study's sessions, and ``r_xx`` its reliability:
here the study's own inter-coder agreement on the measure (ICC2, absolute agreement of a
single coder, as the agreement pages show it). ``|RC| > 1.96`` is a *reliable change*: a
difference that large would arise by measurement error (here: coders disagreeing) alone in
fewer than 5 % of cases. Otherwise the change is *within coder disagreement*. Without an
agreement figure for the measure the change cannot be judged, and it is said so.

Source: Jacobson, N. S., & Truax, P. (1991). Clinical significance: A statistical approach to
defining meaningful change in psychotherapy research. Journal of Consulting and Clinical
Psychology, 59(1), 12–19. https://doi.org/10.1037/0022-006X.59.1.12
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from samspill.core.errors import N_

# Two-sided 5 %: the cut-off of Jacobson & Truax (1991).
RC_CRITICAL = 1.96

Verdict = Literal["reliable", "within", "no_agreement", "no_spread", "not_comparable"]
VERDICTS: tuple[Verdict, ...] = ("reliable", "within", "no_agreement", "no_spread",
                                 "not_comparable")
# What each verdict says (English; the web and the reports translate).
VERDICT_TEXTS: dict[str, str] = {
    "reliable": N_("reliable change"),
    "within": N_("within coder disagreement"),
    "no_agreement": N_("not enough agreement data to judge"),
    "no_spread": N_("too few sessions in the study to judge"),
    "not_comparable": N_("nothing to compare"),
}


def _number(value: float | None) -> float:
    """A float, NaN for None or anything not a finite number."""
    if value is None:
        return math.nan
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out if math.isfinite(out) else math.nan


def standard_error(s1: float, r_xx: float) -> float:
    """SE = s1 · sqrt(1 − r_xx): the standard error of measurement (NaN when undefined)."""
    s, r = _number(s1), _number(r_xx)
    if math.isnan(s) or math.isnan(r) or s < 0 or not 0 <= r <= 1:
        return math.nan
    return s * math.sqrt(1 - r)


def s_diff(s1: float, r_xx: float) -> float:
    """S_diff = sqrt(2 · SE²): the spread of a difference of two measurements by error alone."""
    se = standard_error(s1, r_xx)
    return math.sqrt(2 * se * se) if not math.isnan(se) else math.nan


def reliable_change(x1: float, x2: float, s1: float, r_xx: float) -> float:
    """RC = (x2 − x1) / S_diff (NaN when any input is missing, or S_diff is 0)."""
    a, b, d = _number(x1), _number(x2), s_diff(s1, r_xx)
    if math.isnan(a) or math.isnan(b) or math.isnan(d) or d == 0:
        return math.nan
    return (b - a) / d


@dataclass(frozen=True)
class Change:
    """One change of one measure between two sessions, judged.

    ``rc`` is NaN unless ``verdict`` is ``reliable`` or ``within``; ``smallest`` is the
    smallest difference that would count as reliable (1.96 · S_diff), NaN when unknown.
    """

    before: float
    after: float
    difference: float
    rc: float
    smallest: float
    verdict: Verdict


def judge(x1: float | None, x2: float | None, s1: float | None, r_xx: float | None) -> Change:
    """The change from ``x1`` to ``x2`` with its verdict.

    * ``not_comparable``: a value is missing (the sign not observable in a session);
    * ``no_agreement``: the study has no usable agreement figure for the measure (none, or
      an ICC at or below 0: coders agree no better than chance, and nothing can be judged);
    * ``no_spread``: the study's sessions give no spread for the measure (too few, or all
      alike);
    * ``reliable`` when |RC| > 1.96, else ``within``. With an ICC of 1 (the coders never
      differed) S_diff is 0: any difference is reliable (RC ±∞), none is within.
    """
    a, b, s, r = _number(x1), _number(x2), _number(s1), _number(r_xx)
    diff = b - a
    if math.isnan(a) or math.isnan(b):
        return Change(a, b, diff, math.nan, math.nan, "not_comparable")
    if math.isnan(r) or r <= 0:
        return Change(a, b, diff, math.nan, math.nan, "no_agreement")
    if math.isnan(s) or s <= 0:
        return Change(a, b, diff, math.nan, math.nan, "no_spread")
    d = s_diff(s, min(r, 1.0))
    if d == 0:  # coders never differed on the measure: any difference is more than that
        rc = math.copysign(math.inf, diff) if diff else 0.0
        return Change(a, b, diff, rc, 0.0, "reliable" if diff else "within")
    rc = diff / d
    return Change(a, b, diff, rc, RC_CRITICAL * d,
                  "reliable" if abs(rc) > RC_CRITICAL else "within")


MIN_SPREAD_SESSIONS = 3


def spread(values: np.ndarray | list[float]) -> float:
    """The sample standard deviation (n − 1) of the values that are numbers; NaN with fewer
    than :data:`MIN_SPREAD_SESSIONS`."""
    arr = np.asarray(values, dtype="float64")
    arr = arr[np.isfinite(arr)]
    if len(arr) < MIN_SPREAD_SESSIONS:
        return math.nan
    return float(np.std(arr, ddof=1))
