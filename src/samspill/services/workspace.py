"""What the coding workspace loads: a coding's events as plain JSON rows, fast.

The page of a long coding (thousands of events) must open within a second, so the events are
read as columns straight into dicts, without building an ORM object and a model per event.
They are the same fields as :class:`samspill.core.events.Event`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.store.models import Coding, EventRow

EVENT_FIELDS = (
    "id", "subject", "code", "onset_ms", "offset_ms", "modifiers", "comment", "frame", "provenance",
    "version",
)


def event_rows(db: Session, coding: Coding) -> list[dict[str, Any]]:
    """The coding's events ordered by onset (then id), each a dict of the Event fields."""
    columns = [getattr(EventRow, name) for name in EVENT_FIELDS]
    rows = db.execute(
        select(*columns)
        .where(EventRow.coding_id == coding.id)
        .order_by(EventRow.onset_ms, EventRow.id)
    ).all()
    out = []
    for row in rows:
        event = dict(zip(EVENT_FIELDS, row, strict=True))
        event["modifiers"] = event["modifiers"] or {}
        event["comment"] = event["comment"] or ""
        out.append(event)
    return out
