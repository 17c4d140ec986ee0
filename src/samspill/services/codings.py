"""Codings and their events; every write is checked against the scheme first (their ratings:
``services/coding_ratings.py``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TypeVar

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session, joinedload

from samspill.core.coding_rules import (
    DELETED,
    DELETED_FIX,
    STALE,
    STALE_FIX,
    Refusal,
    added_without_required,
    lane_of,
    lane_refusals,
    removed_required,
    submit_refusals,
)
from samspill.core.errors import (
    N_,
    ConflictError,
    EventError,
    InputError,
    NotFoundError,
    RefusedError,
)
from samspill.core.events import Event, Segment, event_problems
from samspill.core.problems import summarise
from samspill.core.scheme import Scheme
from samspill.services.schemes import scheme_of
from samspill.store.lengths import check_values
from samspill.store.models import (
    Coding,
    DeletedEvent,
    EventRow,
    ObservationSession,
    SchemeVersion,
    SegmentRow,
    User,
    utcnow,
)

T = TypeVar("T", Event, Segment)  # what keep_or_renew_ids renews: items with an id
STATUSES = ("in_progress", "submitted", "master")
PURPOSES = ("study", "training", "reliability")


def create_coding(
    db: Session,
    *,
    session: ObservationSession,
    coder: User,
    scheme_version: SchemeVersion,
    status: str = "in_progress",
    purpose: str = "study",
) -> Coding:
    if status not in STATUSES:
        raise InputError(N_("unknown status '{status}'"), fix=N_("use one of {choices}"),
                         params={"status": status, "choices": ", ".join(STATUSES)})
    if purpose not in PURPOSES:
        raise InputError(N_("unknown purpose '{purpose}'"), fix=N_("use one of {choices}"),
                         params={"purpose": purpose, "choices": ", ".join(PURPOSES)})
    coding = Coding(
        session_id=session.id,
        coder_id=coder.id,
        scheme_version_id=scheme_version.id,
        status=status,
        purpose=purpose,
        submitted_at=utcnow() if status != "in_progress" else None,
    )
    db.add(coding)
    db.flush()
    return coding


def get_coding(db: Session, coding_id: int) -> Coding:
    """The coding with its session, study and scheme version, in one query."""
    coding = db.get(
        Coding,
        coding_id,
        options=[
            joinedload(Coding.session).joinedload(ObservationSession.study),
            joinedload(Coding.scheme_version),
        ],
    )
    if coding is None:
        raise NotFoundError(N_("no coding {id}"), fix=N_("check the coding id"),
                            params={"id": coding_id})
    return coding


def codings_of(db: Session, session: ObservationSession) -> Sequence[Coding]:
    return db.scalars(
        select(Coding).where(Coding.session_id == session.id).order_by(Coding.id)
    ).all()


def pick_coding(db: Session, *, session: ObservationSession, coder: str | None) -> Coding:
    """The coder's coding; without a coder, the master coding or the only coding."""
    codings = codings_of(db, session)
    if coder is not None:
        mine = [c for c in codings if c.coder.username == coder]
        if not mine:
            raise NotFoundError(
                N_("'{coder}' has no coding of session '{session}'"), fix=_list_codings(codings),
                params={"coder": coder, "session": session.name,
                        "codings": _listed(codings)},
            )
        return mine[-1]
    masters = [c for c in codings if c.status == "master"]
    if len(masters) == 1 or len(codings) == 1:
        return (masters or codings)[0]
    raise InputError(
        N_("session '{session}' has {count} codings and no single master"),
        fix=_list_codings(codings),
        params={"session": session.name, "count": len(codings), "codings": _listed(codings)},
    )


def _list_codings(codings: Sequence[Coding]) -> str:
    """The fix's template; ``{codings}`` comes from :func:`_listed`."""
    if not codings:
        return N_("code the session first")
    return N_("name one with --coder; codings: {codings}")


def _listed(codings: Sequence[Coding]) -> str:
    return ", ".join(f"{c.coder.username} ({c.status})" for c in codings)


def coding_scheme(coding: Coding) -> Scheme:
    return scheme_of(coding.scheme_version)


def coding_events(db: Session, coding: Coding) -> list[Event]:
    rows = db.scalars(
        select(EventRow)
        .where(EventRow.coding_id == coding.id)
        .order_by(EventRow.onset_ms, EventRow.id)
    ).all()
    return [_to_event(r) for r in rows]


def _to_event(row: EventRow) -> Event:
    return Event(
        id=row.id,
        subject=row.subject,
        code=row.code,
        onset_ms=row.onset_ms,
        offset_ms=row.offset_ms,
        modifiers=row.modifiers or {},
        comment=row.comment,
        frame=row.frame,
        provenance=row.provenance,
    )


def ensure_open(coding: Coding) -> None:
    if coding.status != "in_progress":
        raise ConflictError(
            N_("coding {id} is {status} and locked"),
            fix=N_("ask the study's owner to reopen it"),
            params={"id": coding.id, "status": coding.status},
        )


def check_events(
    events: Sequence[Event],
    *,
    scheme: Scheme,
    duration_ms: int | None,
    labels: Sequence[str] | None = None,
    complete: bool = False,
) -> None:
    """Raise one EventError naming every bad event; nothing is written when any is bad."""
    problems = event_problems(
        events, scheme, duration_ms=duration_ms, complete=complete, labels=labels
    )
    if problems:
        raise EventError(
            N_("{count} problem(s) in the events; nothing was saved:\n{problems}"),
            fix=N_("correct the events named above"),
            params={"count": len(problems), "problems": summarise(problems)},
        )


def replace_events(
    db: Session, *, coding: Coding, events: Sequence[Event], labels: Sequence[str] | None = None
) -> int:
    """Replace all of a coding's events in one transaction (imports)."""
    ensure_open(coding)
    check_events(
        events,
        scheme=coding_scheme(coding),
        duration_ms=coding.session.duration_ms,
        labels=labels,
        complete=True,
    )
    _check_ids_free(db, coding, events)
    db.execute(delete(EventRow).where(EventRow.coding_id == coding.id))
    if events:  # one bulk INSERT, not one ORM object per event: imports hold thousands
        stamp = utcnow()
        rows = [{**_values(coding, e), "provenance": e.provenance, "updated_at": stamp}
                for e in events]
        for row in rows:  # a bulk insert passes no flush check: lengths are checked here
            check_values(EventRow.__table__, row)
        db.execute(insert(EventRow), rows)
    return len(events)


def _check_ids_free(db: Session, coding: Coding, events: Sequence[Event]) -> None:
    ids = [e.id for e in events]
    if len(set(ids)) != len(ids):
        raise EventError(N_("an event id appears twice"), fix=N_("give every event its own id"))
    taken = db.scalars(
        select(EventRow.coding_id).where(EventRow.id.in_(ids), EventRow.coding_id != coding.id)
    ).first()
    if taken is not None:
        raise ConflictError(
            N_("an event id is already used by another coding"),
            fix=N_("import with new event ids"),
        )


def _values(coding: Coding, event: Event) -> dict[str, object]:
    return {
        "id": event.id,
        "coding_id": coding.id,
        "subject": event.subject,
        "code": event.code,
        "onset_ms": event.onset_ms,
        "offset_ms": event.offset_ms,
        "modifiers": dict(event.modifiers),
        "comment": event.comment,
        "frame": event.frame,
    }


def refuse(refusals: Sequence[Refusal], *, status_code: int = 409,
           details: Mapping[str, object] | None = None) -> None:
    """Raise the first refusal (the write is refused whole); nothing when there is none."""
    if refusals:
        first = refusals[0]
        raise RefusedError(first.template, fix=first.fix, params=first.params,
                           status_code=status_code, details=details)


def lock_coding(db: Session, coding: Coding) -> None:
    """Hold the coding's row until the commit, so checks and writes of one coding run one
    after the other (two windows, two API clients): PostgreSQL locks the row; on SQLite the
    UPDATE opens the writing transaction, which the write gate and SQLite let only one hold.
    The status is read again under the lock: another request may have submitted it."""
    db.execute(update(Coding).where(Coding.id == coding.id).values(status=Coding.status))
    db.refresh(coding, ["status"])


def upsert_event(
    db: Session, *, coding: Coding, event: Event, base_version: int | None = None,
    kind: str = "edit",
) -> None:
    """Add or edit one event (the id decides), checked against the states of its lane.

    Only the event itself and the states in its lane (same subject, same exclusive group) that
    could meet its interval are loaded: a save costs the same at 50 events as at 5,000.
    ``base_version`` is the version the writer last saw: an older one than stored is refused
    (409 'stale', with the server's event); an edit of a deleted event is refused ('deleted').
    An add of a deleted id brings the event back (an undone delete).
    """
    ensure_open(coding)
    scheme = coding_scheme(coding)
    check_events([event], scheme=scheme, duration_ms=coding.session.duration_ms)
    row = db.get(EventRow, event.id)
    if row is not None and row.coding_id != coding.id:
        raise ConflictError(N_("that event id belongs to another coding"), fix=N_("use a new id"))
    gone = db.get(DeletedEvent, event.id) if row is None else None
    if gone is not None and gone.coding_id != coding.id:
        raise ConflictError(N_("that event id belongs to another coding"), fix=N_("use a new id"))
    if gone is not None and kind == "edit":
        raise RefusedError(DELETED, fix=DELETED_FIX,
                           details={"reason": "deleted", "yours": base_version,
                                    "theirs": gone.version})
    if row is not None:
        _check_version(row, base_version)
        before = _to_event(row)
        refuse(removed_required(before, event, scheme), status_code=422)
    else:
        refuse(added_without_required(event, scheme), status_code=422)
    neighbours = [_to_event(r) for r in _lane_rows(db, coding, event, scheme)]
    refuse(lane_refusals(event, neighbours, scheme))
    values = _values(coding, event)
    if row is None:
        version = gone.version + 1 if gone is not None else 1
        if gone is not None:
            db.delete(gone)
        db.add(EventRow(**values, version=version, provenance=event.provenance))
    else:  # an edit keeps where the event came from (an adjusted suggestion stays one)
        for column, value in values.items():
            setattr(row, column, value)
        row.version += 1


def _check_version(row: EventRow, base_version: int | None) -> None:
    if base_version is not None and base_version != row.version:
        raise RefusedError(
            STALE, fix=STALE_FIX, params={"yours": base_version, "theirs": row.version},
            details={"reason": "stale", "yours": base_version, "theirs": row.version,
                     "event": {**_to_event(row).model_dump(mode="json"),
                               "version": row.version}})


def _lane_rows(db: Session, coding: Coding, event: Event, scheme: Scheme) -> Sequence[EventRow]:
    """States in the event's lane that could meet it: running ones, and closed ones whose
    interval meets [onset, offset) (for a running event: that end after its onset)."""
    code = scheme.code(event.code)
    if code is None or code.kind != "state":
        return []
    meets = EventRow.offset_ms > event.onset_ms
    if event.offset_ms is not None:
        meets = meets & (EventRow.onset_ms < event.offset_ms)
    return db.scalars(
        select(EventRow).where(
            EventRow.coding_id == coding.id,
            EventRow.subject == event.subject,
            EventRow.code.in_(lane_of(scheme, code.id)),
            EventRow.id != event.id,
            or_(EventRow.offset_ms.is_(None), meets),
        )
    ).all()


def delete_event(
    db: Session, *, coding: Coding, event_id: str, base_version: int | None = None
) -> None:
    """Delete one event and keep its id, so an edit sent after the delete is refused."""
    ensure_open(coding)
    row = db.get(EventRow, event_id)
    if row is None or row.coding_id != coding.id:
        return  # deleted already (by this or another window): the wish is met
    _check_version(row, base_version)
    db.merge(DeletedEvent(id=row.id, coding_id=coding.id, version=row.version))
    db.delete(row)
    db.flush()  # an add of the same id in this batch (an undo) must find it deleted


def submit(db: Session, coding: Coding) -> None:
    """Submit a coding: refused (409, nothing changed) while a state runs or a required
    modifier is missing. Locked first, so no write of another window slips in between."""
    lock_coding(db, coding)
    ensure_open(coding)
    refuse(submit_refusals(coding_events(db, coding), coding_scheme(coding)))
    set_status(db, coding=coding, status="submitted")


def set_status(db: Session, *, coding: Coding, status: str) -> None:
    if status not in STATUSES:
        raise InputError(N_("unknown status '{status}'"), fix=N_("use one of {choices}"),
                         params={"status": status, "choices": ", ".join(STATUSES)})
    coding.status = status
    coding.submitted_at = utcnow() if status != "in_progress" else None
    db.flush()


def keep_or_renew_ids(
    db: Session, table: type[EventRow] | type[SegmentRow], scope: str, items: list[T]
) -> list[T]:
    """Keep ids, unless this database holds them already (a copy under a new name)."""
    ids = [item.id for item in items]
    if not ids or db.scalar(select(table.id).where(table.id.in_(ids)).limit(1)) is None:
        return items
    return [
        item.model_copy(update={"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scope}/{item.id}"))})
        for item in items
    ]
