"""Coding actions from the coding screen's outbox, applied exactly once each.

Every action carries the client's UUID. The id is recorded in the same transaction as its
effect, so an action retried after a lost answer (or a crash) is recognised and not re-applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import InputError
from samspill.core.events import Event, Segment
from samspill.services import codings, studies
from samspill.store.models import AppliedAction, Coding

V = TypeVar("V")


class Action(BaseModel):
    """One client action; ``id`` is the client's UUID, so a retry is recognised."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[0-9a-fA-F-]{36}$")
    type: Literal["add", "edit", "delete", "rating", "segment", "delete-segment"]
    event: Event | None = None
    event_id: str | None = None
    ratings: dict[str, str | int | None] | None = None
    segment: Segment | None = None
    segment_id: str | None = None


class ActionsIn(BaseModel):
    actions: list[Action] = Field(max_length=1000)


class ActionResult(BaseModel):
    id: str
    status: Literal["applied", "duplicate"]


def apply_actions(db: Session, *, coding: Coding, actions: Sequence[Action]) -> list[ActionResult]:
    ids = [a.id for a in actions]
    done = set(db.scalars(select(AppliedAction.id).where(AppliedAction.id.in_(ids))).all())
    results = []
    for action in actions:
        if action.id in done:
            results.append(ActionResult(id=action.id, status="duplicate"))
            continue
        _apply(db, coding, action)
        db.add(AppliedAction(id=action.id, coding_id=coding.id, kind=action.type))
        done.add(action.id)
        results.append(ActionResult(id=action.id, status="applied"))
    db.flush()
    return results


def _apply(db: Session, coding: Coding, action: Action) -> None:
    if action.type in ("add", "edit"):
        codings.upsert_event(db, coding=coding, event=_need(action.event, action, "event"))
    elif action.type == "delete":
        codings.delete_event(db, coding=coding, event_id=_need(action.event_id, action, "event_id"))
    elif action.type == "rating":
        codings.set_ratings(db, coding=coding, ratings=_need(action.ratings, action, "ratings"))
    elif action.type == "segment":
        codings.ensure_open(coding)
        studies.put_segment(
            db, session=coding.session, segment=_need(action.segment, action, "segment")
        )
    elif action.type == "delete-segment":
        codings.ensure_open(coding)
        studies.delete_segment(
            db, session=coding.session, segment_id=_need(action.segment_id, action, "segment_id")
        )


def _need(value: V | None, action: Action, field: str) -> V:
    if value is None:
        raise InputError(
            f"action {action.id} ({action.type}) lacks '{field}'",
            fix=f"send '{field}' with a '{action.type}' action",
        )
    return value
