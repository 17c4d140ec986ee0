"""What the session page's list of codings says about each: when it last changed.

Eight codings of one session by one coder must be told apart; their last change (the newest
action the server applied, else the submission, else the creation) does that with the coder,
the purpose and the status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from samspill.store.models import AppliedAction, Coding


def last_changed(db: Session, codings: Sequence[Coding]) -> dict[int, dt.datetime]:
    """Coding id → the time of its last change, in UTC."""
    ids = [c.id for c in codings]
    newest: dict[int, dt.datetime] = {}
    if ids:
        rows = db.execute(
            select(AppliedAction.coding_id, func.max(AppliedAction.applied_at))
            .where(AppliedAction.coding_id.in_(ids))
            .group_by(AppliedAction.coding_id)
        ).all()
        newest = {coding_id: stamp for coding_id, stamp in rows if stamp is not None}
    changed: dict[int, dt.datetime] = {}
    for coding in codings:
        stamps = [s for s in (newest.get(coding.id), coding.submitted_at, coding.created_at) if s]
        changed[coding.id] = max(_aware(s) for s in stamps)
    return changed


def _aware(stamp: dt.datetime) -> dt.datetime:
    # SQLite hands back naive times; every stamp is stored in UTC.
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
