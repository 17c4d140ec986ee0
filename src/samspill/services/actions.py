"""Coding actions from the coding screen's outbox, applied exactly once each.

Every action carries the client's UUID. The id is recorded in the same transaction as its
effect, so an action retried after a lost answer (or a crash) is recognised and not re-applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError
from samspill.core.events import Event, Segment
from samspill.services import assist_decisions, coding_ratings, codings, studies
from samspill.store.models import AppliedAction, Coding

V = TypeVar("V")


class Action(BaseModel):
    """One client action; ``id`` is the client's UUID, so a retry is recognised."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[0-9a-fA-F-]{36}$")
    type: Literal["add", "edit", "delete", "rating", "segment", "delete-segment",
                  "reject", "reopen"]
    event: Event | None = None
    event_id: str | None = None
    ratings: dict[str, str | int | None] | None = None
    segment: Segment | None = None
    segment_id: str | None = None
    # An add made from an assist suggestion (the event gets the suggestion's provenance), or
    # the suggestion a reject or reopen action answers.
    suggestion_id: str | None = Field(default=None, max_length=36)
    # The event's version the writer last saw (edit, delete): an older one than stored is
    # refused. Without it, the event's own ``version`` counts (what a GET gave); without
    # either, the write is not checked (last write wins).
    base_version: int | None = Field(default=None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _event_version(cls, data: object) -> object:
        # Events are read with their version; sent back as they are, it is the base version.
        if isinstance(data, dict) and isinstance(data.get("event"), dict) \
                and "version" in data["event"]:
            event = dict(data["event"])
            version = event.pop("version")
            data = {**data, "event": event}
            if data.get("base_version") is None and data.get("type") == "edit":
                data["base_version"] = version
        return data


class ActionsIn(BaseModel):
    actions: list[Action] = Field(max_length=1000)


class ActionResult(BaseModel):
    id: str
    status: Literal["applied", "duplicate"]


def apply_actions(db: Session, *, coding: Coding, actions: Sequence[Action]) -> list[ActionResult]:
    codings.lock_coding(db, coding)  # one writer per coding: checks see every other write
    if any(a.type in ("segment", "delete-segment") for a in actions):
        studies.lock_session(db, coding.session)  # segments belong to the session
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
        event = _need(action.event, action, "event")
        if action.type == "add":  # provenance is the server's to set, never the client's
            event = event.model_copy(update={"provenance": None})
            if action.suggestion_id:
                codings.ensure_open(coding)
                event = assist_decisions.accepted(db, coding, action.suggestion_id, event)
        codings.upsert_event(db, coding=coding, event=event,
                             base_version=action.base_version, kind=action.type)
    elif action.type == "delete":
        event_id = _need(action.event_id, action, "event_id")
        codings.delete_event(db, coding=coding, event_id=event_id,
                             base_version=action.base_version)
        assist_decisions.forget_event(db, coding, event_id)
    elif action.type == "reject":
        assist_decisions.reject(db, coding, _need(action.suggestion_id, action, "suggestion_id"))
    elif action.type == "reopen":
        assist_decisions.undecide(db, coding,
                                  _need(action.suggestion_id, action, "suggestion_id"))
    elif action.type == "rating" and action.segment_id is not None:  # a per-segment form
        coding_ratings.set_segment_ratings(db, coding=coding, segment_id=action.segment_id,
                                    ratings=_need(action.ratings, action, "ratings"))
    elif action.type == "rating":
        coding_ratings.set_ratings(db, coding=coding,
                                   ratings=_need(action.ratings, action, "ratings"))
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
            N_("action {id} ({type}) lacks '{field}'"),
            fix=N_("send '{field}' with a '{type}' action"),
            params={"id": action.id, "type": action.type, "field": field},
        )
    return value
