"""Agreement on stored codings: gather them into the core's tables and run its statistics.

Nothing is computed here that the core does not compute: this module picks the codings, turns
their events into the event tables of :mod:`samspill.core.reliability` (one subject label per
set of mutually exclusive states, as time-unit κ needs) and collects the core's DataFrames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError
from samspill.core.events import Event
from samspill.core.forms import form_columns
from samspill.core.indicators import INDICATORS
from samspill.core.reliability import (
    agreement_timeline,
    align_events,
    classification_agreement,
    confusion_matrix,
    event_kappa,
    icc,
    indicator_agreement,
    kappa,
    krippendorff_alpha,
    match_events,
    pairwise_matrix,
    per_code_kappa_units,
    percent_agreement,
    time_unit_kappa,
    time_unit_kappa_tolerance,
)
from samspill.core.scheme import Scheme
from samspill.services import codings, studies
from samspill.services.schemes import scheme_of
from samspill.services.scoring import cohort_for_study, settings_of
from samspill.store.models import Coding, ObservationSession, Reconciliation, Study

FINISHED = ("submitted", "master")
PAIR_COLUMNS = ["session", "coder_a", "coder_b", "units", "time_unit_kappa", "kappa_a_reference",
                "kappa_b_reference", "kappa_mean", "event_kappa", "alignment_kappa"]
Key = tuple[str, str, str]  # (session, coder A, coder B)
# A row of PAIR_COLUMNS: session, the coders, units, then the six κ.
PairRow = tuple[str, str, str, int, float, float, float, float, float, float]
# A row of RATING_COLUMNS: the measure, then cells as the core's tables hold them.
RatingRow = tuple[str, object, object, object, object, object]


def event_table(events: Sequence[Event], scheme: Scheme) -> pd.DataFrame:
    """A coding's events as the core's event table (``subject, code, onset_ms, offset_ms``).

    States of one exclusive group share the subject label ``subject/group``; any other state
    code gets ``subject/code``, so each label holds one state at a time. Unclosed states
    (no offset) are left out: they have no extent to compare.
    """
    rows = []
    for event in events:
        code = scheme.code(event.code)
        subject = event.subject
        if code is not None and code.kind == "state":
            if event.offset_ms is None:
                continue
            group = scheme.exclusive_group_of(event.code)
            subject = f"{subject}/{group.id if group else event.code}"
        rows.append((subject, event.code, event.onset_ms, event.offset_ms, event.id))
    frame = pd.DataFrame(rows, columns=["subject", "code", "onset_ms", "offset_ms", "event_id"])
    return frame.astype({"onset_ms": "int64", "offset_ms": "Int64"})


def coding_table(db: Session, coding: Coding) -> pd.DataFrame:
    return event_table(codings.coding_events(db, coding), codings.coding_scheme(coding))


def consensus_coding_ids(db: Session, study: Study) -> set[int]:
    """Reconciled codings: outputs of a consensus, not a coder's independent judgement."""
    rows = db.scalars(
        select(Reconciliation.coding_id)
        .join(ObservationSession, ObservationSession.id == Reconciliation.session_id)
        .where(ObservationSession.study_id == study.id, Reconciliation.coding_id.is_not(None))
    ).all()
    return {r for r in rows if r is not None}  # the query leaves out None already


def independent_codings(db: Session, session: ObservationSession,
                        excluded: set[int]) -> list[Coding]:
    """Each coder's latest finished coding of the session, consensus codings left out."""
    return independent_of(codings.codings_of(db, session), excluded)


def independent_of(held: Sequence[Coding], excluded: set[int]) -> list[Coding]:
    """Of one session's codings (by id), each coder's latest finished one, consensus codings
    (``excluded``) left out, by coder name."""
    latest: dict[int, Coding] = {}
    for coding in held:
        if coding.status in FINISHED and coding.id not in excluded:
            latest[coding.coder_id] = coding
    return sorted(latest.values(), key=lambda c: c.coder.username)


def end_of(session: ObservationSession, *tables: pd.DataFrame) -> int | None:
    """The observed time: the session's length, or None to let the core use the codings' end."""
    if not session.duration_ms:
        return None
    # A point occupies its onset's ms; a state ends before its (exclusive) offset.
    coded = [int(t[c].max()) + extra for t in tables
             for c, extra in (("onset_ms", 1), ("offset_ms", 0))
             if len(t) and t[c].notna().any()]
    return max([int(session.duration_ms), *coded])


@dataclass
class PairAgreement:
    """The core's tables for two coders of one session."""

    kappa: pd.DataFrame
    tolerance: pd.DataFrame | None
    per_code: pd.DataFrame
    confusion: pd.DataFrame
    matches: pd.DataFrame
    event_kappa: float
    alignment_kappa: float
    timeline: pd.DataFrame


def pair_agreement(a: pd.DataFrame, b: pd.DataFrame, *, unit_ms: int, tolerance_ms: int,
                   end_ms: int | None = None) -> PairAgreement:
    """Time-unit κ (with tolerance), per code, confusion, event-aligned κ, timeline."""
    a, b = a.drop(columns="event_id", errors="ignore"), b.drop(columns="event_id", errors="ignore")
    tau = tolerance_ms - tolerance_ms % unit_ms  # the core needs a whole number of units
    matches = match_events(a, b, tolerance_ms=max(tolerance_ms, unit_ms))
    aligned = align_events(a, b, tolerance_ms=max(tolerance_ms, unit_ms))
    return PairAgreement(
        kappa=time_unit_kappa(a, b, unit_ms=unit_ms, end_ms=end_ms),
        tolerance=(time_unit_kappa_tolerance(a, b, unit_ms=unit_ms, tolerance_ms=tau,
                                             end_ms=end_ms) if tau else None),
        per_code=per_code_kappa_units(a, b, unit_ms=unit_ms, end_ms=end_ms),
        confusion=confusion_matrix(a, b, unit_ms=unit_ms, end_ms=end_ms),
        matches=matches,
        event_kappa=float(event_kappa(matches)["kappa"].iloc[0]),
        alignment_kappa=float(event_kappa(aligned)["kappa"].iloc[0]),
        timeline=agreement_timeline(a, b, unit_ms=unit_ms, end_ms=end_ms),
    )


@dataclass
class AgreementReport:
    """Agreement of a study (or one session): the core's tables, gathered."""

    unit_ms: int
    tolerance_ms: int
    pairs: pd.DataFrame
    pairwise: pd.DataFrame
    per_code: pd.DataFrame
    ratings: pd.DataFrame
    indicators: pd.DataFrame
    confusion: dict[Key, pd.DataFrame] = field(default_factory=dict)
    timeline: dict[Key, pd.DataFrame] = field(default_factory=dict)


def study_agreement(db: Session, study: Study, *, session_name: str | None = None,
                    unit_ms: int | None = None, tolerance_ms: int | None = None) -> AgreementReport:
    """Agreement among the coders of a study's sessions (or of one session)."""
    settings = settings_of(study)
    unit = unit_ms or settings.agreement_unit_ms
    tau = settings.agreement_tolerance_ms if tolerance_ms is None else tolerance_ms
    excluded = consensus_coding_ids(db, study)
    sessions = ([studies.get_session(db, study=study, name=session_name)] if session_name
                else list(studies.sessions_of(db, study)))
    chosen = {s.name: independent_codings(db, s, excluded) for s in sessions}
    chosen = {name: group for name, group in chosen.items() if len(group) >= 2}
    if not chosen:
        raise InputError(N_("no session has finished codings by two or more coders"),
                         fix=N_("assign sessions to two coders and let them submit their codings"))
    by_name = {s.name: s for s in sessions}
    tables = {(name, c.coder.username): coding_table(db, c)
              for name, group in chosen.items() for c in group}
    empty = pd.DataFrame()
    report = AgreementReport(unit, tau, pairs=empty, pairwise=empty, per_code=empty,
                             ratings=empty, indicators=empty)
    _fill_pairs(report, chosen, by_name, tables)
    report.pairwise = _study_matrix(report)
    report.ratings, report.indicators = _rating_tables(db, study, chosen)
    return report


def _study_matrix(report: AgreementReport) -> pd.DataFrame:
    """Coders × coders: κ of each pair's time-unit tables (the core's confusion matrices from
    :func:`_fill_pairs`) summed over the sessions both coded."""
    keys = list(report.confusion)
    names = sorted({c for _, x, y in keys for c in (x, y)})
    coders = pd.DataFrame({"coder": names, "who": names})

    def pooled(a: pd.DataFrame, b: pd.DataFrame) -> float:
        pair = tuple(sorted((a["who"].iloc[0], b["who"].iloc[0])))
        return _pooled_kappa([t for (_, x, y), t in report.confusion.items() if (x, y) == pair])

    return pairwise_matrix(coders, coder="coder", statistic=pooled)


def _pooled_kappa(tables: list[pd.DataFrame]) -> float:
    if not tables:
        return float("nan")
    labels = sorted(set().union(*(t.index for t in tables)))
    first, *rest = (t.reindex(index=labels, columns=labels, fill_value=0) for t in tables)
    total = sum(rest, start=first)
    return float(kappa(total)["kappa"].iloc[0])


def _fill_pairs(report: AgreementReport, chosen: dict[str, list[Coding]],
                sessions: dict[str, ObservationSession],
                tables: dict[tuple[str, str], pd.DataFrame]) -> None:
    rows, per_code = [], []
    for name, group in chosen.items():
        for x, y in combinations([c.coder.username for c in group], 2):
            a, b = tables[(name, x)], tables[(name, y)]
            pair = pair_agreement(a, b, unit_ms=report.unit_ms, tolerance_ms=report.tolerance_ms,
                                  end_ms=end_of(sessions[name], a, b))
            rows.append(_pair_row(name, x, y, pair))
            per_code.append(pair.per_code.assign(session=name, coder_a=x, coder_b=y))
            report.confusion[(name, x, y)] = pair.confusion
            report.timeline[(name, x, y)] = pair.timeline
    report.pairs = pd.DataFrame(rows, columns=PAIR_COLUMNS)
    front = ["session", "coder_a", "coder_b"]
    codes = pd.concat(per_code, ignore_index=True)
    report.per_code = codes[front + [c for c in codes.columns if c not in front]]


def _pair_row(name: str, x: str, y: str, pair: PairAgreement) -> PairRow:
    pooled = pair.kappa.iloc[-1]
    tol = pair.tolerance.iloc[-1] if pair.tolerance is not None else None
    a_reference, b_reference, mean = [float(tol[c]) if tol is not None else np.nan
                                      for c in ("kappa_a_reference", "kappa_b_reference",
                                                "kappa_mean")]
    return (name, x, y, int(pooled["units"]), float(pooled["kappa"]), a_reference, b_reference,
            mean, pair.event_kappa, pair.alignment_kappa)


RATING_COLUMNS = ["measure", "statistic", "value", "ci95_low", "ci95_high", "targets"]


def score_rows(db: Session, study: Study, group: Sequence[Coding]) -> pd.DataFrame:
    """The cohort-table rows (level, disrupted, each sign's values, state, reason and flag,
    the qualifier, counts per dimension) of these codings, scored in one pass without
    stability, with ``coding_id``, ``coder`` and ``session``.

    Comparing coders needs every one of their codings: one that cannot be scored is an error
    naming it, its reason and the fix (the cohort, instead, sets such codings apart).
    """
    if not group:
        return pd.DataFrame(columns=["coding_id", "coder", "session"])
    # Coders at work may have a state running: counted to the media's end, not refused.
    # Rows of codings unchanged since the last page are reused (services.score_rows).
    cohort = cohort_for_study(db, study, chosen=group, stability=False, provisional=True,
                              reuse=True)
    if len(cohort.excluded):
        raise InputError(
            N_("{count} coding(s) cannot be scored: {which}"),
            # the reasons and their fixes are the scorer's (core.scoring), in English
            fix="; ".join(dict.fromkeys(cohort.excluded["fix"].astype(str))),
            params={"count": len(cohort.excluded), "which": "; ".join(
                f"{r.session} ({r.coder}, {r.coding_id}): {r.reason}"
                for r in cohort.excluded.itertuples())})
    return cohort.table


def _rating_tables(db: Session, study: Study,
                   chosen: dict[str, list[Coding]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Agreement on the level and disrupted (rows of :data:`RATING_COLUMNS`) and on the five
    signs and the hostility qualifier (:data:`INDICATOR_COLUMNS`)."""
    codings = [c for group in chosen.values() for c in group]
    cohort = score_rows(db, study, codings)
    rows = _level_rows(cohort) + _disrupted_rows(cohort)
    for column in _form_columns(codings):
        if column in cohort.columns:
            rows += _level_rows(cohort, column)
    return pd.DataFrame(rows, columns=RATING_COLUMNS), _indicator_table(cohort)


def _form_columns(codings: Sequence[Coding]) -> list[str]:
    """The rating forms' items and scores of these codings' schemes, each once, in order."""
    out: list[str] = []
    for version in dict.fromkeys(c.scheme_version for c in codings):
        out += [c for c in form_columns(scheme_of(version)) if c not in out]
    return out


def _level_rows(cohort: pd.DataFrame, column: str = "level") -> list[RatingRow]:
    """ICC, α and percent agreement on one rated column: the level, or a rating form's item,
    subscale or total (a score is compared as the coders' scores, each from their own items)."""
    rated = cohort.dropna(subset=[column]).astype({column: float})
    cols = {"target": "session", "rater": "coder", "rating": column}
    rows: list[RatingRow] = []
    if _complete_targets(rated, column) >= ICC_MIN_TARGETS:
        for r in icc(rated, **cols).itertuples(index=False):
            rows.append((column, r.type, r.icc, r.ci95_low, r.ci95_high, r.targets))
    for level in ("ordinal", "interval"):
        try:
            alpha = krippendorff_alpha(rated, **cols, level=level).iloc[0]
            rows.append((column, f"alpha ({level})", alpha["alpha"], np.nan, np.nan, np.nan))
        except InputError:
            pass
    try:
        percent = percent_agreement(rated, **cols).iloc[0]
        rows.append((column, "percent", percent["percent"], np.nan, np.nan, percent["targets"]))
    except InputError:
        pass
    return rows


def _disrupted_rows(cohort: pd.DataFrame) -> list[RatingRow]:
    rated = cohort.dropna(subset=["disrupted"])
    try:
        row = classification_agreement(rated.assign(disrupted=rated["disrupted"].astype(bool)),
                                       target="session", rater="coder", label="disrupted").iloc[0]
    except InputError:
        return []
    return [("disrupted", "percent", row["percent"], np.nan, np.nan, row["targets"]),
            ("disrupted", f"kappa ({row['kappa_kind']})", row["kappa"], np.nan, np.nan,
             row["targets"])]


# pingouin's ICC needs at least five values, so two coders need three sessions; with fewer
# the ICC is left empty (an ICC of two sessions would say nothing anyway).
ICC_MIN_TARGETS = 3


def _complete_targets(frame: pd.DataFrame, value: str) -> int:
    wide = frame.pivot_table(index="session", columns="coder", values=value, aggfunc="first")
    return int(wide.notna().all(axis=1).sum()) if wide.shape[1] >= 2 else 0


INDICATOR_COLUMNS = ["indicator", "kind", "sessions", "coders", "icc", "ci95_low", "ci95_high",
                     "state_percent", "state_kappa", "state_kappa_kind", "flag_percent",
                     "flag_kappa", "flag_kappa_kind"]


def indicator_long(cohort: pd.DataFrame) -> pd.DataFrame:
    """One row per coding and indicator (the five signs, then the hostility qualifier): its
    first value, its state (``present``/``absent``/``not_observable``; for the qualifier
    ``low``/``hostile``/``not_observable``) and its flag (value left empty for an indicator
    with too few sessions for an ICC, see :data:`ICC_MIN_TARGETS`)."""
    parts = []
    for name, spec in INDICATORS.items():
        part = cohort[["session", "coder", spec.values[0], spec.state, spec.flag]].set_axis(
            ["session", "coder", "value", "state", "flag"], axis=1).astype({"value": float})
        if _complete_targets(part, "value") < ICC_MIN_TARGETS:
            part = part.assign(value=np.nan)
        parts.append(part.assign(indicator=name, kind=spec.kind))
    long = pd.concat(parts, ignore_index=True)
    return long.assign(flag=long["flag"].fillna(False).astype(bool),
                       state=long["state"].astype(object))


def _indicator_table(cohort: pd.DataFrame) -> pd.DataFrame:
    """Per sign and for the qualifier: the core's ``indicator_agreement`` (ICC of the value,
    agreement on the flag, kept for old exports) and agreement on the three states
    (``state_*``), where a sign one coder finds not observable and another absent differs."""
    long = indicator_long(cohort)
    try:
        table = indicator_agreement(long, coder="coder", session="session",
                                    indicator="indicator", value="value", flag="flag")
    except InputError:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    states = []
    for name, part in long.groupby("indicator", sort=False):
        try:
            row = classification_agreement(part, target="session", rater="coder",
                                           label="state").iloc[0]
            states.append((name, float(row["percent"]), float(row["kappa"]), row["kappa_kind"]))
        except InputError:
            states.append((name, np.nan, np.nan, None))
    found = pd.DataFrame(states, columns=["indicator", "state_percent", "state_kappa",
                                          "state_kappa_kind"])
    kinds = pd.DataFrame({"indicator": list(INDICATORS),
                          "kind": [spec.kind for spec in INDICATORS.values()]})
    table = kinds.merge(table, on="indicator").merge(found, on="indicator", how="left")
    return table[INDICATOR_COLUMNS]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A table as JSON-ready rows: numpy scalars as Python values, NaN and <NA> as None."""
    plain = frame.astype(object).where(frame.notna(), None)
    return [{str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in plain.to_dict(orient="records")]


def disagreement_runs(timeline: pd.DataFrame) -> pd.DataFrame:
    """Consecutive disagreeing units of the core's agreement timeline as spans:
    ``subject``, ``set``, ``start_ms``, ``end_ms`` (for plotting where coders differ)."""
    if timeline.empty:
        return pd.DataFrame(columns=["subject", "set", "start_ms", "end_ms"])
    step = int(timeline["start_ms"].iloc[1] - timeline["start_ms"].iloc[0]) \
        if len(timeline) > 1 else 1
    bad = timeline[timeline["disagree"]]
    lane = bad["subject"] + "\x00" + bad["set"]
    new_run = (bad["unit"].diff() != 1) | (lane != lane.shift())
    runs = bad.assign(run=new_run.cumsum()).groupby("run").agg(
        subject=("subject", "first"), set=("set", "first"), start_ms=("start_ms", "first"),
        end_ms=("start_ms", "last"))
    return runs.assign(end_ms=runs["end_ms"] + step).reset_index(drop=True)


def report_json(report: AgreementReport) -> dict[str, Any]:
    """The report as JSON: tables as lists of rows, the pairwise matrix with its coders."""
    def keyed(key: Key) -> dict[str, str]:
        return dict(zip(("session", "coder_a", "coder_b"), key, strict=True))

    return {
        "unit_ms": report.unit_ms, "tolerance_ms": report.tolerance_ms,
        "pairs": records(report.pairs),
        "pairwise": {"coders": [str(c) for c in report.pairwise.index],
                     "values": records(report.pairwise.reset_index(drop=True))},
        "per_code": records(report.per_code),
        "ratings": records(report.ratings),
        "indicators": records(report.indicators),
        "confusion": [{**keyed(k), "labels": [str(x) for x in t.index],
                       "counts": t.to_numpy().astype(int).tolist()}
                      for k, t in report.confusion.items()],
        "timeline": [{**keyed(k), "disagreements": records(disagreement_runs(t))}
                     for k, t in report.timeline.items()],
    }
