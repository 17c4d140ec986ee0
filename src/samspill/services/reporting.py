"""Report data from stored codings: one coding's scored tables and header, a study's cohort.

Both reports score through :mod:`samspill.services.scoring`, the path of the coding screen's
panel and the cohort CSV: batched loading, the study's settings, each sign's stability, one
rule for a coding's length. The cohort report holds exactly the codings of the cohort CSV
(:func:`~samspill.services.scoring.in_cohort`: purpose ``study``, any status) and leaves out
the same codings for the same reasons. :mod:`samspill.reports` only renders what this returns.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from samspill.core.errors import SamspillError
from samspill.core.indicators import INDICATORS
from samspill.core.relations import rated_segments
from samspill.core.scheme import Scheme
from samspill.core.scoring import Scores, cohort_table
from samspill.core.selection import ONE_PER_SESSION, Pooling
from samspill.reports.data import CohortData, ReportData, ReportHeader, report_data
from samspill.services import codings, studies
from samspill.services.agreement import study_agreement
from samspill.services.schemes import scheme_of
from samspill.services.scoring import (
    Progress,
    cohort_codings,
    cohort_for_study,
    scored_coding,
    settings_of,
)
from samspill.store.models import Coding


def header_of(
    coding: Coding, scheme: Scheme, duration_ms: int, *, provisional: bool = False
) -> ReportHeader:
    """The pseudonymous header of a stored coding: codes and numbers, never a name."""
    session = coding.session
    return ReportHeader(
        study=session.study.name, dyad=session.dyad.code, session=session.name,
        date=session.date,
        age_months=studies.age_in_months(session.dyad.child_birth_month, session.date),
        procedure=session.procedure, coder=coding.coder.username, status=coding.status,
        scheme_id=coding.scheme_version.scheme_id, scheme_version=coding.scheme_version.version,
        scheme_name=scheme.name, instrument=scheme.instrument,
        licensed=bool(coding.scheme_version.licensed and scheme.licensed),
        duration_ms=duration_ms, provisional=provisional)


def coding_data(db: Session, coding: Coding, *, stability: bool = True) -> ReportData:
    """One stored coding scored for its session report, with each sign's stability."""
    found = scored_coding(db, coding, stability=stability)
    header = header_of(coding, found.scheme, found.duration_ms, provisional=found.provisional)
    return report_data(header, found.events,
                       found.segments, found.scores, found.scheme)


def session_data(db: Session, *, study: str, session: str, coder: str | None) -> ReportData:
    """The report data of a session's coding: the coder's, else the master or only one."""
    target = studies.get_session(db, study=studies.get_study(db, study), name=session)
    return coding_data(db, codings.pick_coding(db, session=target, coder=coder))


def cohort_data(db: Session, *, study: str, agreement: pd.DataFrame | None = None,
                progress: Progress | None = None, stability: bool = True,
                pooled: Pooling = ONE_PER_SESSION) -> CohortData:
    """The study's cohort for its report: the rows of the cohort CSV (the same codings,
    :func:`~samspill.services.scoring.cohort_for_study`; by default one per session,
    ``pooled``), with ``cutoff`` and ``<id>_stable`` per sign and qualifier (whether the
    whole session's state is stable, as the session report says).

    The codings the cohort cannot score are named in ``excluded`` with the reason, so one
    unfinished coding does not stop the report. ``progress(fraction)`` follows the scoring.
    """
    row = studies.get_study(db, study)
    settings = settings_of(row)
    chosen = {c.id: c for c in cohort_codings(db, row, pooled)}
    found = cohort_for_study(db, row, chosen=list(chosen.values()), stability=stability,
                             progress=progress, table=_report_rows)
    table = found.table
    labels = dict.fromkeys(scheme_of(chosen[i].scheme_version).label()
                           for i in table["coding_id"])
    excluded = tuple(f"{r.session}/{r.coder}: {r.reason}"
                     for r in found.excluded.itertuples(index=False))
    schemes = {c.scheme_version_id: c.scheme_version for c in chosen.values()}
    return CohortData(row.name, row.title or row.name, table, settings.indicator_settings(),
                      tuple(labels), settings.disrupted_cutoff, agreement, excluded,
                      pooling=str(pooled), segments=tuple(rated_segments(
                          scheme_of(v) for v in schemes.values())))


def _report_rows(scores: Scores) -> pd.DataFrame:
    """``cohort_table``'s rows with the cut-off each coding was classified by and, with
    stability, ``<id>_stable`` per sign and for the qualifier."""
    table = cohort_table(scores)
    position = table["coding"].map({label: i for i, label in enumerate(scores.codings)})
    rated = scores.ratings.set_index("coding")
    table.insert(1, "cutoff", rated["cutoff"].reindex(position).to_numpy())
    if scores.has_stability:
        indicators = scores.indicators
        session = indicators[indicators["scope"] == "session"].set_index("coding")
        for spec in INDICATORS.values():
            stable = session[f"{spec.id}_stable"].reindex(position)
            table[f"{spec.id}_stable"] = [bool(v) for v in stable]
    return table


AGREEMENT_COLUMNS = ["measure", "statistic", "value", "ci95_low", "ci95_high", "targets"]


def agreement_summary(db: Session, *, study: str) -> pd.DataFrame | None:
    """The study's agreement for the cohort report, or None when no session is double-coded.

    Rows in :data:`AGREEMENT_COLUMNS`: the rating agreement of ``services.agreement`` (level
    ICC, α and percent; disrupted κ and percent), then the mean time-unit κ over coder pairs.
    """
    try:
        report = study_agreement(db, studies.get_study(db, study))
    except SamspillError:
        return None
    rows = report.ratings.reindex(columns=AGREEMENT_COLUMNS)
    pairs = report.pairs
    if len(pairs) and "time_unit_kappa" in pairs:
        mean = pd.DataFrame([{"measure": "events", "statistic": "time-unit kappa (mean of pairs)",
                              "value": float(pairs["time_unit_kappa"].mean()),
                              "targets": len(pairs)}], columns=AGREEMENT_COLUMNS)
        rows = pd.concat([rows, mean], ignore_index=True)
    return rows if len(rows) else None
