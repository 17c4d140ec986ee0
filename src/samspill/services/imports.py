"""Imports into a study: a BORIS project, an ELAN file, or an events CSV read through a column
mapping. The converters (:mod:`samspill.interop`) read and check the file; this module maps
observations to sessions and dyads and stores one coding per observation.

Everything happens in the caller's unit of work: a problem anywhere raises a
:class:`~samspill.core.errors.SamspillError` naming it, the transaction rolls back, and nothing
is stored partially.

Mapping of an observation:

* session: the observation's ``session`` variable (Samspill's exports carry it), else its name
  made into a valid session name;
* dyad: the variable named by ``dyad_variable`` (default ``dyad``), else the given dyad, else a
  dyad coded like the session (with a warning);
* coder: the given coder, else the observation's ``coder`` variable when that user is a member
  of the study, else the default coder;
* a new session gets the observation's date, procedure, length, segments and what the file
  said about it (``source_metadata``: description, date and time of day, independent
  variables, media paths and per-camera offsets); media paths are not opened (the videos are
  attached separately);
* procedure of a new session: the observation's ``procedure`` variable (``free-play``,
  ``free play``, ``SSP``, ``Strange Situation`` ... in any case), else the procedure chosen for
  the import (``Target.procedure``); when neither says, the import is refused naming the
  observations, never guessed;
* length of a new session: the length Samspill's own export states, else the main media's
  length; events past it extend the session to its last event, with a warning naming the
  recorded media length. An existing session keeps its length (events past it are refused);
* ratings the file carries (Samspill's exports) are stored with the coding.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from samspill.core import names
from samspill.core.errors import (
    N_,
    ConflictError,
    InputError,
    Note,
    NotedInputError,
    NotFoundError,
)
from samspill.interop.boris import check_events, read_boris
from samspill.interop.datavyu import datavyu_scheme, read_datavyu
from samspill.interop.datavyu_derive import Derived
from samspill.interop.elan import elan_scheme, read_elan
from samspill.interop.events_csv import CSV_COLUMNS, TimeUnit, read_events_csv
from samspill.interop.model import Imported, Observation, Project
from samspill.interop.safety import decode_utf8
from samspill.services import coding_ratings, codings, studies
from samspill.services.accounts import get_user
from samspill.services.schemes import latest_version, register_scheme, scheme_of, scheme_versions
from samspill.store.models import (
    Coding,
    EventRow,
    ObservationSession,
    SchemeVersion,
    SegmentRow,
    Study,
    User,
)

DEFAULT_SCHEME = "withdrawal-open"
PROCEDURES = ("free-play", "ssp")
Progress = Callable[[float], None]


@dataclass
class ImportResult:
    """What an import stored: sessions created, codings written, events, and warnings."""

    scheme: str
    sessions_created: list[str] = field(default_factory=list)
    codings: list[int] = field(default_factory=list)
    events: int = 0
    warnings: list[str | Note] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.codings)} coding(s), {self.events} event(s), "
                f"{len(self.sessions_created)} new session(s); scheme {self.scheme}")


@dataclass(frozen=True)
class Target:
    """Where an import goes: the study, who codes, and how to name dyads."""

    study: Study
    default_coder: User
    coder: User | None = None
    dyad: str | None = None
    dyad_variable: str = "dyad"
    procedure: str | None = None  # of new sessions whose file does not say


NO_PROCEDURE = ("{count} observation(s) do not say their procedure ({names}), and none was "
                "chosen for the import")
NO_PROCEDURE_FIX = ("choose the procedure of new sessions (free-play or ssp: --procedure, or "
                    "Procedure on the import form), or add a 'procedure' variable in BORIS")
PAST_MEDIA = ("observation '{observation}': events run until {end} s, past the media length "
              "the file records ({media} s); the session's length was set to {end} s")
UNKNOWN_FILE_SCHEME = ("the file was coded with scheme {scheme}, which this Samspill does not "
                       "have")
UNKNOWN_FILE_SCHEME_FIX = ("load that scheme first (samspill scheme load FILE), or choose the "
                           "scheme to read the file with (--scheme, or Scheme on the import "
                           "form)")
_PROCEDURE_NAMES = {"free play": "free-play", "freeplay": "free-play", "fp": "free-play",
                    "fri lek": "free-play", "frilek": "free-play", "ssp": "ssp",
                    "strange situation": "ssp", "strange situation procedure": "ssp"}


def _quiet(_fraction: float) -> None:
    """The default progress callback: report nothing."""


def session_name(text: str) -> str:
    """A valid session name made from an observation's name (``Obs #1`` → ``Obs-1``)."""
    return names.to_name(text, "observation")


def parse_mapping(text: str | None) -> dict[str, str]:
    """``"Behavior=code,Start=onset_ms"`` (file column = Samspill field) → {field: column}."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        column, sep, target = part.rpartition("=")
        if not sep or not column.strip() or not target.strip():
            raise InputError(N_("mapping '{part}' is not column=field"),
                             fix=N_("write e.g. --mapping 'Behavior=code,Start (s)=onset_ms'"),
                             params={"part": part})
        out[target.strip()] = column.strip()
    return out


def csv_preview(data: bytes, *, source: str = "events.csv",
                rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """The header and first rows of a CSV, for the mapping dialog; the import itself reads the
    file with :func:`samspill.interop.events_csv.read_events_csv`."""
    text = decode_utf8(data, source)[:65536]
    lines = text.splitlines()
    if not lines or not lines[0].strip() or "\x00" in text:
        raise InputError(N_("the file has no header row"), where=source,
                         fix=N_("start with a header such as {header}"),
                         params={"header": ",".join(CSV_COLUMNS)})
    delimiter = max(",;\t", key=lines[0].count)  # as the reader decides: from the header
    table = list(csv.reader(io.StringIO("\n".join(lines[: rows + 1])), delimiter=delimiter))
    return [h.strip() for h in table[0]], table[1:]


def guess_mapping(header: list[str]) -> dict[str, str]:
    """A first guess for the dialog: each field mapped to the column of the same name, ignoring
    case (``Onset_ms`` → ``onset_ms``)."""
    by_name = {h.casefold(): h for h in header}
    return {f: by_name[f] for f in CSV_COLUMNS if f in by_name}


def _scheme_row(db: Session, scheme_id: str | None) -> SchemeVersion | None:
    return latest_version(db, scheme_id) if scheme_id else None


def import_boris(db: Session, target: Target, data: bytes, *, source: str = "project.boris",
                 scheme_id: str | None = None, progress: Progress = _quiet) -> ImportResult:
    """A BORIS project: one coding per observation; the scheme is ``scheme_id``'s newest
    version, else the project's own (embedded by Samspill, or derived from the ethogram)."""
    row = _scheme_row(db, scheme_id)
    imported = read_boris(data, source=source, scheme=scheme_of(row) if row else None)
    if row is None:  # checked before storing, so times are said in seconds as in the file
        check_events(imported.project.observations, imported.project.scheme, source)
    progress(0.2)
    row = row or register_scheme(db, imported.project.scheme)
    return _store(db, target, imported, row, progress, kind="BORIS")


def import_elan(db: Session, target: Target, data: bytes, *, session: str,
                source: str = "session.eaf", scheme_id: str | None = None,
                progress: Progress = _quiet) -> ImportResult:
    """An ELAN file as one coding of ``session`` under ``scheme_id``, else the scheme that
    Samspill's export names in the file, else withdrawal-open."""
    row = latest_version(db, scheme_id) if scheme_id else _file_scheme(db, data, source)
    imported = read_elan(data, scheme=scheme_of(row), source=source)
    progress(0.2)
    imported.project.observations[0].name = session
    return _store(db, target, imported, row, progress, kind="ELAN")


def import_datavyu(db: Session, target: Target, data: bytes, *, session: str,
                   source: str = "session.opf", scheme_id: str | None = None,
                   derived: Derived | None = None,
                   progress: Progress = _quiet) -> ImportResult:
    """A Datavyu file as one coding of ``session``: under ``derived`` (a scheme built from the
    files' columns, stored here), else ``scheme_id``, else the scheme Samspill's export names
    in the file, else withdrawal-open."""
    if derived is not None:
        row = register_scheme(db, derived.scheme)
        plans = derived.plans
    else:
        row = latest_version(db, scheme_id) if scheme_id else _file_scheme(
            db, data, source, datavyu_scheme)
        plans = None
    imported = read_datavyu(data, scheme=scheme_of(row), source=source, plans=plans)
    progress(0.2)
    imported.project.observations[0].name = session
    return _store(db, target, imported, row, progress, kind="Datavyu")


def _file_scheme(db: Session, data: bytes, source: str,
                 named_in: Callable[..., tuple[str, int] | None] = elan_scheme) -> SchemeVersion:
    """The scheme version a file from Samspill names (that version when this Samspill has
    it, else the newest of that scheme); the default scheme for other files."""
    named = named_in(data, source=source)
    if named is None:
        return latest_version(db, DEFAULT_SCHEME)
    scheme_id, version = named
    rows = [r for r in scheme_versions(db) if r.scheme_id == scheme_id]
    if not rows:
        raise NotedInputError(Note(UNKNOWN_FILE_SCHEME, fix=UNKNOWN_FILE_SCHEME_FIX,
                                   where=source, params={"scheme": f"{scheme_id} v{version}"}))
    return next((r for r in rows if r.version == version), max(rows, key=lambda r: r.version))


def import_csv(db: Session, target: Target, data: bytes, *, session: str,
               source: str = "events.csv", scheme_id: str | None = None,
               mapping: Mapping[str, str] | None = None, time_unit: TimeUnit = "ms",
               progress: Progress = _quiet) -> ImportResult:
    """An events CSV, columns mapped to Samspill's fields, as one coding of ``session``."""
    row = latest_version(db, scheme_id or DEFAULT_SCHEME)
    scheme = scheme_of(row)
    events = read_events_csv(data, scheme=scheme, mapping=mapping, time_unit=time_unit,
                             source=source)
    progress(0.2)
    observation = Observation(name=session, events=events)
    project = Project(scheme=scheme, observations=[observation])
    return _store(db, target, Imported(project=project), row, progress, kind="CSV")


def _store(db: Session, target: Target, imported: Imported, row: SchemeVersion,
           progress: Progress, *, kind: str) -> ImportResult:
    result = ImportResult(scheme=f"{row.scheme_id} v{row.version}",
                          warnings=[w if isinstance(w, Note) else str(w)
                                    for w in imported.warnings])
    observations = imported.project.observations
    _check_procedures(db, target, observations)
    seen: dict[tuple[str, int], str] = {}
    for n, observation in enumerate(observations, start=1):
        session = _session(db, target, observation, result, kind)
        coder = _coder(db, target, observation)
        key = (session.name, coder.id)
        if key in seen:
            raise InputError(N_("observations '{first}' and '{second}' both give "
                                "{coder}'s coding of session '{session}'"),
                             fix=N_("import them as different coders, or rename one"),
                             params={"first": seen[key], "second": observation.name,
                                     "coder": coder.username, "session": session.name})
        seen[key] = observation.name
        coding = _coding(db, session, coder, row)
        events = codings.keep_or_renew_ids(db, EventRow, f"coding/{coding.id}",
                                           list(observation.events))
        labels = [f"observation '{observation.name}', {e.code} at {e.onset_ms} ms"
                  for e in events]
        result.events += codings.replace_events(db, coding=coding, events=events, labels=labels)
        if observation.ratings:
            coding_ratings.set_ratings(db, coding=coding, ratings=observation.ratings)
        result.codings.append(coding.id)
        progress(0.2 + 0.8 * n / len(observations))
    return result


def _check_procedures(db: Session, target: Target, observations: list[Observation]) -> None:
    """Every observation that becomes a new session must say its procedure, or the import
    must choose one: refused before anything is stored, naming them all."""
    silent = [o for o in observations if _procedure(o, target) is None
              and _existing_session(db, target.study, _session_name_of(o)) is None]
    if silent:
        shown = ", ".join(_named(o) for o in silent[:10]) + (" …" if len(silent) > 10 else "")
        raise NotedInputError(Note(NO_PROCEDURE, fix=NO_PROCEDURE_FIX, params={
            "count": len(silent), "names": shown}))


def _named(observation: Observation) -> str:
    """``'o1'``, or ``'o1' = 'reunion'`` when its procedure variable holds an unknown value."""
    said = _procedure_said(observation)
    return f"'{observation.name}'" + (f" = '{said}'" if said else "")


def _session_name_of(observation: Observation) -> str:
    return session_name(observation.variables.get("session") or observation.name)


def _session(db: Session, target: Target, observation: Observation,
             result: ImportResult, kind: str) -> ObservationSession:
    name = _session_name_of(observation)
    dyad_code = observation.variables.get(target.dyad_variable) or target.dyad
    existing = _existing_session(db, target.study, name)
    if existing is not None:
        if dyad_code and existing.dyad.code != dyad_code:
            raise ConflictError(N_("session '{session}' belongs to dyad '{dyad}', the "
                                   "file says '{other}'"),
                                fix=N_("check the dyad, or rename the session in the file"),
                                params={"session": name, "dyad": existing.dyad.code,
                                        "other": dyad_code})
        return existing
    if not dyad_code:
        dyad_code = name
        result.warnings.append(f"observation '{observation.name}': no dyad given; dyad "
                               f"'{name}' was created for it")
    dyad = studies.get_or_create_dyad(db, study=target.study, code=dyad_code)
    session = studies.create_session(
        db, study=target.study, dyad=dyad, name=name, date=_date(observation.date),
        procedure=_procedure(observation, target) or "free-play",
        duration_ms=_length(observation, result))
    if kind != "CSV":  # a CSV says nothing about the observation
        session.source_metadata = source_metadata(observation, kind)
    segments = codings.keep_or_renew_ids(db, SegmentRow, f"session/{session.id}",
                                         list(observation.segments))
    for segment in segments:
        studies.put_segment(db, session=session, segment=segment)
    result.sessions_created.append(name)
    return session


def _existing_session(db: Session, study: Study, name: str) -> ObservationSession | None:
    try:
        return studies.get_session(db, study=study, name=name)
    except NotFoundError:
        return None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _procedure(observation: Observation, target: Target) -> str | None:
    """The file's ``procedure`` variable (any case, usual spellings), else the import's."""
    plain = " ".join(_procedure_said(observation).casefold().replace("-", " ")
                     .replace("_", " ").split())
    return _PROCEDURE_NAMES.get(plain) or target.procedure


def _procedure_said(observation: Observation) -> str:
    return next((v for k, v in observation.variables.items()
                 if k.strip().casefold() == "procedure"), "").strip()


def _length(observation: Observation, result: ImportResult) -> int | None:
    """A new session's length: the one Samspill's export states, else the main media's; an
    event past it (BORIS opens such files) extends it, said in a warning."""
    media = observation.media_duration_ms()
    length = observation.duration_ms or media or None
    last = max((max(e.onset_ms, e.offset_ms or 0) for e in observation.events), default=0)
    if length is not None and last > length:
        result.warnings.append(Note(PAST_MEDIA, params={
            "observation": observation.name, "end": _seconds(last),
            "media": _seconds(length)}))
        length = last
    return length


def _seconds(ms: int) -> str:
    """Whole ms as seconds with up to three decimals (``63250`` → ``63.25``, ``60000`` → ``60``)."""
    return str(ms / 1000) if ms % 1000 else str(ms // 1000)


def source_metadata(observation: Observation, kind: str) -> dict[str, Any]:
    """What the file said about the observation, kept on its session as read."""
    return {
        "format": kind, "observation": observation.name, "date": observation.date,
        "description": observation.description, "time_offset_ms": observation.time_offset_ms,
        "variables": dict(observation.variables),
        "media": [m.model_dump(include={"path", "player", "offset_ms", "duration_ms", "fps"})
                  for m in observation.media],
        "media_length_ms": observation.media_duration_ms(),
    }


def _coder(db: Session, target: Target, observation: Observation) -> User:
    if target.coder is not None:
        return target.coder
    named = observation.variables.get("coder")
    if named:
        try:
            user = get_user(db, named)
        except NotFoundError:
            return target.default_coder
        if studies.role_of(db, study=target.study, user=user) is not None:
            return user
    return target.default_coder


def _coding(db: Session, session: ObservationSession, coder: User,
            row: SchemeVersion) -> Coding:
    """The coder's open coding of the session under this scheme, else a new one."""
    mine = [c for c in codings.codings_of(db, session) if c.coder_id == coder.id]
    if not mine:
        return codings.create_coding(db, session=session, coder=coder, scheme_version=row)
    coding = mine[-1]
    if coding.scheme_version_id != row.id:
        version = coding.scheme_version
        raise ConflictError(N_("{coder} codes session '{session}' with scheme "
                               "{scheme} v{version} already"),
                            fix=N_("import with --scheme {scheme}, or as another coder"),
                            params={"coder": coder.username, "session": session.name,
                                    "scheme": version.scheme_id, "version": version.version})
    codings.ensure_open(coding)
    return coding
