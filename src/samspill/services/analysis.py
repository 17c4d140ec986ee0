"""Sequential analysis and outcome models on a study's stored codings.

The tables are built from the store and handed to the pure core
(:mod:`samspill.core.sequential`, :mod:`samspill.core.outcomes`); nothing is computed here.
Pooled results take one coding per session by default (``pooled``, the rule of
:mod:`samspill.core.selection`: the master, else the consensus, else the first submitted);
``Pooling(one=False)`` takes every chosen coding. Each coding taken is one sequence, labelled
like the exported observations (the session, with ``.coder`` when a session has several
codings taken), and runs from 0 ms to its session's length when that is known.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence

import pandas as pd
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError
from samspill.core.outcomes import HierarchicalResult, outcome_analysis
from samspill.core.selection import ONE_PER_SESSION, Pooling
from samspill.core.sequential import (
    bid_answers,
    caregiver_answer_after_bid,
    lag_sequential,
    lag_table_tests,
)
from samspill.services import pooling
from samspill.services.exports import observation_names, predictors_frame
from samspill.store.models import Coding, EventRow, Study

SESSION_COL = "session"
MAX_OUTCOME_BYTES = 20 * 2**20


def sequence_frame(db: Session, chosen: Sequence[Coding]) -> tuple[pd.DataFrame, dict[str, int]]:
    """Events of the chosen codings (``session``, ``subject``, ``code``, ``onset_ms``,
    ``offset_ms``) and each sequence's length in ms where the session's length is known."""
    names = observation_names(chosen)
    rows: list[Row[int, str, str, int, int | None]] = []
    ids = list(names)
    for start in range(0, len(ids), 500):  # plain columns: no object per event
        rows += db.execute(
            select(EventRow.coding_id, EventRow.subject, EventRow.code, EventRow.onset_ms,
                   EventRow.offset_ms).where(EventRow.coding_id.in_(ids[start:start + 500]))
        ).all()
    frame = pd.DataFrame(rows, columns=["coding", "subject", "code", "onset_ms", "offset_ms"])
    frame.insert(0, SESSION_COL, frame.pop("coding").map(names))
    frame = frame.astype({SESSION_COL: object, "onset_ms": "int64", "offset_ms": "Int64"})
    durations = {names[c.id]: int(c.session.duration_ms) for c in chosen
                 if c.session.duration_ms}
    return frame.sort_values([SESSION_COL, "onset_ms"], kind="stable", ignore_index=True), durations


def withdrawal_query(db: Session, chosen: Sequence[Coding], *, window_ms: int = 10_000,
                     unit_ms: int = 1000,
                     answer_codes: Collection[str] = ("respond", "initiate", "hold"),
                     per_event: bool = False, pooled: Pooling = ONE_PER_SESSION,
                     ) -> pd.DataFrame:
    """The built-in query (does a caregiver answer follow a child bid within W?) per sequence
    and pooled; with ``per_event`` each bid and its first answer instead."""
    events, durations = sequence_frame(db, pooling.pooled(db, chosen, pooled))
    if per_event:
        return bid_answers(events, window_ms=window_ms, answer_codes=answer_codes,
                           session_col=SESSION_COL)
    return caregiver_answer_after_bid(
        events, window_ms=window_ms, unit_ms=unit_ms, answer_codes=answer_codes,
        session_col=SESSION_COL, duration_ms=_lengths(events, durations))


def _lengths(events: pd.DataFrame, durations: dict[str, int]) -> dict[str, int] | None:
    """Session lengths for every sequence, or None (the core's default) when one is unknown."""
    labels = set(events[SESSION_COL])
    return durations if labels <= set(durations) else None


def lag_analysis(db: Session, chosen: Sequence[Coding], *, lags: Sequence[int] = (1,),
                 allow_repeats: bool = True, only: Collection[str] | None = None,
                 tablewise: bool = False, pooled: Pooling = ONE_PER_SESSION) -> pd.DataFrame:
    """Lag-sequential tables of the codes in onset order, per sequence and pooled; with
    ``tablewise`` each table's χ² and G² test of independence instead of its cells."""
    events, _ = sequence_frame(db, pooling.pooled(db, chosen, pooled))
    if only:
        events = events[events["code"].isin(set(only))]
    analyse = lag_table_tests if tablewise else lag_sequential
    return analyse(events, lags=list(lags), session_col=SESSION_COL,
                   allow_repeats=allow_repeats)


def read_outcomes(data: bytes, *, source: str = "outcomes.csv",
                  dyad_col: str = "dyad") -> pd.DataFrame:
    """An outcome CSV (one row per dyad, UTF-8) as a DataFrame, dyad codes as text."""
    if len(data) > MAX_OUTCOME_BYTES:
        raise InputError(N_("{source} is larger than {size} MB"),
                         fix=N_("keep one row per dyad and only the columns you model"),
                         params={"source": source, "size": MAX_OUTCOME_BYTES // 2**20})
    try:
        return pd.read_csv(io.BytesIO(data), dtype={dyad_col: str}, encoding="utf-8-sig",
                           skipinitialspace=True)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError,
            ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(N_("cannot read {source}: {reason}"),  # the reason is pandas' own
                         fix=N_("save the outcomes as a UTF-8 CSV with a header row"),
                         params={"source": source, "reason": first}) from None


def outcome_model(db: Session, study: Study, chosen: Sequence[Coding], outcomes: pd.DataFrame,
                  *, outcome: str, steps: Sequence[Sequence[str]], dyad_col: str = "dyad",
                  confidence: float = 0.95, pooled: Pooling = ONE_PER_SESSION,
                  ) -> HierarchicalResult:
    """Hierarchical OLS of an outcome on blocks of covariates (from the outcome file) and
    withdrawal predictors (the per-dyad table of :func:`samspill.services.exports.
    predictors_frame`, names as in ``docs/variables.md``; one coding per session unless
    ``pooled`` says otherwise)."""
    predictors = predictors_frame(db, study, chosen, pooled)
    if dyad_col != "dyad":
        predictors = predictors.rename(columns={"dyad": dyad_col})
    return outcome_analysis(outcomes, predictors, outcome=outcome, steps=steps,
                            dyad_col=dyad_col, confidence=confidence)


def parse_steps(texts: Sequence[str]) -> list[list[str]]:
    """``["abuse", "unanswered_share, initiative_share"]`` → one list of columns per step."""
    steps = [[c.strip() for c in text.split(",") if c.strip()] for text in texts]
    steps = [s for s in steps if s]
    if not steps:
        raise InputError(
            N_("no predictor step given"),
            fix=N_("give each step's predictors, e.g. 'abuse' then 'unanswered_share'"))
    return steps
