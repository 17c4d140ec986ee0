"""The five signs and the hostility qualifier as a reader sees them: states, reasons, measures
next to the study's thresholds, the summary, and how stable each state is.

The core decides every state (``<sign>_state``, ``<sign>_reason``; ``hostility_qualifier``);
this module only puts it into words. A sign's criteria are shown by :data:`MEASURES`: one row
per criterion, its measure against the study's setting, with the further conditions it needs
(e.g. at least ``putdowns_flag_at`` put-downs). Whether a criterion is met is read from the
core's reason, never recomputed for display; :func:`meets` recomputes it only for the cohort
histograms and for a test that keeps these rows in step with the core.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from samspill.core import numbers
from samspill.core.indicators import SIGNS as SIGN_SPECS
from samspill.core.indicators import IndicatorSettings
from samspill.reports.i18n import (
    N_,
    SIGN_TITLES,
    Translator,
    clock,
    percent,
    reason_text,
    seconds,
    state_text,
)

Rule = Literal["below", "above", "at_least", "none"]
Unit = Literal["share", "ms", "count", "rate"]

PRESENT, ABSENT, NOT_OBSERVABLE = "present", "absent", "not_observable"
LOW, HOSTILE = "low", "hostile"
SIGNS = tuple(SIGN_SPECS)  # the five signs, in the core's order
QUALIFIER = "hostility"


@dataclass(frozen=True)
class Condition:
    """A further requirement of a criterion, e.g. at least 2 hold bouts for the median.

    ``setting`` names the threshold in :class:`IndicatorSettings`; with rule ``none`` there is
    no setting: the count must be zero.
    """

    column: str
    setting: str | None
    rule: Rule
    unit: Unit
    label: str
    or_else: Condition | None = None  # met when either this or the alternative is


@dataclass(frozen=True)
class Measure:
    """One criterion of a sign: ``column`` against the setting ``setting`` by ``rule``, and
    the ``conditions`` it also needs. ``criterion`` is its key in the core's reasons."""

    sign: str
    criterion: str
    column: str
    setting: str
    rule: Rule
    unit: Unit
    label: str
    conditions: tuple[Condition, ...] = ()
    histogram: bool = True  # shown as a distribution in the cohort report


MEASURES = (
    Measure("initiative", "initiative_share", "initiative_share", "initiative_flag_below",
            "below", "share", N_("episodes of need met with the caregiver's initiative")),
    Measure("responsiveness", "median_latency", "response_latency_median_ms",
            "latency_flag_above_ms", "above", "ms", N_("median latency of answered bids")),
    Measure("responsiveness", "unanswered_share", "unanswered_share", "unanswered_flag_at",
            "at_least", "share", N_("bids left unanswered")),
    Measure("responsiveness", "muted_share", "muted_share", "muted_flag_at", "at_least",
            "share", N_("answers that were muted")),
    Measure("cursory_contact", "putdown_share", "putdown_share", "putdown_share_flag_at",
            "at_least", "share",
            N_("completed holds put down while the child still needed contact"),
            (Condition("putdowns_despite_need", "putdowns_flag_at", "at_least", "count",
                       N_("put-downs despite need"),
                       Condition("putdowns_despite_protest", None, "at_least", "count",
                                 N_("put-downs despite a coded protest"))),)),
    Measure("cursory_contact", "median_hold", "putdown_median_ms", "hold_median_flag_below_ms",
            "below", "ms", N_("median length of the holds put down despite need"),
            (Condition("putdowns_despite_need", "hold_median_min_bouts", "at_least", "count",
                       N_("put-downs despite need")),)),
    Measure("cursory_contact", "no_contact", "proximity_bids", "no_contact_min_bids",
            "at_least", "count", N_("bids for proximity"),
            (Condition("contacts", None, "none", "count",
                       N_("contacts (hold, touch or initiative)")),), histogram=False),
    Measure("redirection", "redirect_share", "redirect_share", "redirect_share_flag_at",
            "at_least", "share",
            N_("reactions to bids for proximity or distress that were redirects"),
            (Condition("signals_redirected", "redirect_min_count", "at_least", "count",
                       N_("redirected")),)),
    Measure("distance", "far_share", "far_share", "far_share_flag_at", "at_least", "share",
            N_("time with proximity coded that the caregiver was far"),
            (Condition("proximity_coverage", "proximity_coverage_min", "at_least", "share",
                       N_("proximity coded, share of the time present"),
                       Condition("far_share_min", "far_share_flag_at", "at_least", "share",
                                 N_("far even if all uncoded time was near"))),)),
)
# The qualifier's measure: hostile when the rate reaches the setting (low below it).
QUALIFIER_MEASURE = Measure(
    QUALIFIER, "hostile_rate", "hostile_rate_per_10min", "low_hostility_below_per_10min",
    "at_least", "rate", N_("hostile, intrusive or frightening acts per 10 min present"))

QUALIFIER_WORDS = {LOW: N_("little or no hostility"), HOSTILE: N_("hostile or intrusive"),
                   NOT_OBSERVABLE: N_("not observable")}


@dataclass(frozen=True)
class MeasureRow:
    """A criterion of one scope, ready to show.

    ``met`` is True or False as the core decided, None when the sign is not observable (then
    no criterion is judged, and ``met_text`` says why).
    """

    measure: Measure
    sign_title: str
    label: str
    value: float
    threshold: float
    state: str
    met: bool | None
    value_text: str
    rule_text: str
    met_text: str


def threshold_of(measure: Measure | Condition, settings: IndicatorSettings) -> float:
    if measure.setting is None:
        # A count with no setting of its own: at least one (with rule "none": zero).
        return 1.0 if measure.rule == "at_least" else 0.0
    value = getattr(settings, measure.setting)
    return math.nan if value is None else float(value)


def in_use(measure: Measure, settings: IndicatorSettings) -> bool:
    """A criterion the study has switched off (its threshold not set) is not shown."""
    return measure.setting is None or getattr(settings, measure.setting) is not None


def compare(rule: Rule, value: float, threshold: float) -> bool:
    """Whether ``value`` lies on the side of ``threshold`` that ``rule`` asks for."""
    if value is None or math.isnan(value):
        return False
    if rule == "below":
        return value < threshold
    if rule == "above":
        return value > threshold
    if rule == "none":
        return value == 0
    return value >= threshold


def meets(measure: Measure, scope: Mapping[str, object], settings: IndicatorSettings) -> bool:
    """The criterion recomputed from a scope's values (its measure and every condition)."""
    if not compare(measure.rule, as_float(scope.get(measure.column)),
                   threshold_of(measure, settings)):
        return False
    return all(_holds(c, scope, settings) for c in measure.conditions)


def _holds(condition: Condition, scope: Mapping[str, object],
           settings: IndicatorSettings) -> bool:
    if compare(condition.rule, as_float(scope.get(condition.column)),
               threshold_of(condition, settings)):
        return True
    return condition.or_else is not None and _holds(condition.or_else, scope, settings)


def show_value(unit: Unit, value: float | None, _: Translator) -> str:
    """A value as people read it: ``85 %``, ``7.5 s`` (``7,5 s``), ``3``, ``1.2``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _("nothing to measure")
    if unit == "share":
        return percent(value, _)
    if unit == "ms":
        return seconds(value, _)
    if unit == "count":
        return numbers.count(value, _.language)
    return numbers.number(value, _.language, digits=1)


def rule_text(measure: Measure, threshold: float, _: Translator,
              settings: IndicatorSettings | None = None) -> str:
    """The criterion: ``above 3.0 s``, ``50 % or more; put-downs despite protest: at least 1``."""
    shown = show_value(measure.unit, threshold, _)
    if measure.rule == "below":
        text = _("below %(threshold)s", threshold=shown)
    elif measure.rule == "above":
        text = _("above %(threshold)s", threshold=shown)
    else:
        text = _("%(threshold)s or more", threshold=shown)
    if settings is None:
        return text
    return "; ".join([text, *[_condition_rule(c, settings, _) for c in measure.conditions]])


def _condition_rule(condition: Condition, settings: IndicatorSettings, _: Translator) -> str:
    if condition.rule == "none":
        text = _("%(label)s: none", label=_(condition.label))
    else:
        shown = show_value(condition.unit, threshold_of(condition, settings), _)
        text = _("%(label)s: at least %(threshold)s", label=_(condition.label),
                 threshold=shown)
    if condition.or_else is None:
        return text
    return _("%(rule)s, or %(alternative)s", rule=text,
             alternative=_condition_rule(condition.or_else, settings, _))


def value_text(measure: Measure, scope: Mapping[str, object], _: Translator) -> str:
    """The measure's value, with each condition's value: ``100 % (put-downs …: 1)``."""
    text = show_value(measure.unit, as_float(scope.get(measure.column)), _)
    extra = [f"{_(c.label)}: {show_value(c.unit, as_float(scope.get(c.column)), _)}"
             for c in measure.conditions]
    return f"{text} ({'; '.join(extra)})" if extra else text


def reason_keys(reason: object) -> list[str]:
    return [k for k in str(reason or "").split(",") if k]


def measure_rows(scope: pd.Series, settings: IndicatorSettings, _: Translator,
                 signs: tuple[str, ...] = SIGNS) -> list[MeasureRow]:
    """The criteria of the five signs in one scope row of the indicator table."""
    rows = []
    for m in (m for m in MEASURES if m.sign in signs and in_use(m, settings)):
        state = str(scope[f"{m.sign}_state"])
        reason = scope[f"{m.sign}_reason"]
        if state == NOT_OBSERVABLE:
            met, met_text = None, _("not assessed: %(reason)s", reason=reason_text(reason, _))
        else:
            met = state == PRESENT and m.criterion in reason_keys(reason)
            met_text = _("met") if met else _("not met")
        rows.append(MeasureRow(
            m, _(SIGN_TITLES[m.sign]), _(m.label), as_float(scope[m.column]),
            threshold_of(m, settings), state, met, value_text(m, scope, _),
            rule_text(m, threshold_of(m, settings), _, settings), met_text))
    return rows


# --- States, the qualifier, the summary ---------------------------------------------------


def why_text(state: str, reason: object, _: Translator) -> str:
    """Why a sign is in its state: the criteria met, the reason it cannot be observed, or,
    when absent, that no criterion is met."""
    if state == ABSENT:
        return _("no criterion met")
    return reason_text(reason, _) or "–"


def qualifier_text(state: object, reason: object, withdrawn_profile: bool,
                   _: Translator) -> str:
    """The profile's qualifier as a sentence (never a sign, never a flag). "Consistent with a
    withdrawn profile" only where the core found it (``withdrawn_profile``: at least two signs
    present with little or no hostility); one sign is no profile."""
    if state == LOW:
        if withdrawn_profile:
            return _("Little or no hostility or intrusiveness: consistent with a withdrawn "
                     "profile")
        return _("Little or no hostility or intrusiveness")
    if state == HOSTILE:
        return _("Hostile or intrusive behaviour present: mixed or hostile profile")
    if state == NOT_OBSERVABLE:
        return _("Hostility cannot be judged: %(reason)s", reason=reason_text(reason, _))
    return str(state)


def count_states(scope: Mapping[str, object]) -> dict[str, int]:
    """How many of the five signs are in each state, counted from the states themselves."""
    states = [str(scope.get(f"{sign}_state")) for sign in SIGNS]
    return {s: states.count(s) for s in (PRESENT, ABSENT, NOT_OBSERVABLE)}


def withdrawn(scope: Mapping[str, object]) -> bool:
    """The core's ``withdrawn_profile`` for a scope: enough signs present with little or no
    hostility to say "consistent with a withdrawn profile"."""
    return _true(scope.get("withdrawn_profile"))


def summary_text(scope: Mapping[str, object], _: Translator) -> str:
    """``3 of 5 signs present, 1 not observable; little or no hostility …: consistent with a
    withdrawn profile``."""
    counts = count_states(scope)
    head = _("%(present)s of %(total)s signs present, %(unobservable)s not observable",
             present=counts[PRESENT], total=len(SIGNS), unobservable=counts[NOT_OBSERVABLE])
    qualifier = qualifier_text(scope.get(f"{QUALIFIER}_qualifier"),
                               scope.get(f"{QUALIFIER}_reason"), withdrawn(scope), _)
    return f"{head}; {qualifier[:1].lower()}{qualifier[1:]}"


def qualifier_measure_text(scope: Mapping[str, object], settings: IndicatorSettings,
                           _: Translator) -> str:
    """``0.0 hostile, intrusive or frightening acts per 10 min present (little or no hostility
    below 1.0)``; when the qualifier cannot be judged, ``not observable:`` and why."""
    m = QUALIFIER_MEASURE
    if scope.get(f"{QUALIFIER}_qualifier") == NOT_OBSERVABLE:
        return _("not observable: %(reason)s",
                 reason=reason_text(scope.get(f"{QUALIFIER}_reason"), _) or "–")
    return _("%(value)s %(label)s (little or no hostility below %(threshold)s)",
             value=show_value(m.unit, as_float(scope.get(m.column)), _), label=_(m.label),
             threshold=show_value(m.unit, threshold_of(m, settings), _))


# --- Stability ------------------------------------------------------------------------------

MAX_TIMES_LISTED = 6


def has_stability(scope: Mapping[str, object], spec_id: str) -> bool:
    return f"{spec_id}_stable" in scope


def stability_text(scope: Mapping[str, object], spec_id: str, pivotal: pd.DataFrame,
                   settings: IndicatorSettings, _: Translator) -> str:
    """``stable``, or ``fragile:`` and why: the share of jittered replicates that change the
    state, and the events whose leaving out alone changes it, with their times.

    ``pivotal`` holds this sign's and this scope's rows of ``Scores.pivotal``.
    """
    if not has_stability(scope, spec_id):
        return _("not computed")
    if _true(scope.get(f"{spec_id}_stable")):
        return _("stable")
    parts = []
    jitter = as_float(scope.get(f"{spec_id}_stability_jitter"))
    if not math.isnan(jitter) and jitter < settings.stable_at:
        parts.append(_("changes in %(share)s of the replicates with every time moved by up "
                       "to %(jitter)s", share=show_value("share", 1 - jitter, _),
                       jitter=seconds(settings.stability_jitter_ms, _)))
    counted = as_float(scope.get(f"{spec_id}_pivotal_events"))
    n_pivotal = 0 if math.isnan(counted) else int(counted)
    if n_pivotal or len(pivotal):
        parts.append(_pivotal_text(spec_id, max(n_pivotal, len(pivotal)), pivotal, _))
    if not parts:  # not stable, yet no reason given: say so rather than guess
        return _("fragile")
    return _("fragile: %(why)s", why="; ".join(parts))


def _pivotal_text(spec_id: str, n: int, pivotal: pd.DataFrame, _: Translator) -> str:
    ordered = pivotal.sort_values("time_ms", kind="stable")
    words = QUALIFIER_WORDS if spec_id == QUALIFIER else None
    times = []
    for row in ordered.head(MAX_TIMES_LISTED).itertuples():
        without = _(words[row.state_without]) if words and row.state_without in words \
            else state_text(row.state_without, _)
        times.append(_("%(time)s (without it: %(state)s)", time=clock(row.time_ms),
                       state=without))
    if len(ordered) > MAX_TIMES_LISTED:
        times.append(_("and %(more)s more", more=len(ordered) - MAX_TIMES_LISTED))
    listed = ", ".join(times)
    if n == 1:
        return _("changes if this event is left out: %(times)s", times=listed) if listed \
            else _("changes if one event is left out")
    if listed:
        return _("changes if any one of these %(n)s events is left out: %(times)s", n=n,
                 times=listed)
    return _("changes if any one of %(n)s events is left out", n=n)


def pivotal_of(pivotal: pd.DataFrame, spec_id: str, scope: Mapping[str, object]) -> pd.DataFrame:
    """The rows of ``Scores.pivotal`` for one sign (or the qualifier) and one scope."""
    if pivotal is None or pivotal.empty:
        return pd.DataFrame(columns=["time_ms", "state_without"])
    mine = pivotal[(pivotal["indicator"] == spec_id) & (pivotal["scope"] == scope["scope"])]
    if scope["scope"] == "segment":
        mine = mine[mine["segment_id"] == scope["segment_id"]]
    return mine


# --- Small helpers ----------------------------------------------------------------------------


def as_float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _true(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) \
        and value is not pd.NA and bool(value)
