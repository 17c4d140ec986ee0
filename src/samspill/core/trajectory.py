"""A family's course over time: one dyad's sessions in order, the six signs per session and in
the reunions, and each change judged against coder disagreement (:mod:`samspill.core.change`).

Pure: the scored tables of each session, the study's agreement on each measure and the study's
spread of each measure come in; the trajectory table comes out. The shell
(:mod:`samspill.services.trajectory`) picks and scores the codings.

Which value of a sign is followed over time is the one the agreement pages compare coders on
(its first value column, :data:`MEASURES`), so that the reliability used for the change index
is the study's agreement on exactly that number.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from samspill.core.change import RC_CRITICAL, Change, judge, spread
from samspill.core.errors import N_, InputError
from samspill.core.indicators import INDICATORS
from samspill.core.indicators.states import NOT_OBSERVABLE

# The phases of a family's course, in order; a session without one is "unspecified".
PHASES = ("intake", "guidance", "follow-up")
PHASE_TEXTS = {"intake": N_("intake"), "guidance": N_("during guidance"),
               "follow-up": N_("follow-up"), None: N_("phase not set")}
# The scopes followed: the whole session and the reunions together (where withdrawal shows
# most, spec/withdrawal.md).
SCOPES = ("session", "reunions")
# The number followed per sign and for the qualifier: the agreement pages' value.
MEASURES: dict[str, str] = {spec.id: spec.values[0] for spec in INDICATORS.values()}
# Which way is fewer signs of withdrawal: only initiative is better when higher.
BETTER_WHEN_HIGHER = frozenset({"initiative"})
# The change index needs this many sessions double-coded. The agreement pages show an ICC from 3,
# but an ICC from 3-9 pairs swings widely (one lucky perfect match gives ICC = 1 and every
# difference "reliable"); a change told to a family or a court must not rest on that.
MIN_AGREEMENT_SESSIONS = 10
# The spread at intake is used when this many of the study's intake sessions have a value;
# else the spread over all the study's sessions (documented in docs/practice.md).
MIN_INTAKE_SESSIONS = 10

STATUSES = ("scored", "provisional", "unscorable", "no_coding")
TABLE_COLUMNS = ["position", "session", "scope", "indicator", "kind", "state", "reason",
                 "value", "stability", "stable", "prev_diff", "prev_rc", "prev_verdict",
                 "intake_diff", "intake_rc", "intake_verdict"]
LABEL_COLUMNS = frozenset({"state", "reason", "stable", "prev_verdict", "intake_verdict"})
MEASURE_COLUMNS = ["indicator", "scope", "measure", "r_xx", "agreement_sessions", "s1",
                   "s1_sessions", "s1_source", "smallest_change"]


def check_phase(phase: str | None) -> str | None:
    """A phase of :data:`PHASES`, or None (not set); anything else is an error with a fix."""
    if phase in (None, ""):
        return None
    if phase not in PHASES:
        raise InputError(N_("no phase '{phase}'"), fix=N_("use one of: {phases}"),
                         params={"phase": phase, "phases": ", ".join(PHASES)})
    return phase


@dataclass(frozen=True)
class SessionPoint:
    """One session of the dyad, as the course shows it.

    ``status``: ``scored``; ``provisional`` (a state was still running and is ended at the end
    of the recording for this score); ``unscorable`` (``reason`` says why); ``no_coding`` (no
    coding that the reader may see). ``rows`` holds the core's indicator rows (with stability
    columns) of the scopes in :data:`SCOPES` the coding has, keyed by scope.
    """

    name: str
    date: dt.date | None
    phase: str | None
    status: str
    coder: str = ""
    reason: str = ""
    rows: Mapping[str, Mapping[str, object]] = field(default_factory=dict)

    @property
    def has_scores(self) -> bool:
        return self.status in ("scored", "provisional")


def ordered(points: Sequence[SessionPoint]) -> list[SessionPoint]:
    """Sessions in date order (undated last), then by phase, then by name."""
    def key(p: SessionPoint) -> tuple[int, dt.date, int, str]:
        rank = PHASES.index(p.phase) if p.phase in PHASES else len(PHASES)
        return (p.date is None, p.date or dt.date.min, rank, p.name)
    return sorted(points, key=key)


def intake_of(points: Sequence[SessionPoint]) -> int | None:
    """The position of the reference session: the first scored session marked intake, else
    the first scored session (None when no session has scores)."""
    scored = [i for i, p in enumerate(points) if p.has_scores]
    marked = [i for i in scored if points[i].phase == "intake"]
    chosen = marked or scored
    return chosen[0] if chosen else None


def scope_values(indicators: pd.DataFrame) -> pd.DataFrame:
    """One row per coding, scope (session, reunions) and sign or qualifier: ``coding, scope,
    indicator, value`` (the :data:`MEASURES` value), from the core's indicator table."""
    rows = indicators[indicators["scope"].isin(SCOPES)]
    parts = [pd.DataFrame({"coding": rows["coding"].to_numpy(), "scope": rows["scope"].to_numpy(),
                           "indicator": name,
                           "value": pd.to_numeric(rows[column], errors="coerce").to_numpy()})
             for name, column in MEASURES.items()]
    return pd.concat(parts, ignore_index=True)


def _conservative_icc2(table: pd.DataFrame) -> float:
    """ICC2's lower 95 % bound: the reliability the data rule in, so the index errs towards
    "within coder disagreement", never towards a change that is not there. With perfect
    agreement the bound is undefined and the ICC itself (1) is used."""
    row = table.loc[table["type"] == "ICC2"].iloc[0]
    low = _float(row["ci95_low"])
    return low if not math.isnan(low) else _float(row["icc"])


def measure_reliability(values: pd.DataFrame) -> pd.DataFrame:
    """The study's agreement per measure and scope: ICC2 (absolute agreement, single coder), at
    the lower bound of its 95 % confidence interval.

    ``values`` has one row per session, coder, scope and indicator with the ``value``. A
    measure needs :data:`MIN_AGREEMENT_SESSIONS` sessions with a value from at least two
    coders; otherwise ``r_xx`` is NaN. Returns ``indicator, scope, r_xx, agreement_sessions``.
    """
    from samspill.core.reliability import icc  # pingouin is slow to import: only when needed

    out = []
    for (name, scope), part in values.groupby(["indicator", "scope"], sort=False):
        part = part.dropna(subset=["value"])
        wide = part.pivot_table(index="session", columns="coder", values="value",
                                aggfunc="first")
        complete = int(wide.notna().all(axis=1).sum()) if wide.shape[1] >= 2 else 0
        r = math.nan
        if complete >= MIN_AGREEMENT_SESSIONS:
            try:
                table = icc(part, target="session", rater="coder", rating="value")
                r = _conservative_icc2(table)
            except InputError:
                r = math.nan
        out.append((name, scope, r, complete))
    return pd.DataFrame(out, columns=["indicator", "scope", "r_xx", "agreement_sessions"])


def measure_spread(values: pd.DataFrame) -> pd.DataFrame:
    """The study's spread (SD) per measure and scope: over its intake sessions when at least
    :data:`MIN_INTAKE_SESSIONS` have a value, else over all its sessions (one coding each).

    ``values``: one row per session, scope and indicator with ``value`` and ``phase``.
    Returns ``indicator, scope, s1, s1_sessions, s1_source`` (``intake`` or ``study``).
    """
    out = []
    for (name, scope), part in values.groupby(["indicator", "scope"], sort=False):
        part = part.dropna(subset=["value"])
        intake = part[part["phase"] == "intake"]
        chosen, source = (intake, "intake") if len(intake) >= MIN_INTAKE_SESSIONS \
            else (part, "study")
        out.append((name, scope, spread(chosen["value"].to_numpy(dtype="float64")),
                    len(chosen), source))
    return pd.DataFrame(out, columns=["indicator", "scope", "s1", "s1_sessions", "s1_source"])


@dataclass(frozen=True)
class Trajectory:
    """The course: ``points`` in order, ``table`` (:data:`TABLE_COLUMNS`, one row per session,
    scope and indicator), ``measures`` (:data:`MEASURE_COLUMNS`: what each change was judged
    with) and ``intake`` (the position of the reference session, None without one)."""

    points: list[SessionPoint]
    table: pd.DataFrame
    measures: pd.DataFrame
    intake: int | None

    def cell(self, position: int, scope: str, indicator: str) -> Mapping[str, object] | None:
        rows = self.table[(self.table["position"] == position) & (self.table["scope"] == scope)
                          & (self.table["indicator"] == indicator)]
        if rows.empty:
            return None
        # pandas may hold a missing label as NaN: give it back as None.
        return {str(k): (None if k in LABEL_COLUMNS and isinstance(v, float) and math.isnan(v)
                         else v) for k, v in rows.iloc[0].to_dict().items()}

    def scopes(self) -> list[str]:
        """The scopes any session has (the reunions only when some session has them)."""
        return [s for s in SCOPES if (self.table["scope"] == s).any()]


def build_trajectory(points: Sequence[SessionPoint], reliability: pd.DataFrame,
                     spreads: pd.DataFrame) -> Trajectory:
    """The course of one dyad: each session's states and values per scope and indicator, and
    every change judged vs the previous session (with scores in that scope) and vs intake.

    ``reliability`` and ``spreads`` are :func:`measure_reliability` and
    :func:`measure_spread` of the study (missing rows: no data, never guessed).
    """
    points = ordered(points)
    intake = intake_of(points)
    measures = _measures(reliability, spreads)
    rows = []
    for scope in SCOPES:
        for name, spec in INDICATORS.items():
            params = measures.get((name, scope), (math.nan, math.nan))
            rows += _series(points, scope, name, spec.state, spec.kind, intake, *params)
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return Trajectory(points, table, _measure_table(reliability, spreads), intake)


def _measures(reliability: pd.DataFrame, spreads: pd.DataFrame
              ) -> dict[tuple[str, str], tuple[float, float]]:
    merged = _measure_table(reliability, spreads)
    return {(str(ind), str(scope)): (_float(s1), _float(r))
            for ind, scope, s1, r in zip(merged["indicator"], merged["scope"], merged["s1"],
                                         merged["r_xx"], strict=True)}


def _measure_table(reliability: pd.DataFrame, spreads: pd.DataFrame) -> pd.DataFrame:
    base = pd.DataFrame([(n, s, m) for s in SCOPES for n, m in MEASURES.items()],
                        columns=["indicator", "scope", "measure"])
    table = (base.merge(reliability, on=["indicator", "scope"], how="left")
             .merge(spreads, on=["indicator", "scope"], how="left"))
    for column in ("r_xx", "s1"):  # an empty input merges as objects
        table[column] = pd.to_numeric(table[column], errors="coerce").astype("float64")
    table["agreement_sessions"] = table["agreement_sessions"].fillna(0).astype("int64")
    table["s1_sessions"] = table["s1_sessions"].fillna(0).astype("int64")
    table["s1_source"] = table["s1_source"].fillna("study")
    se = table["s1"] * np.sqrt(np.clip(1 - table["r_xx"].where(table["r_xx"] > 0), 0, None))
    table["smallest_change"] = RC_CRITICAL * np.sqrt(2 * se * se)
    return table[MEASURE_COLUMNS]


def _series(points: Sequence[SessionPoint], scope: str, name: str, state_col: str, kind: str,
            intake: int | None, s1: float, r_xx: float) -> list[tuple[object, ...]]:
    """One indicator in one scope over the sessions, with each change judged."""
    out: list[tuple[object, ...]] = []
    previous: float | None = None
    reference = _value_at(points, intake, scope, name) if intake is not None else None
    for i, point in enumerate(points):
        row = point.rows.get(scope) if point.has_scores else None
        if row is None:
            if point.has_scores:
                continue  # no reunions in this session: nothing to show for that scope
            out.append((i, point.name, scope, name, kind, None, point.reason, math.nan,
                        math.nan, None, *_blank(), *_blank()))
            continue
        value = _float(row.get(MEASURES[name]))
        # A value measured where its sign is not observable rests on too little to compare.
        compared = math.nan if row.get(state_col) == NOT_OBSERVABLE else value
        prev = judge(previous, compared, s1, r_xx) if previous is not None else None
        since = (judge(reference, compared, s1, r_xx)
                 if reference is not None and intake is not None and i > intake else None)
        out.append((i, point.name, scope, name, kind, row.get(state_col),
                    row.get(f"{name}_reason") or "", value,
                    _float(row.get(f"{name}_stability")), _bool(row.get(f"{name}_stable")),
                    *_change(prev), *_change(since)))
        previous = compared  # the previous session with scores, even when not observable
    return out


def _value_at(points: Sequence[SessionPoint], position: int, scope: str,
              name: str) -> float | None:
    row = points[position].rows.get(scope)
    observable = row is not None and row.get(INDICATORS[name].state) != NOT_OBSERVABLE
    value = _float(row.get(MEASURES[name])) if observable and row is not None else math.nan
    return None if math.isnan(value) else value


def _blank() -> tuple[float, float, None]:
    return (math.nan, math.nan, None)


def _change(change: Change | None) -> tuple[float, float, str | None]:
    if change is None:
        return _blank()
    return (change.difference, change.rc, change.verdict)


def _float(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out if math.isfinite(out) else math.nan


def _bool(value: object) -> bool | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return bool(value)


def better(indicator: str, difference: float) -> bool | None:
    """Is a difference towards fewer signs of withdrawal? None for no difference."""
    if math.isnan(difference) or difference == 0:
        return None
    return (difference > 0) == (indicator in BETTER_WHEN_HIGHER)
