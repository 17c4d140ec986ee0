"""The assist over many sessions, and its evaluation against a coder.

Batch work runs on Dask (``distributed``): one task per session, on a local cluster of worker
processes, or on a lab's own Dask cluster (``scheduler``, e.g. ``tcp://host:8786``) whose
workers see the same database and media folder. Each task opens its own database connection
and runs :func:`samspill.services.assist.execute`; a failed session fails alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.assist.evaluate import SessionPair, evaluate
from samspill.core.errors import N_, InputError
from samspill.core.events import events_frame
from samspill.core.study_settings import study_settings
from samspill.services import assist, assist_decisions, codings, studies
from samspill.settings import Settings
from samspill.store.db import Database
from samspill.store.models import AssistRun, Coding, Study, Suggestion, User


def run_one(settings: Settings, run_id: int) -> dict[str, Any]:
    """One session's queued pass, in whatever process runs it (a Dask worker, or this one)."""
    database = Database(settings)
    try:
        finished = assist.execute(database.session, run_id, media_dir=settings.media_dir,
                                  models_dir=settings.assist_models_dir)
    finally:
        database.dispose()
    return result_of(run_id, finished)


def result_of(run_id: int, finished: AssistRun | None) -> dict[str, Any]:
    """A finished pass as plain data (it crosses process boundaries)."""
    if finished is None:
        return {"run": run_id, "state": "skipped", "found": 0, "error": None}
    return {"run": run_id, "state": finished.state, "found": finished.found,
            "error": (finished.error or {}).get("message")}


def run_many(settings: Settings, run_ids: Sequence[int], *, workers: int = 2,
             scheduler: str | None = None,
             done: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Every pass of ``run_ids`` as Dask tasks; ``done`` hears each as it ends."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None if scheduler else LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=logging.ERROR)
    results = []
    try:
        with Client(scheduler or cluster) as client:
            futures = client.map(run_one, [settings] * len(run_ids), list(run_ids), pure=False)
            for future in as_completed(futures):
                result = future.result()
                results.append(result)
                if done is not None:
                    done(result)
    finally:
        if cluster is not None:
            cluster.close()
    return sorted(results, key=lambda r: r["run"])


def evaluation(db: Session, *, study: Study, coder: User, unit_ms: int | None = None,
               tolerance_ms: int | None = None) -> pd.DataFrame:
    """The assist against ``coder``'s study codings of every session that has suggestions
    (columns of :mod:`samspill.core.assist.evaluate`)."""
    settings = study_settings(study.settings)
    indicators = settings.indicator_settings()
    pairs = [_pair(db, coding) for coding in _codings(db, study, coder)]
    if not pairs:
        raise InputError(N_("{coder} has no coding of a session the assist has run on in {study}"),
                         fix=N_("run the assist on sessions this coder has coded"),
                         params={"coder": coder.username, "study": study.name})
    return evaluate(pairs, unit_ms=unit_ms or settings.agreement_unit_ms,
                    tolerance_ms=settings.agreement_tolerance_ms if tolerance_ms is None
                    else tolerance_ms,
                    window_ms=indicators.response_window_ms,
                    distress_codes=indicators.distress_codes,
                    answer_codes=indicators.answer_codes, bid_code=indicators.bid_code,
                    child=indicators.child, caregiver=indicators.caregiver)


def _codings(db: Session, study: Study, coder: User) -> list[Coding]:
    found = []
    for session in studies.sessions_of(db, study):
        if not assist.suggestions_of(db, session):
            continue
        mine = [c for c in codings.codings_of(db, session)
                if c.coder_id == coder.id and c.purpose == "study"]
        if mine:  # a submitted coding before one in progress
            found.append(sorted(mine, key=lambda c: (c.status == "in_progress", -c.id))[0])
    return found


def _pair(db: Session, coding: Coding) -> SessionPair:
    rows = db.scalars(select(Suggestion).where(Suggestion.session_id == coding.session_id)
                      ).all()
    suggestions = pd.DataFrame(
        [(r.detector, r.subject, r.code, r.onset_ms, r.offset_ms) for r in rows],
        columns=["detector", "subject", "code", "onset_ms", "offset_ms"])
    suggestions["offset_ms"] = suggestions["offset_ms"].astype("Int64")
    speech = [r for r in rows if r.detector == "speech"]
    silent = frozenset(p.onset_ms for p in assist_decisions.silences(db, coding, speech))
    events = events_frame(codings.coding_events(db, coding))
    duration = coding.session.duration_ms or int(events["offset_ms"].max(skipna=True) or 0)
    return SessionPair(coding.session.name, events, suggestions, duration, silent)
