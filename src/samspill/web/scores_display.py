"""What people read of a coding's scores: the scores panel (via the scores API's ``display``),
the session page and the agreement pages show the same words, built here once in the
request's language: the states and their text marks, the reasons, the value labels and units,
the scopes and the stability.

``N_`` marks English strings for Babel's extractor (``make i18n``); they are translated where
they are shown.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from samspill.core import numbers
from samspill.core.indicators.states import ABSENT, HOSTILE, LOW, NOT_OBSERVABLE, PRESENT
from samspill.core.scheme import Scheme
from samspill.web import i18n


def N_(message: str) -> str:
    return message


_ = i18n.gettext

SHOWN_TIMES = 12  # evidence and pivotal buttons per sign; more are counted, not shown
STATE_WORDS = {PRESENT: N_("present"), ABSENT: N_("absent"), NOT_OBSERVABLE: N_("not observable")}
QUALIFIER_WORDS = {LOW: N_("little or no hostility"), HOSTILE: N_("hostile or intrusive"),
                   NOT_OBSERVABLE: N_("not observable")}
# The profile rating's options of the built-in schemes (a licensed scheme's own options are
# shown as written).
PROFILE_WORDS = {"none": N_("none"), "helpless-fearful": N_("helpless-fearful"),
                 "hostile-self-referential": N_("hostile-self-referential"),
                 "mixed": N_("mixed")}
# Text marks beside the words, so that a state never rests on colour alone.
STATE_MARKS = {PRESENT: "●", ABSENT: "○", NOT_OBSERVABLE: "◌", LOW: "○", HOSTILE: "●"}

# The English sentences of samspill.core.indicators.REASONS, for the extractor (a test checks
# that every reason the core can give is here and translated).
REASON_SENTENCES = (
    N_("the caregiver was out of the room the whole time"),
    N_("too little time with the caregiver in the room"),
    N_("no episode of attachment need (no distress, no run of bids)"),
    N_("too few episodes of attachment need"),
    N_("too few bids to judge"),
    N_("no completed hold to judge"),
    N_("no reaction to the child's bids for proximity or distress"),
    N_("too few reactions to the child's bids for proximity or distress"),
    N_("proximity (near/far) is not coded"),
    N_("proximity is coded for too little of the time present"),
    N_("every window was cut by the end of the observation or a separation"),
    N_("nothing of the caregiver is coded"),
    N_("few episodes of need met with initiative"),
    N_("slow answers (median latency)"),
    N_("many bids unanswered"),
    N_("many answers muted"),
    N_("the child put down while still seeking contact"),
    N_("brief holds, ended while the child still sought contact"),
    N_("no contact despite the child's bids for it"),
    N_("bids for proximity or distress redirected"),
    N_("caregiver far for much of the time"),
    N_("hostile, intrusive or frightening acts"),
)

# Every value and count column of the signs and the qualifier: its label and how it reads.
# Units: share (85 %), seconds (7.5 s, from ms), duration (mm:ss, from ms), rate (per 10 min),
# count (an integer).
VALUE_LABELS: dict[str, tuple[str, str]] = {
    # initiative
    "initiative_share": (N_("share of episodes of need met with initiative"), "share"),
    "need_episodes": (N_("episodes of need"), "count"),
    "episodes_initiated": (N_("met with initiative"), "count"),
    "episodes_censored": (N_("cut short (not counted)"), "count"),
    # responsiveness
    "response_latency_median_ms": (N_("median latency"), "seconds"),
    "unanswered_share": (N_("share of bids unanswered"), "share"),
    "muted_share": (N_("share of answers muted"), "share"),
    "bids": (N_("bids scored"), "count"),
    "bids_answered": (N_("answered"), "count"),
    "bids_unanswered": (N_("unanswered"), "count"),
    "bids_censored": (N_("cut short (not counted)"), "count"),
    "bids_in_contact": (N_("while held (not counted)"), "count"),
    "answers": (N_("answers"), "count"),
    "answers_muted": (N_("muted answers"), "count"),
    # cursory contact
    "putdown_share": (N_("share of holds ended despite the child's need"), "share"),
    "putdown_median_ms": (N_("median length of those holds"), "seconds"),
    "hold_median_ms": (N_("median hold (all holds)"), "seconds"),
    "putdowns_despite_need": (N_("put-downs despite need"), "count"),
    "putdowns_despite_protest": (N_("put-downs despite protest"), "count"),
    "hold_bouts": (N_("holds"), "count"),
    "holds_completed": (N_("holds completed"), "count"),
    "holds_cut": (N_("holds cut short (not counted)"), "count"),
    "proximity_bids": (N_("bids for proximity"), "count"),
    "contacts": (N_("contacts of any kind"), "count"),
    # redirection
    "redirect_share": (N_("share of reactions that redirect the child"), "share"),
    "redirects_per_10min": (N_("redirects"), "rate"),
    "redirects": (N_("redirects"), "count"),
    "seeking_signals": (N_("times the child sought the caregiver"), "count"),
    "signals_redirected": (N_("redirected"), "count"),
    "signals_contact": (N_("met with contact"), "count"),
    "signals_censored": (N_("cut short (not counted)"), "count"),
    # distance
    "far_share": (N_("share of time far"), "share"),
    "far_share_min": (N_("far at least (uncoded time near)"), "share"),
    "far_share_max": (N_("far at most (uncoded time far)"), "share"),
    "proximity_coverage": (N_("share of time present with proximity coded"), "share"),
    "far_ms": (N_("time far"), "duration"),
    "proximity_coded_ms": (N_("time with proximity coded"), "duration"),
    "present_ms": (N_("time in the room"), "duration"),
    # the hostility qualifier
    "hostile_rate_per_10min": (N_("hostile, intrusive or frightening acts"), "rate"),
    "hostile_events": (N_("hostile, intrusive or frightening acts coded"), "count"),
}


def scope_key(scope: str, segment_id: object) -> str:
    """``session``, ``reunions`` or ``segment:<id>``: how the scope selectors name a scope."""
    return f"segment:{segment_id}" if scope == "segment" else scope


def scores_display(result: dict[str, Any], scheme: Scheme | None = None) -> dict[str, Any]:
    """What the scores panel and the session page show, in the request's language, from the
    answer of :func:`~samspill.services.scores_json.scores_to_json` (``ScoresDisplayOut``).

    ``scopes``: the whole session first, then the reunions together (when there are any), then
    each segment in time order; each with ``key``, ``label``, ``outside`` (for the whole-session
    scope of a recording that runs on outside the marked segments: how much is left out, else
    ""), ``summary`` (the signs present and not observable, and the hostility qualifier),
    ``signs`` (the five, each with its title, ``state``, ``state_text``, ``mark``, ``reason``,
    labelled ``values`` and ``counts``, ``stability`` and ``evidence``) and ``qualifier`` (the
    same, with its ``sentence``). ``label`` names the scheme's outputs (translated when
    ``scheme`` is given); ``rating`` gives the level, classification, cut-off and profile as
    words.
    """
    settings = result.get("settings") or {}
    reasons = result.get("reasons") or {}
    items: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in result["indicators"]:
        items[scope_key(item["scope"], item["segment_id"])].append(item)
    scopes = []
    for scope in sorted(result["scopes"], key=_scope_order):
        key = scope_key(scope["scope"], scope["segment_id"])
        mine = items.get(key, [])
        withdrawn = bool(scope.get("withdrawn_profile"))
        qualifier = next((i for i in mine if i["kind"] == "qualifier"), None)
        scopes.append({
            "key": key,
            "label": _scope_label(scope),
            "outside": _outside_text(scope),
            "summary": _summary(mine, qualifier, withdrawn),
            "signs": [_item(i, reasons, settings) for i in mine if i["kind"] == "sign"],
            "qualifier": None if qualifier is None else {
                **_item(qualifier, reasons, settings),
                "sentence": _qualifier_sentence(qualifier, withdrawn, reasons)},
        })
    disclaimer = result.get("disclaimer") or ""
    return {"scopes": scopes, "default": "session",
            "label": scheme_label(scheme) if scheme is not None else result.get("label", ""),
            "rating": rating_display(result),
            "disclaimer": _(disclaimer) if disclaimer else "",  # gettext("") is the header
            "provisional": _provisional_text(result)}


def _provisional_text(result: dict[str, Any]) -> str:
    """The mark of a score with a running state ended for it (``""``: a final score)."""
    if not result.get("provisional"):
        return ""
    if result.get("provisional_until") is not None:
        return _("Provisional: a state is still running; the signs count it up to the playhead")
    return _("Provisional: a state is still running; the signs count it up to the end of the "
             "media")


def scheme_label(scheme: Scheme) -> str:
    """As ``Scheme.label()``, in the request's language (the reports say the same words)."""
    if scheme.licensed and scheme.instrument:
        return scheme.instrument
    if scheme.instrument:
        return _("{name} (open scheme, not an official {instrument} score)").format(
            name=scheme.name, instrument=scheme.instrument)
    return scheme.name


def rating_display(result: dict[str, Any]) -> dict[str, str]:
    """The coder's level, the classification, the cut-off and the profile, as words."""
    level, cutoff = result.get("level"), result.get("cutoff")
    classification, profile = result.get("classification"), result.get("profile")
    return {
        "level": "–" if level is None else _decimal(float(level), "#,##0.#"),
        "classification": _(classification) if classification else "–",
        "cutoff": "–" if cutoff is None else _decimal(float(cutoff), "#,##0.#"),
        "profile": profile_words(profile),
    }


def profile_words(profile: object) -> str:
    """A profile rating's option as words (``helpless-fearful`` -> "hjelpeløs-fryktsom")."""
    if profile is None or profile == "":
        return "–"
    text = str(profile)
    return _(PROFILE_WORDS[text]) if text in PROFILE_WORDS else text


def format_value(key: str, value: object) -> str:
    """One value as people read it, in the request's language: 85 %, 7.5 s, 4 min 14 s, 3
    (the shared formatter of :mod:`samspill.core.numbers`)."""
    unit = VALUE_LABELS[key][1] if key in VALUE_LABELS else numbers.unit_of(key)
    return numbers.show(value, unit, _language())  # type: ignore[arg-type]


def value_label(key: str) -> str:
    """A value's translated label (a column the labels do not know reads as its words)."""
    label = VALUE_LABELS.get(key)
    if label:
        return _(label[0])
    words = key.removesuffix("_ms").removesuffix("_per_10min").replace("_", " ")
    return words


def _language() -> str:
    return i18n.current_language.get()


def _decimal(number: float, pattern: str) -> str:
    return numbers.decimal(number, pattern, _language())


def _share(number: float) -> str:
    """Whole percent (67 %); one decimal only near 0 % and 100 % (0.4 %, 99.6 %)."""
    return numbers.percent(number, _language())


def duration_text(ms: float) -> str:
    """A length of time, never to be read as a time on the video: 45 s, 4 min 14 s."""
    return numbers.duration(ms, _language())


def _clock(ms: float, *, millis: bool = True) -> str:
    """12345 ms -> 00:12.345 (the coding screen's format); without millis -> 00:12."""
    return numbers.clock(ms, millis=millis)


def _scope_order(scope: dict[str, Any]) -> tuple[int, int]:
    rank = {"session": 0, "reunions": 1}.get(scope["scope"], 2)
    return rank, int(scope.get("start_ms") or 0)


def _scope_label(scope: dict[str, Any]) -> str:
    if scope["scope"] == "session":
        if (scope.get("outside_ms") or 0) > 0:
            return _("Marked segments ({start}–{end})").format(
                start=_clock(scope["start_ms"], millis=False),
                end=_clock(scope["end_ms"], millis=False))
        return _("Whole session")
    if scope["scope"] == "reunions":
        return _("Reunions (together)")
    return _("{name} ({start}–{end})").format(
        name=scope["name"], start=_clock(scope["start_ms"], millis=False),
        end=_clock(scope["end_ms"], millis=False))


def _outside_text(scope: dict[str, Any]) -> str:
    """For the whole-session scope of a recording that runs on outside the marked segments:
    how much of it is not scored."""
    outside = scope.get("outside_ms") or 0
    if scope["scope"] != "session" or outside <= 0:
        return ""
    return _("{duration} of the recording lies outside the marked segments and is not "
             "scored").format(duration=duration_text(outside))


def _reason(reasons: dict[str, str], key: str) -> str:
    return _(reasons.get(key, key))


def _summary(items: list[dict[str, Any]], qualifier: dict[str, Any] | None,
             withdrawn: bool) -> str:
    """"3 of 5 signs present, 0 not observable; …": the signs not observable are always said,
    and "consistent with a withdrawn profile" only where the core found it
    (``withdrawn_profile``: enough signs present, with little or no hostility)."""
    signs = [i for i in items if i["kind"] == "sign"]
    present = sum(i["state"] == PRESENT for i in signs)
    unknown = sum(i["state"] == NOT_OBSERVABLE for i in signs)
    counted = _("{present} of {total} signs present, {unknown} not observable").format(
        present=present, total=len(signs), unknown=unknown)
    if qualifier is None:
        return counted
    state = qualifier["state"]
    if state == LOW:
        short = (_("little or no hostility: consistent with a withdrawn profile") if withdrawn
                 else _("little or no hostility or intrusiveness"))
    elif state == HOSTILE:
        short = _("hostile or intrusive behaviour present: mixed or hostile profile")
    else:
        short = _("hostility not observable")
    return f"{counted}; {short}"


def _qualifier_sentence(item: dict[str, Any], withdrawn: bool, reasons: dict[str, str]) -> str:
    if item["state"] == LOW:
        return (_("Little or no hostility or intrusiveness: consistent with a withdrawn profile")
                if withdrawn else _("Little or no hostility or intrusiveness"))
    if item["state"] == HOSTILE:
        return _("Hostile or intrusive behaviour present: mixed or hostile profile")
    because = "; ".join(_reason(reasons, r) for r in item["reasons"]) or "–"
    return _("Hostility cannot be judged: {reason}").format(reason=because)


def _reason_text(item: dict[str, Any], reasons: dict[str, str]) -> str:
    """Why the state: the criteria met, the reason it cannot be judged, or none met."""
    said = "; ".join(_reason(reasons, r) for r in item["reasons"])
    state = item["state"]
    if state == NOT_OBSERVABLE:
        return said[:1].upper() + said[1:] if said else _("Cannot be judged")
    if item["kind"] == "qualifier":
        return _("Criteria met: {criteria}").format(criteria=said) if said else ""
    if state == PRESENT:
        return _("Criteria met: {criteria}").format(criteria=said or "–")
    return _("No criterion met")


def _item(item: dict[str, Any], reasons: dict[str, str], settings: dict[str, Any]
          ) -> dict[str, Any]:
    state = item["state"]
    words = QUALIFIER_WORDS if item["kind"] == "qualifier" else STATE_WORDS
    evidence = item.get("evidence") or []
    return {
        "id": item["id"], "kind": item["kind"], "title": _(item["title"]), "state": state,
        "state_text": _(words.get(state, state)), "mark": STATE_MARKS.get(state, ""),
        "reason": _reason_text(item, reasons),
        "values": [{"key": k, "label": value_label(k), "text": format_value(k, v)}
                   for k, v in item["values"].items()],
        "counts": [{"key": k, "label": value_label(k), "text": format_value(k, v)}
                   for k, v in item["counts"].items()],
        "stability": _stability(item, settings),
        "evidence": [_time_button(e["time_ms"], _("Evidence at {time}: seek"))
                     for e in evidence[:SHOWN_TIMES]],
        "evidence_more": max(0, len(evidence) - SHOWN_TIMES),
    }


def _time_button(time_ms: int, label: str, **params: str) -> dict[str, Any]:
    time = _clock(time_ms)
    return {"time_ms": time_ms, "time": time, "label": label.format(time=time, **params)}


def _stability(item: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any] | None:
    """"stable", or "fragile: ..." with the jitter share and the pivotal events (buttons)."""
    found = item.get("stability")
    if not found:
        return None
    if found["stable"]:
        return {"stable": True, "text": _("stable"), "pivotal": [], "pivotal_more": 0}
    parts = []
    jitter = numbers.seconds(settings.get("stability_jitter_ms", 1000), _language())
    if found["jitter"] is not None:
        parts.append(_(
            "the state holds in {share} of replicates with every time moved by up to {seconds}"
        ).format(share=_share(found["jitter"]), seconds=jitter))
    count = int(found["pivotal_events"] or 0)
    if count == 1:
        parts.append(_("it changes if this event is left out:"))
    elif count > 1:
        parts.append(_("it changes if one of these {n} events is left out:").format(n=count))
    words = QUALIFIER_WORDS if item["kind"] == "qualifier" else STATE_WORDS
    pivotal = [_time_button(p["time_ms"], _("{time}: without this event: {state}"),
                            state=_(words.get(p["state_without"], p["state_without"])))
               for p in found["pivotal"][:SHOWN_TIMES]]
    fragile = _("fragile")
    return {"stable": False, "text": f"{fragile}: " + "; ".join(parts),
            "pivotal": pivotal, "pivotal_more": len(found["pivotal"]) - len(pivotal)}
