"""The scores of one coding as people read them in a terminal (``samspill score``).

Works on the result of :func:`~samspill.services.scores_json.scores_to_json`: per sign its state
in words, the reason as a sentence (:data:`~samspill.core.indicators.REASONS`), its values ("7.5 s",
"85 %", counts as integers) and its stability ("stable", or "fragile: …" with the pivotal
events' times as mm:ss); then the summary and the hostility qualifier, which is no sign.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from samspill.core import numbers
from samspill.core.indicators import REASONS

STATE_WORDS = {"present": "present", "absent": "absent", "not_observable": "not observable",
               "low": "low", "hostile": "hostile"}
# A coding's status and the profile rating's options, as words (other values as written).
STATUS_WORDS = {"in_progress": "in progress", "submitted": "submitted", "master": "master"}
PROFILE_WORDS = {"none": "none", "helpless-fearful": "helpless-fearful",
                 "hostile-self-referential": "hostile-self-referential", "mixed": "mixed"}
MAX_TIMES = 5
# The scopes shown: the whole session, and the reunions together when the coding has any.
SCOPES = (("session", "Whole session"), ("reunions", "Reunions (all reunion segments together)"))
# Every value and count column with its label: the words of the coding screen and the session
# page (web/scores_display.py VALUE_LABELS; a test keeps them the same).
LABELS = {
    # initiative
    "initiative_share": "share of episodes of need met with initiative",
    "need_episodes": "episodes of need",
    "episodes_initiated": "met with initiative",
    "episodes_censored": "cut short (not counted)",
    # responsiveness
    "response_latency_median_ms": "median latency",
    "unanswered_share": "share of bids unanswered",
    "muted_share": "share of answers muted",
    "bids": "bids scored",
    "bids_answered": "answered",
    "bids_unanswered": "unanswered",
    "bids_censored": "cut short (not counted)",
    "bids_in_contact": "while held (not counted)",
    "answers": "answers",
    "answers_muted": "muted answers",
    # cursory contact
    "putdown_share": "share of holds ended despite the child's need",
    "putdown_median_ms": "median length of those holds",
    "hold_median_ms": "median hold (all holds)",
    "putdowns_despite_need": "put-downs despite need",
    "putdowns_despite_protest": "put-downs despite protest",
    "hold_bouts": "holds",
    "holds_completed": "holds completed",
    "holds_cut": "holds cut short (not counted)",
    "proximity_bids": "bids for proximity",
    "contacts": "contacts of any kind",
    # redirection
    "redirect_share": "share of reactions that redirect the child",
    "redirects_per_10min": "redirects",
    "redirects": "redirects",
    "seeking_signals": "times the child sought the caregiver",
    "signals_redirected": "redirected",
    "signals_contact": "met with contact",
    "signals_censored": "cut short (not counted)",
    # distance
    "far_share": "share of time far",
    "far_share_min": "far at least (uncoded time near)",
    "far_share_max": "far at most (uncoded time far)",
    "proximity_coverage": "share of time present with proximity coded",
    "far_ms": "time far",
    "proximity_coded_ms": "time with proximity coded",
    "present_ms": "time in the room",
    # the hostility qualifier
    "hostile_rate_per_10min": "hostile, intrusive or frightening acts",
    "hostile_events": "hostile, intrusive or frightening acts coded",
}


# The CLI speaks English; its numbers come from the formatter the pages and reports share.
_missing = numbers.missing


def seconds(ms: object) -> str:
    """7500 → ``7.5 s``, 8000 → ``8 s``."""
    return numbers.seconds(ms)


def clock(ms: object) -> str:
    """246000 → ``04:06`` (minutes may pass 59: one running clock, as the video's)."""
    return numbers.clock(ms)


def duration(ms: object) -> str:
    """A length of time, never to be read as a time on the video: 254000 → ``4 min 14 s``."""
    return numbers.duration(ms)


def percent(share: object) -> str:
    """0.847 → ``85 %`` (one decimal only near 0 % and 100 %: 0.004 → ``0.4 %``)."""
    return numbers.percent(share)


def _label(name: str) -> str:
    if name in LABELS:
        return LABELS[name]
    for suffix in ("_ms", "_per_10min"):
        name = name.removesuffix(suffix)
    return name.replace("_", " ")


def value_text(name: str, value: object) -> str:
    """A value column as read: durations in seconds, shares in percent, rates per 10 min."""
    unit = numbers.unit_of(name)
    shown = count_text(value) if unit == "count" else numbers.show(
        value, "seconds" if unit == "duration" else unit)
    return f"{_label(name)}: {shown}"


def count_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return numbers.number(value, digits=1)


def count_item(name: str, value: object) -> str:
    """A count column: lengths of time in minutes and seconds, the rest as integers."""
    shown = duration(value) if name.endswith("_ms") else count_text(value)
    return f"{_label(name)}: {shown}"


def reason_text(state: str, reason_keys: Sequence[str]) -> str:
    """Why the sign is in its state, as sentences."""
    if state == "absent":
        return "no criterion met"
    return "; ".join(REASONS.get(k, k) for k in reason_keys) or "–"


def stability_text(stability: Mapping[str, Any] | None, settings: Mapping[str, Any]) -> str:
    """``stable``, or ``fragile:`` and why, with the pivotal events' times."""
    if stability is None:
        return "not computed"
    if stability.get("stable"):
        return "stable"
    parts = []
    jitter = stability.get("jitter")
    if jitter is not None and not _missing(jitter) and float(jitter) < float(
            settings.get("stable_at", 0.9)):
        parts.append(f"changes in {percent(1 - float(jitter))} of the replicates with every time "
                     f"moved by up to {seconds(settings.get('stability_jitter_ms', 1000))}")
    pivotal = sorted(stability.get("pivotal") or [], key=lambda p: p["time_ms"])
    n = max(int(stability.get("pivotal_events") or 0), len(pivotal))
    if n:
        times = [f"{clock(p['time_ms'])} (without it: "
                 f"{STATE_WORDS.get(p['state_without'], p['state_without'])})"
                 for p in pivotal[:MAX_TIMES]]
        if len(pivotal) > MAX_TIMES:
            times.append(f"and {len(pivotal) - MAX_TIMES} more")
        listed = ", ".join(times)
        if n == 1:
            parts.append(f"changes if this event is left out: {listed}" if listed
                         else "changes if one event is left out")
        else:
            parts.append(f"changes if any one of these {n} events is left out: {listed}"
                         if listed else f"changes if any one of {n} events is left out")
    return "fragile: " + "; ".join(parts) if parts else "fragile"


def summary_text(scope: Mapping[str, Any], n_signs: int) -> str:
    """``3 of 5 signs present, 1 not observable`` (``0 not observable`` is said too)."""
    return (f"{scope['signs_present']} of {n_signs} signs present, "
            f"{scope['signs_not_observable']} not observable")


def qualifier_text(item: Mapping[str, Any], withdrawn_profile: bool) -> str:
    """The profile's qualifier as a sentence (never a sign). "Consistent with a withdrawn
    profile" only where the core found it (``withdrawn_profile``: at least two signs present
    with little or no hostility); one sign is no profile."""
    state = item["state"]
    if state == "low":
        text = "Little or no hostility or intrusiveness"
        return text + (": consistent with a withdrawn profile" if withdrawn_profile else "")
    if state == "hostile":
        return "Hostile or intrusive behaviour present: mixed or hostile profile"
    reasons = "; ".join(REASONS.get(k, k) for k in item["reasons"])
    return f"Hostility cannot be judged: {reasons or 'not observable'}"


def scope_title(scope: Mapping[str, Any], title: str) -> str:
    """The whole session's scope of a recording that runs on past the marked segments covers
    the segments only, and is named so: ``Marked segments (00:00–06:00)``."""
    if scope["scope"] == "session" and (scope.get("outside_ms") or 0) > 0:
        return f"Marked segments ({clock(scope['start_ms'])}–{clock(scope['end_ms'])})"
    return title


def outside_text(scope: Mapping[str, Any]) -> str:
    """What the whole-session scope leaves out of the recording ("" when nothing)."""
    outside = scope.get("outside_ms") or 0
    if scope["scope"] != "session" or outside <= 0:
        return ""
    return (f"{duration(outside)} of the recording lies outside the marked segments and is "
            "not scored")


def scope_sections(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per scope shown: its title, what it leaves out of the recording (``outside``), one row
    per sign (sign, state, why, values, stability), the summary and the qualifier sentence."""
    settings = result["settings"]
    signs = list(result["signs"])
    sections = []
    for scope, title in SCOPES:
        found = [s for s in result["scopes"] if s["scope"] == scope]
        if not found:
            continue
        items = [i for i in result["indicators"] if i["scope"] == scope]
        rows = []
        for item in items:
            if item["kind"] != "sign":
                continue
            values = "; ".join(value_text(k, v) for k, v in item["values"].items())
            counts = ", ".join(count_item(k, v) for k, v in item["counts"].items())
            rows.append({
                "sign": item["title"], "state": STATE_WORDS.get(item["state"], item["state"]),
                "why": reason_text(item["state"], item["reasons"]),
                "values": "\n".join(p for p in (values, counts) if p),
                "stability": stability_text(item["stability"], settings)})
        qualifier = next(i for i in items if i["kind"] == "qualifier")
        sentence = qualifier_text(qualifier, bool(found[0].get("withdrawn_profile")))
        fragile = stability_text(qualifier["stability"], settings)
        if fragile.startswith("fragile"):
            sentence += f" ({fragile})"
        sections.append({"title": scope_title(found[0], title),
                         "outside": outside_text(found[0]), "rows": rows,
                         "summary": summary_text(found[0], len(signs)),
                         "qualifier": sentence})
    return sections


def rating_text(result: Mapping[str, Any]) -> str:
    """``level 6 · disrupted · profile helpless-fearful`` (or that no level is rated)."""
    level = result.get("level")
    parts = [f"level {count_text(level)}" if level is not None else "no level rated"]
    if result.get("classification"):
        parts.append(str(result["classification"]))
    if result.get("profile"):
        profile = str(result["profile"])
        parts.append(f"profile {PROFILE_WORDS.get(profile, profile)}")
    return " · ".join(parts)


def forms_text(result: Mapping[str, Any]) -> str:
    """``rating forms: eas_sensitivity 5 · eas_adult 5.5 · eas_child –`` (empty without forms).
    A dash is a score left missing because one of its items is not rated."""
    forms = result.get("forms") or {}
    if not forms:
        return ""
    parts = [f"{name} {'–' if value is None else f'{value:g}'}" for name, value in forms.items()]
    return "rating forms: " + " · ".join(parts)


def status_text(status: object) -> str:
    """A coding's status in words: ``in_progress`` → ``in progress``."""
    return STATUS_WORDS.get(str(status), str(status).replace("_", " "))
