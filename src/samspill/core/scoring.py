"""Scoring a coding: the one entry point from events to the withdrawal profile and AMBIANCE.

``score_coding`` scores one coding; ``score_codings`` scores many at once (one vectorised pass,
the cohort path). ``cohort_row``/``cohort_table`` give the cohort CSV's columns; what the API,
the scores panel and ``samspill score --json`` show is shaped outside the core
(:mod:`samspill.services.scores_json`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np
import pandas as pd

from samspill.core.ambiance import (
    COUNT_COLUMNS,
    RATING_COLUMNS,
    RatingValue,
    ambiance_counts,
    rating_table,
)
from samspill.core.errors import N_, InputError
from samspill.core.forms import form_table
from samspill.core.indicators import (
    INDICATORS,
    SUMMARY_COLUMNS,
    IndicatorSettings,
    compute_indicators,
)
from samspill.core.indicators.common import build_scopes
from samspill.core.scheme import Scheme
from samspill.core.stability import PIVOTAL_COLUMNS, STABILITY_COLUMNS, sign_stability
from samspill.core.timeline import build_timelines

COHORT_VALUES = ["initiative_share", "response_latency_median_ms", "unanswered_share",
                 "muted_share", "hold_median_ms", "putdown_share", "putdowns_despite_protest",
                 "redirect_share", "far_share", "proximity_coverage", "hostile_rate_per_10min"]


@dataclass(frozen=True)
class Scores:
    """Everything scored for one or many codings.

    Attributes
    ----------
    indicators : DataFrame
        One row per scope of each coding (see :func:`~samspill.core.indicators.compute_indicators`),
        with the :data:`~samspill.core.stability.STABILITY_COLUMNS` when stability was asked for.
    evidence : DataFrame
        One row per unit behind an indicator, with event ids and times (ms) to seek the video.
    ambiance : DataFrame
        Counts and rates per scope × dimension and code (see
        :func:`~samspill.core.ambiance.ambiance_counts`).
    ratings : DataFrame
        One row per coding: ``coding, level, disrupted, classification, cutoff, profile, label``.
    settings : IndicatorSettings
        The settings used.
    label : str
        How the AMBIANCE outputs are labelled (``scheme.label()``).
    codings : tuple
        The codings' labels; ``coding`` in every table is a position in this tuple.
    pivotal : DataFrame
        The single events whose removal changes a sign's state (see
        :class:`~samspill.core.stability.Stability`); empty without stability.
    """

    indicators: pd.DataFrame
    evidence: pd.DataFrame
    ambiance: pd.DataFrame
    ratings: pd.DataFrame
    settings: IndicatorSettings
    label: str
    codings: tuple[Hashable, ...]
    pivotal: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PIVOTAL_COLUMNS))

    @property
    def has_stability(self) -> bool:
        return STABILITY_COLUMNS[0] in self.indicators


def score_coding(
    events: pd.DataFrame, segments: pd.DataFrame, *, scheme: Scheme, duration_ms: int,
    ratings: Mapping[str, RatingValue] | None = None, settings: IndicatorSettings | None = None,
    disrupted_cutoff: float | None = None, stability: bool = False,
) -> Scores:
    """Score one coding: ``events_frame`` and ``segments_frame`` tables, its media length.

    ``stability=True`` adds how sure each sign is (:mod:`samspill.core.stability`).

    Raises :class:`~samspill.core.errors.EventError` listing every problem with the events
    (unclosed states, overlaps in an exclusive group, unknown codes, times past the end) and
    :class:`~samspill.core.errors.InputError` for bad segments or ratings.
    """
    return score_codings(
        events.assign(coding=0), segments.assign(coding=0), scheme=scheme,
        durations={0: duration_ms}, ratings={0: ratings}, settings=settings,
        disrupted_cutoff=disrupted_cutoff, stability=stability)


def score_codings(
    events: pd.DataFrame, segments: pd.DataFrame, *, scheme: Scheme,
    durations: Mapping[Hashable, int] | pd.Series, coding_col: str = "coding",
    ratings: Mapping[Hashable, Mapping[str, RatingValue] | None] | None = None,
    settings: IndicatorSettings | None = None, disrupted_cutoff: float | None = None,
    stability: bool = False, evidence: bool = True, counts: bool = True,
) -> Scores:
    """Score many codings in one pass; ``coding_col`` names each row's coding in both tables.

    ``durations`` maps each coding label to its length in ms and fixes the output order;
    ``ratings`` maps a coding label to its ratings (missing: no level, no profile).
    ``evidence=False`` and ``counts=False`` leave the evidence and the AMBIANCE counts empty
    (the columnar cohort needs neither: it counts dimensions in DuckDB).
    """
    settings = settings or IndicatorSettings()
    timeline = build_timelines(events, segments, scheme=scheme, durations=durations,
                               coding_col=coding_col, caregiver=settings.caregiver,
                               absent_code=settings.absent_code, leave_code=settings.leave_code,
                               return_code=settings.return_code)
    scopes = build_scopes(timeline)
    indicators, units = compute_indicators(timeline, scheme=scheme, settings=settings,
                                           scopes=scopes, evidence=evidence)
    counted = (ambiance_counts(timeline, scopes, scheme=scheme) if counts
               else pd.DataFrame(columns=COUNT_COLUMNS))
    rated = rating_table(ratings or {}, timeline.labels, scheme=scheme,
                         disrupted_cutoff=disrupted_cutoff)
    if scheme.rating_forms:
        rated = rated.merge(form_table(ratings or {}, timeline.labels, scheme=scheme),
                            on="coding", how="left")
    scores = Scores(indicators, units, counted, rated, settings, scheme.label(),
                    timeline.labels)
    if not stability:
        return scores
    found = sign_stability(events, segments, scheme=scheme, durations=durations, base=indicators,
                           settings=settings, coding_col=coding_col)
    return replace(scores, indicators=pd.concat([indicators, found.table], axis=1),
                   pivotal=found.pivotal)


def sign_columns(stability: bool) -> list[str]:
    """The per-sign columns of the cohort table, signs first, then the qualifier."""
    out = []
    for spec in INDICATORS.values():
        out += [spec.state, spec.reason, spec.flag]
        if stability:
            out.append(spec.stability)
    return out


def cohort_table(scores: Scores) -> pd.DataFrame:
    """One row per coding: the whole-session values, states, counts per dimension, level.

    Columns: ``coding`` (the label), the :data:`COHORT_VALUES`; per sign ``<sign>_state``,
    ``<sign>_reason``, ``<sign>_flag`` and (with stability) ``<sign>_stability``; the same for
    the qualifier (``hostility_qualifier``, ``hostility_reason``, ``low_hostility_flag``,
    ``hostility_stability``); the :data:`~samspill.core.indicators.SUMMARY_COLUMNS`;
    ``count_<DIM>`` per dimension, ``level``, ``disrupted``, ``classification``, ``profile``.
    """
    table = scores.indicators
    session = table[table["scope"] == "session"].set_index("coding")
    out = session[COHORT_VALUES + sign_columns(scores.has_stability) + SUMMARY_COLUMNS].copy()
    amb = scores.ambiance
    dims = amb[(amb["scope"] == "session") & (amb["item_type"] == "dimension")]
    wide = dims.pivot(index="coding", columns="item", values="count")
    for dim in dims["item"].unique():
        out[f"count_{dim}"] = wide[dim].reindex(out.index).fillna(0).astype("int64")
    rated = scores.ratings.set_index("coding")
    for col in ("level", "disrupted", "classification", "profile"):
        out[col] = rated[col].reindex(out.index)
    for col in rated.columns.difference(RATING_COLUMNS, sort=False):
        out[col] = rated[col].reindex(out.index)  # the rating forms' items and scores
    out.insert(0, "coding", [scores.codings[i] for i in out.index])
    return out.reset_index(drop=True)


def cohort_row(scores: Scores) -> dict[str, Any]:
    """The cohort CSV's row for a single scored coding (plain Python values, None for NaN)."""
    if len(scores.codings) != 1:
        raise InputError(
            N_("cohort_row takes one coding's scores, got {count}"),
            fix=N_("use cohort_table for many codings"),
            params={"count": len(scores.codings)},
        )
    # Column labels are strings; pandas-stubs key a row's dict by any Hashable.
    row = cast(dict[str, Any], cohort_table(scores).iloc[0].to_dict())
    row.pop("coding")
    return {k: plain_value(v) for k, v in row.items()}


def plain_value(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN/NA to None."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
