"""What people read of a family's course on the dyad page: sessions in order, each sign's state,
value and stability per session, each change judged, and the chart's coordinates, built once
in the request's language from :class:`~samspill.core.trajectory.Trajectory`.
"""

from __future__ import annotations

import math
from typing import Any

from samspill.core import numbers
from samspill.core.indicators import INDICATORS, SIGNS
from samspill.core.indicators.states import NOT_OBSERVABLE, PRESENT
from samspill.core.trajectory import MEASURES, PHASE_TEXTS, Trajectory, better
from samspill.web import i18n
from samspill.web.scores_display import QUALIFIER_WORDS, STATE_MARKS, STATE_WORDS


def N_(message: str) -> str:
    return message


_ = i18n.gettext

SIGN_NAMES = {
    "initiative": N_("Lack of initiative when the child has attachment needs"),
    "responsiveness": N_("Delayed or muted responding"),
    "cursory_contact": N_("Cursory responding"),
    "redirection": N_("Directing the child away from self"),
    "distance": N_("Interaction at a distance"),
    "hostility": N_("Hostility or intrusiveness (the profile's qualifier, not a sign)"),
}
MEASURE_NAMES = {
    "initiative_share": N_("share of episodes of need met with initiative"),
    "response_latency_median_ms": N_("median latency"),
    "putdown_share": N_("share of holds put down despite need"),
    "redirect_share": N_("share of reactions that were redirects"),
    "far_share": N_("share of the time far"),
    "hostile_rate_per_10min": N_("hostile or intrusive acts per 10 min"),
}
PHASE_WORDS = {"intake": N_("intake"), "guidance": N_("during guidance"),
               "follow-up": N_("follow-up"), None: N_("phase not set")}
STATUS_WORDS = {
    "scored": "",
    "provisional": N_("provisional: a state was still running; for this score it ends at the "
                      "end of the recording"),
    "unscorable": N_("cannot be scored"),
    "no_coding": N_("no coding you may read"),
}
VERDICT_WORDS = {
    "reliable": N_("reliable change"),
    "within": N_("within coder disagreement"),
    "no_agreement": N_("not enough agreement data to judge"),
    "no_spread": N_("too few sessions in the study to judge"),
    "not_comparable": N_("nothing to compare"),
}
SCOPE_WORDS = {"session": N_("Whole session"), "reunions": N_("Reunions")}
assert set(PHASE_WORDS) == set(PHASE_TEXTS)

# The chart: one lane per sign, sessions left to right (viewBox units).
CHART_LEFT, CHART_WIDTH, LANE_HEIGHT, LANE_GAP = 300, 640, 46, 14


def _language() -> str:
    return i18n.current_language.get()


def value_text(indicator: str, value: object) -> str:
    """A measure's value as people read it, ``–`` when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _("nothing to measure")
    return numbers.value_text(MEASURES[indicator], value, _language())


def difference_text(indicator: str, difference: float) -> str:
    """A change in the measure's unit with its sign: ``−48 percentage points``, ``−5.5 s``."""
    if math.isnan(difference):
        return "–"
    sign = "+" if difference > 0 else "−" if difference < 0 else "±"
    unit = numbers.unit_of(MEASURES[indicator])
    size = abs(difference)
    if unit == "share":
        return _("{sign}{points} percentage points").format(
            sign=sign, points=numbers.number(round(100 * size), _language()))
    return sign + numbers.value_text(MEASURES[indicator], size, _language())


def rc_text(rc: float) -> str:
    if math.isnan(rc):
        return ""
    if math.isinf(rc):
        return "RC " + ("+∞" if rc > 0 else "−∞")
    return "RC " + numbers.fixed(rc, _language(), 1).replace("-", "−")


def change_cell(indicator: str, difference: float, rc: float, verdict: str | None
                ) -> dict[str, Any] | None:
    """A change as shown: the difference, its verdict in words, and RC when judged."""
    if verdict is None:
        return None
    direction = better(indicator, difference) if verdict == "reliable" else None
    towards = "" if direction is None else (
        _("towards fewer signs") if direction else _("towards more signs"))
    return {"verdict": verdict, "text": _(VERDICT_WORDS[verdict]), "towards": towards,
            "difference": difference_text(indicator, difference), "rc": rc_text(rc)}


def _state(indicator: str, state: object) -> dict[str, str]:
    words = QUALIFIER_WORDS if INDICATORS[indicator].kind == "qualifier" else STATE_WORDS
    key = str(state) if state is not None else ""
    return {"key": key, "text": _(words[key]) if key in words else "–",
            "mark": STATE_MARKS.get(key, "")}


def _stability(row: dict[str, Any]) -> str:
    if row["stable"] is None:
        return ""
    if row["stable"]:
        return _("stable")
    return _("fragile ({share} of perturbations keep the state)").format(
        share=numbers.percent(row["stability"], _language()))


def sessions_view(trajectory: Trajectory, ids: dict[str, int]) -> list[dict[str, Any]]:
    """The sessions in order, with phase, status and how many signs were present; ``ids``
    maps a session's name to its id (the phase form's field names)."""
    out = []
    for i, p in enumerate(trajectory.points):
        rows = trajectory.table[(trajectory.table["position"] == i)
                                & (trajectory.table["scope"] == "session")]
        present = int((rows["state"] == PRESENT).sum()) if p.has_scores else None
        out.append({"position": i, "id": ids.get(p.name), "name": p.name,
                    "date": p.date.isoformat() if p.date else "",
                    "phase": _(PHASE_WORDS.get(p.phase, PHASE_WORDS[None])),
                    "phase_key": p.phase or "", "status": p.status,
                    "status_text": _(STATUS_WORDS[p.status]) if STATUS_WORDS[p.status] else "",
                    "reason": p.reason, "coder": p.coder, "present": present,
                    "signs": len(SIGNS),
                    "is_intake": i == trajectory.intake})
    return out


def table_view(trajectory: Trajectory, scope: str) -> list[dict[str, Any]]:
    """One row per sign (then the qualifier), one cell per session: state, value, stability,
    and the change vs the previous session and vs intake."""
    out = []
    for name in INDICATORS:
        cells = []
        for i, _point in enumerate(trajectory.points):
            row = trajectory.cell(i, scope, name)
            if row is None:
                cells.append(None)
                continue
            cells.append({
                "state": _state(name, row["state"]),
                "value": value_text(name, row["value"]) if row["state"] is not None else "",
                "stability": _stability(row),
                "previous": change_cell(name, row["prev_diff"], row["prev_rc"],
                                        row["prev_verdict"]),
                "intake": change_cell(name, row["intake_diff"], row["intake_rc"],
                                      row["intake_verdict"]),
                "reason": row["reason"] if row["state"] is None else ""})
        out.append({"id": name, "title": _(SIGN_NAMES[name]),
                    "measure": _(MEASURE_NAMES[MEASURES[name]]),
                    "kind": INDICATORS[name].kind, "cells": cells})
    return out


def measures_view(trajectory: Trajectory) -> list[dict[str, Any]]:
    """What each change was judged with: the agreement (ICC) and spread per measure."""
    out = []
    for r in trajectory.measures.itertuples(index=False):
        if r.scope not in trajectory.scopes():
            continue
        has_icc = not math.isnan(r.r_xx)
        out.append({
            "title": _(SIGN_NAMES[r.indicator]), "scope": _(SCOPE_WORDS[r.scope]),
            "measure": _(MEASURE_NAMES[r.measure]),
            "icc": numbers.fixed(r.r_xx, _language(), 2) if has_icc
            else _("not enough agreement data"),
            "agreement_sessions": int(r.agreement_sessions),
            "sd": value_text(r.indicator, r.s1) if not math.isnan(r.s1) else "–",
            "sd_from": (_("{n} intake sessions") if r.s1_source == "intake"
                        else _("{n} sessions of the study")).format(n=int(r.s1_sessions)),
            "smallest": value_text(r.indicator, r.smallest_change)
            if has_icc and not math.isnan(r.smallest_change) else "–"})
    return out


def chart_view(trajectory: Trajectory, scope: str) -> dict[str, Any]:
    """Coordinates for the inline SVG: per sign a lane with its values as a line across the
    sessions; a point filled when present, hollow when absent, dashed when not observable."""
    n = len(trajectory.points)
    xs = [CHART_LEFT + (CHART_WIDTH * (i + 0.5) / max(n, 1)) for i in range(n)]
    lanes = []
    for k, name in enumerate(INDICATORS):
        top = 30 + k * (LANE_HEIGHT + LANE_GAP)
        cells = [trajectory.cell(i, scope, name) for i in range(n)]
        values = [c["value"] if c is not None and c["state"] is not None else math.nan
                  for c in cells]
        finite = [v for v in values if not math.isnan(v)]
        high = _scale_top(MEASURES[name], max(finite) if finite else 1.0)
        points = []
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            if cell is None or cell["state"] is None:
                continue
            y = top + LANE_HEIGHT - (LANE_HEIGHT * (value / high) if not math.isnan(value)
                                     else 0)
            points.append({"x": round(xs[i], 1), "y": round(y, 1),
                           "missing": math.isnan(value), "state": str(cell["state"]),
                           "label": value_text(name, value),
                           "title": f"{trajectory.points[i].name}: "
                                    f"{_state(name, cell['state'])['text']}, "
                                    f"{value_text(name, value)}"})
        line = " ".join(f"{p['x']},{p['y']}" for p in points if not p["missing"])
        lanes.append({"title": _(SIGN_NAMES[name]), "top": top, "bottom": top + LANE_HEIGHT,
                      "points": points, "line": line, "present": PRESENT,
                      "not_observable": NOT_OBSERVABLE,
                      "high": value_text(name, high)})
    return {"height": 30 + len(INDICATORS) * (LANE_HEIGHT + LANE_GAP) + 10,
            "left": CHART_LEFT, "right": CHART_LEFT + CHART_WIDTH, "lanes": lanes,
            "sessions": [{"x": round(x, 1), "name": p.name}
                         for x, p in zip(xs, trajectory.points, strict=True)]}


def _scale_top(measure: str, largest: float) -> float:
    """Shares on 0–100 %; other measures up to their largest value (at least 1)."""
    if numbers.unit_of(measure) == "share":
        return 1.0
    return max(largest, 1.0)


def phase_words() -> dict[str, str]:
    return {k: _(v) for k, v in PHASE_WORDS.items() if k is not None}
