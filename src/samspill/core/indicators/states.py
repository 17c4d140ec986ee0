"""Three states for every sign and scope: present, absent, or not observable (with why).

A sign is *not observable* when its scope holds too little to judge it (no episode of need,
too few bids, proximity not coded, the caregiver out of the room...); it is never read as
"absent". Otherwise it is *present* when one of its criteria is met, else *absent*. The
``<sign>_reason`` column says why: the reason it cannot be observed, or the criteria met
(comma-separated keys of :data:`REASONS`), or empty when absent.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

PRESENT = "present"
ABSENT = "absent"
NOT_OBSERVABLE = "not_observable"
STATES = (PRESENT, ABSENT, NOT_OBSERVABLE)
# The hostility qualifier's states (it is no sign).
LOW = "low"
HOSTILE = "hostile"

# Every reason key with the sentence shown for it (English; the web and reports translate).
REASONS: dict[str, str] = {
    # Why a sign cannot be observed.
    "caregiver_absent": "the caregiver was out of the room the whole time",
    "too_short": "too little time with the caregiver in the room",
    "no_episode_of_need": "no episode of attachment need (no distress, no run of bids)",
    "too_few_episodes": "too few episodes of attachment need",
    "too_few_bids": "too few bids to judge",
    "no_hold": "no completed hold to judge",
    "no_reaction": "no reaction to the child's bids for proximity or distress",
    "too_few_reactions": "too few reactions to the child's bids for proximity or distress",
    "proximity_not_coded": "proximity (near/far) is not coded",
    "proximity_coverage_low": "proximity is coded for too little of the time present",
    "window_cut": "every window was cut by the end of the observation or a separation",
    "nothing_coded": "nothing of the caregiver is coded",
    # Criteria met when a sign is present.
    "initiative_share": "few episodes of need met with initiative",
    "median_latency": "slow answers (median latency)",
    "unanswered_share": "many bids unanswered",
    "muted_share": "many answers muted",
    "putdown_share": "the child put down while still seeking contact",
    "median_hold": "brief holds, ended while the child still sought contact",
    "no_contact": "no contact despite the child's bids for it",
    "redirect_share": "bids for proximity or distress redirected",
    "far_share": "caregiver far for much of the time",
    # The hostility qualifier.
    "hostile_rate": "hostile, intrusive or frightening acts",
}


def not_observable(n_scopes: int, checks: list[tuple[np.ndarray, str]]) -> np.ndarray:
    """The first reason that applies per scope (checks in order), else None."""
    reason = np.full(n_scopes, None, dtype=object)
    for applies, key in checks:
        reason = np.where((reason == None) & applies, key, reason)  # noqa: E711
    return reason


def decide(sign: str, reason: np.ndarray, criteria: Mapping[str, np.ndarray]
           ) -> dict[str, np.ndarray]:
    """``<sign>_state``, ``<sign>_reason`` and ``<sign>_flag`` from the reasons it cannot be
    observed (None where it can) and its criteria (present when any is met)."""
    observable = reason == None  # noqa: E711
    met = np.zeros(len(reason), dtype=bool)
    which = np.full(len(reason), "", dtype=object)
    for key, hit in criteria.items():
        hit = np.asarray(hit, dtype=bool) & observable
        which = np.where(hit, np.where(which == "", key, which + "," + key), which)
        met |= hit
    state = np.where(~observable, NOT_OBSERVABLE, np.where(met, PRESENT, ABSENT))
    return {f"{sign}_state": state.astype(object),
            f"{sign}_reason": np.where(observable, which, reason).astype(object),
            f"{sign}_flag": state == PRESENT}
