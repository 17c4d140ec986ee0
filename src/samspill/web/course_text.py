"""Course mode's words and numbers for pages: sign titles, states, outcomes, the master's
evidence as sentences, and reading the "new course" form. Every string in English and bokmål
(the catalogs); every time through :func:`samspill.core.numbers.clock`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samspill.core import numbers
from samspill.core.course.grading import SIGN_IDS
from samspill.core.course.model import TASK_KINDS, text_in
from samspill.core.errors import N_, InputError
from samspill.core.indicators import INDICATORS
from samspill.core.scheme import Scheme
from samspill.core.scheme_labels import localised, option_labels, scheme_translation
from samspill.services.courses import ClipPlan, LessonPlan
from samspill.web.i18n import current_language, gettext
from samspill.web.i18n import marked as _

NEW_COURSE_ROWS = 6
SIGNS = SIGN_IDS
STATE_WORDS = {"present": _("present"), "absent": _("absent"),
               "not_observable": _("not observable"), "low": _("low"), "hostile": _("hostile")}
TASK_WORDS = {
    "mark_unanswered": _("Mark each moment the child signals and nobody answers"),
    "which_clip": _("Which of the two clips shows withdrawal, and why?"),
    "which_signs": _("Which signs do you see?"),
}
OUTCOME_WORDS = {"hit": _("marked in time"), "miss": _("missed"), "false": _("false mark"),
                 "neutral": _("not counted")}
VERDICT_WORDS = {"seen": _("you saw it"), "missed": _("you missed it"),
                 "false": _("not shown in this clip"), "right_absent": _("rightly left out"),
                 "not_judged": _("this clip cannot show it")}
CLIP_LETTERS = ("A", "B")


def language() -> str:
    return current_language.get()


def say(message: str, **params: object) -> str:
    text = gettext(message)
    return text.format(**params) if params else text


def text(texts: Mapping[str, str]) -> str:
    return text_in(dict(texts), language())


def clock(ms: object) -> str:
    return numbers.clock(ms)


def count(value: object) -> str:
    return numbers.count(value, language())


def percent(part: int, whole: int) -> str:
    return numbers.percent(part / whole if whole else None, language())


def sign_title(sign: str) -> str:
    return gettext(INDICATORS[sign].title)


def state(value: str) -> str:
    return gettext(STATE_WORDS.get(value, value))


def task(kind: str) -> str:
    return gettext(TASK_WORDS[kind])


def outcome(value: str) -> str:
    return gettext(OUTCOME_WORDS[value])


def verdict(value: str) -> str:
    return gettext(VERDICT_WORDS[value])


class Names:
    """The scheme's codes and bid kinds in the page's language."""

    def __init__(self, scheme: Scheme) -> None:
        tr = scheme_translation(scheme, language())
        self.codes = {c.id: c.name for c in localised(scheme, tr).codes}
        modifiers: Any = option_labels(scheme, tr)["modifiers"]
        self.kinds: dict[str, str] = modifiers.get("kind", {})

    def code(self, code: str | None) -> str:
        return self.codes.get(code or "", code or "")

    def kind(self, kind: str | None) -> str:
        return self.kinds.get(kind or "", kind or "")


def evidence(row: Mapping[str, Any], names: Names, window_ms: int) -> str:
    """What the master's coding shows at one hit, miss or mark, as one sentence."""
    if row["bid_ms"] is None:
        return say(_("No signal from the child was coded near this moment."))
    bid = say(_("At {time} the child signals ({kind})."), time=clock(row["bid_ms"]),
              kind=names.kind(row["kind"]))
    if row["status"] == "answered":
        return bid + " " + say(_("The caregiver answers at {time} ({code})."),
                               time=clock(row["answer_ms"]), code=names.code(row["answer_code"]))
    if row["status"] == "held":
        return bid + " " + say(_("The child is being held: in contact, no answer is awaited."))
    if row["status"] == "cut":
        return bid + " " + say(_("The caregiver leaves, or the clip ends, before an answer "
                                 "could come."))
    said = bid + " " + say(_("No answer within {seconds}."),
                           seconds=numbers.seconds(window_ms, language()))
    instead = [f"{names.code(code)} {clock(at)}" for code, at in row["followed"]]
    if instead:
        said += " " + say(_("The caregiver instead: {acts}."), acts=", ".join(instead))
    if row["comment"]:
        said += f" ({row['comment']})"
    return said


def reason_words(reasons: str) -> str:
    """A sign's reason keys as the indicators' sentences, in the page's language."""
    from samspill.core.indicators import REASONS

    return "; ".join(gettext(REASONS[key]) for key in reasons.split(",") if key in REASONS)


# --- The "new course" form -----------------------------------------------------------------


def lesson_plans(form: Mapping[str, str]) -> list[LessonPlan]:
    """The filled rows of the form (``kind-N``, ``title-N``, ``text-N``, ``session-N``,
    ``start-N``, ``end-N``, and for a two-clip lesson ``session2-N``, ``start2-N``,
    ``end2-N``); a row without a session is left out."""
    plans = []
    lang = language()
    for n in range(1, NEW_COURSE_ROWS + 1):
        session = form.get(f"session-{n}", "").strip()
        if not session:
            continue
        kind = form.get(f"kind-{n}", "")
        if kind not in TASK_KINDS:
            raise InputError(N_("lesson {n}: choose a task"), fix=N_("pick one of the three tasks"),
                             params={"n": n})
        clips = [_clip(form, n, "")]
        if kind == "which_clip":
            clips.append(_clip(form, n, "2"))
        title = form.get(f"title-{n}", "").strip() or gettext(TASK_WORDS[kind])
        plans.append(LessonPlan(kind=kind, title={lang: title},  # type: ignore[arg-type]
                                text={lang: form.get(f"text-{n}", "").strip()}, clips=clips))
    return plans


def _clip(form: Mapping[str, str], n: int, which: str) -> ClipPlan:
    session = form.get(f"session{which}-{n}", "").strip()
    if not session:
        raise InputError(N_("lesson {n}: a two-clip lesson needs a second session"),
                         fix=N_("choose the second clip's session"), params={"n": n})
    end = form.get(f"end{which}-{n}", "").strip()
    return ClipPlan(session=session, start_ms=parse_clock(form.get(f"start{which}-{n}", ""), n),
                    end_ms=parse_clock(end, n) if end else None)


def parse_clock(value: str, n: int) -> int:
    """``m:ss``, ``mm:ss`` or seconds into ms; empty is 0."""
    value = value.strip()
    if not value:
        return 0
    try:
        parts = [float(p) for p in value.split(":")]
    except ValueError:
        parts = []
    if not 1 <= len(parts) <= 2 or any(p < 0 for p in parts):
        raise InputError(N_("lesson {n}: '{value}' is no time"),
                         fix=N_("write minutes:seconds, e.g. 3:05"),
                         params={"n": n, "value": value[:20]})
    seconds = parts[-1] + (parts[0] * 60 if len(parts) == 2 else 0)
    return round(seconds * 1000)


def mark_rows(rows: list[dict[str, Any]], *, start_ms: int, end_ms: int, names: Names,
              window_ms: int) -> list[dict[str, Any]]:
    """The graded marks for the feedback table and timeline (``left``: percent of the clip)."""
    span = max(1, end_ms - start_ms)
    out = []
    for row in rows:
        at = int(row["time_ms"])
        mark = row["mark_ms"]
        out.append({"outcome": row["outcome"], "time_ms": at, "when": clock(at),
                    "left": round(100 * min(max(at - start_ms, 0), span) / span, 2),
                    "word": outcome(row["outcome"]),
                    "mark": clock(mark) if row["outcome"] == "hit" and mark is not None else "",
                    "text": evidence(row, names, window_ms)})
    return out
