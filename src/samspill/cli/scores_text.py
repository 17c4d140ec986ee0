"""The scores of one coding as people read them in a terminal (``samspill score``).

Works on :func:`~samspill.core.scoring.scores_to_json`'s result: per sign its state in words,
the reason as a sentence (:data:`~samspill.core.indicators.REASONS`), its values ("7.5 s",
"85 %", counts as integers) and its stability ("stable", or "fragile: …" with the pivotal
events' times as mm:ss); then the summary and the hostility qualifier, which is no sign.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from samspill.core.indicators import REASONS

STATE_WORDS = {"present": "present", "absent": "absent", "not_observable": "not observable",
               "low": "low", "hostile": "hostile"}
MAX_TIMES = 5
# The scopes shown: the whole session, and the reunions together when the coding has any.
SCOPES = (("session", "Whole session"), ("reunions", "Reunions (all reunion segments together)"))


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def seconds(ms: object) -> str:
    """7500 → ``7.5 s``, 8000 → ``8 s``."""
    if _missing(ms):
        return "–"
    text = f"{float(ms) / 1000:.1f}"  # type: ignore[arg-type]
    return f"{text.removesuffix('.0')} s"


def clock(ms: object) -> str:
    """246000 → ``04:06`` (minutes may pass 59: one running clock, as the video's)."""
    if _missing(ms):
        return "–"
    total = int(float(ms)) // 1000  # type: ignore[arg-type]
    return f"{total // 60:02d}:{total % 60:02d}"


def percent(share: object) -> str:
    """0.847 → ``85 %``."""
    if _missing(share):
        return "–"
    return f"{100 * float(share):.0f} %"  # type: ignore[arg-type]


def _label(name: str) -> str:
    for suffix in ("_ms", "_per_10min"):
        name = name.removesuffix(suffix)
    return name.replace("_", " ")


def value_text(name: str, value: object) -> str:
    """A value column as read: durations in seconds, shares in percent, rates per 10 min."""
    if name.endswith("_ms"):
        shown = seconds(value)
    elif name.endswith("_share") or name.endswith("_coverage"):
        shown = percent(value)
    elif name.endswith("_per_10min"):
        shown = "–" if _missing(value) else f"{float(value):.1f} per 10 min"  # type: ignore[arg-type]
    else:
        shown = count_text(value)
    return f"{_label(name)} {shown}"


def count_text(value: object) -> str:
    if _missing(value):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    number = float(value)  # type: ignore[arg-type]
    return f"{number:.0f}" if number.is_integer() else f"{number:.1f}"


def count_item(name: str, value: object) -> str:
    """A count column: times in ms as mm:ss, the rest as integers."""
    shown = clock(value) if name.endswith("_ms") else count_text(value)
    return f"{_label(name)} {shown}"


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
    """``3 of 5 signs present, 1 not observable``."""
    return (f"{scope['signs_present']} of {n_signs} signs present, "
            f"{scope['signs_not_observable']} not observable")


def qualifier_text(item: Mapping[str, Any], signs_present: int) -> str:
    """The profile's qualifier as a sentence (never a sign)."""
    state = item["state"]
    if state == "low":
        text = "Little or no hostility or intrusiveness"
        return text + (": consistent with a withdrawn profile" if signs_present else "")
    if state == "hostile":
        return "Hostile or intrusive behaviour present: mixed or hostile profile"
    reasons = "; ".join(REASONS.get(k, k) for k in item["reasons"])
    return f"Hostility cannot be judged: {reasons or 'not observable'}"


def scope_sections(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Per scope shown: its title, one row per sign (sign, state, why, values, stability),
    the summary and the qualifier sentence."""
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
        sentence = qualifier_text(qualifier, int(found[0]["signs_present"]))
        fragile = stability_text(qualifier["stability"], settings)
        if fragile.startswith("fragile"):
            sentence += f" ({fragile})"
        sections.append({"title": title, "rows": rows,
                         "summary": summary_text(found[0], len(signs)),
                         "qualifier": sentence})
    return sections


def rating_text(result: Mapping[str, Any]) -> str:
    """``level 6 · disrupted · profile helpless-fearful`` (or that no level is rated)."""
    parts = [f"level {result['level']}" if result.get("level") is not None
             else "no level rated"]
    if result.get("classification"):
        parts.append(str(result["classification"]))
    if result.get("profile"):
        parts.append(f"profile {result['profile']}")
    return " · ".join(parts)
