"""A dyad's course over stored sessions: pick one coding per session, score it, gather the
study's agreement and spread per measure, and hand them to :mod:`samspill.core.trajectory`.

The study's agreement and spread need every coding's scores: rows of codings unchanged since
the last request are reused (:mod:`samspill.services.score_rows`), so a request costs what
changed, not the whole study; the dyad's own points (scored with stability) and the ICC are
kept the same way.

Which coding a session shows is the cohort's rule (:mod:`samspill.core.selection`: the master,
else the consensus, else the first submitted) among the codings the reader may read, so the
blind rule holds here as on the session report. Scores are those of the session report
(:func:`~samspill.services.scoring.scored_coding`, with stability).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, SamspillError
from samspill.core.indicators import IndicatorSettings
from samspill.core.scoring import Scores
from samspill.core.selection import ONE_PER_SESSION
from samspill.core.trajectory import (
    PHASES,
    SCOPES,
    SessionPoint,
    Trajectory,
    build_trajectory,
    check_phase,
    measure_reliability,
    measure_spread,
    scope_values,
)
from samspill.services import access as policy
from samspill.services import codings, identity, pooling, score_rows, studies
from samspill.services.agreement import consensus_coding_ids, independent_of
from samspill.services.scoring import (
    coding_keys,
    cohort_for_study,
    in_cohort,
    scored_coding,
    settings_of,
    study_codings,
)
from samspill.store.models import Coding, Dyad, ObservationSession, Study
from samspill.store.models_trajectory import SessionPhase


def phases_of(db: Session, session_ids: Sequence[int]) -> dict[int, str]:
    """The phase of each of these sessions that has one."""
    if not session_ids:
        return {}
    rows = db.scalars(select(SessionPhase).where(SessionPhase.session_id.in_(session_ids)))
    return {r.session_id: r.phase for r in rows}


def set_phase(db: Session, *, session: ObservationSession, phase: str | None) -> str | None:
    """Set (intake, guidance, follow-up) or clear (None, "") a session's phase."""
    checked = check_phase(phase)
    row = db.get(SessionPhase, session.id)
    if checked is None:
        if row is not None:
            db.delete(row)
    elif row is None:
        db.add(SessionPhase(session_id=session.id, phase=checked))
    else:
        row.phase = checked
    db.flush()
    return checked


@dataclass(frozen=True)
class Course:
    """One dyad's course as a reader may see it, with the settings it was scored under."""

    study: Study
    dyad: Dyad
    trajectory: Trajectory
    settings: IndicatorSettings
    sessions: list[ObservationSession]


def dyad_sessions(db: Session, study: Study, dyad: Dyad) -> list[ObservationSession]:
    return [s for s in studies.sessions_of(db, study) if s.dyad_id == dyad.id]


def dyad_course(db: Session, *, study: Study, dyad_code: str,
                member: policy.Member) -> Course:
    """The course of one dyad: every session in order, each with the coding the member may
    read (see the module), its states, values, stability, and each change judged."""
    policy.check_scores(study, member.role, fix=N_("ask the study's owner for the report"))
    dyad = identity.get_dyad(db, study=study, code=dyad_code)
    sessions = dyad_sessions(db, study, dyad)
    phases = phases_of(db, [s.id for s in sessions])
    points = [_point(db, s, phases.get(s.id), member) for s in sessions]
    agreed = _agreement_values(db, study)
    # Pingouin's ICC per measure is the slow part once the scores are reused: computed again
    # only when a value, session or coder in the table changed.
    reliability = score_rows.remembered(db, f"trajectory.reliability|{study.id}",
                                        score_rows.frame_key(agreed),
                                        lambda: measure_reliability(agreed))
    spreads = measure_spread(_study_values(db, study))
    settings = settings_of(study).indicator_settings()
    return Course(study, dyad, build_trajectory(points, reliability, spreads), settings,
                  sessions)


def _point(db: Session, session: ObservationSession, phase: str | None,
           member: policy.Member) -> SessionPoint:
    coding = _shown_coding(db, session, member)
    name, date = session.name, session.date
    if coding is None:
        return SessionPoint(name, date, phase, status="no_coding")
    try:
        rows, provisional = _point_rows(db, coding)
    except SamspillError as error:
        return SessionPoint(name, date, phase, status="unscorable",
                            coder=coding.coder.username, reason=error.message)
    return SessionPoint(name, date, phase, status="provisional" if provisional else "scored",
                        coder=coding.coder.username, rows=rows)


PointRows = tuple[dict[str, dict[str, object]], bool]


def _point_rows(db: Session, coding: Coding) -> PointRows:
    """The coding's indicator rows per scope with stability, and whether a running state was
    ended for them; scored again only when the coding, its session or the settings changed
    (see :mod:`samspill.services.score_rows`)."""
    where = score_rows.context(_point_rows, provisional=True,
                               settings=coding.session.study.settings)
    return score_rows.remembered(db, f"{where}|{coding.id}", coding_keys(db, [coding])[coding.id],
                                 lambda: _scored_point(db, coding))


def _scored_point(db: Session, coding: Coding) -> PointRows:
    found = scored_coding(db, coding, stability=True)
    table = found.scores.indicators
    rows = {scope: {str(k): v for k, v in table[table["scope"] == scope].iloc[0].items()}
            for scope in SCOPES if (table["scope"] == scope).any()}
    return rows, found.provisional


def _shown_coding(db: Session, session: ObservationSession,
                  member: policy.Member) -> Coding | None:
    held = [c for c in codings.codings_of(db, session)
            if in_cohort(c) and policy.may_read_coding(member, c)]
    chosen = pooling.pooled(db, held, ONE_PER_SESSION)
    return chosen[0] if chosen else None


def _long_table(scores: Scores) -> pd.DataFrame:
    """A scored batch's values per coding (its id), scope and indicator."""
    long = scope_values(scores.indicators)
    return long.assign(coding=[scores.codings[i] for i in long["coding"]])


def _agreement_values(db: Session, study: Study) -> pd.DataFrame:
    """Every coder's value per session, scope and indicator, for sessions coded independently
    by two or more (consensus codings left out, as on the agreement pages)."""
    excluded = consensus_coding_ids(db, study)
    chosen: list[Coding] = []
    by_session: dict[int, list[Coding]] = defaultdict(list)
    for coding in study_codings(db, study):  # one query; sessions by name, codings by id
        by_session[coding.session_id].append(coding)
    for held in by_session.values():
        group = independent_of(held, excluded)
        if len(group) >= 2:
            chosen += group
    columns = ["session", "coder", "scope", "indicator", "value"]
    if not chosen:
        return pd.DataFrame(columns=columns)
    cohort = cohort_for_study(db, study, chosen=chosen, stability=False, provisional=True,
                              table=_long_table, reuse=True)
    return cohort.table[columns]


def _study_values(db: Session, study: Study) -> pd.DataFrame:
    """The cohort's value per session (one coding each), scope and indicator, with phases."""
    cohort = cohort_for_study(db, study, stability=False, table=_long_table, reuse=True)
    table = cohort.table
    if table.empty:
        return pd.DataFrame(columns=["session", "scope", "indicator", "value", "phase"])
    by_name = {s.name: s.id for s in studies.sessions_of(db, study)}
    phases = phases_of(db, list(by_name.values()))
    return table.assign(phase=table["session"].map(lambda n: phases.get(by_name.get(n, -1))))


PHASE_CHOICES = PHASES


def dyad_sessions_by_code(db: Session, *, study: Study, dyad_code: str
                          ) -> list[ObservationSession]:
    return dyad_sessions(db, study, identity.get_dyad(db, study=study, code=dyad_code))
