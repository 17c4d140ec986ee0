"""Silences after a child's bid: "no speech within W2 of this bid", for the coder to check.

Construct decisions, and why:
- The voice detector hears any voice, not only the caregiver's. A silence is proposed only
  when *nobody* speaks in the window, so a child who keeps calling makes the detector quieter,
  never louder: it errs towards proposing fewer silences, not towards false ones.
- Speech heard only within ``grace_ms`` of the bid is taken to be the bid itself (a call,
  "mamma!"); any voice heard after that, up to the window's end, means the window was not
  silent (even talk that had begun before the bid: silence is what is proposed, not neglect).
- The window is the study's W2 (``response_window_ms``), the same window the responsiveness
  sign uses, cut short where the recording ends (then the proposal says so in its note).
- A silence is a pointer to a moment, not a code: the coder confirms it by coding (or not)
  what the caregiver did; it never becomes a withdrawal sign by itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from samspill.core.assist.proposals import Proposal

GRACE_MS = 1000


def silences_after_bids(
    bid_onsets_ms: Sequence[int], speech: Sequence[tuple[int, int]], window_ms: int,
    duration_ms: int, version: str, grace_ms: int = GRACE_MS,
) -> list[Proposal]:
    """A ``silence`` proposal for each bid whose next ``window_ms`` hold no speech."""
    found: list[Proposal] = []
    for onset in sorted(bid_onsets_ms):
        end = min(onset + window_ms, duration_ms)
        if end <= onset + grace_ms:
            continue  # too little recording after the bid to judge
        if any(s_on < end and s_off > onset + grace_ms for s_on, s_off in speech):
            continue
        cut = end < onset + window_ms
        note = f"recording ends {end - onset} ms after the bid" if cut else ""
        found.append(Proposal("silence", version, "caregiver", "silence", onset, end,
                              0.5 if cut else 1.0, note=note))
    return found
