"""What a report needs, as plain tables and header fields: :class:`ReportData` for a session
report, :class:`CohortData` for a cohort report.

Nothing here reads the store. :mod:`samspill.services.reporting` gathers and scores stored
codings into these (``coding_data``, ``session_data``, ``cohort_data``); everything after them
(:mod:`session_report`, :mod:`cohort_report`, :mod:`render`) works on the data alone, so a
report can also be made from tables scored or simulated anywhere (:func:`build_report_data`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import pandas as pd

from samspill.core.ambiance import RatingValue
from samspill.core.indicators import IndicatorSettings
from samspill.core.scheme import Scheme
from samspill.core.scoring import Scores, score_coding
from samspill.core.stability import PIVOTAL_COLUMNS, STABILITY_COLUMNS


@dataclass(frozen=True)
class ReportHeader:
    """The pseudonymous header: codes and numbers, never a name."""

    study: str
    dyad: str
    session: str
    date: dt.date | None
    age_months: int | None
    procedure: str
    coder: str
    status: str
    scheme_id: str
    scheme_version: int
    scheme_name: str
    instrument: str | None
    licensed: bool
    duration_ms: int
    provisional: bool = False  # a state was still running: ended at the end of the recording


@dataclass(frozen=True)
class ReportData:
    """One scored coding: the header, its events and segments, and the scored tables.

    ``indicators``, ``evidence``, ``ambiance`` and ``pivotal`` are the core's tables for this
    one coding (see :class:`~samspill.core.scoring.Scores`; ``indicators`` carries the
    stability columns when scored with stability); ``rating`` holds ``level, disrupted,
    classification, cutoff, profile``; ``scheme`` names the codes and dimensions.
    """

    header: ReportHeader
    events: pd.DataFrame
    segments: pd.DataFrame
    indicators: pd.DataFrame
    evidence: pd.DataFrame
    ambiance: pd.DataFrame
    rating: dict[str, Any]
    settings: IndicatorSettings
    scheme: Scheme
    pivotal: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PIVOTAL_COLUMNS))

    @property
    def has_stability(self) -> bool:
        return STABILITY_COLUMNS[0] in self.indicators

    def segment_numbers(self) -> dict[str, int]:
        """Segments numbered 1, 2, … in time order: short labels for plots and narrow tables."""
        ordered = self.segments.sort_values("start_ms", kind="stable")["segment_id"]
        return {segment_id: i for i, segment_id in enumerate(ordered, start=1)}


@dataclass(frozen=True)
class CohortData:
    """A study's cohort: one row per coding it holds and can score (identity columns, then
    ``cohort_table``'s; from a store, :func:`samspill.services.reporting.cohort_data` adds
    ``purpose``, ``cutoff`` and, with stability, ``<id>_stable`` per sign and qualifier).
    ``excluded`` names each coding that cannot be scored (``session/coder: reason``).

    ``pooling`` says which codings of a session the table holds (``auto``, ``coder:NAME``,
    ``off``; see :mod:`samspill.core.selection`).

    ``agreement`` is the hook for inter-coder agreement: any table of statistics (for example
    ``measure, statistic, value, ci95_low, ci95_high, n``); the cohort report shows it as a
    section only when it is given.
    """

    study: str
    title: str
    table: pd.DataFrame
    settings: IndicatorSettings
    labels: tuple[str, ...]
    cutoff: float | None = None
    agreement: pd.DataFrame | None = None
    excluded: tuple[str, ...] = field(default_factory=tuple)
    # Which codings of a session it holds: "auto" (one, by the rule of core/selection.py),
    # "coder:NAME" (one, preferring NAME's) or "off" (every coding).
    pooling: str = "auto"
    # The segments its schemes rate forms in (template ids): their columns join the relations.
    segments: tuple[str, ...] = ()


def build_report_data(
    header: ReportHeader, events: pd.DataFrame, segments: pd.DataFrame, *, scheme: Scheme,
    ratings: Mapping[str, RatingValue] | None, settings: IndicatorSettings,
    disrupted_cutoff: float | None = None, stability: bool = True,
) -> ReportData:
    """Score one coding's tables (``events_frame``/``segments_frame``) into report data.

    Reports score with each sign's stability (how sure each state is); ``stability=False``
    leaves it out, and the report then says "not computed".
    """
    scores = score_coding(events, segments, scheme=scheme, duration_ms=header.duration_ms,
                          ratings=ratings, settings=settings, disrupted_cutoff=disrupted_cutoff,
                          stability=stability)
    return report_data(header, events, segments, scores, scheme)


def report_data(header: ReportHeader, events: pd.DataFrame, segments: pd.DataFrame,
                scores: Scores, scheme: Scheme) -> ReportData:
    """One coding's report data from its tables and its scores (the core's, of this one
    coding)."""
    # Column labels are strings; pandas-stubs key a row's dict by any Hashable.
    rating = cast(dict[str, Any], scores.ratings.iloc[0].to_dict())
    return ReportData(header, events, segments, scores.indicators, scores.evidence,
                      scores.ambiance, rating, scores.settings, scheme, scores.pivotal)
