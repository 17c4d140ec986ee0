"""Scoring stored codings: load events in bulk, call the pure core, return its tables.

The one scoring path: the coding screen's panel, ``samspill score``, the cohort CSV and the
exports, agreement and training, and both reports (:mod:`samspill.services.reporting`) all
score here, with one rule for a coding's length (``stored_tables.coding_duration``, where
the stored tables are loaded) and one for which codings a study's cohort holds
(:func:`in_cohort`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from samspill.core.errors import SamspillError
from samspill.core.events import EVENT_COLUMNS, SEGMENT_COLUMNS
from samspill.core.scheme import Scheme
from samspill.core.scoring import Scores, cohort_table, score_codings
from samspill.core.selection import ONE_PER_SESSION, Pooling
from samspill.core.study_settings import StudySettings, study_settings
from samspill.interop.variables import COHORT_COLUMNS
from samspill.services import pooling, score_rows
from samspill.services.schemes import scheme_of
from samspill.services.stored_tables import Loaded, load_group, only, ratings_table
from samspill.store.models import (
    Coding,
    Dyad,
    ObservationSession,
    Study,
    User,
)

IDENTITY_COLUMNS = [
    "study",
    "dyad",
    "session",
    "coder",
    "coding_id",
    "procedure",
    "status",
    "sim_style",
]
# Which coding a row is (issue 22): the registry places them after the columns of earlier
# versions, so scripts reading those by position keep working.
SELECTION_COLUMNS = ["purpose", "reconciled"]


def settings_of(study: Study) -> StudySettings:
    return study_settings(study.settings)


def score_stored_coding(db: Session, coding: Coding, *, stability: bool = True,
                        until_ms: int | None = None) -> Scores:
    """The withdrawal profile and AMBIANCE scores of one stored coding, by default with how
    sure each sign is (``stability``; see :mod:`samspill.core.stability`)."""
    return scored_coding(db, coding, stability=stability, until_ms=until_ms).scores


@dataclass(frozen=True)
class ScoredCoding:
    """One stored coding scored, with the tables it was scored from: ``events``
    (:data:`~samspill.core.events.EVENT_COLUMNS`, in onset order), ``segments``
    (:data:`~samspill.core.events.SEGMENT_COLUMNS`, by start), the length it was scored
    over (:func:`~samspill.services.stored_tables.coding_duration`) and its scheme."""

    scores: Scores
    events: pd.DataFrame
    segments: pd.DataFrame
    duration_ms: int
    scheme: Scheme
    provisional: bool = False  # a state was still running: ended for this score only


def scored_coding(db: Session, coding: Coding, *, stability: bool = True,
                  until_ms: int | None = None) -> ScoredCoding:
    """Score one stored coding under its study's settings (what a session report shows).

    A state still running is ended at ``until_ms`` (the coding screen's playhead), or at the
    end of the media, and the score is ``provisional``.
    """
    scheme = scheme_of(coding.scheme_version)
    loaded = load_group(db, [coding], scheme, until_ms=until_ms)
    if loaded.failed:
        raise loaded.failed[0][1]
    scores = _score_loaded(loaded, [coding], scheme, settings_of(coding.session.study),
                           stability=stability)
    return ScoredCoding(scores, loaded.events[EVENT_COLUMNS].reset_index(drop=True),
                        loaded.segments[SEGMENT_COLUMNS].reset_index(drop=True),
                        loaded.durations[coding.id], scheme, coding.id in loaded.provisional)


EXCLUDED_COLUMNS = [*IDENTITY_COLUMNS, "reason", "fix"]
# With stability each coding is scored some 50-400 times; batches keep the progress moving.
STABILITY_BATCH = 50
Progress = Callable[[float], None]


COHORT_PURPOSES = ("study",)


def in_cohort(coding: Coding) -> bool:
    """The one rule for which codings a study's cohort holds: those of purpose ``study``, of
    any status (in progress, submitted, master; the ``status`` column says which), the
    reconciled (consensus) codings among them. Training and reliability codings are coders'
    practice and certification on tapes, not the study's data, so neither the cohort CSV and
    exports nor the cohort report hold them (a coding marked as a tape's master becomes one
    of them). Of the codings it holds, those that cannot be scored are set apart with the
    reason and the fix (:attr:`Cohort.excluded`)."""
    return coding.purpose in COHORT_PURPOSES


def cohort_codings(db: Session, study: Study,
                   pooled: Pooling = ONE_PER_SESSION) -> list[Coding]:
    """The study's codings that its cohort holds (:func:`in_cohort`), session by session:
    by default one per session (the rule of :mod:`samspill.core.selection`: the master, else
    the consensus, else the first submitted), every one with ``Pooling(one=False)``."""
    held = [c for c in study_codings(db, study) if in_cohort(c)]
    return pooling.pooled(db, held, pooled)


def study_codings(db: Session, study: Study) -> list[Coding]:
    """Every coding of the study in one query, in the order of ``sessions_of`` then
    ``codings_of`` (session name, then coding id), each with its session and coder loaded:
    no query per session or coding."""
    return list(db.scalars(
        select(Coding).join(ObservationSession)
        .where(ObservationSession.study_id == study.id)
        .options(contains_eager(Coding.session), selectinload(Coding.coder))
        .order_by(ObservationSession.name, Coding.id)))


@dataclass(frozen=True)
class Cohort:
    """A study's cohort: ``table`` has one row per scored coding (:data:`IDENTITY_COLUMNS`,
    then the core's cohort columns); ``excluded`` one row per coding that could not be scored
    (:data:`EXCLUDED_COLUMNS`: who, why, and how to fix it)."""

    table: pd.DataFrame
    excluded: pd.DataFrame


def cohort_for_study(
    db: Session, study: Study, *, chosen: Sequence[Coding] | None = None,
    stability: bool = True, progress: Progress | None = None,
    table: Callable[[Scores], pd.DataFrame] = cohort_table, provisional: bool = False,
    pooled: Pooling = ONE_PER_SESSION, reuse: bool = False,
) -> Cohort:
    """One row per coding of the study's cohort (:func:`cohort_codings`: by default one per
    session, see ``pooled``), or of exactly the ``chosen`` codings: identity columns, then
    the core's cohort columns (in the order of ``docs/variables.md``; ``purpose`` and
    ``reconciled`` last), with each sign's stability unless ``stability=False``.

    Callers that choose codings for a cohort keep only those :func:`in_cohort` (as the
    exports do); agreement and training pass their tapes' codings as they are. ``table``
    makes a scored batch's rows (one per coding, its ``coding`` column the coding's id;
    default the core's ``cohort_table``; the cohort report adds columns of its own).

    Codings are scored in batches per scheme version. A coding that cannot be scored (a
    state left running, an event past the end, a session with no length) is set apart in
    ``excluded`` with the reason and the fix; the other codings are scored all the same.
    With ``provisional`` (comparing coders at work), a running state is ended at the end of
    the media instead (see :func:`scored_coding`).

    With ``reuse`` (and without stability) the rows of codings unchanged since an earlier
    call are taken from :mod:`samspill.services.score_rows` and only the others are scored:
    the same rows, each coding's together, in the order of the codings (a ``table`` must make
    a coding's rows from that coding alone, as the core's tables do).
    """
    if reuse and not stability:
        return _cohort_reused(db, study, chosen if chosen is not None
                              else cohort_codings(db, study, pooled), table, provisional)
    group_of = chosen if chosen is not None else cohort_codings(db, study, pooled)
    reconciled = pooling.reconciled_ids(db, (c.session_id for c in group_of))
    groups: dict[int, list[Coding]] = defaultdict(list)
    for coding in group_of:
        groups[coding.scheme_version_id].append(coding)
    settings = settings_of(study)
    settings.indicator_settings()  # a study setting in error fails the cohort, not each coding
    tables, excluded = [], []
    done, total = 0, max(len(group_of), 1)
    for group in groups.values():
        for batch in _batches(group, STABILITY_BATCH if stability else len(group)):
            scores, failed = _score_resilient(
                db, batch, scheme_of(batch[0].scheme_version), settings, stability=stability,
                provisional=provisional)
            if scores is not None:
                rows = table(scores).rename(columns={"coding": "coding_id"})
                tables.append(_identity(batch, study, reconciled)
                              .merge(rows, on="coding_id", how="right"))
            excluded += [(coding, error) for coding, error in failed]
            done += len(batch)
            if progress is not None:
                progress(done / total)
    return Cohort(_in_order(_sorted(tables, [*IDENTITY_COLUMNS, *SELECTION_COLUMNS])),
                  _excluded_table(excluded, study))


def coding_keys(db: Session, group: Sequence[Coding]) -> dict[int, str]:
    """Each coding's key for reused scores: what its scores depend on (see
    :mod:`samspill.services.score_rows`)."""
    return score_rows.keys(db, group, ratings_table)


def _cohort_reused(db: Session, study: Study, group_of: Sequence[Coding],
                   table: Callable[[Scores], pd.DataFrame], provisional: bool) -> Cohort:
    """:func:`cohort_for_study` without stability, from kept rows where they are current."""
    loaded = _prefetch(db, group_of)
    reconciled = pooling.reconciled_ids(db, (c.session_id for c in group_of))
    settings = settings_of(study)
    settings.indicator_settings()  # a study setting in error fails the cohort, not each coding
    where = score_rows.context(table, provisional=provisional, settings=study.settings)
    found = coding_keys(db, group_of)
    groups: dict[int, list[Coding]] = defaultdict(list)
    for coding in group_of:
        groups[coding.scheme_version_id].append(coding)
    tables, excluded = [], []
    for group in groups.values():
        kept, todo = score_rows.split(db, where, group, found)
        fresh = None
        if todo:
            scores, failed = _score_resilient(db, todo, scheme_of(todo[0].scheme_version),
                                              settings, stability=False,
                                              provisional=provisional)
            excluded += failed
            if scores is not None:
                fresh = table(scores).rename(columns={"coding": "coding_id"})
        rows = score_rows.assemble(db, where, group, found, kept, fresh)
        if len(rows):
            tables.append(_identity(group, study, reconciled)
                          .merge(rows, on="coding_id", how="right"))
    del loaded  # held until here: the identity columns read them
    return Cohort(_in_order(_sorted(tables, [*IDENTITY_COLUMNS, *SELECTION_COLUMNS])),
                  _excluded_table(excluded, study))


def _prefetch(db: Session, group: Sequence[Coding]) -> list[object]:
    """Load the group's sessions, their dyads and the coders a few queries at a time: once
    the scores are reused, loading them one by one (lazily) would be the slowest part. The
    caller holds the list while it works (the session keeps only objects someone holds)."""
    held: list[object] = []
    for model, chosen in ((ObservationSession, {c.session_id for c in group}),
                          (User, {c.coder_id for c in group})):
        ordered = sorted(chosen)
        for start in range(0, len(ordered), 500):
            held += db.scalars(select(model).where(model.id.in_(ordered[start:start + 500])))
    dyads = sorted({s.dyad_id for s in held if isinstance(s, ObservationSession)})
    for start in range(0, len(dyads), 500):
        held += db.scalars(select(Dyad).where(Dyad.id.in_(dyads[start:start + 500])))
    return held


def _in_order(table: pd.DataFrame) -> pd.DataFrame:
    """The registry's columns first (earlier versions' columns keep their place), then any
    other column the core adds."""
    first = [c for c in COHORT_COLUMNS if c in table.columns]
    return table[first + [c for c in table.columns if c not in first]]


def _batches(group: Sequence[Coding], size: int) -> list[list[Coding]]:
    size = max(size, 1)
    return [list(group[i:i + size]) for i in range(0, len(group), size)]


def _sorted(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not tables:
        return pd.DataFrame(columns=columns)
    return pd.concat(tables, ignore_index=True).sort_values(["session", "coder"],
                                                            ignore_index=True)


def _score_resilient(
    db: Session, group: Sequence[Coding], scheme: Scheme, settings: StudySettings, *,
    stability: bool, provisional: bool = False,
) -> tuple[Scores | None, list[tuple[Coding, SamspillError]]]:
    """Score the group in one pass; when that raises, score each coding alone to find the
    ones that fail, set them apart, and score the rest in one pass again.

    Returns the scores of the codings that could be scored (None when none could) and the
    others with their error.
    """
    loaded = load_group(db, group, scheme, end_running=provisional)
    failed = list(loaded.failed)
    good = [c for c in group if c.id in loaded.durations]
    while good:
        try:
            return _score_loaded(loaded, good, scheme, settings, stability=stability), failed
        except SamspillError:
            # Cheap check first (no stability); with stability alone only if that finds none.
            alone = _failing_alone(loaded, good, scheme, settings, stability=False)
            if not alone and stability:
                alone = _failing_alone(loaded, good, scheme, settings, stability=True)
            if not alone:  # every coding scores alone: the batch's error is no coding's
                raise
        bad = {c.id for c, _ in alone}
        good = [c for c in good if c.id not in bad]
        failed += alone
    return None, failed


def _failing_alone(loaded: Loaded, group: Sequence[Coding], scheme: Scheme,
                   settings: StudySettings, *, stability: bool,
                   ) -> list[tuple[Coding, SamspillError]]:
    out = []
    for coding in group:
        try:
            _score_loaded(loaded, [coding], scheme, settings, stability=stability)
        except SamspillError as error:
            out.append((coding, error))
    return out


def _excluded_table(excluded: list[tuple[Coding, SamspillError]], study: Study) -> pd.DataFrame:
    if not excluded:
        return pd.DataFrame(columns=EXCLUDED_COLUMNS)
    identity = _identity([c for c, _ in excluded], study)
    identity["reason"] = [_reason(e) for _, e in excluded]
    identity["fix"] = [e.fix for _, e in excluded]
    return identity.sort_values(["session", "coder"], ignore_index=True)[EXCLUDED_COLUMNS]


def _reason(error: SamspillError) -> str:
    return f"{error.where}: {error.message}" if error.where else error.message


def _identity(group: Sequence[Coding], study: Study,
              reconciled: set[int] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "study": study.name,
                "dyad": c.session.dyad.code,
                "session": c.session.name,
                "coder": c.coder.username,
                "coding_id": c.id,
                "procedure": c.session.procedure,
                "status": c.status,
                "sim_style": (c.session.ground_truth or {}).get("style"),
                "purpose": c.purpose,
                "reconciled": c.id in (reconciled or set()),
            }
            for c in group
        ],
        columns=[*IDENTITY_COLUMNS, *SELECTION_COLUMNS],
    )


def _score_loaded(loaded: Loaded, group: Sequence[Coding], scheme: Scheme,
                  settings: StudySettings, *, stability: bool) -> Scores:
    ids = [c.id for c in group]
    events, segments = only(loaded.events, ids), only(loaded.segments, ids)
    return score_codings(
        events,
        segments,
        scheme=scheme,
        durations={i: loaded.durations[i] for i in ids},
        ratings={i: loaded.ratings.get(i, {}) for i in ids},
        settings=settings.indicator_settings(),
        disrupted_cutoff=settings.disrupted_cutoff,
        stability=stability,
    )
