"""All agreement tables for one pair of codings, or one ratings table, in one call.

What the CLI prints and what the agreement report pages show come from here, so both give the
same numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pandas as pd

from samspill.core.reliability._pairs import pairs_kappa, pairs_matrix, point_summary
from samspill.core.reliability.matching import match_events
from samspill.core.reliability.ratings import (
    Level,
    icc,
    krippendorff_alpha,
    percent_agreement,
    weighted_kappa,
    wide_ratings,
)
from samspill.core.reliability.timeunit import (
    agreement_timeline,
    confusion_matrix,
    per_code_kappa_units,
    time_unit_kappa,
)
from samspill.core.reliability.tolerance import time_unit_kappa_tolerance


@dataclass(frozen=True)
class EventAgreement:
    """Tables of :func:`event_agreement`; each is documented at the function named."""

    kappa: pd.DataFrame  # time_unit_kappa
    tolerance: pd.DataFrame | None  # time_unit_kappa_tolerance, when tolerance_ms > 0
    per_code: pd.DataFrame  # per_code_kappa_units
    confusion: pd.DataFrame  # confusion_matrix
    timeline: pd.DataFrame  # agreement_timeline
    pairs: pd.DataFrame  # match_events
    event_matrix: pd.DataFrame  # event_matrix
    event_kappa: pd.DataFrame  # event_kappa
    points: pd.DataFrame  # point_summary


def event_agreement(
    a: pd.DataFrame, b: pd.DataFrame, *, unit_ms: int, tolerance_ms: int = 0,
    event_tolerance_ms: int | None = None, min_overlap: float = 0.0, subject: str = "subject",
    code: str = "code", onset: str = "onset_ms", offset: str = "offset_ms",
    end_ms: int | None = None,
) -> EventAgreement:
    """Time-unit κ (with tolerance when ``tolerance_ms`` > 0), per-code κ, the confusion
    matrix, the agreement timeline, and onset matching with ``event_tolerance_ms`` (default:
    the larger of ``tolerance_ms`` and ``unit_ms``) with its matrix, κ and point summary."""
    def per_unit(function: Callable[..., pd.DataFrame]) -> pd.DataFrame:
        return function(a, b, unit_ms=unit_ms, end_ms=end_ms, subject=subject, code=code,
                        onset=onset, offset=offset)

    tolerance = (per_unit(partial(time_unit_kappa_tolerance, tolerance_ms=tolerance_ms))
                 if tolerance_ms else None)
    window = event_tolerance_ms if event_tolerance_ms is not None else max(tolerance_ms, unit_ms)
    pairs = match_events(a, b, tolerance_ms=window, min_overlap=min_overlap, subject=subject,
                         code=code, onset=onset, offset=offset)
    return EventAgreement(
        kappa=per_unit(time_unit_kappa), tolerance=tolerance,
        per_code=per_unit(per_code_kappa_units), confusion=per_unit(confusion_matrix),
        timeline=per_unit(agreement_timeline), pairs=pairs, event_matrix=pairs_matrix(pairs),
        event_kappa=pairs_kappa(pairs), points=point_summary(pairs))


@dataclass(frozen=True)
class RatingAgreement:
    """Tables of :func:`rating_agreement`; ``icc`` is empty and ``kappa`` None when they do
    not apply."""

    icc: pd.DataFrame  # icc
    alpha: pd.DataFrame  # krippendorff_alpha
    percent: pd.DataFrame  # percent_agreement
    kappa: pd.DataFrame | None  # weighted_kappa, with exactly two raters


def rating_agreement(frame: pd.DataFrame, *, target: str, rater: str, rating: str,
                     level: Level = "interval") -> RatingAgreement:
    """ICC, Krippendorff's α at ``level``, percent agreement, and (two raters) Cohen's and
    weighted κ. With ``level="nominal"`` the ratings may be text labels: ICC and weighted κ
    need numbers and are then left out."""
    cols = {"target": target, "rater": rater, "rating": rating}
    two = wide_ratings(frame, **cols, numeric=False).shape[1] == 2  # checks the table too
    present = frame[rating].dropna()
    labels_only = level == "nominal" and bool(pd.to_numeric(present, errors="coerce").isna().any())
    return RatingAgreement(
        icc=pd.DataFrame(columns=["type", "icc", "ci95_low", "ci95_high"]) if labels_only
        else icc(frame, **cols),
        alpha=krippendorff_alpha(frame, **cols, level=level),
        percent=percent_agreement(frame, **cols),
        kappa=weighted_kappa(frame, **cols) if two and not labels_only else None)
