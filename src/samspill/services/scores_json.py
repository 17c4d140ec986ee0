"""One coding's scores as JSON: what ``GET /api/codings/{id}/scores`` (its shape is
``web.schemas.ScoresOut``), the scores panel, the session page and ``samspill score --json``
show. Shaped here, outside the pure core, from the core's score tables (:class:`Scores`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import pandas as pd

from samspill.core.ambiance import RATING_COLUMNS as AMBIANCE_RATING_COLUMNS
from samspill.core.indicators import (
    DISCLAIMER,
    INDICATORS,
    QUALIFIER,
    REASONS,
    SIGNS,
    SUMMARY_COLUMNS,
)
from samspill.core.indicators.common import IndicatorSpec
from samspill.core.scoring import Scores, plain_value


def scores_to_json(scores: Scores, coding: int = 0) -> dict[str, Any]:
    """What the API and the scores panel show for one coding (position ``coding``).

    Keys: ``label``, ``disclaimer``, ``settings``, ``reasons`` (reason key -> sentence),
    ``scopes`` (list, each with its summary: ``signs_present``, ``signs_absent``,
    ``signs_not_observable``, ``hostility_qualifier``), ``indicators`` (one object per scope ×
    sign or qualifier with ``id``, ``kind``, ``title``, ``scope``, ``segment_id``,
    ``scope_name``, ``state``, ``reasons``, ``flag``, ``values``, ``counts``, ``stability``
    (None when not computed), ``evidence``), ``ambiance`` (``counts``: list of rows),
    ``level``, ``disrupted``, ``classification``, ``cutoff``, ``profile``.
    """
    table = scores.indicators[scores.indicators["coding"] == coding]
    evidence = _by_indicator_and_segment(scores.evidence[scores.evidence["coding"] == coding])
    pivotal = scores.pivotal[scores.pivotal["coding"] == coding]
    pivots: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in _records(pivotal):
        pivots.setdefault((r["indicator"], r["scope"], plain_value(r["segment_id"])), []).append(
            _record({k: r[k] for k in ("event_id", "time_ms", "state_without")}))
    reunion_ids = set(table.loc[(table["scope"] == "segment") & (table["role"] == "reunion"),
                                "segment_id"])
    items = []
    for row in _records(table):
        segments = _scope_segments(row, evidence, reunion_ids)
        for spec in INDICATORS.values():
            found = [e for seg in segments for e in evidence.get((spec.id, seg), [])]
            items.append(_indicator_json(
                spec, row, sorted(found, key=lambda e: e["time_ms"]),
                pivots.get((spec.id, row["scope"], plain_value(row["segment_id"])), []),
                scores.has_stability))
    rating = scores.ratings[scores.ratings["coding"] == coding].iloc[0]
    amb = scores.ambiance[scores.ambiance["coding"] == coding].drop(columns=["coding"])
    scope_columns = ["scope", "segment_id", "name", "role", "start_ms", "end_ms", "observed_ms",
                     "present_ms", "outside_ms", *SUMMARY_COLUMNS, QUALIFIER.state]
    return {
        "label": scores.label, "disclaimer": DISCLAIMER,
        "settings": scores.settings.model_dump(mode="json"),
        "reasons": dict(REASONS),
        "signs": list(SIGNS),
        "scopes": [_record(r) for r in _records(table[scope_columns])],
        "indicators": items,
        "ambiance": {"label": scores.label, "counts": [_record(r) for r in _records(amb)]},
        **{k: plain_value(rating[k]) for k in ("level", "disrupted", "classification", "cutoff",
                                          "profile")},
        **_forms_json(rating),
    }


def _forms_json(rating: pd.Series) -> dict[str, Any]:
    """``forms``: the rating forms' items and scores (None when missing), only for a scheme
    with forms, so that other results keep their keys."""
    extra = [str(c) for c in rating.index if c not in AMBIANCE_RATING_COLUMNS]
    return {"forms": {c: plain_value(rating[c]) for c in extra}} if extra else {}


def _by_indicator_and_segment(evidence: pd.DataFrame) -> dict[tuple[Any, Any],
                                                            list[dict[str, Any]]]:
    """Evidence rows as JSON records, grouped by (indicator, segment id)."""
    out: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for r in _records(evidence.drop(columns=["coding"])):
        out.setdefault((r.pop("indicator"), plain_value(r["segment_id"])), []).append(_record(r))
    return out


def _scope_segments(row: Mapping[str, Any], evidence: Mapping[tuple[Any, Any], Any],
                    reunion_ids: set[Any]) -> list[Any]:
    """The segment ids whose evidence a scope shows (the session: all, outside ones too)."""
    if row["scope"] == "session":
        return list(dict.fromkeys(seg for _, seg in evidence))
    if row["scope"] == "segment":
        return [plain_value(row["segment_id"])]
    return sorted(reunion_ids, key=str)


def _indicator_json(spec: IndicatorSpec, row: Mapping[str, Any],
                    evidence: list[dict[str, Any]], pivotal: list[dict[str, Any]],
                    stability: bool) -> dict[str, Any]:
    reason = row[spec.reason]
    return {
        "id": spec.id, "kind": spec.kind, "title": spec.title, "scope": row["scope"],
        "segment_id": plain_value(row["segment_id"]), "scope_name": row["name"],
        "state": row[spec.state], "reasons": [r for r in str(reason or "").split(",") if r],
        "flag": bool(row[spec.flag]),
        "values": {k: plain_value(row[k]) for k in spec.values},
        "counts": {k: plain_value(row[k]) for k in spec.counts},
        "stability": _stability_json(spec, row, pivotal) if stability else None,
        "evidence": evidence,
    }


def _stability_json(spec: IndicatorSpec, row: Mapping[str, Any],
                    pivotal: list[dict[str, Any]]) -> dict[str, Any]:
    get = {k: plain_value(row[f"{spec.id}_{k}"]) for k in (
        "stability", "stability_jitter", "stability_dropout", "pivotal_events", "stable")}
    return {"share": get["stability"], "jitter": get["stability_jitter"],
            "dropout": get["stability_dropout"], "pivotal_events": get["pivotal_events"],
            "stable": get["stable"], "pivotal": pivotal}


def _record(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: plain_value(v) for k, v in row.items()}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")``: the tables here name their columns with strings, which
    pandas-stubs cannot know (they key records by any Hashable)."""
    return cast(list[dict[str, Any]], frame.to_dict("records"))
