"""Every exported variable, in one place: name, label, kind, value labels, description.

The registry labels the SPSS ``.sav`` files, names the Parquet fields' metadata, fills the XLSX
``variables`` sheet, and generates ``docs/variables.md`` (:func:`variables_markdown`; a test
keeps the file current). Names are stable: a study's syntax files and R scripts depend on them.
Change a name only with a migration note in the docs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "integer", "number", "flag", "category"]
YES_NO = ((0, "no"), (1, "yes"))


@dataclass(frozen=True)
class Variable:
    """One column of an export. ``values`` are SPSS value labels (code, text).

    ``flag``: true/false, written 0/1 to SPSS. ``category``: text whose values are coded as the
    integers of ``values`` in SPSS and kept as text elsewhere.
    """

    name: str
    label: str
    kind: Kind
    description: str
    values: tuple[tuple[int, str], ...] = ()
    unit: str = ""


def _flag(indicator: str, label: str, rule: str) -> Variable:
    return Variable(f"{indicator}_flag", f"{label} flag", "flag",
                    f"1 when the {label.lower()} indicator passes its threshold ({rule}, a "
                    "study setting, not a clinical norm).", YES_NO)


def _count(dim: str, name: str) -> Variable:
    return Variable(f"count_{dim}", f"{name} events", "integer",
                    f"Number of events coded on the AMBIANCE dimension {dim} ({name}) in the "
                    "session.")


_IDENTITY = [
    Variable("study", "Study", "text", "Name of the study."),
    Variable("dyad", "Dyad code", "text", "Pseudonymous code of the caregiver-child pair."),
    Variable("session", "Session", "text", "Name of the recorded session."),
    Variable("coder", "Coder", "text", "User name of the coder."),
    Variable("coding_id", "Coding id", "text",
             "Identifier of the coding (one coder, one session)."),
    Variable("procedure", "Procedure", "category", "Observation procedure of the session.",
             ((1, "free-play"), (2, "ssp"))),
    Variable("status", "Coding status", "category", "State of the coding.",
             ((1, "in_progress"), (2, "submitted"), (3, "master"))),
    Variable("sim_style", "Simulated caregiving style", "category",
             "Ground-truth style of a simulated session; empty for real sessions.",
             ((1, "sensitive"), (2, "withdrawn"), (3, "hostile"), (4, "frightened"))),
]
_INDICATORS = [
    Variable("initiative_share", "Share of need episodes with caregiver initiative", "number",
             "Of the episodes of attachment need, the share in which the caregiver initiated "
             "contact or comfort within the initiative window.", unit="proportion 0-1"),
    Variable("response_latency_median_ms", "Median response latency", "number",
             "Median time from a child bid to the first caregiver answer.", unit="ms"),
    Variable("unanswered_share", "Share of bids unanswered", "number",
             "Share of child bids without a caregiver answer within the response window.",
             unit="proportion 0-1"),
    Variable("muted_share", "Share of answers that are muted", "number",
             "Share of caregiver answers coded with intensity muted.", unit="proportion 0-1"),
    Variable("hold_median_ms", "Median hold bout length", "number",
             "Median length of the bouts in which the child is held.", unit="ms"),
    Variable("putdowns_despite_protest", "Put-downs despite protest", "integer",
             "Number of hold bouts ended while the child protested."),
    Variable("redirect_share", "Share of proximity bids redirected", "number",
             "Share of proximity bids answered with a redirect rather than contact.",
             unit="proportion 0-1"),
    Variable("far_share", "Share of present time far", "number",
             "Share of the time with the caregiver present that proximity is far.",
             unit="proportion 0-1"),
    Variable("hostile_rate_per_10min", "Hostile and frightening events per 10 min", "number",
             "Hostile/intrusive plus frightening events per 10 minutes.", unit="per 10 min"),
    _flag("initiative", "Initiative", "default: below 50 %"),
    _flag("responsiveness", "Responsiveness", "default: median latency > 3 s or >= 40 % "
          "unanswered"),
    _flag("cursory_contact", "Cursory contact", "default: median hold < 15 s or any put-down "
          "despite protest"),
    _flag("redirection", "Redirection", "default: >= 30 % of proximity bids redirected"),
    _flag("distance", "Distance", "default: far >= 60 % of present time"),
    _flag("low_hostility", "Low hostility", "default: below 1 hostile or frightening event "
          "per 10 min"),
    _count("AE", "Affective communication errors"), _count("RB", "Role/boundary confusion"),
    _count("FD", "Frightened/disoriented behaviour"), _count("NI", "Negative/intrusive behaviour"),
    _count("WD", "Withdrawal"),
]
_RATINGS = [
    Variable("level", "Level of disrupted communication (1-7)", "integer",
             "The coder's overall rating on the 1-7 scale."),
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

REGISTRY: dict[str, Variable] = {v.name: v for v in _IDENTITY + _INDICATORS + _RATINGS + _EVENTS}
COHORT_COLUMNS = [v.name for v in _IDENTITY] + [v.name for v in _INDICATORS] + [
    "level", "disrupted"]
EVENT_TABLE_COLUMNS = [v.name for v in _IDENTITY[:5]] + [v.name for v in _EVENTS]

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
             "The cohort table has one row per coding: "
             + ", ".join(f"`{c}`" for c in COHORT_COLUMNS) + ".", "",
             "The long events table has one row per event: "
             + ", ".join(f"`{c}`" for c in EVENT_TABLE_COLUMNS) + ".", "",
             "Thresholds behind the flags are study settings, not clinical norms.", ""]
    for title, group in (("Identity", _IDENTITY), ("Withdrawal indicators and counts", _INDICATORS),
                         ("Ratings", _RATINGS), ("Events", _EVENTS)):
        lines += [f"## {title}", "", "| name | label | kind | unit | values | description |",
                  "|---|---|---|---|---|---|"]
        lines += [_row(v) for v in group]
        lines.append("")
    return "\n".join(lines)


def _row(v: Variable) -> str:
    values = "; ".join(f"{code} = {text}" for code, text in v.values)
    cells = [f"`{v.name}`", v.label, v.kind, v.unit, values, v.description]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


if __name__ == "__main__":
    print(variables_markdown())
