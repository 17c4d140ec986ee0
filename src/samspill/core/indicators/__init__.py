"""The six signs of caregiver withdrawal (emotional neglect), computed from a timeline.

One module per sign; :func:`compute_indicators` runs them all for every scope (the whole
session, each segment, the reunions together) of one or many codings. See
``docs/indicators.md`` for the definitions, settings and output columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samspill.core.indicators import (
    cursory_contact,
    distance,
    hostility,
    initiative,
    redirection,
    responsiveness,
)
from samspill.core.indicators.common import (
    EVIDENCE_COLUMNS,
    SCOPE_COLUMNS,
    Columns,
    IndicatorSpec,
    Scopes,
    build_scopes,
    concat_columns,
    make_context,
)
from samspill.core.indicators.settings import DISCLAIMER, IndicatorSettings, settings_from
from samspill.core.indicators.states import ABSENT, LOW, NOT_OBSERVABLE, PRESENT, REASONS
from samspill.core.scheme import Scheme
from samspill.core.timeline import Timeline

MODULES = (initiative, responsiveness, cursory_contact, redirection, distance, hostility)
INDICATORS: dict[str, IndicatorSpec] = {m.SPEC.id: m.SPEC for m in MODULES}
# The five signs of withdrawal; hostility qualifies the profile and is no sign.
SIGNS: dict[str, IndicatorSpec] = {k: v for k, v in INDICATORS.items() if v.kind == "sign"}
QUALIFIER: IndicatorSpec = hostility.SPEC
SUMMARY_COLUMNS = ["signs_present", "signs_absent", "signs_not_observable", "withdrawn_profile"]
# "Consistent with a withdrawn profile" needs more than one sign: one sign is no profile.
WITHDRAWN_PROFILE_MIN_SIGNS = 2
EVIDENCE_OUTPUT_COLUMNS = [c if c != "segment" else "segment_id" for c in EVIDENCE_COLUMNS]

__all__ = ["DISCLAIMER", "INDICATORS", "QUALIFIER", "REASONS", "SIGNS", "SUMMARY_COLUMNS",
           "IndicatorSettings", "IndicatorSpec", "compute_indicators", "hostile_codes",
           "settings_from"]


def hostile_codes(scheme: Scheme, settings: IndicatorSettings) -> tuple[str, ...]:
    """Codes counted by ``low_hostility``: those of the hostile dimensions, plus any listed."""
    by_dimension = [c.id for c in scheme.codes if c.dimension in settings.hostile_dimensions]
    return tuple(dict.fromkeys([*by_dimension, *settings.hostile_codes]))


def compute_indicators(
    timeline: Timeline, *, scheme: Scheme, settings: IndicatorSettings | None = None,
    scopes: Scopes | None = None, evidence: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The five signs and the hostility qualifier for every scope of every coding.

    Returns
    -------
    indicators : DataFrame
        One row per scope: the scope columns ``coding, scope, segment_id, name, role,
        start_ms, end_ms, observed_ms, present_ms`` (``scope`` is ``session``, ``segment`` or
        ``reunions``), then for each sign its value columns, count columns, ``<id>_state``
        (``present``, ``absent``, ``not_observable``), ``<id>_reason`` and ``<id>_flag``
        (True only when present); for the qualifier ``hostility_qualifier`` (``low``,
        ``hostile``, ``not_observable``), ``hostility_reason`` and ``low_hostility_flag``;
        then :data:`SUMMARY_COLUMNS`: the number of signs in each state, and
        ``withdrawn_profile``, True when at least :data:`WITHDRAWN_PROFILE_MIN_SIGNS` signs are
        present with little or no hostility ("consistent with a withdrawn profile").
    evidence : DataFrame
        One row per unit behind an indicator: ``coding, indicator, segment_id, event_id,
        time_ms, note, value_ms, related_event_id, related_time_ms``. ``event_id``/``time_ms``
        locate the unit (a bid, an episode's first event, a hold bout...), ``value_ms`` is its
        latency or duration, ``related_*`` the answering event, when there is one.
    """
    settings = settings or IndicatorSettings()
    scopes = scopes or build_scopes(timeline)
    ctx = make_context(timeline, scopes, settings, hostile_codes(scheme, settings),
                       evidence=evidence)
    values: Columns = {}
    rows = []
    for module in MODULES:
        found, units = module.compute(ctx)
        values.update({k: v for k, v in found.items() if k not in SCOPE_COLUMNS})
        rows.append(units)
    for column, state in zip(SUMMARY_COLUMNS, (PRESENT, ABSENT, NOT_OBSERVABLE), strict=False):
        values[column] = sum((values[spec.state] == state).astype("int64")
                             for spec in SIGNS.values())
    values["withdrawn_profile"] = ((values["signs_present"] >= WITHDRAWN_PROFILE_MIN_SIGNS)
                                   & (values[QUALIFIER.state] == LOW))
    table = pd.concat([scopes.table[SCOPE_COLUMNS].reset_index(drop=True),
                       pd.DataFrame(values)], axis=1)
    if not evidence:
        return table, pd.DataFrame(columns=EVIDENCE_OUTPUT_COLUMNS)
    return table, _evidence_table(concat_columns(rows), timeline)


def _evidence_table(ev: Columns, timeline: Timeline) -> pd.DataFrame:
    order = np.lexsort((ev["time_ms"], ev["coding"]))
    ev = {k: v[order] for k, v in ev.items()}
    seg_ids = timeline.segments["segment_id"].to_numpy(dtype=object)
    segment = ev["segment"]
    ids = timeline.event_ids
    return pd.DataFrame({
        "coding": ev["coding"], "indicator": pd.Categorical(ev["indicator"]),
        # None as a 0-d object array: numpy's stubs take no bare None as np.where's fill.
        "segment_id": pd.Series(np.where(segment >= 0, seg_ids[np.maximum(segment, 0)],
                                         np.array(None, dtype=object))
                                if len(seg_ids) else np.full(len(segment), None, dtype=object),
                                dtype=object),
        "event_id": ids.take(ev["row"]), "time_ms": ev["time_ms"],
        "note": pd.Categorical(ev["note"]), "value_ms": ev["value_ms"],
        "related_event_id": ids.take(ev["related_row"], allow_fill=True),
        "related_time_ms": ev["related_time_ms"]}, columns=EVIDENCE_OUTPUT_COLUMNS)
