"""Report strings in English and Norwegian bokmål, from Babel catalogs in ``reports/i18n/``.

A report's language is chosen by the caller (``--lang``, the page's language), not by a
request context, so a translator is passed around explicitly. The .po files are compiled in
memory on first use, as the web app does. Numbers and dates are formatted by Babel for the
language (decimal comma in bokmål); times on the session are ``mm:ss.mmm``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from babel.dates import format_date
from babel.support import NullTranslations

from samspill.catalogs import load_catalog
from samspill.core import numbers
from samspill.core.errors import InputError

LANGUAGES = ("en", "nb")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def _catalog(language: str) -> NullTranslations:
    return load_catalog("samspill.reports", language)


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise InputError(f"no report language '{language}'",
                         fix=f"use one of: {', '.join(LANGUAGES)}")
    return language


@dataclass(frozen=True)
class Translator:
    """``_("text", name=value)``: the translation, with ``%(name)s`` fields filled in.

    ``words`` are the scheme's own words for stored text (subjects, roles, code and segment
    names: :func:`samspill.core.scheme_labels.display_words`); :func:`word` prefers them, so a
    report names a code as the coding screen does.
    """

    language: str
    words: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, message: str, **fields: object) -> str:
        text = _catalog(self.language).gettext(message)
        return text % fields if fields else text

    def ngettext(self, singular: str, plural: str, n: int, **fields: object) -> str:
        text = _catalog(self.language).ngettext(singular, plural, n)
        return text % {"num": n, **fields}

    def number(self, value: float | None, digits: int = 2) -> str:
        """A number for the reader: ``digits`` decimals, locale separators, an en dash when
        missing (:func:`samspill.core.numbers.fixed`)."""
        return numbers.fixed(value, self.language, digits)

    def share(self, value: float | None) -> str:
        return numbers.percent(value, self.language)

    def date(self, value: dt.date | None) -> str:
        return format_date(value, format="long", locale=self.language) if value else "–"


def translator(language: str, words: Mapping[str, str] | None = None) -> Translator:
    return Translator(check_language(language), dict(words or {}))


def clock(ms: float | None) -> str:
    """12345 ms → ``00:12.345`` (minutes may pass 59: a session is one running clock)."""
    return numbers.clock(ms, millis=True)


def short_clock(ms: float | None) -> str:
    """246000 ms → ``04:06``: a time on the session's clock to the second."""
    return numbers.clock(ms)


def scope_name(scope: Mapping[str, object], _: Translator) -> str:
    """A scope's name in the report's language. The whole session of a recording that runs on
    past the marked segments covers those segments only, and is named so: ``Marked segments
    (00:00–06:00)``."""
    if scope.get("scope") == "session" and _positive(scope.get("outside_ms")):
        return _("Marked segments (%(start)s–%(end)s)", start=short_clock(scope["start_ms"]),
                 end=short_clock(scope["end_ms"]))
    return word(scope.get("name"), _)


def outside_text(scope: Mapping[str, object], _: Translator) -> str:
    """What the whole-session scope leaves out of the recording ("" when nothing)."""
    if scope.get("scope") != "session" or not _positive(scope.get("outside_ms")):
        return ""
    return _("%(duration)s of the recording lies outside the marked segments and is not "
             "scored", duration=duration(float(scope["outside_ms"]), _))  # type: ignore[arg-type]


def _positive(value: object) -> bool:
    try:
        return float(value) > 0  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


# The numbers of the reports are those of the pages and the CLI (samspill.core.numbers).
def seconds(ms: float | None, _: Translator) -> str:
    """A duration in seconds with at most one decimal, ``7.5 s`` (``7,5 s`` in bokmål)."""
    return numbers.seconds(ms, _.language)


def percent(share: float | None, _: Translator) -> str:
    """A share as a whole percent, ``67 %`` (one decimal only near 0 % and 100 %)."""
    return numbers.percent(share, _.language)


def duration(ms: float | None, _: Translator) -> str:
    """A length of time, never to be read as a time on the video: ``4 min 14 s``, ``45 s``."""
    return numbers.duration(ms, _.language)


# The same sentence as core.indicators.DISCLAIMER (a test keeps them equal), for extraction.
DISCLAIMER_TEXT = N_(
    "The thresholds are this study's settings, not clinical norms. The indicators support a "
    "trained coder's judgement; they are no diagnosis."
)

# The evidence notes the indicators write (core/indicators/*), as patterns to translate.
NOTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^bid: unanswered within (?P<window>.+)$"),
     N_("bid: unanswered within %(window)s")),
    (re.compile(r"^bid: answered, muted$"), N_("bid: answered, muted")),
    (re.compile(r"^bid: answered$"), N_("bid: answered")),
    (re.compile(r"^bid: outside the observed period \(not counted\)$"),
     N_("bid: outside the observed period (not counted)")),
    (re.compile(r"^bid: child held \(not scored\)$"), N_("bid: child held (not scored)")),
    (re.compile(r"^bid: window cut \(not counted\)$"), N_("bid: window cut (not counted)")),
    (re.compile(r"^episode of need: caregiver took the initiative$"),
     N_("episode of need: caregiver took the initiative")),
    (re.compile(r"^episode of need: child already held$"),
     N_("episode of need: child already held")),
    (re.compile(r"^episode of need: window cut \(not counted\)$"),
     N_("episode of need: window cut (not counted)")),
    (re.compile(r"^episode of need: no initiative within (?P<window>.+)$"),
     N_("episode of need: no initiative within %(window)s")),
    (re.compile(r"^hold bout: put down despite protest$"),
     N_("hold bout: put down despite protest")),
    (re.compile(r"^hold bout: put down while the child still sought contact$"),
     N_("hold bout: put down while the child still sought contact")),
    (re.compile(r"^hold bout: protest answered by a new hold$"),
     N_("hold bout: protest answered by a new hold")),
    (re.compile(r"^hold bout: the child's protest was answered$"),
     N_("hold bout: the child's protest was answered")),
    (re.compile(r"^hold bout: cut by the end of the observation or a separation$"),
     N_("hold bout: cut by the end of the observation or a separation")),
    (re.compile(r"^hold bout$"), N_("hold bout")),
    (re.compile(r"^seeking the caregiver: redirected$"), N_("seeking the caregiver: redirected")),
    (re.compile(r"^seeking the caregiver: contact$"), N_("seeking the caregiver: contact")),
    (re.compile(r"^seeking the caregiver: no reaction$"),
     N_("seeking the caregiver: no reaction")),
    (re.compile(r"^seeking the caregiver: window cut \(not counted\)$"),
     N_("seeking the caregiver: window cut (not counted)")),
    (re.compile(r"^redirect$"), N_("redirect")),
    (re.compile(r"^caregiver far$"), N_("caregiver far")),
    (re.compile(r"^hostile or frightening: (?P<code>.+)$"),
     N_("hostile or frightening: %(code)s")),
)


def note_text(note: str, _: Translator) -> str:
    """An evidence note in the report's language; an unknown note is shown as written."""
    for pattern, message in NOTES:
        match = pattern.match(note or "")
        if match:
            fields = match.groupdict()
            if "window" in fields:
                fields["window"] = fields["window"].replace(".", "," if _.language == "nb"
                                                            else ".")
            return _(message, **fields)
    return note or ""


SIGN_TITLES = {
    "initiative": N_("Lack of initiative when the child has attachment needs"),
    "responsiveness": N_("Delayed or muted responding"),
    "cursory_contact": N_("Cursory responding"),
    "redirection": N_("Directing the child away from self"),
    "distance": N_("Interaction at a distance"),
}
# Hostility qualifies the profile; it is never shown as a sign.
QUALIFIER_TITLE = N_("Hostility or intrusiveness (the profile's qualifier, not a sign)")
# Titles of the rows of the evidence table: the five signs and the qualifier.
INDICATOR_TITLES = {**SIGN_TITLES, "hostility": QUALIFIER_TITLE}

# A sign's three states, as a reader reads them.
STATE_WORDS = {"present": N_("present"), "absent": N_("absent"),
               "not_observable": N_("not observable")}
# The same sentences as core.indicators.REASONS (a test keeps them equal), for extraction.
REASON_TEXTS = {
    "caregiver_absent": N_("the caregiver was out of the room the whole time"),
    "too_short": N_("too little time with the caregiver in the room"),
    "no_episode_of_need": N_("no episode of attachment need (no distress, no run of bids)"),
    "too_few_episodes": N_("too few episodes of attachment need"),
    "too_few_bids": N_("too few bids to judge"),
    "no_hold": N_("no completed hold to judge"),
    "no_reaction": N_("no reaction to the child's bids for proximity or distress"),
    "too_few_reactions": N_("too few reactions to the child's bids for proximity or distress"),
    "proximity_not_coded": N_("proximity (near/far) is not coded"),
    "proximity_coverage_low": N_("proximity is coded for too little of the time present"),
    "window_cut": N_("every window was cut by the end of the observation or a separation"),
    "nothing_coded": N_("nothing of the caregiver is coded"),
    "initiative_share": N_("few episodes of need met with initiative"),
    "median_latency": N_("slow answers (median latency)"),
    "unanswered_share": N_("many bids unanswered"),
    "muted_share": N_("many answers muted"),
    "putdown_share": N_("the child put down while still seeking contact"),
    "median_hold": N_("brief holds, ended while the child still sought contact"),
    "no_contact": N_("no contact despite the child's bids for it"),
    "redirect_share": N_("bids for proximity or distress redirected"),
    "far_share": N_("caregiver far for much of the time"),
    "hostile_rate": N_("hostile, intrusive or frightening acts"),
}


def state_text(state: object, _: Translator) -> str:
    """A sign's state in words; an unknown state is shown as written, never as absent."""
    text = str(state)
    return _(STATE_WORDS[text]) if text in STATE_WORDS else text


def reason_text(reason: object, _: Translator) -> str:
    """A reason (one key, or comma-separated keys of criteria met) as translated sentences.

    A key the reports do not know is shown as written: a new reason must never vanish.
    """
    keys = [k for k in str(reason or "").split(",") if k]
    return "; ".join(_(REASON_TEXTS[k]) if k in REASON_TEXTS else k for k in keys)

WORDS = {
    "plain": N_("plain"), "separation": N_("separation"), "reunion": N_("reunion"),
    "introduction": N_("introduction"), "stranger": N_("stranger"),
    "disrupted": N_("disrupted"), "not disrupted": N_("not disrupted"),
    "none": N_("none"), "helpless-fearful": N_("helpless-fearful"),
    "hostile-self-referential": N_("hostile-self-referential"), "mixed": N_("mixed"),
    "Whole session": N_("Whole session"), "Reunions": N_("Reunions"),
    "in_progress": N_("in progress"), "submitted": N_("submitted"), "master": N_("master"),
    "caregiver": N_("caregiver"), "child": N_("child"),
    "free-play": N_("free play"), "ssp": N_("Strange Situation"),
    # The built-in schemes' dimension names (a licensed scheme's own names stay as written).
    "Affective communication errors": N_("Affective communication errors"),
    "Role/boundary confusion": N_("Role/boundary confusion"),
    "Frightened/disoriented behaviour": N_("Frightened/disoriented behaviour"),
    "Negative/intrusive behaviour": N_("Negative/intrusive behaviour"),
    "Withdrawal": N_("Withdrawal"),
    # ... and the open scheme's code names.
    "Distress": N_("Distress"), "Bid": N_("Bid"), "Initiate": N_("Initiate"),
    "Respond": N_("Respond"), "Hold": N_("Hold"), "Redirect": N_("Redirect"),
    "Leave": N_("Leave"), "Return": N_("Return"), "Near (within reach)": N_("Near (within reach)"),
    "Far (out of reach)": N_("Far (out of reach)"),
    "Absent (out of the room)": N_("Absent (out of the room)"),
    "Affective communication error": N_("Affective communication error"),
    "Withdrawal behaviour": N_("Withdrawal behaviour"),
    # ... and the agreement summary's columns and measures.
    "measure": N_("measure"), "statistic": N_("statistic"), "value": N_("value"),
    "ci95_low": N_("95 % CI, low"), "ci95_high": N_("95 % CI, high"),
    "targets": N_("sessions"), "level": N_("level"), "events": N_("events"),
    "time-unit kappa (mean of pairs)": N_("time-unit kappa (mean of pairs)"),
}


def word(value: object, _: Translator) -> str:
    """A stored keyword (a role, a classification, a status) in the report's language."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = str(value)
    if text in _.words:
        return _.words[text]
    return _(WORDS[text]) if text in WORDS else text


def scheme_label(name: str, instrument: str | None, licensed: bool, _: Translator) -> str:
    """As ``Scheme.label()``: the instrument's name only for a licensed scheme."""
    if licensed and instrument:
        return instrument
    if instrument:
        return _("%(name)s (open scheme, not an official %(instrument)s score)",
                 name=name, instrument=instrument)
    return name
