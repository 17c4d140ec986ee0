"""Moments to show a parent: candidate clips found in a scored coding (issue 23).

Video-based guidance (Marte Meo, Video Interaction Guidance, VIPP-SD) works from the family's
own film: the clinician picks short moments where the parent saw and answered the child, shows
them, and names what happened; and moments where a signal was missed, to talk about. This
module proposes such moments from what the indicators already found: it reads their evidence
table (:func:`samspill.core.indicators.compute_indicators`) and never decides again whether a
bid was answered, an episode met, a child redirected or put down. The proposals are
suggestions; a person accepts, trims and captions each one.

Findings used (the indicator's evidence note, in brackets):

========================== ======= =====================================================
reason                     kind    from
========================== ======= =====================================================
``prompt_full_answer``     good    responsiveness: a bid answered, not muted, within
                                   ``prompt_ms`` ("bid: answered")
``initiative``             good    initiative: an episode of need the caregiver met on
                                   their own ("episode of need: caregiver took the
                                   initiative")
``comfort_taken``          good    a hold that answered a bid or an episode of need and
                                   was not cut short while the child still needed it
                                   (cursory contact: "hold bout", "hold bout: the child's
                                   protest was answered")
``reunion_contact``        good    any of the above, or a seeking signal met with contact
                                   (redirection: "seeking the caregiver: contact"), inside
                                   a segment whose role is ``reunion``
``unanswered_bid``         missed  responsiveness: "bid: unanswered within ..."
``redirect_away``          missed  redirection: "seeking the caregiver: redirected"
``putdown_despite_protest`` missed cursory contact: "hold bout: put down despite protest"
========================== ======= =====================================================

Ranking by clarity
------------------
A moment is shown to a parent, often once, without the coder's notes: the clearer it shows
what happened by itself, the better it serves. ``clarity`` (0–1) is:

1. the *strength* of its strongest finding: how plainly that finding shows in a picture. An
   act is plainer than an absence, and a finding far from the line plainer than one near it:

   - prompt full answer: 1 − 0.5 × latency / ``prompt_ms`` (an answer at 0 s: 1.0; at the
     limit: 0.5);
   - initiative: 1 − 0.5 × latency / the initiative window;
   - comfort taken: 0.6 + 0.4 × min(1, hold length / 15 s) (a long hold shows comfort taken);
   - reunion with contact: 0.8;
   - put-down despite protest: 0.9 (the coder saw the protest: an act against a visible
     signal);
   - redirect away from self: 0.8 (a visible act);
   - unanswered bid: 0.5, or 0.65 for a bid for proximity (reach, approach, climb): an
     absence is the hardest thing to see on film, a child reaching out is the plainest of them;
2. plus 0.1 for each further finding of the same kind in the moment (a run of three
   unanswered bids is clearer than one);
3. minus 0.3 when the clip as shown (with its context) also holds a finding of the other kind:
   a mixed clip asks the parent to sort out which part is meant;

clipped to 0–1. Moments rank by clarity within their kind, the earlier first on a tie. The
weights are this product's starting choice, not a validated scale: the clinician decides.

Findings of the same kind whose cores lie within ``merge_gap_ms`` of each other make one moment
(the reasons and evidence events of all of them). Context (``before_ms``, ``after_ms``) is added
around the core, within the recording.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from samspill.core.errors import N_, InputError

GOOD, MISSED = "good", "missed"
KINDS = (GOOD, MISSED)
REASONS: dict[str, str] = {
    "prompt_full_answer": GOOD, "initiative": GOOD, "comfort_taken": GOOD,
    "reunion_contact": GOOD, "unanswered_bid": MISSED, "redirect_away": MISSED,
    "putdown_despite_protest": MISSED,
}
# What each reason says to a clinician (English; the web and the CLI translate).
REASON_WORDS: dict[str, str] = {
    "prompt_full_answer": N_("a bid answered promptly and fully"),
    "initiative": N_("an initiative when the child needed it"),
    "comfort_taken": N_("comfort that the child took"),
    "reunion_contact": N_("a reunion with contact"),
    "unanswered_bid": N_("an unanswered bid"),
    "redirect_away": N_("a redirect away from self"),
    "putdown_despite_protest": N_("a put-down despite protest"),
}
KIND_WORDS: dict[str, str] = {GOOD: N_("Good moment"), MISSED: N_("Missed moment")}
MOMENT_COLUMNS = ["kind", "rank", "clarity", "start_ms", "end_ms", "core_start_ms",
                  "core_end_ms", "key_ms", "reasons", "evidence", "key_event_id"]
# The indicators' evidence notes this module reads (see the indicator modules).
ANSWERED = "bid: answered"
UNANSWERED_PREFIX = "bid: unanswered"
INITIATIVE_MET = "episode of need: caregiver took the initiative"
HOLD_KEPT = ("hold bout", "hold bout: the child's protest was answered")
PUT_DOWN_PROTEST = "hold bout: put down despite protest"
SEEK_CONTACT = "seeking the caregiver: contact"
SEEK_REDIRECTED = "seeking the caregiver: redirected"
LONG_HOLD_MS = 15_000
MIXED_PENALTY = 0.3
CORROBORATION = 0.1


@dataclass(frozen=True)
class MomentSettings:
    """How candidate moments are cut. ``prompt_ms``: an answer this fast is prompt;
    ``response_window_ms`` and ``initiative_window_ms`` should be the indicators' own."""

    before_ms: int = 3000
    after_ms: int = 3000
    merge_gap_ms: int = 2000
    prompt_ms: int = 3000
    response_window_ms: int = 10_000
    initiative_window_ms: int = 10_000
    proximity_kinds: tuple[str, ...] = ("approach", "reach", "climb-or-lift-arms")
    bid_kind_modifier: str = "kind"
    reunion_role: str = "reunion"
    max_per_kind: int | None = None

    def __post_init__(self) -> None:
        for name in ("before_ms", "after_ms", "merge_gap_ms", "prompt_ms"):
            if getattr(self, name) < 0:
                raise InputError(N_("the moment setting {name} cannot be negative"),
                                 fix=N_("give 0 or more milliseconds"), params={"name": name})


@dataclass
class _Finding:
    kind: str
    reason: str
    start: int
    end: int
    key: int
    strength: float
    events: list[str] = field(default_factory=list)


def find_moments(indicators: pd.DataFrame, evidence: pd.DataFrame, *,
                 events: pd.DataFrame | None = None, coding: int = 0,
                 duration_ms: int | None = None,
                 settings: MomentSettings | None = None) -> pd.DataFrame:
    """Ranked candidate moments of one coding.

    Parameters
    ----------
    indicators, evidence
        The indicator and evidence tables of :class:`~samspill.core.scoring.Scores`.
    events
        The coding's events (:data:`~samspill.core.events.EVENT_COLUMNS`), to read each bid's
        kind; without them every unanswered bid counts as a plain one.
    coding
        Which coding of the tables (its position in ``Scores.codings``).
    duration_ms
        The recording's length: context never runs past it.

    Returns
    -------
    DataFrame with :data:`MOMENT_COLUMNS`, good moments first, each kind by ``rank`` (1 is the
    clearest): ``start_ms``/``end_ms`` the clip with context, ``core_*`` the findings' span,
    ``key_ms`` the key instant (the strongest finding's signal), ``reasons`` a tuple of reason
    ids, ``evidence`` a tuple of event ids, ``key_event_id`` the strongest finding's first
    event (a stable name for the proposal). Empty when nothing was found.
    """
    s = settings or MomentSettings()
    ev = evidence[evidence["coding"] == coding] if len(evidence) else evidence
    reunions = _reunion_segments(indicators, coding, s.reunion_role)
    findings = _findings(ev, reunions, _bid_kinds(events, s), s)
    moments = [_moment(group, findings, s, duration_ms) for group in _groups(findings, s)]
    table = pd.DataFrame(moments, columns=MOMENT_COLUMNS)
    if table.empty:
        return table
    table["kind_order"] = table["kind"].map({GOOD: 0, MISSED: 1})
    table = table.sort_values(["kind_order", "clarity", "key_ms"],
                              ascending=[True, False, True]).drop(columns="kind_order")
    table["rank"] = table.groupby("kind").cumcount() + 1
    if s.max_per_kind is not None:
        table = table[table["rank"] <= s.max_per_kind]
    return table.reset_index(drop=True)


def _reunion_segments(indicators: pd.DataFrame, coding: int, role: str) -> set[str]:
    if indicators.empty:
        return set()
    rows = indicators[(indicators["coding"] == coding) & (indicators["scope"] == "segment")
                      & (indicators["role"] == role)]
    return {str(x) for x in rows["segment_id"] if x is not None}


def _bid_kinds(events: pd.DataFrame | None, s: MomentSettings) -> dict[str, str]:
    if events is None or events.empty:
        return {}
    bids = events[events["code"] == "bid"]
    return {str(i): str((m or {}).get(s.bid_kind_modifier) or "")
            for i, m in zip(bids["event_id"], bids["modifiers"], strict=True)}


def _findings(ev: pd.DataFrame, reunions: set[str], kinds: dict[str, str],
              s: MomentSettings) -> list[_Finding]:
    out: list[_Finding] = []
    answers: dict[str, int] = {}  # answering event -> when the signal it answered came
    for row in ev.itertuples(index=False):
        found = _finding(row, kinds, s)
        if found is None:
            continue
        if found.reason in ("prompt_full_answer", "initiative") and isinstance(
                row.related_event_id, str):
            answers.setdefault(row.related_event_id, found.start)
        if found.kind == GOOD and row.segment_id in reunions and found.reason != "comfort":
            out.append(_Finding(GOOD, "reunion_contact", found.start, found.end, found.key,
                                0.8, list(found.events)))
        if found.reason != "contact":
            out.append(found)
    return _comforts(out, answers, ev, reunions)


def _finding(row: object, kinds: dict[str, str], s: MomentSettings) -> _Finding | None:
    """One evidence row as a finding (``comfort`` and ``contact`` are resolved later)."""
    note, t = str(getattr(row, "note", "")), int(getattr(row, "time_ms", 0))
    value = float(getattr(row, "value_ms", np.nan))
    related = getattr(row, "related_time_ms", np.nan)
    event_ids = [str(x) for x in (getattr(row, "event_id", None),
                                  getattr(row, "related_event_id", None))
                 if isinstance(x, str)]
    end = int(related) if related == related else t  # NaN: no related event
    if note == ANSWERED and value <= s.prompt_ms:
        return _Finding(GOOD, "prompt_full_answer", t, end, t,
                        1 - 0.5 * value / max(s.prompt_ms, 1), event_ids)
    if note == INITIATIVE_MET and value == value:
        share = min(max(value, 0) / max(s.initiative_window_ms, 1), 1.0)
        return _Finding(GOOD, "initiative", t, end, t, 1 - 0.5 * share, event_ids)
    if note in HOLD_KEPT:
        length = 0 if value != value else int(value)
        return _Finding(GOOD, "comfort", t, t + length, t,
                        0.6 + 0.4 * min(1.0, length / LONG_HOLD_MS), event_ids[:1])
    if note == SEEK_CONTACT:
        return _Finding(GOOD, "contact", t, end, t, 0.8, event_ids)
    if note.startswith(UNANSWERED_PREFIX):
        plain = kinds.get(event_ids[0] if event_ids else "", "") not in s.proximity_kinds
        return _Finding(MISSED, "unanswered_bid", t, t + s.response_window_ms, t,
                        0.5 if plain else 0.65, event_ids)
    if note == SEEK_REDIRECTED:
        return _Finding(MISSED, "redirect_away", t, end, t, 0.8, event_ids)
    if note == PUT_DOWN_PROTEST:
        length = 0 if value != value else int(value)
        put_down = t + length
        return _Finding(MISSED, "putdown_despite_protest", t, max(put_down, end), put_down, 0.9,
                        event_ids)
    return None


def _comforts(found: list[_Finding], answers: dict[str, int], ev: pd.DataFrame,
              reunions: set[str]) -> list[_Finding]:
    """A kept hold is comfort taken only when it answered a signal (a bid or a need)."""
    out = []
    segments = dict(zip(ev["event_id"].astype(str), ev["segment_id"], strict=True)) if len(
        ev) else {}
    for f in found:
        if f.reason != "comfort":
            out.append(f)
            continue
        signal = answers.get(f.events[0]) if f.events else None
        if signal is None:
            continue  # a hold nobody asked for is no comfort the child took
        comfort = _Finding(GOOD, "comfort_taken", signal, f.end, signal, f.strength, f.events)
        out.append(comfort)
        if segments.get(f.events[0]) in reunions:
            out.append(_Finding(GOOD, "reunion_contact", signal, f.end, signal, 0.8,
                                list(f.events)))
    return out


def _groups(findings: list[_Finding], s: MomentSettings) -> list[list[_Finding]]:
    """Same-kind findings whose cores lie within ``merge_gap_ms``: one moment each."""
    groups: list[list[_Finding]] = []
    for kind in KINDS:
        mine = sorted((f for f in findings if f.kind == kind), key=lambda f: (f.start, f.end))
        end = -(10**18)
        for f in mine:
            if groups and groups[-1][0].kind == kind and f.start <= end + s.merge_gap_ms:
                groups[-1].append(f)
                end = max(end, f.end)
            else:
                groups.append([f])
                end = f.end
    return groups


def _moment(group: list[_Finding], every: list[_Finding], s: MomentSettings,
            duration_ms: int | None) -> dict[str, object]:
    kind = group[0].kind
    core_start = min(f.start for f in group)
    core_end = max(f.end for f in group)
    start = max(0, core_start - s.before_ms)
    end = core_end + s.after_ms
    if duration_ms is not None:
        end = min(end, duration_ms)
    best = max(group, key=lambda f: (f.strength, -f.start))
    distinct = {(f.reason, f.start) for f in group}
    mixed = any(f.kind != kind and f.start < end and f.end > start for f in every)
    clarity = best.strength + CORROBORATION * (len(distinct) - 1) - MIXED_PENALTY * mixed
    evidence = list(dict.fromkeys(e for f in sorted(group, key=lambda f: f.start)
                                  for e in f.events))
    return {"kind": kind, "rank": 0, "clarity": round(float(np.clip(clarity, 0, 1)), 3),
            "start_ms": int(start), "end_ms": int(max(end, start)),
            "core_start_ms": int(core_start), "core_end_ms": int(core_end),
            "key_ms": int(best.key),
            "reasons": tuple(dict.fromkeys(f.reason for f in group)),
            "evidence": tuple(evidence),
            "key_event_id": best.events[0] if best.events else ""}
