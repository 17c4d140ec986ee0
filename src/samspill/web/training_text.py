"""Training pages in words: the feedback on a tape and the certification report, in English and
bokmål, written to the trainee ("your coding") or about them ("Cora’s coding") by who reads.

Issue 22: the pages showed ``True``/``False``, English criterion names, ``-1.67e-16``,
"Passed: yes" for a criterion with no value, per-code seconds that read like counts, and said
"every event matches the master" beside a κ near zero. Every sentence is built here, from the
service's tables, so the routes and templates only place them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from samspill.core import numbers
from samspill.services import agreement, training
from samspill.web import i18n

_ = i18n.gettext
NBSP = numbers.NBSP


def _lang() -> str:
    return i18n.current_language.get()


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def whose(name: str) -> str:
    """A name's possessive in the page's language: "Cora’s" (English), "Coras", "Lars’"
    (bokmål, which adds no s to a name ending in s, x or z)."""
    if _lang() == "nb":
        return f"{name}’" if name[-1:].lower() in ("s", "x", "z") else f"{name}s"
    return f"{name}’s"


@dataclass(frozen=True)
class Reader:
    """Who reads a trainee's pages: the trainee (``own``) or a trainer, and the words that
    follow: "You"/"Cora", "Your coding"/"Cora’s coding"."""

    trainee: str
    own: bool

    @property
    def name(self) -> str:
        """The trainee as a column heading: "You", or their name."""
        return _("You") if self.own else self.trainee

    def words(self) -> dict[str, str]:
        if self.own:
            return {
                "title": _("Your coding against the master"),
                "signs": _("The five signs: your states and the master's"),
                "differed": _("Where you differed"),
                "report": _("Your certification report"),
                "certification": _("Your certification report"),
                "no_tape": _("No tape is rated by both you and the master yet."),
                "level": _("Your level"),
                "disrupted": _("You: disrupted"),
            }
        who = whose(self.trainee)
        return {
            "title": _("{whose} coding against the master").format(whose=who),
            "signs": _("The five signs: {whose} states and the master's").format(whose=who),
            "differed": _("Where {name} differed").format(name=self.trainee),
            "report": _("{whose} certification report").format(whose=who),
            "certification": _("Certification report: {name}").format(name=self.trainee),
            "no_tape": _("No tape is rated by both {name} and the master yet.").format(
                name=self.trainee),
            "level": _("{whose} level").format(whose=who),
            "disrupted": _("{name}: disrupted").format(name=self.trainee),
        }


def yes_no(value: object) -> str:
    """A flag as people read it: "yes", "no", and "not assessed" when there is none."""
    if _missing(value):
        return _("not assessed")
    return _("yes") if bool(value) else _("no")


def kappa(value: object) -> str:
    """κ, an ICC or α: two decimals, float noise around 0 read as 0, "–" when undefined."""
    return numbers.fixed(value, _lang(), 2)


def seconds(ms: object) -> str:
    return numbers.seconds(ms, _lang())


def whole_seconds(ms: int) -> str:
    """A unit or tolerance in seconds as a number without the unit: "1", "0.5"."""
    return numbers.number(ms / 1000, _lang(), 3)


def comparison(unit_ms: int, tolerance_ms: int) -> str:
    """The agreement unit and tolerance in words."""
    return _("Compared in {unit}-second units with a {tolerance}-second tolerance: two events "
             "count as the same event when their onsets lie at most {tolerance} s apart.").format(
        unit=whole_seconds(unit_ms), tolerance=whole_seconds(tolerance_ms))


def lag(ms: object) -> str:
    """An onset (or end) difference: "1.0 s late", "0.5 s early", "on time"."""
    if _missing(ms):
        return "–"
    value = int(ms)  # type: ignore[call-overload]
    if value == 0:
        return _("on time")
    amount = f"{numbers.decimal(abs(value) / 1000, '#,##0.0', _lang())}{NBSP}s"
    return (_("{amount} late") if value > 0 else _("{amount} early")).format(amount=amount)


# --- Feedback ---------------------------------------------------------------------------------


def outcome(found: training.Feedback) -> str:
    """The one sentence that sums up the tape, consistent with the κ beside it."""
    kind = found.outcome
    summary = found.timing_summary
    value = kappa(float(found.pair.kappa["kappa"].iloc[-1]))
    if kind == "differ":
        # No plural form: the count stands after a colon, as in "Events that differ: 3".
        return _("Events that differ from the master (missing, extra or coded differently): "
                 "{n}. See below.").format(n=len(found.differences))
    if kind == "timing":
        off = int(summary["late"] + summary["early"] + summary["ends_differ"])
        return _("Every event has its match in the master within the tolerance, with the same "
                 "code; events one unit or more off in time: {n} (see Timing). The time-unit κ "
                 "({kappa}) counts them.").format(n=off, kappa=value)
    if kind == "kappa_low":
        return _("Every event matches the master in code and time, but the time-unit κ "
                 "({kappa}) is below the study's minimum ({minimum}): the lengths of the states "
                 "differ (see Agreement per code).").format(
            kappa=value, minimum=kappa(found.rule.min_time_unit_kappa))
    return _("Every event matches the master: the same events and codes, each within one "
             "time unit; time-unit κ {kappa}.").format(kappa=value)


def timing_rows(found: training.Feedback) -> list[dict[str, Any]]:
    """The matched events whose onset or end differs from the master's, in the master's
    order: subject, code, both times, and the difference in words."""
    rows = []
    for r in agreement.records(found.timing):
        onset_lag, offset_lag = r["onset_lag_ms"], r["offset_lag_ms"]
        if not onset_lag and not offset_lag:
            continue
        rows.append({
            "subject": r["subject"], "code": r["code_b"], "trainee_code": r["code_a"],
            "master_ms": r["onset_b_ms"], "trainee_ms": r["onset_a_ms"],
            "onset": lag(onset_lag),
            "end": "" if offset_lag is None else lag(offset_lag),
            "off": abs(onset_lag or 0) >= found.unit_ms or abs(offset_lag or 0) >= found.unit_ms,
        })
    return rows


def timing_line(found: training.Feedback) -> str:
    """How the matched events' timing reads, in counts with their unit."""
    s = found.timing_summary
    return _("{matched} events matched within the tolerance: {on_time} within one unit, "
             "{late} late, {early} early, {ends} with a different end (by a unit or "
             "more).").format(matched=int(s["matched"]), on_time=int(s["on_time"]),
                              late=int(s["late"]), early=int(s["early"]),
                              ends=int(s["ends_differ"]))


def per_code_rows(found: training.Feedback) -> list[dict[str, str]]:
    """Agreement per code with the time coded in seconds (the core counts units)."""
    unit = found.unit_ms
    return [{"code": str(r["code"]), "a": seconds(int(r["a"]) * unit),
             "b": seconds(int(r["b"]) * unit), "both": seconds(int(r["both"]) * unit),
             "kappa": kappa(r["kappa"])} for r in agreement.records(found.pair.per_code)]


def tape_difference(state_words: dict[str, str], reader: Reader) -> str:
    """A sign whose states differ, in words: "master: absent · you: not observable", or
    "· Cora: not observable" for a trainer."""
    if reader.own:
        return _("master: {master} · you: {you}").format(master=state_words["master"],
                                                         you=state_words["trainee"])
    return _("master: {master} · {name}: {theirs}").format(
        master=state_words["master"], name=reader.trainee, theirs=state_words["trainee"])


# --- Certification ----------------------------------------------------------------------------


def dimension_name(code: str) -> str:
    names = {"AE": _("Affective communication errors"), "RB": _("Role/boundary confusion"),
             "FD": _("Frightened/disoriented behaviour"),
             "NI": _("Negative/intrusive behaviour"), "WD": _("Withdrawal")}
    return names.get(code, code)


def criterion_name(criterion: str) -> str:
    """The core's criterion id ("level ICC2", "dimension AE ICC2") in words."""
    if criterion == "tapes":
        return _("Tapes rated by both")
    if criterion == "disrupted percent":
        return _("Disrupted: agreement in percent")
    if criterion == "disrupted kappa":
        return _("Disrupted: κ")
    if criterion == "time-unit kappa (mean)":
        return _("Time-unit κ (mean over tapes)")
    if found := re.fullmatch(r"level (\w+)", criterion):
        return _("Level ({icc})").format(icc=found[1])
    if found := re.fullmatch(r"dimension (\w+) (\w+)", criterion):
        return _("Dimension: {name} ({icc})").format(name=dimension_name(found[1]),
                                                     icc=found[2])
    return criterion


def _criterion_value(criterion: str, value: object) -> str:
    if criterion == "tapes":
        return numbers.count(value, _lang())
    if criterion == "disrupted percent":
        if _missing(value):
            return "–"
        return f"{numbers.decimal(float(value), '#,##0', _lang())}{NBSP}%"  # type: ignore[arg-type]
    return kappa(value)


def criterion_rows(report: pd.DataFrame) -> list[dict[str, Any]]:
    """The verdict's criteria in words: name, value, minimum, whether it counts, and passed:
    yes, no, "not assessed" (no value), or "reported only" (no minimum)."""
    rows = []
    for r in agreement.records(report):
        name, value, threshold = str(r["criterion"]), r["value"], r["threshold"]
        if _missing(value):
            passed = _("not assessed")
        elif _missing(threshold):
            passed = _("reported only")
        else:
            passed = yes_no(r["passed"])
        rows.append({
            "key": name, "name": criterion_name(name), "value": _criterion_value(name, value),
            "threshold": "–" if _missing(threshold) else _criterion_value(name, threshold),
            "counts": _("yes") if r["required"] else _("reported only"),
            "passed": passed, "failed": bool(r["required"] and not r["passed"]),
        })
    return rows


def reasons(report: pd.DataFrame) -> list[str]:
    """Why the verdict fails, one sentence per failed criterion that counts."""
    out = []
    for row in criterion_rows(report):
        if not row["failed"]:
            continue
        if row["value"] == "–":
            out.append(_("{criterion}: could not be computed").format(criterion=row["name"]))
        else:
            out.append(_("{criterion}: {value}, below the minimum {threshold}").format(
                criterion=row["name"], value=row["value"], threshold=row["threshold"]))
    return out


def tape_rows(found: training.CertificationReport) -> list[dict[str, Any]]:
    """A trainee's tapes in words, each with its own verdict (the core's tape_verdicts)."""
    verdicts = found.verdicts.set_index("tape") if len(found.verdicts) else None
    rows = []
    for t in agreement.records(found.tapes):
        verdict = verdicts.loc[t["tape"]] if verdicts is not None else None
        difference = None if verdict is None else verdict["level_difference"]
        rows.append({
            **t,
            "trainee_level": numbers.count(t["trainee_level"], _lang()),
            "master_level": numbers.count(t["master_level"], _lang()),
            "level_difference": "–" if _missing(difference) else
            numbers.number(int(difference), _lang()),  # type: ignore[arg-type]
            "trainee_disrupted": yes_no(t["trainee_disrupted"]),
            "master_disrupted": yes_no(t["master_disrupted"]),
            "disrupted_same": yes_no(None if verdict is None else verdict["disrupted_same"]),
            "kappa": kappa(t["time_unit_kappa"]),
            "passed": yes_no(None if verdict is None else verdict["passed"]),
            "passed_flag": None if verdict is None or _missing(verdict["passed"])
            else bool(verdict["passed"]),
        })
    return rows


def verdict(found: training.CertificationReport) -> str:
    if found.result is None:
        return _("no verdict yet")
    return _("passed") if found.result.passed else _("not passed")
