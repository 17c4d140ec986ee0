"""The signs' states compared, in words: coders side by side in reconciliation, a trainee
against the master tape. The agreement API (``routes/agreement.py``) and its pages
(``routes/agreement_pages.py``) show the same.

Coders are compared on the five signs' *states* (present, absent, not observable) and, apart,
on the hostility qualifier's (low, hostile, not observable), never on the flags alone: a sign
one coder cannot observe and another finds absent has the same flag but differs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pandas as pd

from samspill.core.indicators import INDICATORS, IndicatorSpec
from samspill.services import agreement, consensus, training
from samspill.web import i18n
from samspill.web.scores_display import QUALIFIER_WORDS, STATE_MARKS, STATE_WORDS

_ = i18n.gettext
SEPARATOR = " · "


def state_text(spec: IndicatorSpec, state: object) -> str:
    """A sign's state in words (present, absent, not observable), or the qualifier's (little
    or no hostility, hostile or intrusive, not observable); "–" when there is none."""
    if state is None or state == "" or (isinstance(state, float) and math.isnan(state)):
        return "–"
    words = QUALIFIER_WORDS if spec.kind == "qualifier" else STATE_WORDS
    key = str(state)
    return _(words[key]) if key in words else key.replace("_", " ")


def indicator_title(spec: IndicatorSpec) -> str:
    """A sign's title, or the qualifier's short name (its heading says it is no sign)."""
    if spec.kind == "qualifier":
        return _("Hostility or intrusiveness")
    return _(spec.title)


def _compared(table: pd.DataFrame, who: list[str], same: str,
              difference: Callable[[dict[str, str]], str]) -> dict[str, Any]:
    """The state table's rows (``item`` is ``<sign>_state`` or ``hostility_qualifier``) in
    the order of the signs, then the qualifier: ``signs`` (a list) and ``qualifier`` (one
    item or None). Each item: ``id``, ``kind``, ``title``, ``states`` (``who`` -> key),
    ``words`` and ``marks`` (``who`` -> its words and text mark), ``same`` and
    ``difference`` (words, None when the same)."""
    rows = {str(r["item"]): r for r in agreement.records(table)}
    items = []
    for spec in INDICATORS.values():
        row = rows.get(spec.state)
        if row is None:
            continue
        states = {w: "" if row.get(w) is None else str(row[w]) for w in who}
        words = {w: state_text(spec, states[w]) for w in who}
        agree = bool(row[same])
        items.append({
            "id": spec.id, "kind": spec.kind, "title": indicator_title(spec), "states": states,
            "words": words, "marks": {w: STATE_MARKS.get(states[w], "") for w in who},
            "same": agree, "difference": None if agree else difference(words),
        })
    return {"signs": [i for i in items if i["kind"] == "sign"],
            "qualifier": next((i for i in items if i["kind"] == "qualifier"), None)}


def sign_states(found: consensus.Disagreements) -> dict[str, Any]:
    """The coders' states of the five signs and of the qualifier, side by side; where they
    differ, in words: "ann: absent · bob: not observable"."""
    return _compared(found.states, found.coders, "agree", lambda words: SEPARATOR.join(
        f"{coder}: {text}" for coder, text in words.items()))


def tape_states(found: training.Feedback) -> dict[str, Any]:
    """The trainee's states of the five signs and of the qualifier against the master's;
    where they differ, in words: "master: present · you: not observable"."""
    return _compared(found.states, ["trainee", "master"], "same", lambda words: _(
        "master: {master} · you: {you}").format(master=words["master"], you=words["trainee"]))
