"""How many key presses and how many seconds of video a coder needs to reproduce a coding, by
hand or with the assist's suggestions: a documented model of a scripted coder, not a claim
about people.

The scripted coder knows the reference (master) coding and never errs, so both figures are
lower bounds: real coders pause, rewind, think, press wrong keys and disagree with themselves.
Every press is one the coding screen really takes (``web/static/keys.js``, ``modifiers.js``,
``suggestions.js``); a chord (Alt + S, Shift + →) counts as one press.

**By hand** (:func:`from_scratch`): Space plays the video, which the coder watches once at 1×
(no pause, no rewind) and presses each event's key at its moment (:func:`hand_keys`):

- a point: its key, plus its modifiers from the pop-up (below);
- a state: its key to start, its key again to stop; starting a state of an exclusive group
  (near, far, absent) stops the one running in that group at the same instant, so a switch is
  one press; a second press within 600 ms of the start only warns (keys.js GUARD_MS), so a
  state shorter than that needs one press more to stop;
- modifiers: the pop-up asks the required sets first, then the others in the scheme's order;
  an option among the first nine is its digit (one press; a multiple choice adds Enter), a
  later one ↓ per place and Enter; an unanswered set before an answered one is Escape; the
  unanswered sets at the end cost nothing (the next key closes the pop-up and codes);
- a code of several subjects for a subject other than the current one: the subject key
  (`) once per step round the scheme's subjects.

**With the assist** (:func:`with_assist`): the coder first steps through the suggestion list
(Alt + S selects the first, ↓ the next), judging each by the video at its edges; then goes
back to the start (`/`, `0`, Enter, which also leaves the list), plays the whole video once at
1× and codes by hand every reference event that no accepted suggestion became. Each suggestion
is matched to an uncovered reference event: of its code and subject, overlapping it (a state)
or within ``match_ms`` of it (a point); a suggestion whose code the scheme lacks (speech) to any
reference event within ``match_ms`` (the coder picks the code in the list's chooser: ↓ per place
and Enter). A matched suggestion is accepted (A) when acceptance can give the reference event:
the same subject and no modifiers (an accepted suggestion has none, and one needing a required
modifier cannot be accepted at all). Before accepting, each edge off by more than
``tolerance_ms`` is moved to the reference edge, one press per ``step_ms`` (Shift / Alt + ← →,
suggestions.js STEP_MS); an edge within the tolerance stays, unless it would overlap a
neighbouring state of its lane (the server refuses overlaps), and then it is moved too. Where
rejecting (X) and keying the event by hand costs fewer presses than accepting and adjusting,
the coder rejects; every unmatched suggestion is rejected.

**Seconds of video.** By hand: the video's length. With the assist: the review (the union of
``review_ms`` either side of every suggestion's edges) plus the whole video once more at 1×,
since a coder cannot know where the events the assist does not propose (bids, answers,
redirections, leaving and returning) are without watching, nor that it missed none.
``pointed_ms`` says what the assisted coder would watch if the assist also pointed at every
event left to code by hand (the same windows around their edges): an assist that cannot be
had today, shown so the gap is visible.

Left out: the time to decide and press (only presses are counted), reaction lag and timing
errors (events are placed exactly), mistakes and their undo, the ratings and the transcript,
and the silences after bids (pointers that appear once the bids are coded; the 1× pass shows
those moments anyway).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from samspill.core.assist.proposals import Proposal
from samspill.core.errors import N_, InputError
from samspill.core.events import Event
from samspill.core.scheme import Code, Scheme

STEP_MS = 100  # suggestions.js STEP_MS: one Shift / Alt + arrow moves an edge this far
GUARD_MS = 600  # keys.js GUARD_MS: a press this soon after a state's start only warns
DIGITS = 9  # the modifier pop-up numbers its options 1-9
GOTO_START = 3  # "/", "0", Enter: Go to 0:00, leaving the suggestion list


@dataclass(frozen=True)
class EffortSettings:
    """The scripted coder's rules (milliseconds)."""

    tolerance_ms: int = 1000  # an edge this close to the reference is accepted as it is
    match_ms: int = 3000  # a point suggestion this close to a reference event points at it
    review_ms: int = 2000  # video watched either side of a suggestion's edge when judging it
    step_ms: int = STEP_MS
    cheapest: bool = True  # reject and key by hand when that takes fewer presses than accepting


@dataclass(frozen=True)
class Decision:
    """What the coder did with one suggestion: ``accept`` or ``reject``; the reference event it
    became (accepted) or pointed at (``event_id``), and the presses it took beyond the ↓ to it."""

    suggestion: Proposal
    action: str
    event_id: str | None = None
    moves: int = 0  # edge presses
    chooser: int = 0  # presses in the code chooser (a suggestion whose code the scheme lacks)
    why: str = ""  # why it was rejected

    @property
    def keys(self) -> int:
        return 1 + self.moves + self.chooser


@dataclass(frozen=True)
class Effort:
    """Presses by kind (``keys``), video watched (``watched_ms``), the coding that results
    (``events``), the events coded by hand and what happened to each suggestion."""

    keys: dict[str, int]
    watched_ms: int
    events: list[Event]
    hand_coded: list[Event]
    decisions: list[Decision] = field(default_factory=list)
    pointed_ms: int | None = None

    @property
    def total_keys(self) -> int:
        return sum(self.keys.values())


# -- coding by hand -------------------------------------------------------------------------


def _code(scheme: Scheme, event: Event) -> Code:
    code = scheme.code(event.code)
    if code is None or code.key is None:
        raise InputError(N_("code '{code}' has no key in the scheme"),
                         fix=N_("give every code the effort model counts a key"),
                         params={"code": event.code})
    return code


def _option_keys(options: list[str], chosen: str) -> int:
    place = options.index(chosen) if chosen in options else 0
    return 1 if place < DIGITS else place + 2  # a digit; else ↓ to it and Enter


def modifier_keys(event: Event, code: Code, scheme: Scheme, when: str) -> int:
    """Presses in the pop-up for the sets asked at ``when`` (a point: all at its press)."""
    sets = [s for s in (scheme.modifier_set(i) for i in code.modifiers) if s is not None
            and (code.kind == "point" or s.ask_at == when)]
    sets = [s for s in sets if s.required] + [s for s in sets if not s.required]
    answered = [event.modifiers.get(s.id) not in (None, "", []) for s in sets]
    last = max((i for i, done in enumerate(answered) if done), default=-1)
    keys = 0
    for i, mset in enumerate(sets[: last + 1]):
        value = event.modifiers.get(mset.id)
        if not answered[i]:
            keys += 1  # Escape: skip it to reach a later set
        elif isinstance(value, list):
            keys += sum(_option_keys(mset.options, v) for v in value) + 1  # toggles, Enter
        else:
            keys += _option_keys(mset.options, str(value))
    return keys


def hand_keys(events: Sequence[Event], scheme: Scheme) -> int:
    """Presses to key ``events`` live in one 1× pass (see the module's rules)."""
    presses: list[tuple[int, int, Event, str]] = []  # (time, order, event, start or stop)
    starts = {(e.subject, e.code, e.onset_ms) for e in events}
    for event in events:
        code = _code(scheme, event)
        presses.append((event.onset_ms, 1, event, "start"))
        if code.kind == "state" and event.offset_ms is not None \
                and not _switched_off(event, starts, scheme):
            presses.append((event.offset_ms, 0, event, "stop"))
    subject, keys = scheme.subjects[0], 0
    for _, _, event, when in sorted(presses, key=lambda p: (p[0], p[1], p[2].code)):
        code = _code(scheme, event)
        if event.subject != subject and event.subject in code.subjects and len(code.subjects) > 1:
            keys += _steps(scheme.subjects, subject, event.subject)
            subject = event.subject
        keys += 1 + modifier_keys(event, code, scheme, when)
        if when == "stop" and event.offset_ms is not None \
                and event.offset_ms - event.onset_ms < GUARD_MS:
            keys += 1  # the first stop press within the guard only warns
    return keys


def _switched_off(event: Event, starts: set[tuple[str, str, int]], scheme: Scheme) -> bool:
    """Whether starting another state of its exclusive group ends ``event`` (no press)."""
    group = scheme.exclusive_group_of(event.code)
    return group is not None and any(
        (event.subject, other, event.offset_ms) in starts
        for other in group.codes if other != event.code)


def _steps(subjects: list[str], current: str, wanted: str) -> int:
    if current not in subjects or wanted not in subjects:
        return 0
    return (subjects.index(wanted) - subjects.index(current)) % len(subjects)


def from_scratch(reference: Sequence[Event], scheme: Scheme, duration_ms: int) -> Effort:
    """Every reference event keyed by hand while the video plays once at 1×."""
    events = list(reference)
    return Effort({"play (Space)": 1, "events keyed by hand": hand_keys(events, scheme)},
                  duration_ms, events, events)


# -- with the assist ------------------------------------------------------------------------


def with_assist(reference: Sequence[Event], suggestions: Sequence[Proposal], scheme: Scheme,
                duration_ms: int, settings: EffortSettings = EffortSettings()) -> Effort:
    """The suggestions reviewed, accepted or rejected, the rest keyed by hand (module rules)."""
    listed = sorted(suggestions, key=lambda s: (s.onset_ms, s.detector, s.code))
    reference = list(reference)
    matches = _match(listed, reference, scheme, settings)
    why = {i: "it points at no master event" for i in range(len(listed)) if i not in matches}
    for i, event in matches.items():
        if not _acceptable(listed[i], event, scheme):
            why[i] = f"accepting cannot give the master's {event.code} (its modifiers)"
    while True:
        acceptable = set(matches) - set(why)
        edges = _final_edges(listed, matches, acceptable, reference, scheme, settings)
        why |= {i: "it would overlap its lane" for i in acceptable - set(edges)}
        decided = _decisions(listed, matches, edges, scheme, settings, why)
        for i, d in enumerate(decided):
            by_hand = 1 + hand_keys([matches[i]], scheme) if i in edges else 0
            if settings.cheapest and d.action == "accept" and d.keys > by_hand:
                why[i] = f"accepting takes {d.keys} presses, rejecting and keying it {by_hand}"
        if set(why) & set(edges) == set():
            break
    hand = [e for e in reference if e.id not in {d.event_id for d in decided
                                                  if d.action == "accept"}]
    made = [_accepted_event(listed[i], matches[i], edges[i]) for i in edges]
    events = sorted([*made, *hand], key=lambda e: (e.onset_ms, e.subject, e.code))
    windows = [w for s in listed for w in _edge_windows(s.onset_ms, s.offset_ms, settings)]
    review = _union_ms(windows, duration_ms)
    pointed = _union_ms(windows + [w for e in hand for w in _edge_windows(
        e.onset_ms, e.offset_ms, settings)], duration_ms)
    keys = {
        "go to the list (Alt + S)": 1 if listed else 0,
        "next suggestion (↓)": max(0, len(listed) - 1),
        "accept (A)": sum(d.action == "accept" for d in decided),
        "choose the code (↓, Enter)": sum(d.chooser for d in decided),
        "move edges (Shift / Alt + ← →)": sum(d.moves for d in decided),
        "reject (X)": sum(d.action == "reject" for d in decided),
        "back to 0:00 (/ 0 Enter)": GOTO_START if listed else 0,
        "play (Space)": 1,
        "events keyed by hand": hand_keys(hand, scheme),
    }
    return Effort(keys, review + duration_ms, events, hand, decided, pointed)


def _match(listed: Sequence[Proposal], reference: list[Event], scheme: Scheme,
           settings: EffortSettings) -> dict[int, Event]:
    """Each suggestion's reference event (at most one suggestion per event), in list order."""
    taken: set[str] = set()
    found: dict[int, Event] = {}
    for i, suggestion in enumerate(listed):
        near = [(c, e) for e in reference if e.id not in taken
                and (c := _closeness(suggestion, e, scheme, settings)) is not None]
        if near:
            best = max(near, key=lambda pair: pair[0])[1]
            found[i] = best
            taken.add(best.id)
    return found


def _closeness(suggestion: Proposal, event: Event, scheme: Scheme,
               settings: EffortSettings) -> int | None:
    """How well ``suggestion`` points at ``event`` (higher is better), None when it does not."""
    if scheme.code(suggestion.code) is None:  # speech: any code, chosen in the chooser
        gap = abs(suggestion.onset_ms - event.onset_ms)
        return -gap if gap <= settings.match_ms else None
    if suggestion.code != event.code or suggestion.subject != event.subject:
        return None
    if event.offset_ms is None or suggestion.offset_ms is None:
        gap = abs(suggestion.onset_ms - event.onset_ms)
        return -gap if gap <= settings.match_ms else None
    shared = min(suggestion.offset_ms, event.offset_ms) - max(suggestion.onset_ms, event.onset_ms)
    return shared if shared > 0 else None


def _acceptable(suggestion: Proposal, event: Event, scheme: Scheme) -> bool:
    """Whether accepting (suggestions.js acceptAs) can give ``event``: no modifiers (an accepted
    suggestion has none; a code with a required set cannot be accepted) and its subject."""
    code = scheme.code(event.code)
    if code is None or event.modifiers:
        return False
    if code.kind == "state" and suggestion.offset_ms is None:
        return False  # its end would be a second after its start, and cannot be moved
    if any((m := scheme.modifier_set(i)) is not None and m.required for i in code.modifiers):
        return False
    subject = suggestion.subject if suggestion.subject in code.subjects else code.subjects[0]
    return subject == event.subject


Edges = tuple[int, int | None]


def _final_edges(listed: Sequence[Proposal], matches: dict[int, Event], acceptable: set[int],
                 reference: Sequence[Event], scheme: Scheme,
                 settings: EffortSettings) -> dict[int, Edges]:
    """Each accepted suggestion's edges: those off by more than the tolerance moved to the
    reference edge in whole steps, then any that would overlap another state of its lane
    (the server refuses that) moved off it in whole steps. Moving only shrinks a state, so this
    ends; a state that would vanish is not accepted."""
    edges = {i: _edges(listed[i], matches[i], settings) for i in sorted(acceptable)}
    changed = True
    while changed:
        changed = False
        spans = _states(edges, matches, reference)
        for i, (onset, offset) in list(edges.items()):
            event = matches[i]
            if offset is None or _code(scheme, event).kind != "state":
                continue
            lane = _lane(scheme, event.code)
            for other, (subject, code, start, end) in spans.items():
                if other == event.id or subject != event.subject or code not in lane \
                        or not (start < offset and onset < end):
                    continue
                if start <= onset:  # it starts inside the other: start when the other ends
                    onset += -(-(end - onset) // settings.step_ms) * settings.step_ms
                else:  # it ends inside the other: end when the other starts
                    offset -= -(-(offset - start) // settings.step_ms) * settings.step_ms
                changed = True
                break
            if changed:
                if onset >= offset:
                    del edges[i]
                else:
                    edges[i] = (onset, offset)
                break
    return edges


def _states(edges: dict[int, Edges], matches: dict[int, Event],
            reference: Sequence[Event]) -> dict[str, tuple[str, str, int, int]]:
    """The resulting coding's states by reference id: accepted ones at their edges, the others
    (keyed by hand) at the reference's."""
    spans = {e.id: (e.subject, e.code, e.onset_ms, e.offset_ms)
             for e in reference if e.offset_ms is not None}
    for i, (onset, offset) in edges.items():
        event = matches[i]
        if offset is not None and event.offset_ms is not None:
            spans[event.id] = (event.subject, event.code, onset, offset)
    return spans


def _lane(scheme: Scheme, code_id: str) -> set[str]:
    group = scheme.exclusive_group_of(code_id)
    return set(group.codes) if group else {code_id}


def _edges(suggestion: Proposal, event: Event, settings: EffortSettings) -> Edges:
    """The suggestion's edges after the coder moves those off by more than the tolerance."""
    onset = _moved(suggestion.onset_ms, event.onset_ms, settings)
    if event.offset_ms is None:
        return onset, None  # a point: its end is not used
    assert suggestion.offset_ms is not None  # _acceptable: a state from a state
    return onset, _moved(suggestion.offset_ms, event.offset_ms, settings)


def _moved(edge: int, target: int, settings: EffortSettings) -> int:
    """Where an edge ends after whole steps towards ``target``; unchanged within tolerance."""
    if abs(target - edge) <= settings.tolerance_ms:
        return edge
    return edge + round((target - edge) / settings.step_ms) * settings.step_ms


def _decisions(listed: Sequence[Proposal], matches: dict[int, Event], edges: dict[int, Edges],
               scheme: Scheme, settings: EffortSettings, why: dict[int, str]) -> list[Decision]:
    out = []
    for i, suggestion in enumerate(listed):
        event = matches.get(i)
        if i not in edges or event is None:
            out.append(Decision(suggestion, "reject", event.id if event else None,
                                why=why.get(i, "")))
            continue
        onset, offset = edges[i]
        moves = abs(onset - suggestion.onset_ms) // settings.step_ms
        if offset is not None and suggestion.offset_ms is not None:
            moves += abs(offset - suggestion.offset_ms) // settings.step_ms
        chooser = 0
        if scheme.code(suggestion.code) is None:
            chooser = [c.id for c in scheme.codes].index(event.code) + 1  # ↓ to it, Enter
        out.append(Decision(suggestion, "accept", event.id, moves, chooser))
    return out


def _accepted_event(suggestion: Proposal, event: Event, edges: Edges) -> Event:
    """The event an accepted suggestion becomes: the code and subject the coder chose (the
    reference's), the suggestion's edges as moved, no modifiers, its provenance."""
    return event.model_copy(update={"onset_ms": edges[0], "offset_ms": edges[1],
                                    "provenance": suggestion.provenance, "modifiers": {}})


def _edge_windows(onset: int, offset: int | None,
                  settings: EffortSettings) -> list[tuple[int, int]]:
    edges = [onset] if offset is None else [onset, offset]
    return [(t - settings.review_ms, t + settings.review_ms) for t in edges]


def _union_ms(windows: Iterable[tuple[int, int]], duration_ms: int) -> int:
    total, end = 0, 0
    for start, stop in sorted((max(0, a), min(duration_ms, b)) for a, b in windows):
        if stop <= max(start, end):  # wholly watched already, or outside the video
            continue
        total += stop - max(start, end)
        end = stop
    return total
