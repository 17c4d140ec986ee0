"""Coded transcripts (issue 12): a coding's running narrative, saved with versions, linked to
the coding's events when read, imported from and exported to text.

One transcript per coding (see ``store.models_transcripts``): the master coder's transcript of
a training tape is the master coding's, so a trainee reads it exactly when the blind rule shows
them the master, after submitting their own coding of the tape (``access.may_read_coding``).
Saving never refuses what was typed for being unreadable: the text is kept and its first
problem is shown; exports and imports need a readable transcript.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from samspill.core import transcript as core
from samspill.core.errors import N_, InputError, RefusedError
from samspill.services import codings, workspace
from samspill.store.models import Coding, User, utcnow
from samspill.store.models_transcripts import Transcript, TranscriptRevision

MAX_CHARS = 500_000
# Saves by one writer this close together update their last revision instead of adding one.
REVISION_EVERY = dt.timedelta(minutes=10)
STALE = N_("the transcript was changed elsewhere (your version {yours}, now {theirs})")
STALE_FIX = N_("choose which text to keep: yours is still in the editor")


@dataclass
class LinkedEntry:
    entry: core.Entry
    links: list[core.Link]


@dataclass
class TranscriptState:
    """What the pane and the exports read: the text as typed, its version (0: none yet), the
    entries by time with their links, and the first problem reading it (None: readable)."""

    coding_id: int
    text: str
    version: int
    entries: list[LinkedEntry] = field(default_factory=list)
    problem: InputError | None = None
    updated_at: dt.datetime | None = None
    updated_by: str = ""


def transcript_of(db: Session, coding: Coding) -> Transcript | None:
    return db.scalar(select(Transcript).where(Transcript.coding_id == coding.id))


def has_text(db: Session, coding: Coding) -> bool:
    """Whether the coding has a transcript with anything in it."""
    row = transcript_of(db, coding)
    return row is not None and bool(row.text.strip())


def state_of(db: Session, coding: Coding) -> TranscriptState:
    """The coding's transcript, read and linked to its events now."""
    row = transcript_of(db, coding)
    text = row.text if row else ""
    state = TranscriptState(coding.id, text, row.version if row else 0,
                            updated_at=row.updated_at if row else None)
    if row is not None and row.updated_by_id is not None:
        writer = db.get(User, row.updated_by_id)
        state.updated_by = writer.username if writer else ""
    try:
        entries = core.parse_transcript(text)
    except InputError as problem:
        state.problem = problem
        return state
    state.entries = link(db, coding, entries)
    return state


def link(db: Session, coding: Coding, entries: list[core.Entry]) -> list[LinkedEntry]:
    """Each entry, by time, with its ``[code]`` tags linked to the coding's events."""
    codes = [code.id for code in codings.coding_scheme(coding).codes]
    events = [core.EventRef(row["id"], row["code"], row["onset_ms"], row["offset_ms"])
              for row in workspace.event_rows(db, coding)]
    return [LinkedEntry(entry, core.link_entry(entry, events, codes=codes))
            for entry in core.in_order(entries)]


def readable_entries(db: Session, coding: Coding) -> list[LinkedEntry]:
    """The entries for an export; the reading problem as the error when there is one."""
    state = state_of(db, coding)
    if state.problem is not None:
        raise state.problem
    return state.entries


def save(db: Session, *, coding: Coding, text: str, base_version: int, by: User,
         locked: bool = False) -> Transcript:
    """Store the text as the new version. ``base_version`` is the version the writer started
    from (0 for a first save): another one is refused as stale (409, with the stored text in
    the details), so an edit made elsewhere is never overwritten unseen. A submitted coding's
    transcript is locked with it, unless ``locked`` (the command line's import of a tape's
    master transcript)."""
    if not locked:
        codings.ensure_open(coding)
    if len(text) > MAX_CHARS:
        raise InputError(N_("a transcript holds at most {most} characters"),
                         fix=N_("split the transcript"), params={"most": MAX_CHARS})
    row = transcript_of(db, coding)
    if row is None:
        row = _create(db, coding=coding, text=text, base_version=base_version, by=by)
    else:
        _update(db, row=row, text=text, base_version=base_version, by=by)
    _remember(db, row, by)
    return row


def _create(db: Session, *, coding: Coding, text: str, base_version: int, by: User) -> Transcript:
    if base_version != 0:
        raise _stale(base_version, None)
    row = Transcript(coding_id=coding.id, text=text, version=1, updated_by_id=by.id)
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:  # another window saved the first version just now
        raise _stale(base_version, transcript_of(db, coding)) from None
    return row


def _update(db: Session, *, row: Transcript, text: str, base_version: int, by: User) -> None:
    # One statement that checks and raises the version: two saves from the same version
    # cannot both pass, whatever the order they reach the database in.
    done = db.execute(
        update(Transcript)
        .where(Transcript.id == row.id, Transcript.version == base_version)
        .values(text=text, version=base_version + 1, updated_at=utcnow(), updated_by_id=by.id)
        .execution_options(synchronize_session=False)
    )
    db.refresh(row)
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise _stale(base_version, row)


def _stale(yours: int, row: Transcript | None) -> RefusedError:
    theirs = row.version if row else 0
    return RefusedError(STALE, fix=STALE_FIX, params={"yours": yours, "theirs": theirs},
                        details={"reason": "stale", "yours": yours, "theirs": theirs,
                                 "text": row.text if row else ""})


def _remember(db: Session, row: Transcript, by: User) -> None:
    last = db.scalar(select(TranscriptRevision).where(TranscriptRevision.transcript_id == row.id)
                     .order_by(TranscriptRevision.version.desc()).limit(1))
    now = utcnow()
    recent = last is not None and _aware(last.saved_at) > now - REVISION_EVERY
    if last is not None and recent and last.saved_by_id == by.id:
        last.text, last.version, last.saved_at = row.text, row.version, now
    else:
        db.add(TranscriptRevision(transcript_id=row.id, version=row.version, text=row.text,
                                  saved_at=now, saved_by_id=by.id))
    db.flush()


def _aware(when: dt.datetime) -> dt.datetime:
    # SQLite hands back naive stamps (stored as UTC).
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def revisions(db: Session, coding: Coding) -> list[TranscriptRevision]:
    """The transcript's saved versions, oldest first."""
    row = transcript_of(db, coding)
    if row is None:
        return []
    return list(db.scalars(select(TranscriptRevision)
                           .where(TranscriptRevision.transcript_id == row.id)
                           .order_by(TranscriptRevision.version)))


def import_text(db: Session, *, coding: Coding, text: str, base_version: int | None,
                by: User, locked: bool = False) -> Transcript:
    """Replace the transcript with a file's, read strictly (an error names the bad line) and
    written in the plain-text form. ``base_version`` None: replace whatever is stored (the
    command line's import)."""
    entries = core.parse_transcript(text)
    if not entries:
        raise InputError(N_("the file holds no time-stamped entry"),
                         fix=N_("write one entry per line, each starting with its time "
                                "(00:55 Maria holds up a toy)"))
    if base_version is None:
        row = transcript_of(db, coding)
        base_version = row.version if row else 0
    return save(db, coding=coding, text=core.render_text(entries), base_version=base_version,
                by=by, locked=locked)


def plain_text(db: Session, coding: Coding) -> str:
    """The plain-text export: a note naming the coding, then the entries by time. The note
    starts with #, so importing the file again reads the same entries."""
    entries = readable_entries(db, coding)
    session = coding.session
    head = (f"# Samspill transcript: study {session.study.name}, session {session.name}, "
            f"coding {coding.id} by {coding.coder.username}\n")
    return head + core.render_text([linked.entry for linked in entries])
