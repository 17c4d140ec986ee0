"""Codings and their events and ratings; every write is checked against the scheme first."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TypeVar

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, joinedload

from samspill.core.errors import ConflictError, EventError, InputError, NotFoundError
from samspill.core.events import Event, Segment, event_problems
from samspill.core.problems import summarise
from samspill.core.scheme import Scheme
from samspill.services.schemes import scheme_of
from samspill.store.lengths import check_values
from samspill.store.models import (
    Coding,
    EventRow,
    ObservationSession,
    Rating,
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
        raise InputError(f"unknown status '{status}'", fix=f"use one of {', '.join(STATUSES)}")
    if purpose not in PURPOSES:
        raise InputError(f"unknown purpose '{purpose}'", fix=f"use one of {', '.join(PURPOSES)}")
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
        raise NotFoundError(f"no coding {coding_id}", fix="check the coding id")
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
                f"'{coder}' has no coding of session '{session.name}'", fix=_list_codings(codings)
            )
        return mine[-1]
    masters = [c for c in codings if c.status == "master"]
    if len(masters) == 1 or len(codings) == 1:
        return (masters or codings)[0]
    raise InputError(
        f"session '{session.name}' has {len(codings)} codings and no single master",
        fix=_list_codings(codings),
    )


def _list_codings(codings: Sequence[Coding]) -> str:
    if not codings:
        return "code the session first"
    listed = ", ".join(f"{c.coder.username} ({c.status})" for c in codings)
    return f"name one with --coder; codings: {listed}"


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
    )


def ensure_open(coding: Coding) -> None:
    if coding.status != "in_progress":
        raise ConflictError(
            f"coding {coding.id} is {coding.status} and locked",
            fix="ask the study's owner to reopen it",
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
            f"{len(problems)} problem(s) in the events; nothing was saved:\n{summarise(problems)}",
            fix="correct the events named above",
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
        rows = [{**_values(coding, e), "updated_at": stamp} for e in events]
        for row in rows:  # a bulk insert passes no flush check: lengths are checked here
            check_values(EventRow.__table__, row)
        db.execute(insert(EventRow), rows)
    return len(events)


def _check_ids_free(db: Session, coding: Coding, events: Sequence[Event]) -> None:
    ids = [e.id for e in events]
    if len(set(ids)) != len(ids):
        raise EventError("an event id appears twice", fix="give every event its own id")
    taken = db.scalars(
        select(EventRow.coding_id).where(EventRow.id.in_(ids), EventRow.coding_id != coding.id)
    ).first()
    if taken is not None:
        raise ConflictError(
            "an event id is already used by another coding", fix="import with new event ids"
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


def upsert_event(db: Session, *, coding: Coding, event: Event) -> None:
    """Add or edit one event (the id decides), checked against the states it could overlap.

    Only the event itself and the states in its lane (same subject, same exclusive group) that
    touch its interval are loaded: a save costs the same at 50 events as at 5,000.
    """
    ensure_open(coding)
    scheme = coding_scheme(coding)
    neighbours = [_to_event(r) for r in _lane_rows(db, coding, event, scheme)]
    check_events([*neighbours, event], scheme=scheme, duration_ms=coding.session.duration_ms)
    row = db.get(EventRow, event.id)
    if row is not None and row.coding_id != coding.id:
        raise ConflictError("that event id belongs to another coding", fix="use a new id")
    values = _values(coding, event)
    if row is None:
        db.add(EventRow(**values))
    else:
        for column, value in values.items():
            setattr(row, column, value)


def _lane_rows(db: Session, coding: Coding, event: Event, scheme: Scheme) -> Sequence[EventRow]:
    """Closed states in the event's lane whose interval meets [onset, offset]."""
    code = scheme.code(event.code)
    if code is None or code.kind != "state" or event.offset_ms is None:
        return []
    group = scheme.exclusive_group_of(code.id)
    lane = group.codes if group else [code.id]
    return db.scalars(
        select(EventRow).where(
            EventRow.coding_id == coding.id,
            EventRow.subject == event.subject,
            EventRow.code.in_(lane),
            EventRow.id != event.id,
            EventRow.offset_ms.is_not(None),
            EventRow.onset_ms < event.offset_ms,
            EventRow.offset_ms > event.onset_ms,
        )
    ).all()


def delete_event(db: Session, *, coding: Coding, event_id: str) -> None:
    ensure_open(coding)
    db.execute(delete(EventRow).where(EventRow.id == event_id, EventRow.coding_id == coding.id))


def ratings_of(db: Session, coding: Coding) -> dict[str, str]:
    rows = db.scalars(select(Rating).where(Rating.coding_id == coding.id)).all()
    return {r.item_id: r.value for r in rows}


def set_ratings(db: Session, *, coding: Coding, ratings: Mapping[str, str | int | None]) -> None:
    ensure_open(coding)
    scheme = coding_scheme(coding)
    for item_id, value in ratings.items():
        _check_rating(scheme, item_id, value)
        row = db.scalar(
            select(Rating).where(Rating.coding_id == coding.id, Rating.item_id == item_id)
        )
        if value is None:
            if row is not None:
                db.delete(row)
            continue
        row = row or Rating(coding_id=coding.id, item_id=item_id)
        row.value = str(value)
        db.add(row)
    db.flush()


def _check_rating(scheme: Scheme, item_id: str, value: str | int | None) -> None:
    item = scheme.rating_item(item_id)
    if item is None:
        raise InputError(
            f"the scheme has no rating item '{item_id}'",
            fix=f"use one of {', '.join(r.id for r in scheme.rating_items)}",
        )
    if value is None:
        return
    if item.kind == "scale":
        number = int(value) if str(value).lstrip("-").isdigit() else None
        # A scale has min and max (RatingItem's validator), which its `int | None` cannot say.
        if number is None or not item.min <= number <= item.max:  # type: ignore[operator]
            raise InputError(
                f"'{value}' is not on the scale of '{item_id}'",
                fix=f"give a whole number from {item.min} to {item.max}",
            )
    elif str(value) not in item.options:
        raise InputError(
            f"'{value}' is not an option of '{item_id}'",
            fix=f"use one of {', '.join(item.options)}",
        )


def set_status(db: Session, *, coding: Coding, status: str) -> None:
    if status not in STATUSES:
        raise InputError(f"unknown status '{status}'", fix=f"use one of {', '.join(STATUSES)}")
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
