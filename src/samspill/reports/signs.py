"""The six signs' measures next to the study's thresholds: one row per measure with a threshold.

Each sign is flagged by the core (``<id>_flag``); a sign can have two measures with their own
thresholds (responsiveness: latency and unanswered share; cursory contact: hold length and
put-downs). These rows feed the chart, the table, and the cohort distributions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from samspill.core.indicators import IndicatorSettings
from samspill.reports.i18n import N_, SIGN_TITLES, Translator, seconds

Rule = Literal["below", "above", "at_least"]
Unit = Literal["share", "ms", "count", "rate"]


@dataclass(frozen=True)
class Measure:
    sign: str
    column: str
    setting: str
    rule: Rule
    unit: Unit
    label: str


MEASURES = (
    Measure("initiative", "initiative_share", "initiative_flag_below", "below", "share",
            N_("episodes of need the caregiver initiated")),
    Measure("responsiveness", "response_latency_median_ms", "latency_flag_above_ms", "above",
            "ms", N_("median latency of answered bids")),
    Measure("responsiveness", "unanswered_share", "unanswered_flag_at", "at_least", "share",
            N_("bids left unanswered")),
    Measure("cursory_contact", "hold_median_ms", "hold_median_flag_below_ms", "below", "ms",
            N_("median hold bout")),
    Measure("cursory_contact", "putdowns_despite_protest", "putdowns_flag_at", "at_least",
            "count", N_("put-downs despite protest")),
    Measure("redirection", "redirect_share", "redirect_share_flag_at", "at_least", "share",
            N_("proximity bids redirected")),
    Measure("distance", "far_share", "far_share_flag_at", "at_least", "share",
            N_("time present spent far")),
    Measure("low_hostility", "hostile_rate_per_10min", "low_hostility_below_per_10min", "below",
            "rate", N_("hostile or frightening acts per 10 min present")),
)
SIGNS = tuple(dict.fromkeys(m.sign for m in MEASURES))


@dataclass(frozen=True)
class MeasureRow:
    """A measure of one scope, ready to show: values raw and as text."""

    measure: Measure
    sign_title: str
    label: str
    value: float
    threshold: float
    meets: bool
    flagged: bool
    value_text: str
    rule_text: str


def threshold_of(measure: Measure, settings: IndicatorSettings) -> float:
    return float(getattr(settings, measure.setting))


def meets(measure: Measure, value: float, threshold: float) -> bool:
    if value is None or math.isnan(value):
        return False
    if measure.rule == "below":
        return value < threshold
    if measure.rule == "above":
        return value > threshold
    return value >= threshold


def show_value(measure: Measure, value: float | None, _: Translator) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _("no data")
    if measure.unit == "share":
        return f"{_.number(100 * value, 0)} %"
    if measure.unit == "ms":
        return seconds(value, _)
    if measure.unit == "count":
        return _.number(value, 0)
    return _.number(value, 1)


def rule_text(measure: Measure, threshold: float, _: Translator) -> str:
    shown = show_value(measure, threshold, _)
    if measure.rule == "below":
        return _("flagged below %(threshold)s", threshold=shown)
    if measure.rule == "above":
        return _("flagged above %(threshold)s", threshold=shown)
    return _("flagged at %(threshold)s or more", threshold=shown)


def measure_rows(scope: pd.Series, settings: IndicatorSettings, _: Translator) -> list[MeasureRow]:
    """The eight measures of one scope row of the indicator table."""
    rows = []
    for m in MEASURES:
        value = _float(scope[m.column])
        threshold = threshold_of(m, settings)
        rows.append(MeasureRow(
            m, _(SIGN_TITLES[m.sign]), _(m.label), value, threshold,
            meets(m, value, threshold), bool(scope[f"{m.sign}_flag"]),
            show_value(m, value, _), rule_text(m, threshold, _)))
    return rows


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
