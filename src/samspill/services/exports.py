"""Exports of a study's stored codings: tables (cohort, per-dyad predictors, long events) and
coding files (BORIS, ELAN, Datavyu, SDIS for GSEQ).

The converters live in :mod:`samspill.interop`; this module only gathers what the store holds
into their plain model and DataFrames. Columns carry the stable names of
:mod:`samspill.interop.variables` (``docs/variables.md``). Exports hold pseudonymous dyad codes
only, never identifying data.

Callers choose the codings (:func:`choose_codings`); the web passes its blind rule as
``visible`` so a coder exports only the codings the coder may see.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any, Literal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError, NotFoundError
from samspill.core.events import Event
from samspill.core.selection import EVERY_CODING, ONE_PER_SESSION, Pooling
from samspill.interop import tabular
from samspill.interop.boris import write_boris
from samspill.interop.datavyu_write import write_datavyu
from samspill.interop.elan import TierLayout, write_elan
from samspill.interop.model import IndependentVariable, MediaFile, Observation, Project
from samspill.interop.sdis import write_sdis
from samspill.interop.variables import (
    PREDICTOR_COLUMNS,
    PREDICTOR_REGISTRY,
    REGISTRY,
    Variable,
    segment_form_variables,
)
from samspill.services import coding_ratings, codings, pooling, studies
from samspill.services.media import media_of
from samspill.services.schemes import scheme_of
from samspill.services.scoring import EXCLUDED_COLUMNS, Cohort, cohort_for_study, in_cohort
from samspill.store.models import Coding, EventRow, Study

TableKind = Literal["cohort", "events", "predictors", "tidy"]
FileKind = Literal["boris", "elan", "sdis", "datavyu"]
TABLE_KINDS: tuple[TableKind, ...] = ("cohort", "events", "predictors", "tidy")
FILE_KINDS: tuple[FileKind, ...] = ("boris", "elan", "sdis", "datavyu")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "parquet": "application/vnd.apache.parquet",
    "rds": "application/octet-stream",  # R's saveRDS format has no registered media type
    "zip": "application/zip",
    "boris": "application/json",
    "eaf": "application/xml",
    "sds": "text/plain; charset=utf-8",
    "opf": "application/zip",
}
# Per-observation variables a BORIS export carries, so an import finds sessions and dyads again.
OBSERVATION_VARIABLES = ("dyad", "session", "coder", "procedure")
# No coding to export, by whether a session and a coder were chosen.
NO_CODING = {
    (False, False): N_("study '{study}' has no coding that you may use"),
    (True, False): N_("study '{study}' has no coding of session '{session}' that you may use"),
    (False, True): N_("study '{study}' has no coding by '{coder}' that you may use"),
    (True, True): N_("study '{study}' has no coding of session '{session}' by '{coder}' that "
                     "you may use"),
}
Visible = Callable[[Coding], bool]
Progress = Callable[[float], None]


@dataclass(frozen=True)
class ExportFile:
    """A finished export: a suggested file name, its media type and its bytes.

    ``excluded`` lists the chosen codings a cohort or predictors table left out because they
    cannot be scored (:data:`~samspill.services.scoring.EXCLUDED_COLUMNS`: who, the reason,
    the fix); empty otherwise. ``table`` is the cohort or predictors table itself, which the
    job page shows (paged, downloadable as CSV, XLSX and JSON); None for other exports.
    """

    name: str
    media_type: str
    body: bytes
    excluded: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=EXCLUDED_COLUMNS), compare=False)
    taken: int = 0  # the codings the file took (one per session, or every chosen one)
    table: pd.DataFrame | None = field(default=None, compare=False)


def _quiet(_fraction: float) -> None:
    """The default progress callback: report nothing."""


def choose_codings(db: Session, study: Study, *, session: str | None = None,
                   coder: str | None = None, visible: Visible | None = None) -> list[Coding]:
    """The study's codings to export, optionally of one session or one coder.

    ``visible`` filters out codings the asking user may not see (the blind rule).
    """
    sessions = ([studies.get_session(db, study=study, name=session)] if session
                else studies.sessions_of(db, study))
    chosen = [c for s in sessions for c in codings.codings_of(db, s)
              if (coder is None or c.coder.username == coder)
              and (visible is None or visible(c))]
    if not chosen:
        raise NotFoundError(NO_CODING[bool(session), bool(coder)],
                            fix=N_("code a session first, or choose another session or coder"),
                            params={"study": study.name, "session": session or "",
                                    "coder": coder or ""})
    return chosen


def events_by_coding(db: Session, chosen: Sequence[Coding]) -> dict[int, list[Event]]:
    """Every chosen coding's events in onset order, loaded in one query per 500 codings (an
    ORM object per event costs several times more for large studies)."""
    out: dict[int, list[Event]] = {c.id: [] for c in chosen}
    ids = list(out)
    for start in range(0, len(ids), 500):
        rows = db.execute(
            select(EventRow.coding_id, EventRow.id, EventRow.subject, EventRow.code,
                   EventRow.onset_ms, EventRow.offset_ms, EventRow.modifiers, EventRow.comment,
                   EventRow.frame)
            .where(EventRow.coding_id.in_(ids[start:start + 500]))
            .order_by(EventRow.coding_id, EventRow.onset_ms, EventRow.id))
        for coding_id, *fields in rows:
            out[coding_id].append(_event(*fields))
    return out


def _event(ident: str, subject: str, code: str, onset: int, offset: int | None,
           modifiers: dict[str, Any] | None, comment: str, frame: int | None) -> Event:
    # Stored rows were checked on the way in, so they are built without validating again.
    return Event.model_construct(id=ident, subject=subject, code=code, onset_ms=onset,
                                 offset_ms=offset, modifiers=modifiers or {}, comment=comment,
                                 frame=frame)


def observation_names(chosen: Sequence[Coding]) -> dict[int, str]:
    """Coding id → a name per coding: the session's name, with ``.coder`` when a session has
    several chosen codings."""
    per_session = Counter(c.session_id for c in chosen)
    return {c.id: c.session.name if per_session[c.session_id] == 1
            else f"{c.session.name}.{c.coder.username}" for c in chosen}


# ---------------------------------------------------------------- tables

def _cohort_registry(chosen: Sequence[Coding]) -> dict[str, Variable]:
    """The registry with the columns of the chosen codings' per-segment rating forms."""
    out = dict(REGISTRY)
    for version in dict.fromkeys(c.scheme_version for c in chosen):
        out.update((v.name, v) for v in segment_form_variables(scheme_of(version)))
    return out


def cohort_of(db: Session, study: Study, chosen: Sequence[Coding], *, stability: bool = True,
              progress: Progress = _quiet, pooled: Pooling = ONE_PER_SESSION) -> Cohort:
    """The cohort of the chosen codings that the study's cohort holds (the one rule,
    :func:`~samspill.services.scoring.in_cohort`, as in the cohort report: training and
    reliability codings are not), by default one per session (``pooled``, the rule of
    :mod:`samspill.core.selection`): ``table``, one row per coding in the registry's order,
    and the codings that cannot be scored (``excluded``, with the reason and the fix).
    ``stability=False`` leaves out each sign's stability (much faster for large studies)."""
    held = pooling.pooled(db, _cohort_only(chosen), pooled)
    return cohort_for_study(db, study, chosen=held, stability=stability, progress=progress)


def _cohort_only(chosen: Sequence[Coding]) -> list[Coding]:
    return [c for c in chosen if in_cohort(c)]


def cohort_frame(db: Session, study: Study, chosen: Sequence[Coding], *,
                 stability: bool = True, pooled: Pooling = ONE_PER_SESSION) -> pd.DataFrame:
    """One row per chosen coding that the cohort holds and can score (by default one per
    session): identity, each sign's values, state, reason, flag and stability, the
    qualifier, the summary, counts, level (see :func:`cohort_of` for the codings left out)."""
    return cohort_of(db, study, chosen, stability=stability, pooled=pooled).table


def predictors_frame(db: Session, study: Study, chosen: Sequence[Coding],
                     pooled: Pooling = ONE_PER_SESSION) -> pd.DataFrame:
    """One row per dyad for outcome models: the mean of the indicator values, flags, counts and
    level over the dyad's sessions, of the codings the cohort holds (:func:`cohort_of`).
    Codings that cannot be scored are left out."""
    return _predictors(_predictor_cohort(db, study, chosen, pooled).table)


def _predictor_cohort(db: Session, study: Study, chosen: Sequence[Coding],
                      pooled: Pooling) -> Cohort:
    """The codings behind the predictors: one per session by the rule; with ``off`` a
    session's master when it has one, else every chosen coding (their mean)."""
    if pooled.one:
        return cohort_of(db, study, chosen, stability=False, pooled=pooled)
    return cohort_of(db, study, _masters_first(_cohort_only(chosen)), stability=False,
                     pooled=EVERY_CODING)


def _predictors(frame: pd.DataFrame) -> pd.DataFrame:
    # The columns of PREDICTOR_REGISTRY, as docs/variables.md lists them: a flag's mean is the
    # share of the dyad's sessions flagged.
    numeric = [c for c in PREDICTOR_COLUMNS if c in frame.columns]
    values = frame[["dyad", *numeric]].copy()
    values[numeric] = values[numeric].apply(pd.to_numeric, errors="coerce").astype("float64")
    return values.groupby("dyad", sort=True, as_index=False).mean()


def _masters_first(chosen: Sequence[Coding]) -> list[Coding]:
    masters = {c.session_id for c in chosen if c.status == "master"}
    return [c for c in chosen if c.session_id not in masters or c.status == "master"]


def events_frame(db: Session, study: Study, chosen: Sequence[Coding],
                 progress: Progress = _quiet) -> pd.DataFrame:
    """The long events table: one row per event of every chosen coding."""
    frames = []
    stored = events_by_coding(db, chosen)
    for n, coding in enumerate(chosen, start=1):
        session = coding.session
        frames.append(tabular.events_table(
            stored[coding.id], study=study.name, dyad=session.dyad.code,
            session=session.name, coder=coding.coder.username, coding_id=coding.id))
        progress(n / len(chosen))
    return pd.concat(frames, ignore_index=True)


def default_pooling(kind: TableKind | FileKind) -> Pooling:
    """One coding per session for the pooled tables (cohort, predictors); every coding for
    the events tables and the coding files, which list codings rather than pool them."""
    return ONE_PER_SESSION if kind in ("cohort", "predictors") else EVERY_CODING


def table_export(db: Session, study: Study, kind: TableKind, fmt: tabular.Format,
                 chosen: Sequence[Coding], progress: Progress = _quiet, *,
                 stability: bool = True, raw_cells: bool = False,
                 pooled: Pooling | None = None) -> ExportFile:
    """A table of the chosen codings in CSV, XLSX, SPSS ``.sav`` or Parquet.

    ``pooled`` says which codings of a session the table takes (default
    :func:`default_pooling`). The cohort carries each sign's stability unless
    ``stability=False``; codings the cohort or predictors table cannot score are left out
    and listed in ``ExportFile.excluded``. Text cells a spreadsheet would run as formulas are
    neutralised unless ``raw_cells``.
    """
    if kind not in TABLE_KINDS:
        raise InputError(N_("unknown table '{kind}'"), fix=N_("use one of {choices}"),
                         params={"kind": kind, "choices": ", ".join(TABLE_KINDS)})
    pooled = default_pooling(kind) if pooled is None else pooled
    excluded = pd.DataFrame(columns=EXCLUDED_COLUMNS)
    if kind in ("events", "tidy"):
        taken = pooling.pooled(db, chosen, pooled)
        frame, count = _long_frame(db, study, kind, taken, progress), len(taken)
    elif kind == "cohort":
        cohort = cohort_of(db, study, chosen, stability=stability,
                           progress=lambda f: progress(0.95 * f), pooled=pooled)
        frame, excluded = cohort.table, cohort.excluded
        count = len(cohort.table) + len(excluded)
    else:
        cohort = _predictor_cohort(db, study, chosen, pooled)
        frame, excluded = _predictors(cohort.table), cohort.excluded
        count = len(cohort.table) + len(excluded)
    registry = PREDICTOR_REGISTRY if kind == "predictors" else _cohort_registry(chosen)
    body = tabular.write_table(frame, fmt, sheet=kind, raw_cells=raw_cells, registry=registry)
    progress(1.0)
    media_type = MEDIA_TYPES.get(fmt, "application/octet-stream")
    return ExportFile(f"{study.name}-{kind}.{fmt}", media_type, body, excluded, count,
                      table=_shown(kind, frame))


def _shown(kind: TableKind, frame: pd.DataFrame) -> pd.DataFrame | None:
    """The table a job page shows: the cohort or predictors, the tidy table's codebook."""
    if kind == "tidy":
        from samspill.interop.tidy import codebook

        return codebook(frame)
    return None if kind == "events" else frame


def _long_frame(db: Session, study: Study, kind: TableKind, chosen: Sequence[Coding],
                progress: Progress) -> pd.DataFrame:
    if kind == "tidy":  # issue 13: segment, pass and provenance (services/open_exports.py)
        from samspill.services.open_exports import tidy_frame  # it builds on this module

        return tidy_frame(db, study, chosen, progress)
    return events_frame(db, study, chosen, progress)


# ---------------------------------------------------------------- coding files

def study_project(db: Session, study: Study, chosen: Sequence[Coding],
                  progress: Progress = _quiet) -> Project:
    """The chosen codings as one interchange project: one observation per coding."""
    versions = {c.scheme_version_id: c.scheme_version for c in chosen}
    if len(versions) > 1:
        listed = ", ".join(f"{v.scheme_id} v{v.version}" for v in versions.values())
        raise InputError(N_("the codings use several schemes ({schemes}); a coding file holds "
                            "one"),
                         fix=N_("export one scheme's codings at a time: choose a session or a "
                                "coder"), params={"schemes": listed})
    names = observation_names(chosen)
    stored = events_by_coding(db, chosen)
    observations = []
    for n, coding in enumerate(chosen, start=1):
        observations.append(_observation(db, coding, names[coding.id], stored[coding.id]))
        progress(0.8 * n / len(chosen))
    variables = [IndependentVariable(label=v) for v in OBSERVATION_VARIABLES]
    scheme = scheme_of(chosen[0].scheme_version)
    return Project(name=study.name, description=study.title, scheme=scheme,
                   variables=variables, observations=observations)


def _observation(db: Session, coding: Coding, name: str, events: list[Event]) -> Observation:
    session = coding.session
    media = [MediaFile(path=_media_name(session.name, n, m.filename), offset_ms=m.offset_ms,
                       duration_ms=m.duration_ms, fps=m.fps)
             for n, m in enumerate(media_of(db, session), start=1)]
    return Observation(
        name=name, date=session.date.isoformat() if session.date else "",
        kind="media" if media else "live", media=media,
        variables={"dyad": session.dyad.code, "session": session.name,
                   "coder": coding.coder.username, "procedure": session.procedure},
        events=events, segments=studies.segments_of(db, session),
        duration_ms=session.duration_ms or None, ratings=coding_ratings.ratings_of(db, coding))


def _media_name(session: str, number: int, filename: str) -> str:
    """A video's name in a coding file: the session's name and the file's extension. Uploaded
    file names may name the child, so they never leave in an export."""
    suffix = PurePosixPath(filename).suffix.lower()
    suffix = suffix if suffix[1:].isalnum() and len(suffix) <= 6 else ""
    return f"{session}{'' if number == 1 else f'-{number}'}{suffix}"


def file_export(db: Session, study: Study, kind: FileKind, chosen: Sequence[Coding], *,
                tiers: TierLayout = "subject", progress: Progress = _quiet,
                pooled: Pooling = EVERY_CODING) -> ExportFile:
    """The chosen codings as a BORIS project, an ELAN file (one coding) or an SDIS file; by
    default every chosen coding, one per session with ``pooled``."""
    if kind not in FILE_KINDS:
        raise InputError(N_("unknown coding file '{kind}'"), fix=N_("use one of {choices}"),
                         params={"kind": kind, "choices": ", ".join(FILE_KINDS)})
    chosen = pooling.pooled(db, chosen, pooled)
    if kind == "elan" and len(chosen) != 1:
        raise InputError(N_("an ELAN file holds one coding, and {count} were chosen"),
                         fix=N_("choose one session, and its coder if it has several"),
                         params={"count": len(chosen)})
    if kind == "datavyu" and len(chosen) != 1:
        raise InputError(N_("a Datavyu file holds one coding, and {count} were chosen"),
                         fix=N_("choose one session, and its coder if it has several"),
                         params={"count": len(chosen)})
    project = study_project(db, study, chosen, progress)
    if kind == "boris":
        out = ExportFile(f"{study.name}.boris", MEDIA_TYPES["boris"], write_boris(project))
    elif kind == "elan":
        observation = project.observations[0]
        out = ExportFile(f"{study.name}-{observation.name}.eaf", MEDIA_TYPES["eaf"],
                         write_elan(observation, project.scheme, tiers=tiers))
    elif kind == "datavyu":
        observation = project.observations[0]
        out = ExportFile(f"{study.name}-{observation.name}.opf", MEDIA_TYPES["opf"],
                         write_datavyu(observation, project.scheme, columns=tiers))
    else:
        text = write_sdis(project.observations, project.scheme)
        out = ExportFile(f"{study.name}.sds", MEDIA_TYPES["sds"], text.encode("utf-8"))
    progress(1.0)
    return replace(out, taken=len(chosen))
