"""Coder certification: does a trainee agree with the master codings well enough?

The rule is a setting of the study (:class:`CertificationRule`); :func:`certify` takes one row
per tape (trainee versus master) and returns a report of each criterion and the verdict.
Published pass thresholds for AMBIANCE were not found, so every threshold is configurable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from samspill.core.errors import N_, InputError
from samspill.core.reliability._input import require_columns
from samspill.core.reliability.indicators import classification_agreement
from samspill.core.reliability.ratings import icc

IccType = Literal["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
REPORT_COLUMNS = ["criterion", "value", "threshold", "passed", "required", "reason"]


class CertificationRule(BaseModel):
    """A study's pass rule for coder certification (all thresholds inclusive)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_tapes: int = Field(default=18, ge=1,
                           description="Least number of tapes coded against master codings.")
    level_icc_type: IccType = Field(
        default="ICC2", description="ICC form for the 1–7 level; ICC2 = two-way random, absolute "
        "agreement, single rater: the trainee must give the master's values, not only order.")
    min_level_icc: float = Field(default=0.80, ge=-1, le=1, description="Least ICC on the level.")
    min_disrupted_percent: float = Field(
        default=80.0, ge=0, le=100, description="Least % agreement on disrupted / not disrupted.")
    min_disrupted_kappa: float | None = Field(
        default=None, ge=-1, le=1, description="Least Cohen's κ on disrupted; None: not required.")
    min_time_unit_kappa: float | None = Field(
        default=None, ge=-1, le=1, description="Least mean time-unit κ of the events over tapes; "
        "None: reported only.")
    min_dimension_icc: float | None = Field(
        default=None, ge=-1, le=1, description="Least ICC (same form as the level) on each "
        "dimension's per-tape score; None: reported only.")


@dataclass(frozen=True)
class Certification:
    """The verdict: ``passed``, the ``report`` table, and the ``reasons`` for a failure."""

    passed: bool
    report: pd.DataFrame
    reasons: list[str]


def certify(tapes: pd.DataFrame, *, rule: CertificationRule | None = None, tape: str = "tape",
            trainee_level: str = "trainee_level", master_level: str = "master_level",
            trainee_disrupted: str = "trainee_disrupted",
            master_disrupted: str = "master_disrupted",
            time_unit_kappa: str | None = None,
            dimensions: pd.DataFrame | None = None) -> Certification:
    """Judge a trainee's agreement with the master codes across tapes against ``rule``.

    Parameters
    ----------
    tapes : DataFrame
        One row per tape: the trainee's and the master's level (1–7) and disrupted
        classification (bool), and optionally the tape's time-unit κ of the events.
    dimensions : DataFrame, optional
        Agreement per dimension: one row per tape and dimension with columns ``tape`` (same
        name as above), ``dimension``, ``trainee`` and ``master`` (the dimension's score or
        count on that tape). Each dimension gets a criterion row with its ICC.

    Returns
    -------
    Certification
        ``report`` has one row per criterion: ``criterion`` (tapes, level ICC, disrupted
        percent, disrupted kappa, time-unit kappa), ``value``, ``threshold`` (NaN when none),
        ``passed``, ``required`` (whether it counts for the verdict) and ``reason`` (why it
        failed, empty when passed). ``passed`` is True when every required criterion passes.
    """
    rule = rule or CertificationRule()
    cols = [tape, trainee_level, master_level, trainee_disrupted, master_disrupted]
    require_columns(tapes, cols + ([time_unit_kappa] if time_unit_kappa else []),
                    name="tape table")
    if tapes[tape].duplicated().any():
        raise InputError(
            N_("a tape appears twice in the tape table"),
            fix=N_("give one row per tape"),
        )
    rows = [_criterion("tapes", len(tapes), rule.min_tapes, True)]
    rows += [_criterion(f"level {rule.level_icc_type}", _level_icc(tapes, rule, cols),
                        rule.min_level_icc, True)]
    disrupted = _disrupted(tapes, cols)
    rows += [_criterion("disrupted percent", disrupted["percent"], rule.min_disrupted_percent,
                        True)]
    rows += [_criterion("disrupted kappa", disrupted["kappa"], rule.min_disrupted_kappa,
                        rule.min_disrupted_kappa is not None)]
    if time_unit_kappa:
        mean_kappa = float(tapes[time_unit_kappa].astype(float).mean())
        rows += [_criterion("time-unit kappa (mean)", mean_kappa, rule.min_time_unit_kappa,
                            rule.min_time_unit_kappa is not None)]
    if dimensions is not None:
        rows += _dimension_rows(dimensions, rule, tape)
    report = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    failed = report[report["required"] & ~report["passed"]]
    return Certification(bool(failed.empty), report, list(failed["reason"]))


Criterion = tuple[str, float, float, bool, bool, str]
"""A row of :data:`REPORT_COLUMNS`."""


def _criterion(name: str, value: float, threshold: float | None, required: bool) -> Criterion:
    limit = np.nan if threshold is None else float(threshold)
    ok = threshold is None or (not np.isnan(value) and value >= threshold)
    reason = "" if ok else (f"{name} is undefined" if np.isnan(value)
                            else f"{name} {value:.3g} is below {threshold:g}")
    return (name, float(value), limit, bool(ok), required, reason)


def _long(tapes: pd.DataFrame, cols: list[str], trainee: str, master: str) -> pd.DataFrame:
    tape = cols[0]
    both = [tapes[[tape, trainee]].set_axis(["t", "v"], axis=1).assign(r="trainee"),
            tapes[[tape, master]].set_axis(["t", "v"], axis=1).assign(r="master")]
    return pd.concat(both, ignore_index=True)


def _level_icc(tapes: pd.DataFrame, rule: CertificationRule, cols: list[str]) -> float:
    try:
        table = icc(_long(tapes, cols, cols[1], cols[2]), target="t", rater="r", rating="v")
    except InputError:
        return float("nan")
    return _icc_of(table, rule.level_icc_type)


def _icc_of(table: pd.DataFrame, icc_type: str) -> float:
    """The ICC of one type from :func:`icc`'s table; a float, as there is one row per type
    (pandas-stubs allow any scalar from ``.loc``)."""
    return float(cast(float, table.set_index("type").loc[icc_type, "icc"]))


def _disrupted(tapes: pd.DataFrame, cols: list[str]) -> pd.Series:
    long = _long(tapes, cols, cols[3], cols[4])
    return classification_agreement(long.assign(v=long["v"].astype(bool)), target="t",
                                    rater="r", label="v").iloc[0]


def _dimension_rows(dimensions: pd.DataFrame, rule: CertificationRule,
                    tape: str) -> list[Criterion]:
    require_columns(dimensions, [tape, "dimension", "trainee", "master"],
                    name="dimension table")
    rows = []
    for name, part in dimensions.groupby("dimension", sort=True):
        cols = [tape, "trainee", "master"]
        try:
            table = icc(_long(part, cols, "trainee", "master"), target="t", rater="r",
                        rating="v")
            value = _icc_of(table, rule.level_icc_type)
        except InputError:
            value = float("nan")
        rows.append(_criterion(f"dimension {name} {rule.level_icc_type}", value,
                               rule.min_dimension_icc, rule.min_dimension_icc is not None))
    return rows


TAPE_VERDICT_COLUMNS = ["tape", "level_difference", "disrupted_same", "time_unit_kappa_ok",
                        "passed"]


def tape_verdicts(tapes: pd.DataFrame, *, rule: CertificationRule | None = None,
                  tape: str = "tape", trainee_level: str = "trainee_level",
                  master_level: str = "master_level",
                  trainee_disrupted: str = "trainee_disrupted",
                  master_disrupted: str = "master_disrupted",
                  time_unit_kappa: str | None = None) -> pd.DataFrame:
    """Each tape on its own, as far as the rule judges single tapes.

    The level counts across tapes (an ICC), so a tape's level is shown as its difference from
    the master's and does not pass or fail the tape. A tape *passes* when the trainee classes
    it as the master did (disrupted or not) and, where the rule sets ``min_time_unit_kappa``,
    its time-unit κ reaches it. A tape without a classification on either side has no verdict
    (<NA>): it is not assessed.

    Returns
    -------
    DataFrame
        One row per tape: ``tape``, ``level_difference`` (trainee − master, <NA> when either
        is missing), ``disrupted_same``, ``time_unit_kappa_ok`` (<NA> when the rule sets no
        minimum or κ is undefined) and ``passed`` (nullable booleans).
    """
    rule = rule or CertificationRule()
    cols = [tape, trainee_level, master_level, trainee_disrupted, master_disrupted]
    require_columns(tapes, cols + ([time_unit_kappa] if time_unit_kappa else []),
                    name="tape table")
    level = (pd.to_numeric(tapes[trainee_level], errors="coerce")
             - pd.to_numeric(tapes[master_level], errors="coerce")).astype("Float64")
    classified = tapes[trainee_disrupted].notna() & tapes[master_disrupted].notna()
    same = pd.array([bool(t == m) if c else pd.NA for t, m, c in zip(
        tapes[trainee_disrupted], tapes[master_disrupted], classified, strict=True)],
        dtype="boolean")
    kappa_ok = pd.array([pd.NA] * len(tapes), dtype="boolean")
    if time_unit_kappa and rule.min_time_unit_kappa is not None:
        values = pd.to_numeric(tapes[time_unit_kappa], errors="coerce").to_numpy(dtype=float)
        kappa_ok = pd.array([pd.NA if np.isnan(v) else bool(v >= rule.min_time_unit_kappa)
                             for v in values], dtype="boolean")
    passed = same & kappa_ok.fillna(True) if len(tapes) else same
    return pd.DataFrame({"tape": tapes[tape].to_numpy(),
                         "level_difference": level.round().astype("Int64").to_numpy(),
                         "disrupted_same": same, "time_unit_kappa_ok": kappa_ok,
                         "passed": passed}, columns=TAPE_VERDICT_COLUMNS)
