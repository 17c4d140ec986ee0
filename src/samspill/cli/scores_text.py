"""The scores of one coding as people read them in a terminal (``samspill score``).

Works on the result of :func:`~samspill.services.scores_json.scores_to_json`: per sign its state
in words, the reason as a sentence (:data:`~samspill.core.indicators.REASONS`), its values ("7.5 s",
"85 %", counts as integers) and its stability ("stable", or "fragile: …" with the pivotal
events' times as mm:ss); then the summary and the hostility qualifier, which is no sign.

In English (the default) or bokmål (``samspill score --lang nb``): the words are the web's
catalog's, the same the coding screen and the session page show, and the numbers come from the
formatter the pages and the reports share (:mod:`samspill.core.numbers`). ``N_`` marks the
words only the terminal says, for Babel's extractor (babel.cfg reads this module).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from samspill.core import numbers
from samspill.core.errors import N_
from samspill.core.indicators import REASONS

if TYPE_CHECKING:
    from samspill.core.scheme import Scheme

LANGUAGES = ("en", "nb")
STATE_WORDS = {"present": "present", "absent": "absent", "not_observable": "not observable",
               "low": N_("low"), "hostile": N_("hostile")}
# A coding's status and the profile rating's options, as words (other values as written).
STATUS_WORDS = {"in_progress": "in progress", "submitted": "submitted", "master": "master"}
PROFILE_WORDS = {"none": "none", "helpless-fearful": "helpless-fearful",
                 "hostile-self-referential": "hostile-self-referential", "mixed": "mixed"}
MAX_TIMES = 5
# The scopes shown: the whole session, and the reunions together when the coding has any.
SCOPES = (("session", "Whole session"),
          ("reunions", N_("Reunions (all reunion segments together)")))
# The table's columns: the key of a row's cell and its heading.
COLUMNS = (("sign", N_("sign")), ("state", N_("state")), ("why", N_("why")),
           ("values", N_("values")), ("stability", N_("stability")))
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


_missing = numbers.missing


def said(text: str, lang: str = "en") -> str:
    """``text`` in ``lang``: English as it is, bokmål from the web's catalog (loaded on first
    use, so that the English CLI never reads a catalog)."""
    if lang == "en" or not text:
        return text
    from samspill.catalogs import load_catalog

    return load_catalog("samspill.web", lang).gettext(text)


def check_language(lang: str) -> str:
    from samspill.core.errors import InputError

    if lang not in LANGUAGES:
        raise InputError(N_("no language '{lang}'"), fix=N_("use --lang en or --lang nb"),
                         params={"lang": lang})
    return lang


def seconds(ms: object, lang: str = "en") -> str:
    """7500 → ``7.5 s``, 8000 → ``8 s`` (``7,5 s`` in bokmål)."""
    return numbers.seconds(ms, lang)


def clock(ms: object) -> str:
    """246000 → ``04:06`` (minutes may pass 59: one running clock, as the video's)."""
    return numbers.clock(ms)


def duration(ms: object, lang: str = "en") -> str:
    """A length of time, never to be read as a time on the video: 254000 → ``4 min 14 s``."""
    return numbers.duration(ms, lang)


def percent(share: object, lang: str = "en") -> str:
    """0.847 → ``85 %`` (one decimal only near 0 % and 100 %: 0.004 → ``0.4 %``)."""
    return numbers.percent(share, lang)


def _label(name: str, lang: str) -> str:
    if name in LABELS:
        return said(LABELS[name], lang)
    for suffix in ("_ms", "_per_10min"):
        name = name.removesuffix(suffix)
    return name.replace("_", " ")


def value_text(name: str, value: object, lang: str = "en") -> str:
    """A value column as read: durations in seconds, shares in percent, rates per 10 min."""
    unit = numbers.unit_of(name)
    shown = count_text(value, lang) if unit == "count" else numbers.show(
        value, "seconds" if unit == "duration" else unit, lang)
    return f"{_label(name, lang)}: {shown}"


def count_text(value: object, lang: str = "en") -> str:
    if isinstance(value, bool):
        return said("yes" if value else "no", lang)
    return numbers.number(value, lang, digits=1)


def count_item(name: str, value: object, lang: str = "en") -> str:
    """A count column: lengths of time in minutes and seconds, the rest as integers."""
    shown = duration(value, lang) if name.endswith("_ms") else count_text(value, lang)
    return f"{_label(name, lang)}: {shown}"


def reason_text(state: str, reason_keys: Sequence[str], lang: str = "en") -> str:
    """Why the sign is in its state, as sentences."""
    if state == "absent":
        return said(N_("no criterion met"), lang)
    return "; ".join(said(REASONS.get(k, k), lang) for k in reason_keys) or "–"


def stability_text(stability: Mapping[str, Any] | None, settings: Mapping[str, Any],
                   lang: str = "en") -> str:
    """``stable``, or ``fragile:`` and why, with the pivotal events' times."""
    if stability is None:
        return said(N_("not computed"), lang)
    if stability.get("stable"):
        return said("stable", lang)
    parts = []
    jitter = stability.get("jitter")
    if jitter is not None and not _missing(jitter) and float(jitter) < float(
            settings.get("stable_at", 0.9)):
        parts.append(said(N_("changes in {share} of the replicates with every time moved by up "
                             "to {seconds}"), lang).format(
            share=percent(1 - float(jitter), lang),
            seconds=seconds(settings.get("stability_jitter_ms", 1000), lang)))
    parts += _pivotal_text(stability, lang)
    fragile = said("fragile", lang)
    return f"{fragile}: " + "; ".join(parts) if parts else fragile


def _pivotal_text(stability: Mapping[str, Any], lang: str) -> list[str]:
    """The events whose removal changes the state, at most MAX_TIMES of them by their time."""
    pivotal = sorted(stability.get("pivotal") or [], key=lambda p: p["time_ms"])
    n = max(int(stability.get("pivotal_events") or 0), len(pivotal))
    if not n:
        return []
    times = [said(N_("{time} (without it: {state})"), lang).format(
                 time=clock(p["time_ms"]),
                 state=said(STATE_WORDS.get(p["state_without"], p["state_without"]), lang))
             for p in pivotal[:MAX_TIMES]]
    if len(pivotal) > MAX_TIMES:
        times.append(said(N_("and {n} more"), lang).format(n=len(pivotal) - MAX_TIMES))
    listed = ", ".join(times)
    if n == 1:
        text = (N_("changes if this event is left out: {times}") if listed
                else N_("changes if one event is left out"))
    else:
        text = (N_("changes if any one of these {n} events is left out: {times}") if listed
                else N_("changes if any one of {n} events is left out"))
    return [said(text, lang).format(n=n, times=listed)]


def summary_text(scope: Mapping[str, Any], n_signs: int, lang: str = "en") -> str:
    """``3 of 5 signs present, 1 not observable`` (``0 not observable`` is said too)."""
    return said("{present} of {total} signs present, {unknown} not observable", lang).format(
        present=scope["signs_present"], total=n_signs, unknown=scope["signs_not_observable"])


def qualifier_text(item: Mapping[str, Any], withdrawn_profile: bool, lang: str = "en") -> str:
    """The profile's qualifier as a sentence (never a sign). "Consistent with a withdrawn
    profile" only where the core found it (``withdrawn_profile``: at least two signs present
    with little or no hostility); one sign is no profile."""
    state = item["state"]
    if state == "low":
        return said("Little or no hostility or intrusiveness: consistent with a withdrawn "
                    "profile" if withdrawn_profile
                    else "Little or no hostility or intrusiveness", lang)
    if state == "hostile":
        return said("Hostile or intrusive behaviour present: mixed or hostile profile", lang)
    reasons = "; ".join(said(REASONS.get(k, k), lang) for k in item["reasons"])
    return said("Hostility cannot be judged: {reason}", lang).format(
        reason=reasons or said("not observable", lang))


def scope_title(scope: Mapping[str, Any], title: str, lang: str = "en") -> str:
    """The whole session's scope of a recording that runs on past the marked segments covers
    the segments only, and is named so: ``Marked segments (00:00–06:00)``."""
    if scope["scope"] == "session" and (scope.get("outside_ms") or 0) > 0:
        return said("Marked segments ({start}–{end})", lang).format(
            start=clock(scope["start_ms"]), end=clock(scope["end_ms"]))
    return said(title, lang)


def outside_text(scope: Mapping[str, Any], lang: str = "en") -> str:
    """What the whole-session scope leaves out of the recording ("" when nothing)."""
    outside = scope.get("outside_ms") or 0
    if scope["scope"] != "session" or outside <= 0:
        return ""
    return said("{duration} of the recording lies outside the marked segments and is not "
                "scored", lang).format(duration=duration(outside, lang))


def _row(item: Mapping[str, Any], settings: Mapping[str, Any], lang: str) -> dict[str, str]:
    values = "; ".join(value_text(k, v, lang) for k, v in item["values"].items())
    counts = ", ".join(count_item(k, v, lang) for k, v in item["counts"].items())
    return {"sign": said(item["title"], lang),
            "state": said(STATE_WORDS.get(item["state"], item["state"]), lang),
            "why": reason_text(item["state"], item["reasons"], lang),
            "values": "\n".join(p for p in (values, counts) if p),
            "stability": stability_text(item["stability"], settings, lang)}


def scope_sections(result: Mapping[str, Any], lang: str = "en") -> list[dict[str, Any]]:
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
        rows = [_row(item, settings, lang) for item in items if item["kind"] == "sign"]
        qualifier = next(i for i in items if i["kind"] == "qualifier")
        sentence = qualifier_text(qualifier, bool(found[0].get("withdrawn_profile")), lang)
        fragile = stability_text(qualifier["stability"], settings, lang)
        if fragile.startswith(said("fragile", lang)):
            sentence += f" ({fragile})"
        sections.append({"title": scope_title(found[0], title, lang),
                         "outside": outside_text(found[0], lang), "rows": rows,
                         "summary": summary_text(found[0], len(signs), lang),
                         "qualifier": sentence})
    return sections


def rating_text(result: Mapping[str, Any], lang: str = "en") -> str:
    """``level 6 · disrupted · profile helpless-fearful`` (or that no level is rated)."""
    level = result.get("level")
    parts = [said(N_("level {level}"), lang).format(level=count_text(level, lang))
             if level is not None else said(N_("no level rated"), lang)]
    if result.get("classification"):
        parts.append(said(str(result["classification"]), lang))
    if result.get("profile"):
        profile = str(result["profile"])
        parts.append(said(N_("profile {profile}"), lang).format(
            profile=said(PROFILE_WORDS.get(profile, profile), lang)))
    return " · ".join(parts)


def forms_text(result: Mapping[str, Any]) -> str:
    """``rating forms: eas_sensitivity 5 · eas_adult 5.5 · eas_child –`` (empty without forms).
    A dash is a score left missing because one of its items is not rated."""
    forms = result.get("forms") or {}
    if not forms:
        return ""
    parts = [f"{name} {'–' if value is None else numbers.number(value)}"
             for name, value in forms.items()]
    return "rating forms: " + " · ".join(parts)


def status_text(status: object, lang: str = "en") -> str:
    """A coding's status in words: ``in_progress`` → ``in progress``."""
    text = str(status)
    return said(STATUS_WORDS[text], lang) if text in STATUS_WORDS else text.replace("_", " ")


def scheme_title(scheme: Scheme, lang: str = "en") -> str:
    """As ``Scheme.label()``, in ``lang``: a built-in scheme's name translated, and the words
    that say an open scheme gives no official score (the web and the reports say the same)."""
    from samspill.core.scheme_labels import builtin_translation

    if scheme.licensed and scheme.instrument:
        return scheme.instrument
    translation = builtin_translation(scheme.id, lang) if lang != "en" else None
    name = translation.name if translation and translation.name else scheme.name
    if not scheme.instrument:
        return name
    return said("{name} (open scheme, not an official {instrument} score)", lang).format(
        name=name, instrument=scheme.instrument)
