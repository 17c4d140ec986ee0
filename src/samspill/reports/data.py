"""What a report needs, as plain tables and header fields, gathered from the store.

:func:`session_data` and :func:`cohort_data` are the only functions here that read the
database; everything after them (:mod:`session_report`, :mod:`cohort_report`, :mod:`render`)
works on :class:`ReportData` / :class:`CohortData` alone, so a report can also be built from
tables scored elsewhere (``build_report_data``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from samspill.core.ambiance import RatingValue
from samspill.core.errors import EventError, InputError, SamspillError
from samspill.core.events import events_frame, segments_frame
from samspill.core.indicators import INDICATORS, IndicatorSettings
from samspill.core.scheme import Scheme
from samspill.core.scoring import Scores, cohort_table, score_coding
from samspill.core.stability import PIVOTAL_COLUMNS, STABILITY_COLUMNS
from samspill.services import codings, studies
from samspill.services.agreement import study_agreement
from samspill.services.scoring import settings_of
from samspill.store.models import Coding, ObservationSession, Study


@dataclass(frozen=True)
class ReportHeader:
    """The pseudonymous header: codes and numbers, never a name."""

    study: str
    dyad: str
    session: str
    date: dt.date | None
    age_months: int | None
    procedure: str
    coder: str
    status: str
    scheme_id: str
    scheme_version: int
    scheme_name: str
    instrument: str | None
    licensed: bool
    duration_ms: int


@dataclass(frozen=True)
class ReportData:
    """One scored coding: the header, its events and segments, and the scored tables.

    ``indicators``, ``evidence``, ``ambiance`` and ``pivotal`` are the core's tables for this
    one coding (see :class:`~samspill.core.scoring.Scores`; ``indicators`` carries the
    stability columns when scored with stability); ``rating`` holds ``level, disrupted,
    classification, cutoff, profile``; ``scheme`` names the codes and dimensions.
    """

    header: ReportHeader
    events: pd.DataFrame
    segments: pd.DataFrame
    indicators: pd.DataFrame
    evidence: pd.DataFrame
    ambiance: pd.DataFrame
    rating: dict[str, Any]
    settings: IndicatorSettings
    scheme: Scheme
    pivotal: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PIVOTAL_COLUMNS))

    @property
    def has_stability(self) -> bool:
        return STABILITY_COLUMNS[0] in self.indicators

    def segment_numbers(self) -> dict[str, int]:
        """Segments numbered 1, 2, … in time order: short labels for plots and narrow tables."""
        ordered = self.segments.sort_values("start_ms", kind="stable")["segment_id"]
        return {segment_id: i for i, segment_id in enumerate(ordered, start=1)}


@dataclass(frozen=True)
class CohortData:
    """A study's cohort: one row per coding (identity columns, then ``cohort_table``'s).

    ``agreement`` is the hook for inter-coder agreement: any table of statistics (for example
    ``measure, statistic, value, ci95_low, ci95_high, n``); the cohort report shows it as a
    section only when it is given.
    """

    study: str
    title: str
    table: pd.DataFrame
    settings: IndicatorSettings
    labels: tuple[str, ...]
    cutoff: float | None = None
    agreement: pd.DataFrame | None = None
    excluded: tuple[str, ...] = field(default_factory=tuple)


def study_scoring_settings(study: Study) -> tuple[IndicatorSettings, float | None]:
    """The study's indicator settings and disrupted cut-off, as scoring uses them."""
    settings = settings_of(study)
    return settings.indicator_settings(), settings.disrupted_cutoff


def build_report_data(
    header: ReportHeader, events: pd.DataFrame, segments: pd.DataFrame, *, scheme: Scheme,
    ratings: Mapping[str, RatingValue] | None, settings: IndicatorSettings,
    disrupted_cutoff: float | None = None, stability: bool = True,
) -> ReportData:
    """Score one coding's tables (``events_frame``/``segments_frame``) into report data.

    Reports score with each sign's stability (how sure each state is); ``stability=False``
    leaves it out, and the report then says "not computed".
    """
    scores = score_coding(events, segments, scheme=scheme, duration_ms=header.duration_ms,
                          ratings=ratings, settings=settings, disrupted_cutoff=disrupted_cutoff,
                          stability=stability)
    rating = scores.ratings.iloc[0].to_dict()
    return ReportData(header, events, segments, scores.indicators, scores.evidence,
                      scores.ambiance, rating, scores.settings, scheme, scores.pivotal)


def header_of(coding: Coding, scheme: Scheme, duration_ms: int) -> ReportHeader:
    session = coding.session
    return ReportHeader(
        study=session.study.name, dyad=session.dyad.code, session=session.name,
        date=session.date,
        age_months=studies.age_in_months(session.dyad.child_birth_month, session.date),
        procedure=session.procedure, coder=coding.coder.username, status=coding.status,
        scheme_id=coding.scheme_version.scheme_id, scheme_version=coding.scheme_version.version,
        scheme_name=scheme.name, instrument=scheme.instrument,
        licensed=bool(coding.scheme_version.licensed and scheme.licensed),
        duration_ms=duration_ms)


def coding_data(db: Session, coding: Coding) -> ReportData:
    """Gather and score one stored coding under its study's settings."""
    scheme = codings.coding_scheme(coding)
    events = events_frame(codings.coding_events(db, coding), scheme)
    segments = segments_frame(studies.segments_of(db, coding.session))
    settings, cutoff = study_scoring_settings(coding.session.study)
    header = header_of(coding, scheme, _duration(coding.session, events))
    return build_report_data(header, events, segments, scheme=scheme,
                             ratings=codings.ratings_of(db, coding), settings=settings,
                             disrupted_cutoff=cutoff)


def session_data(db: Session, *, study: str, session: str, coder: str | None) -> ReportData:
    """The report data of a session's coding: the coder's, else the master or only one."""
    target = studies.get_session(db, study=studies.get_study(db, study), name=session)
    return coding_data(db, codings.pick_coding(db, session=target, coder=coder))


def _duration(session: ObservationSession, events: pd.DataFrame) -> int:
    if session.duration_ms:
        return int(session.duration_ms)
    if events.empty:
        raise InputError(f"session '{session.name}' has no length and no events",
                         fix="attach its video or set its duration")
    ends = pd.concat([events["onset_ms"], events["offset_ms"].dropna().astype("int64")])
    return int(ends.max()) + 1


IDENTITY_COLUMNS = ["dyad", "session", "coder", "coding_id", "procedure", "status", "purpose"]


def cohort_data(db: Session, *, study: str, agreement: pd.DataFrame | None = None,
                progress: Callable[[int, int], None] | None = None) -> CohortData:
    """Score every study coding (purpose ``study``) of the study's sessions, one row each,
    with each sign's state, reason and stability (``cohort_table``'s columns).

    Codings whose events cannot be scored (for example a state left running) are left out and
    named in ``excluded``, so one unfinished coding does not stop the cohort report.
    ``progress(done, total)`` is called after each coding (the CLI's progress bar).
    """
    row = studies.get_study(db, study)
    settings, cutoff = study_scoring_settings(row)
    todo = [c for s in studies.sessions_of(db, row) for c in codings.codings_of(db, s)
            if c.purpose == "study"]
    rows, labels, excluded = [], [], []
    for done, coding in enumerate(todo, start=1):
        try:
            data = coding_data(db, coding)
        except (EventError, InputError) as error:
            excluded.append(f"{coding.session.name}/{coding.coder.username}: {error.message}")
        else:
            rows.append(_cohort_row(data, coding))
            labels.append(data.scheme.label())
        if progress is not None:
            progress(done, len(todo))
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=IDENTITY_COLUMNS)
    return CohortData(row.name, row.title or row.name, table, settings,
                      tuple(dict.fromkeys(labels)), cutoff, agreement, tuple(excluded))


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


def _cohort_row(data: ReportData, coding: Coding) -> pd.DataFrame:
    """``cohort_table``'s row, and with stability also ``<id>_stable`` per sign and for the
    qualifier (whether the whole session's state is stable, as the session report says)."""
    scores = Scores(data.indicators, data.evidence, data.ambiance,
                    pd.DataFrame([data.rating]), data.settings, data.scheme.label(), (coding.id,),
                    data.pivotal)
    table = cohort_table(scores).drop(columns=["coding"])
    if data.has_stability:
        session = data.indicators[data.indicators["scope"] == "session"].iloc[0]
        for spec in INDICATORS.values():
            table[f"{spec.id}_stable"] = bool(session[f"{spec.id}_stable"])
    head = data.header
    identity = pd.DataFrame([{"dyad": head.dyad, "session": head.session, "coder": head.coder,
                              "coding_id": coding.id, "procedure": head.procedure,
                              "status": head.status, "purpose": coding.purpose,
                              "cutoff": data.rating.get("cutoff")}])
    return pd.concat([identity, table], axis=1)
