"""Grading a learner's answer against a clip's answer key, and counting results.

Pure functions over plain values: the web and the CLI store answers and show the results.

- :func:`grade_marks`: key presses (ms on the session's timeline) against the child's
  unanswered bids, with a tolerance before and after each bid. Each bid takes at most one mark
  and each mark at most one bid; the matching is the largest possible (with windows of equal
  width, pairing in time order is optimal). Marks at a bid whose window was cut (the clip ended,
  the caregiver left) are neither hits nor false marks.
- :func:`grade_signs`: a checklist against the signs' states; a sign the clip cannot show
  (``not_observable``) is not judged.
- :func:`grade_choice`: which of two clips shows withdrawal, and the signs named as why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from samspill.core.course.clip_scores import CUT, UNANSWERED, ClipScores
from samspill.core.course.model import Task
from samspill.core.errors import N_, InputError
from samspill.core.indicators import INDICATORS
from samspill.core.indicators.states import ABSENT, HOSTILE, LOW, PRESENT

HIT, MISS, FALSE_MARK, NEUTRAL = "hit", "miss", "false", "neutral"
SEEN, MISSED, WRONGLY_SEEN, RIGHTLY_UNSEEN, NOT_JUDGED = (
    "seen", "missed", "false", "right_absent", "not_judged")
SIGN_IDS = tuple(INDICATORS)  # the five signs, then the hostility qualifier
# Two presses this close together are one mark (a key held or pressed twice by mistake).
DOUBLE_PRESS_MS = 400
MAX_MARKS = 500
MARK_COLUMNS = ["outcome", "time_ms", "mark_ms", "bid_id", "bid_ms", "kind", "status",
                "comment", "answer_ms", "answer_code", "followed"]


@dataclass(frozen=True)
class MarkGrade:
    """``rows``: :data:`MARK_COLUMNS`, one per hit, miss, false or neutral mark, in time
    order; ``time_ms`` is where it shows on the timeline (the bid's time, or the mark's for a
    false mark). For a false mark, the ``bid_*`` columns name the nearest bid, if any was
    within the tolerance, to say what became of it (answered, child held)."""

    rows: pd.DataFrame

    def count(self, outcome: str) -> int:
        return int((self.rows["outcome"] == outcome).sum())

    @property
    def counts(self) -> dict[str, int]:
        return {o: self.count(o) for o in (HIT, MISS, FALSE_MARK, NEUTRAL)}

    def records(self) -> list[dict[str, Any]]:
        """The rows as plain Python values (None where a table holds NaN)."""
        return [{str(k): v if isinstance(v, list) else _plain(v) for k, v in row.items()}
                for row in self.rows.to_dict("records")]


def _plain(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def clean_marks(marks: Iterable[int], *, start_ms: int, end_ms: int) -> list[int]:
    """Marks inside the clip, sorted, double presses merged; refuses a flood of marks."""
    found = sorted(int(m) for m in marks)
    if len(found) > MAX_MARKS:
        raise InputError(N_("too many marks ({count}); at most {limit}"),
                         fix=N_("press the key once per moment"),
                         params={"count": len(found), "limit": MAX_MARKS})
    out: list[int] = []
    for mark in found:
        if start_ms <= mark <= end_ms and (not out or mark - out[-1] > DOUBLE_PRESS_MS):
            out.append(mark)
    return out


def grade_marks(marks: Sequence[int], scores: ClipScores, task: Task) -> MarkGrade:
    """Hits, misses and false marks of ``marks`` (clean them first: :func:`clean_marks`)."""
    bids = scores.bids
    targets = bids[bids["status"] == UNANSWERED].reset_index(drop=True)
    before, after = task.tolerance_before_ms, task.tolerance_after_ms
    used: set[int] = set()
    rows: list[dict[str, Any]] = []
    for _, bid in targets.iterrows():
        mark = _first_free(marks, used, int(bid["time_ms"]) - before, int(bid["time_ms"]) + after)
        if mark is not None:
            used.add(mark)
        rows.append(_row(HIT if mark is not None else MISS, int(bid["time_ms"]),
                         None if mark is None else marks[mark], bid))
    for index, mark_ms in enumerate(marks):
        if index in used:
            continue
        near = _nearest(bids, mark_ms, before, after)
        outcome = NEUTRAL if near is not None and near["status"] == CUT else FALSE_MARK
        rows.append(_row(outcome, mark_ms, mark_ms, near))
    table = pd.DataFrame(rows, columns=MARK_COLUMNS)
    return MarkGrade(table.sort_values("time_ms", kind="stable").reset_index(drop=True))


def _first_free(marks: Sequence[int], used: set[int], low: int, high: int) -> int | None:
    for index, mark in enumerate(marks):
        if index not in used and low <= mark <= high:
            return index
    return None


def _nearest(bids: pd.DataFrame, mark_ms: int, before: int, after: int) -> pd.Series | None:
    """The bid whose window holds the mark, the closest one first."""
    inside = bids[(bids["time_ms"] - before <= mark_ms) & (mark_ms <= bids["time_ms"] + after)]
    if inside.empty:
        return None
    position = int((inside["time_ms"] - mark_ms).abs().to_numpy().argmin())
    return inside.iloc[position]


def _row(outcome: str, time_ms: int, mark_ms: int | None, bid: pd.Series | None) -> dict[str, Any]:
    row: dict[str, Any] = {"outcome": outcome, "time_ms": time_ms, "mark_ms": mark_ms}
    if bid is None:
        return row | {"bid_id": None, "bid_ms": None, "kind": None, "status": None,
                      "comment": None, "answer_ms": None, "answer_code": None, "followed": []}
    answer = bid["answer_ms"]
    return row | {"bid_id": bid["event_id"], "bid_ms": int(bid["time_ms"]), "kind": bid["kind"],
                  "status": bid["status"], "comment": bid["comment"],
                  "answer_ms": None if pd.isna(answer) else int(answer),
                  "answer_code": bid["answer_code"], "followed": list(bid["followed"])}


# --- Signs -------------------------------------------------------------------------------


def expected(state: str) -> bool | None:
    """Should a learner tick this item? Present signs and low hostility: yes; absent signs
    and hostility: no; not observable: not judged (None)."""
    if state in (PRESENT, LOW):
        return True
    if state in (ABSENT, HOSTILE):
        return False
    return None


@dataclass(frozen=True)
class SignsGrade:
    """One verdict per item of :data:`SIGN_IDS`: seen, missed, false, right_absent or
    not_judged."""

    verdicts: dict[str, str]

    @property
    def right(self) -> int:
        return sum(v in (SEEN, RIGHTLY_UNSEEN) for v in self.verdicts.values())

    @property
    def judged(self) -> int:
        return sum(v != NOT_JUDGED for v in self.verdicts.values())


def check_signs(checked: Iterable[str]) -> frozenset[str]:
    found = frozenset(checked)
    unknown = sorted(found - set(SIGN_IDS))
    if unknown:
        raise InputError(N_("unknown sign '{sign}'"), fix=N_("choose among the six signs"),
                         params={"sign": unknown[0][:64]})
    return found


def grade_signs(checked: Iterable[str], states: Mapping[str, str]) -> SignsGrade:
    ticked = check_signs(checked)
    verdicts = {}
    for sign in SIGN_IDS:
        want, said = expected(states[sign]), sign in ticked
        if want is None:
            verdicts[sign] = NOT_JUDGED
        elif want:
            verdicts[sign] = SEEN if said else MISSED
        else:
            verdicts[sign] = WRONGLY_SEEN if said else RIGHTLY_UNSEEN
    return SignsGrade(verdicts)


# --- Which clip ----------------------------------------------------------------------------


def withdrawn_clip(first: ClipScores, second: ClipScores) -> int:
    """Which clip (0 or 1) shows withdrawal: the one consistent with a withdrawn profile, else
    the one with more signs present. Refuses a pair that does not tell them apart."""
    a = (first.withdrawn_profile, first.signs_present)
    b = (second.withdrawn_profile, second.signs_present)
    if a == b or (first.withdrawn_profile and second.withdrawn_profile):
        raise InputError(
            N_("the two clips do not differ in withdrawal ({first} and {second} signs present)"),
            fix=N_("pair a clip that shows withdrawal with one that does not"),
            params={"first": first.signs_present, "second": second.signs_present})
    return 0 if a > b else 1


@dataclass(frozen=True)
class ChoiceGrade:
    chosen: int
    right: int
    why: SignsGrade  # the signs named as why, against the withdrawn clip's states

    @property
    def correct(self) -> bool:
        return self.chosen == self.right


def grade_choice(chosen: int, why: Iterable[str], first: ClipScores,
                 second: ClipScores) -> ChoiceGrade:
    if chosen not in (0, 1):
        raise InputError(N_("choose one of the two clips"), fix=N_("answer A or B"))
    right = withdrawn_clip(first, second)
    return ChoiceGrade(chosen, right, grade_signs(why, (first, second)[right].states))


# --- Counting -----------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts over answers: per sign, how often it was seen, missed, wrongly seen; marks hit,
    missed, false; choices right and wrong. A learner's summary and a class's results."""

    signs: dict[str, dict[str, int]] = field(
        default_factory=lambda: {s: {SEEN: 0, MISSED: 0, WRONGLY_SEEN: 0} for s in SIGN_IDS})
    marks: dict[str, int] = field(
        default_factory=lambda: {HIT: 0, MISS: 0, FALSE_MARK: 0})
    choices: dict[str, int] = field(default_factory=lambda: {"right": 0, "wrong": 0})

    def add_signs(self, grade: SignsGrade) -> None:
        for sign, verdict in grade.verdicts.items():
            if verdict in self.signs[sign]:
                self.signs[sign][verdict] += 1

    def add_marks(self, grade: MarkGrade) -> None:
        for outcome in self.marks:
            self.marks[outcome] += grade.count(outcome)

    def add_choice(self, grade: ChoiceGrade) -> None:
        self.choices["right" if grade.correct else "wrong"] += 1
        self.add_signs(grade.why)
