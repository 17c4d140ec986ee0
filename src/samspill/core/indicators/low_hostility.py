"""Sign 6: little or no hostility or intrusiveness (what sets withdrawal apart).

Counts caregiver events whose code belongs to a dimension in ``hostile_dimensions`` (by
default NI, hostile/intrusive, and FD, frightened/disoriented) or is listed in
``hostile_codes``, per 10 minutes of time present. ``low_hostility_flag`` is True when the
rate is below ``low_hostility_below_per_10min``: *consistent with a withdrawn profile*;
otherwise the profile is mixed or hostile. No time present: NaN rate, not flagged.
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

SPEC = IndicatorSpec("low_hostility", "Little or no hostility or intrusiveness",
                     values=("hostile_rate_per_10min",), counts=("hostile_events",))


def compute(ctx: Context) -> tuple[Columns, Columns]:
    """Per-scope hostile rate, count and flag; one evidence row per hostile event."""
    s, scopes = ctx.settings, ctx.scopes
    events = onsets(ctx.timeline, s.caregiver, ctx.hostile_codes)
    coding, segment = events.coding, events.segment
    n = scopes.count(np.ones(len(events), dtype=bool), coding, segment)
    present = scopes.table["present_ms"].to_numpy()
    rate = rate_per_10min(n, present)
    values = {
        "hostile_rate_per_10min": rate, "hostile_events": n,
        "low_hostility_flag": (present > 0) & (rate < s.low_hostility_below_per_10min)}
    note = np.array([f"hostile or frightening: {c}" for c in events.code], dtype=object)
    evidence = evidence_rows(SPEC.id, coding, segment, events.row, events.time_ms, note)
    return values, evidence
