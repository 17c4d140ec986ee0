"""Sign 5: interaction at a distance.

``far_share`` is the time the caregiver's proximity is ``far_code`` divided by the time the
caregiver is present (observed time minus ``absent`` time) in the scope. States are clipped to
each segment. Flagged when the share is at least ``far_share_flag_at``. A scope with no time
present, or with no proximity coded at all, gives NaN and no flag.
"""

from __future__ import annotations

import numpy as np

from samspill.core.indicators.common import (
    Columns,
    Context,
    IndicatorSpec,
    evidence_rows,
    share,
)
from samspill.core.timeline import select

SPEC = IndicatorSpec("distance", "Interaction at a distance", values=("far_share",),
                     counts=("far_ms", "proximity_coded_ms", "present_ms"))


def _state_time(ctx: Context, codes: tuple[str, ...]) -> np.ndarray:
    """Time per scope in the caregiver's ``codes`` states: whole states for the session,
    pieces clipped to segments for segments and reunions."""
    tl, s, scopes = ctx.timeline, ctx.settings, ctx.scopes
    states = tl.states[select(tl.states, subject=s.caregiver, codes=codes)]
    whole = np.bincount(states["coding"].to_numpy(dtype="int64"),
                        weights=states["duration_ms"].to_numpy(dtype="float64"),
                        minlength=len(scopes.session_of))
    total = np.zeros(len(scopes.table))
    total[scopes.session_of] = whole
    pieces = tl.intervals[select(tl.intervals, subject=s.caregiver, codes=codes)]
    total += scopes.total(pieces["duration_ms"].to_numpy(), pieces["coding"].to_numpy(),
                          pieces["segment"].to_numpy(), session=False)
    return total


def compute(ctx: Context) -> tuple[Columns, Columns]:
    """Per-scope far share, the times behind it, and flag; one evidence row per far bout."""
    s = ctx.settings
    far = _state_time(ctx, (s.far_code,))
    coded = _state_time(ctx, tuple(s.proximity_codes))
    present = ctx.scopes.table["present_ms"].to_numpy()
    value = np.where(coded > 0, share(far, present), np.nan)
    values = {
        "far_share": value, "far_ms": far.astype("int64"),
        "proximity_coded_ms": coded.astype("int64"), "present_ms": present,
        "distance_flag": (coded > 0) & (present > 0) & (value >= s.far_share_flag_at)}
    tl = ctx.timeline
    bouts = tl.states[select(tl.states, subject=s.caregiver, codes=[s.far_code])]
    evidence = evidence_rows(SPEC.id, bouts["coding"].to_numpy(), bouts["segment"].to_numpy(),
                              bouts["row"].to_numpy(), bouts["onset_ms"].to_numpy(),
                              "caregiver far", bouts["duration_ms"].to_numpy(dtype="float64"))
    return values, evidence
