"""Every exported variable, in one place: name, label, kind, unit, value labels, SPSS
measurement level and decimals, description.

The registry labels the SPSS ``.sav`` files (label with its unit, value labels, measurement
level, format), names the Parquet fields' metadata, fills the XLSX ``variables`` sheet, and
generates ``docs/variables.md`` (:func:`variables_markdown`; a test keeps the file current).
Names are stable: a study's syntax files and R scripts depend on them. Change a name only with
a migration note in the docs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from samspill.core.forms import builtin_form_ids, load_builtin_form, segment_column
from samspill.core.scheme import RatingForm, RatingItem, Scheme

Kind = Literal["text", "integer", "number", "flag", "category"]
Measure = Literal["nominal", "ordinal", "scale"]
YES_NO = ((0, "no"), (1, "yes"))
PROPORTION = "proportion 0-1"
# Decimals SPSS shows for a number of this unit (times are whole ms; values stay as computed).
_UNIT_DECIMALS = {"ms": 0, PROPORTION: 3, "per 10 min": 2}


@dataclass(frozen=True)
class Variable:
    """One column of an export. ``values`` are the SPSS codes of the values (code, text as
    stored elsewhere); :attr:`value_labels` the labels SPSS shows for them.

    ``flag``: true/false, written 0/1 in every format. ``category``: text whose values are coded
    as the integers of ``values`` in SPSS and kept as text elsewhere. ``measure`` and
    ``decimals`` override the SPSS measurement level and decimals the kind and unit imply
    (:attr:`measurement`, :attr:`spss_decimals`).
    """

    name: str
    label: str
    kind: Kind
    description: str
    values: tuple[tuple[int, str], ...] = ()
    unit: str = ""
    missing: tuple[int, ...] = ()  # codes SPSS treats as user-missing
    measure: Measure | None = None
    decimals: int | None = None

    @property
    def measurement(self) -> Measure:
        """The SPSS measurement level: ids, text, codes and flags are nominal, quantities scale
        (unless ``measure`` says otherwise, as for the ordered 1-7 level)."""
        if self.measure is not None:
            return self.measure
        return "scale" if self.kind in ("integer", "number") else "nominal"

    @property
    def spss_decimals(self) -> int:
        """Decimals of the SPSS format: none for codes, flags, counts and ms; 3 for
        proportions, 2 for other rates (unless ``decimals`` says otherwise)."""
        if self.decimals is not None:
            return self.decimals
        return _UNIT_DECIMALS.get(self.unit, 2) if self.kind == "number" else 0

    @property
    def spss_label(self) -> str:
        """The SPSS variable label: the label with its unit, e.g. ``Onset (ms)``."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def value_labels(self) -> tuple[tuple[int, str], ...]:
        """The SPSS value labels: each value as words (``not_observable`` → ``not
        observable``); ``values`` keeps the text stored in the other formats."""
        return tuple((code, text.replace("_", " ")) for code, text in self.values)


# A sign's three states; not observable is user-missing in SPSS, never read as absent.
NOT_OBSERVABLE_CODE = 9
STATE_VALUES = ((0, "absent"), (1, "present"), (NOT_OBSERVABLE_CODE, "not_observable"))
QUALIFIER_VALUES = ((0, "hostile"), (1, "low"), (NOT_OBSERVABLE_CODE, "not_observable"))
# The five signs (column prefix, short label) in the core's order; then the qualifier.
SIGN_LABELS = (("initiative", "Initiative"), ("responsiveness", "Responsiveness"),
               ("cursory_contact", "Cursory contact"), ("redirection", "Redirection"),
               ("distance", "Distance"))
_NORMS = "Thresholds are study settings, not clinical norms."


def _flag(indicator: str, label: str, rule: str) -> Variable:
    return Variable(f"{indicator}_flag", f"{label} flag", "flag",
                    f"1 only when the sign is present ({rule}; thresholds: the study's "
                    "settings, not clinical norms, see docs/indicators.md); 0 when absent or "
                    f"not observable: {indicator}_state tells them apart. Kept for exports made "
                    "before the three states.", YES_NO)


def _state(sign: str, label: str) -> Variable:
    return Variable(f"{sign}_state", f"{label}: state", "category",
                    f"present, absent, or not_observable: the coding holds too little to judge "
                    f"the sign ({sign}_reason says why). Not observable is never absent; SPSS "
                    f"reads it as user-missing ({NOT_OBSERVABLE_CODE}). {_NORMS}",
                    STATE_VALUES, missing=(NOT_OBSERVABLE_CODE,))


def _reason(sign: str, label: str) -> Variable:
    return Variable(f"{sign}_reason", f"{label}: reason", "text",
                    "Not observable: why, as one key (e.g. too_few_bids, caregiver_absent, "
                    "proximity_not_coded). Present: the criteria met, comma-separated keys (e.g. "
                    "median_latency,unanswered_share). Empty when absent. Every key with its "
                    "sentence: docs/indicators.md.")


def _stability(prefix: str, label: str) -> Variable:
    return Variable(f"{prefix}_stability", f"{label}: stability", "number",
                    "How sure the state is: the smaller of the share of replicates with every "
                    "time moved a little (by default up to 1 s, 40 replicates) and the share of "
                    "single-event removals that keep the state. 1 = no such change alters it. "
                    "Empty when the cohort was made without stability.",
                    unit=PROPORTION)


def _count(dim: str, name: str) -> Variable:
    return Variable(f"count_{dim}", f"{name} events", "integer",
                    f"Number of events coded on the AMBIANCE dimension {dim} ({name}) in the "
                    "session.")


_IDENTITY = [
    Variable("study", "Study", "text", "Name of the study."),
    Variable("dyad", "Dyad code", "text", "Pseudonymous code of the caregiver-child pair."),
    Variable("session", "Session", "text", "Name of the recorded session."),
    Variable("coder", "Coder", "text", "User name of the coder."),
    Variable("coding_id", "Coding id", "integer",
             "Identifier of the coding (one coder, one session).", measure="nominal"),
    Variable("procedure", "Procedure", "category", "Observation procedure of the session.",
             ((1, "free-play"), (2, "ssp"))),
    Variable("status", "Coding status", "category", "State of the coding.",
             ((1, "in_progress"), (2, "submitted"), (3, "master"))),
    Variable("sim_style", "Simulated caregiving style", "category",
             "Ground-truth style of a simulated session; empty for real sessions.",
             ((1, "sensitive"), (2, "withdrawn"), (3, "hostile"), (4, "frightened"))),
]
# Which coding a cohort row is (added with one coding per session): after the columns of
# earlier versions, so scripts that read those by position keep working.
_SELECTION = [
    Variable("purpose", "Purpose of the coding", "category",
             "Why the coding was made: study data, a coder's training tape, or a reliability "
             "check. The cohort holds study codings only.",
             ((1, "study"), (2, "training"), (3, "reliability"))),
    Variable("reconciled", "Reconciled coding", "flag",
             "1 when the coding is its session's reconciled (consensus) coding of a double-"
             "coded session. One coding per session takes the master, else this one, else "
             "the first submitted (docs/exports.md).", YES_NO),
]
_VALUES = [
    Variable("initiative_share", "Share of need episodes with caregiver initiative", "number",
             "Of the episodes of attachment need, the share in which the caregiver initiated "
             "contact or comfort within the initiative window (censored episodes left out).",
             unit=PROPORTION),
    Variable("response_latency_median_ms", "Median response latency", "number",
             "Median time from a child bid to the first caregiver answer.", unit="ms"),
    Variable("unanswered_share", "Share of bids unanswered", "number",
             "Share of scored child bids without a caregiver answer within the response window.",
             unit=PROPORTION),
    Variable("muted_share", "Share of answers that are muted", "number",
             "Share of caregiver answers coded with intensity muted.", unit=PROPORTION),
    Variable("hold_median_ms", "Median hold bout length", "number",
             "Median length of the bouts in which the child is held.", unit="ms"),
    Variable("putdowns_despite_protest", "Put-downs despite protest", "integer",
             "Number of completed hold bouts ended while the child protested (a bid of the "
             "protest kind) and not answered again: the put-downs despite need with a protest."),
    Variable("redirect_share", "Share of seeking signals redirected", "number",
             "Of the child's signals seeking the caregiver (bids for proximity, distress) that "
             "got a reaction, the share redirected rather than met with contact.",
             unit=PROPORTION),
    Variable("far_share", "Share of present time far", "number",
             "Share of the time with the caregiver present and proximity coded that she is far.",
             unit=PROPORTION),
    Variable("hostile_rate_per_10min", "Hostile and frightening events", "number",
             "Hostile/intrusive plus frightening events per 10 minutes.", unit="per 10 min"),
]
# The criteria and their default thresholds are in docs/indicators.md; they are the study's
# settings and change, so the flags' descriptions name the criteria, not the numbers.
_FLAGS = [
    _flag("initiative", "Initiative", "few episodes of need met with initiative"),
    _flag("responsiveness", "Responsiveness", "slow answers, many bids unanswered, or many "
          "answers muted"),
    _flag("cursory_contact", "Cursory contact", "holds put down despite the child's need, "
          "or no contact despite its bids"),
    _flag("redirection", "Redirection", "the child's seeking redirected, more than once"),
    _flag("distance", "Distance", "caregiver far for much of the time proximity is coded"),
    Variable("low_hostility_flag", "Low hostility flag (the profile's qualifier, not a sign)",
             "flag", "1 when hostility_qualifier is low (few hostile or frightening events per "
             "10 minutes; the threshold is a study setting, not a clinical norm). The qualifier "
             "of the profile, never counted among the signs. Kept for exports made before the "
             "qualifier.", YES_NO),
]
_COUNTS = [
    _count("AE", "Affective communication errors"), _count("RB", "Role/boundary confusion"),
    _count("FD", "Frightened/disoriented behaviour"), _count("NI", "Negative/intrusive behaviour"),
    _count("WD", "Withdrawal"),
]
# Columns added with the three states (issue 18): after the earlier columns, which keep their
# place so that syntax files using positions or TO ranges still work.
_NEW_VALUES = [
    Variable("putdown_share", "Share of completed holds put down despite need", "number",
             "Of the completed hold bouts (not cut by a separation or the end), the share the "
             "caregiver ended while the child still needed contact (protest, still distressed, "
             "or reaching again) and did not answer again.", unit=PROPORTION),
    Variable("proximity_coverage", "Share of present time with proximity coded", "number",
             "Share of the time the caregiver is present that her proximity (near/far) is "
             "coded; below the study's minimum, distance is not observable.",
             unit=PROPORTION),
]
_SIGN_STATES = [v for sign, label in SIGN_LABELS
                for v in (_state(sign, label), _reason(sign, label), _stability(sign, label))]
_QUALIFIER = [
    Variable("hostility_qualifier", "Hostility: the profile's qualifier (not a sign)",
             "category", "The qualifier of the withdrawal profile, never one of the signs: low "
             "(little or no hostility or intrusiveness; with signs present, consistent with a "
             "withdrawn profile), hostile (hostile or intrusive behaviour present: a mixed or "
             "hostile profile), or not_observable (user-missing in SPSS, "
             f"{NOT_OBSERVABLE_CODE}). {_NORMS}", QUALIFIER_VALUES,
             missing=(NOT_OBSERVABLE_CODE,)),
    Variable("hostility_reason", "Hostility qualifier: reason", "text",
             "hostile_rate when hostile; why, when not observable (e.g. caregiver_absent, "
             "nothing_coded); empty when low."),
    _stability("hostility", "Hostility qualifier"),
]
_SUMMARY = [
    Variable("signs_present", "Signs present (of 5)", "integer",
             "How many of the five signs are present in the whole session (the hostility "
             "qualifier is no sign)."),
    Variable("signs_absent", "Signs absent (of 5)", "integer",
             "How many of the five signs are absent in the whole session."),
    Variable("signs_not_observable", "Signs not observable (of 5)", "integer",
             "How many of the five signs cannot be judged in the whole session (see each "
             "<sign>_reason)."),
    Variable("withdrawn_profile", "Consistent with a withdrawn profile", "flag",
             "1 when at least two of the five signs are present with little or no hostility "
             "(the summary then says 'consistent with a withdrawn profile'); no diagnosis.",
             ((0, "no"), (1, "yes"))),
]
_INDICATORS = _VALUES + _FLAGS + _COUNTS
_STATES = _NEW_VALUES + _SIGN_STATES + _QUALIFIER + _SUMMARY
_RATINGS = [
    Variable("level", "Level of disrupted communication (1-7)", "integer",
             "The coder's overall rating on the 1-7 scale (ordered: ordinal in SPSS).",
             measure="ordinal"),
    Variable("disrupted", "Classification", "flag",
             "1 when the level reaches the study's cut-off (default 5): disrupted communication.",
             ((0, "not disrupted"), (1, "disrupted"))),
    Variable("classification", "Classification (text)", "category",
             "The classification as text.", ((0, "not disrupted"), (1, "disrupted"))),
    Variable("profile", "Profile of disrupted communication", "text",
             "The coder's profile rating, e.g. helpless-fearful or hostile-self-referential."),
]
_EVENTS = [
    Variable("subject", "Subject", "text", "Who the event is about: caregiver, child, or a "
             "custom subject."),
    Variable("code", "Code", "text", "Code id from the coding scheme."),
    Variable("onset_ms", "Onset", "integer", "Start of a state, or the time of a point event, "
             "on the session timeline.", unit="ms"),
    Variable("offset_ms", "Offset", "integer", "End of a state (exclusive); empty for point "
             "events.", unit="ms"),
    Variable("duration_ms", "Duration", "integer", "offset_ms - onset_ms; empty for point "
             "events.", unit="ms"),
    Variable("modifiers", "Modifiers", "text", "Modifier choices as set=value;set=value, "
             "multiple choices joined by commas."),
    Variable("comment", "Comment", "text", "The coder's free-text comment."),
]

# The tidy long table (issue 13): the events table's columns with where each event lies
# (segment), which pass over the session its coding is, and where its coding came from.
PROVENANCE_VALUES = ((1, "coded"), (2, "consensus"), (3, "imported-boris"),
                     (4, "imported-elan"), (5, "imported-datavyu"), (6, "imported-other"),
                     (7, "simulated"))
_TIDY = [
    Variable("segment", "Segment", "text", "Name of the session's segment (e.g. an SSP "
             "episode) that holds the event's onset; empty when no segment does."),
    Variable("pass", "Coding pass", "integer", "Which coding of the session this is, in the "
             "order the codings were started: 1 for the first coder's, 2 for a second coder's "
             "(double coding) or the consensus, and so on.", measure="ordinal"),
    Variable("provenance", "Provenance of the coding", "category",
             "Where the coding's events came from: coded in Samspill, the consensus of a "
             "reconciled session, a session created by importing a BORIS, ELAN or Datavyu "
             "file (every coding of such a session counts as imported), or a simulated "
             "session.", PROVENANCE_VALUES),
    Variable("assist", "Accepted assist suggestion", "text",
             "For an event a coder made by accepting one of the assist's suggestions: which "
             "detector and version proposed it (assist:cry@1, assist:silero-vad@6.2.3); empty "
             "for an event coded by hand. The coder chose its code and edges."),
]
# The binned table for machine learning: one row per coding and bin, then one 0/1 column per
# subject and code (named <subject>__<code>; docs/exports.md).
_BINS = [
    Variable("bin", "Bin number", "integer", "Number of the bin from the session's start, "
             "counting from 0.", measure="ordinal"),
    Variable("bin_onset_ms", "Bin start", "integer", "Start of the bin on the session "
             "timeline.", unit="ms"),
    Variable("bin_offset_ms", "Bin end", "integer", "End of the bin (exclusive); the last bin "
             "ends with the session.", unit="ms"),
]

def form_variables(items: list[RatingItem], form: RatingForm) -> list[Variable]:
    """A rating form's cohort columns: its items' ratings (ordinal), then its scores."""
    out = [Variable(i.id, f"{i.label} ({i.min}-{i.max})", "number",
                    f"The coder's rating on the {form.name} item '{i.id}', {i.min}-{i.max}; "
                    "empty when not rated.", measure="ordinal", decimals=0) for i in items]
    methods = {"sum": "Sum", "mean": "Mean"}
    for sub in form.subscales:
        out.append(Variable(f"{form.id}_{sub.id}", sub.name, "number",
                            f"{methods[sub.method]} of {', '.join(sub.items)}; empty when any "
                            "of them is not rated.", decimals=2))
    if form.total is not None:
        named = form.total.items or form.items
        out.append(Variable(f"{form.id}_total", form.total.name or f"{form.name}: total",
                            "number", f"{methods[form.total.method]} of {', '.join(named)}; "
                            "empty when any of them is not rated.", decimals=2))
    return out


def segment_form_variables(scheme: Scheme) -> list[Variable]:
    """The columns of the scheme's per-segment forms: each item and score once per segment it
    is rated in, ``<name>_<segment>``, labelled with the segment (docs/schemes.md)."""
    out: list[Variable] = []
    for form in scheme.rating_forms:
        if form.per != "segment":
            continue
        items = [i for i in (scheme.rating_item(n) for n in form.items) if i is not None]
        for segment in form.segments:
            out += [replace(v, name=segment_column(v.name, segment),
                            label=f"{v.label}, segment {segment}",
                            description=f"In segment {segment} (a form rated per segment). "
                            + v.description) for v in form_variables(items, form)]
    return out


# The built-in rating forms' columns (docs/schemes.md, "Rating forms"): in the cohort table
# only when the coding's scheme takes the form.
_FORMS = [v for form_id in builtin_form_ids() for v in form_variables(*load_builtin_form(form_id))]
FORM_COLUMNS = [v.name for v in _FORMS]
IDENTITY_NAMES = frozenset(v.name for v in _IDENTITY)
REGISTRY: dict[str, Variable] = {
    v.name: v for v in _IDENTITY + _SELECTION + _INDICATORS + _STATES + _RATINGS + _EVENTS
    + _TIDY + _BINS + _FORMS}
COHORT_COLUMNS = [v.name for v in _IDENTITY + _INDICATORS] + [
    "level", "disrupted", "classification", "profile"] + [v.name for v in _STATES + _SELECTION]
# Cohort columns an outcome model may use: the values, flags, counts, signs counted, level
# (not the stability, which describes the coding, not the dyad; nor which coding it is).
PREDICTOR_COLUMNS = [c for c in COHORT_COLUMNS if REGISTRY[c].kind in ("number", "integer", "flag")
                     and c not in IDENTITY_NAMES and not c.endswith("_stability")
                     and c not in {v.name for v in _SELECTION}]
EVENT_TABLE_COLUMNS = [v.name for v in _IDENTITY[:5]] + [v.name for v in _EVENTS]
TIDY_TABLE_COLUMNS = ["study", "dyad", "session", "segment", "coder", "coding_id", "pass",
                      "subject", "code", "modifiers", "onset_ms", "offset_ms", "duration_ms",
                      "provenance", "assist"]
BIN_TABLE_COLUMNS = ["study", "dyad", "session", "coder", "coding_id", "bin", "bin_onset_ms",
                     "bin_offset_ms"]



def dyad_mean(v: Variable) -> Variable:
    """``v`` as the predictors table holds it, one row per dyad: the mean over the dyad's
    sessions, a scale number without value labels; a flag's mean is the share of the dyad's
    sessions flagged (a proportion), a count's or the level's mean has 2 decimals."""
    if v.kind == "flag":
        return replace(v, label=f"{v.label}: share of the dyad's sessions", kind="number",
                       unit=PROPORTION, values=(), missing=(), measure="scale", decimals=None,
                       description=f"Share of the dyad's sessions with {v.name} 1. "
                       + v.description)
    return replace(v, label=f"{v.label}: mean over the dyad's sessions", kind="number",
                   values=(), missing=(), measure="scale",
                   decimals=v.spss_decimals if v.kind == "number" else 2,
                   description="Mean over the dyad's sessions. " + v.description)


# The predictors table: the dyad's code, then the dyad means of the predictor columns.
PREDICTOR_REGISTRY: dict[str, Variable] = {
    "dyad": REGISTRY["dyad"], **{c: dyad_mean(REGISTRY[c]) for c in PREDICTOR_COLUMNS}}


def values_text(v: Variable) -> str:
    """The values as the docs and the XLSX ``variables`` sheet state them: a flag's 0 and 1
    with their meaning (0/1 in every format); a category's text as CSV, XLSX and Parquet
    hold it, then the codes SPSS holds instead."""
    if v.kind != "category":
        return "; ".join(f"{code} = {text}" for code, text in v.values)
    codes = "; ".join(f"{code} = {label}" + (" (user-missing)" if code in v.missing else "")
                      for code, label in v.value_labels)
    return ", ".join(text for _, text in v.values) + f" (SPSS codes: {codes})"


def spss_format_text(v: Variable) -> str:
    """The SPSS format the registry fixes: ``Aw`` for text, ``Fw.d`` for numbers and codes,
    where the width ``w`` is sized to each file's data."""
    return "Aw" if v.kind == "text" else f"Fw.{v.spss_decimals}"


_SPSS_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO",
                  "WITH"}
_SPSS_NAME = re.compile(r"^[A-Za-z@][A-Za-z0-9_.@#$]*$")


def spss_name_problems(name: str) -> list[str]:
    """Why ``name`` is not a valid SPSS variable name (empty when it is)."""
    out = []
    if len(name.encode("utf-8")) > 64:
        out.append("longer than 64 bytes")
    if not _SPSS_NAME.match(name):
        out.append("must start with a letter and hold only letters, digits, _ . @ # $")
    if name.upper() in _SPSS_RESERVED:
        out.append("is an SPSS reserved word")
    if name.endswith((".", "_")):
        out.append("must not end with . or _")
    return out


def variables_markdown() -> str:
    """``docs/variables.md``: every registered variable, grouped as the tables use them."""
    lines = ["# Exported variables", "",
             "Generated from `src/samspill/interop/variables.py` by `variables_markdown()`; "
             "do not edit by hand. Regenerate with "
             "`python -m samspill.interop.variables > docs/variables.md`.", "",
             "The cohort table has one row per coding (by default one coding per session: "
             "the master, else the reconciled coding, else the first submitted; see "
             "docs/exports.md): "
             + ", ".join(f"`{c}`" for c in COHORT_COLUMNS) + ".", "",
             "The long events table has one row per event: "
             + ", ".join(f"`{c}`" for c in EVENT_TABLE_COLUMNS) + ".", "",
             "The tidy events table (CSV, R `.rds`, ...) has one row per event: "
             + ", ".join(f"`{c}`" for c in TIDY_TABLE_COLUMNS) + ". The binned table has "
             "one row per coding and bin: " + ", ".join(f"`{c}`" for c in BIN_TABLE_COLUMNS)
             + ", then one 0/1 column per subject and code, `<subject>__<code>`.", "",
             "Thresholds behind the states and flags are study settings, not clinical norms. "
             "Each of the five signs is `present`, `absent` or `not_observable` "
             "(`<sign>_state`); not observable is never absent, and SPSS files mark it as "
             "user-missing. Hostility is no sign: `hostility_qualifier` qualifies the profile. "
             "Columns of earlier versions keep their place; the columns added with the three "
             "states follow them, then `purpose` and `reconciled` (which coding a row is).",
             "",
             "**How each format holds a value.** Flags are 0 and 1 in every format (CSV, XLSX, "
             "SPSS, Parquet), so that SUM and AVERAGE count them. Categories are their text in "
             "CSV, XLSX and Parquet (`in_progress`, `not_observable`) and their code in SPSS, "
             "with the words as value labels; the *values* column gives both. Numbers are "
             "numbers; empty cells are missing values.", "",
             "**SPSS.** Each variable's label is the label here with its unit in brackets "
             "(`Onset (ms)`, `Share of bids unanswered (proportion 0-1)`), and its measurement "
             "level is the *SPSS level* column: ids, codes, flags and text nominal, the 1-7 "
             "level ordinal, quantities scale. Its format is the *SPSS format* column, whose "
             "width `w` each file sizes to its data: `F7.0` for an onset of 1,199,878 ms, "
             "`F5.3` for a proportion, `A40` for text of up to 40 bytes. Times in ms show no "
             "decimals (a median may hold .5 ms: the value is kept, SPSS shows it rounded).", "",
             "**The predictors table** (one row per dyad) holds `dyad`, then the mean over the "
             "dyad's sessions of every number, count, flag and the level of the cohort table "
             "(not the stability): " + ", ".join(f"`{c}`" for c in PREDICTOR_COLUMNS) + ". "
             "Each is a scale number without value labels, labelled '<label>: mean over the "
             "dyad's sessions'; a flag's mean is the share of the dyad's sessions flagged "
             "('<label>: share of the dyad's sessions', a proportion 0-1, 3 decimals), and "
             "the mean of a count or the level has 2 decimals.", ""]
    for title, group in (("Identity", _IDENTITY + _SELECTION),
                         ("Withdrawal indicators and counts", _INDICATORS),
                         ("Ratings", _RATINGS),
                         ("States, reasons, stability and the hostility qualifier", _STATES),
                         ("Rating forms (when the coding's scheme takes the form)", _FORMS),
                         ("Events", _EVENTS),
                         ("Tidy events and bins", _TIDY + _BINS)):
        lines += [f"## {title}", "", "| " + " | ".join(DOC_COLUMNS) + " |",
                  "|" + "---|" * len(DOC_COLUMNS)]
        lines += [_row(v) for v in group]
        lines.append("")
    return "\n".join(lines)


# The columns of docs/variables.md's tables; a test reads exported files back against them.
DOC_COLUMNS = ("name", "label", "kind", "unit", "values", "SPSS level", "SPSS format",
               "description")


def _row(v: Variable) -> str:
    cells = [f"`{v.name}`", v.label, v.kind, v.unit, values_text(v), v.measurement,
             spss_format_text(v), v.description]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


if __name__ == "__main__":
    print(variables_markdown())
