"""The profile's qualifier: little or no hostility or intrusiveness (not one of the signs).

Counts caregiver events whose code belongs to a dimension in ``hostile_dimensions`` (by
default NI, hostile/intrusive, and FD, frightened/disoriented) or is listed in
``hostile_codes``, per 10 minutes present. ``hostility_qualifier`` is ``low`` when the rate is
below ``low_hostility_below_per_10min`` (little or no hostility: with signs of withdrawal
present, consistent with a withdrawn profile), ``hostile`` otherwise (hostile or intrusive
behaviour present: a mixed or hostile profile), and ``not_observable`` when the caregiver was
never in the room or nothing of hers is coded. ``low_hostility_flag`` (True when ``low``) is
kept for old exports; it is never counted as a sign.
"""

from __future__ import annotations

import numpy as np

from samspill.core.indicators.common import (
    Columns,
    Context,
    IndicatorSpec,
    evidence_rows,
    onsets,
    rate_per_10min,
)
from samspill.core.indicators.states import HOSTILE, LOW, NOT_OBSERVABLE, not_observable

SPEC = IndicatorSpec("hostility", "Little or no hostility or intrusiveness",
                     values=("hostile_rate_per_10min",), counts=("hostile_events",),
                     kind="qualifier")


def compute(ctx: Context) -> tuple[Columns, Columns]:
    """Per-scope hostile rate, count and qualifier; one evidence row per hostile event."""
    s, scopes, tl = ctx.settings, ctx.scopes, ctx.timeline
    events = onsets(tl, s.caregiver, ctx.hostile_codes)
    coding, segment = events.coding, events.segment
    n = scopes.count(np.ones(len(events), dtype=bool), coding, segment, events.time_ms)
    present = ctx.present_ms
    rate = rate_per_10min(n, present)
    coded = _caregiver_coded(ctx)[scopes.table["coding"].to_numpy()]
    reason = not_observable(len(n), [*ctx.presence_checks(),
                                     (~coded, "nothing_coded")])
    low = rate < s.low_hostility_below_per_10min
    observable = reason == None  # noqa: E711
    qualifier = np.where(~observable, NOT_OBSERVABLE, np.where(low, LOW, HOSTILE))
    values = {
        "hostile_rate_per_10min": rate, "hostile_events": n,
        SPEC.state: qualifier.astype(object),
        SPEC.reason: np.where(observable, np.where(low, "", "hostile_rate"), reason).astype(
            object),
        SPEC.flag: observable & low}
    if not ctx.evidence:
        return values, {}
    note = np.array([f"hostile or frightening: {c}" for c in events.code], dtype=object)
    evidence = evidence_rows(SPEC.id, coding, segment, events.row, events.time_ms, note)
    return values, evidence


def _caregiver_coded(ctx: Context) -> np.ndarray:
    """Per coding: whether any event of the caregiver is coded at all."""
    tl, who = ctx.timeline, ctx.settings.caregiver
    n = len(tl.sessions)
    out = np.zeros(n, dtype=bool)
    for table in (tl.points, tl.states):
        mine = table["subject"].astype(object).to_numpy() == who
        out[table["coding"].to_numpy()[mine]] = True
    return out
