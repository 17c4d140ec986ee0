"""A coder's answers to the assist's suggestions in their own coding, and what the coding
screen lists: the session's suggestions with this coding's decisions, plus silences after this
coding's bids (pointers computed from the coder's own bids and the heard speech, never stored).

Who sees suggestions: coders and owners in a study coding. Trainees never do, and neither does
a training or reliability coding: a suggestion seen while coding a tape or a reliability
session would lead the coder, and agreement must measure people, not the machine.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from samspill.core.assist.proposals import Proposal
from samspill.core.assist.silence import silences_after_bids
from samspill.core.errors import N_, ConflictError, NotFoundError
from samspill.core.events import Event
from samspill.core.study_settings import study_settings
from samspill.services import codings
from samspill.store.models import Coding, Suggestion, SuggestionDecision

SILENCE_NAMESPACE = uuid.UUID("6f1c9a52-3a7e-4c55-9d0e-5a55157e11ce")


def shown_in(coding: Coding, role: str | None) -> bool:
    """Whether the coding screen shows suggestions in this coding to this reader."""
    return coding.purpose == "study" and role in ("owner", "coder")


def _suggestion(db: Session, coding: Coding, suggestion_id: str) -> Suggestion:
    found = db.get(Suggestion, suggestion_id)
    if found is None or found.session_id != coding.session_id:
        raise NotFoundError(N_("no suggestion {id} in this session"),
                            fix=N_("reload the coding screen: the assist may have run again"),
                            params={"id": suggestion_id})
    return found


def _decided(db: Session, coding: Coding, suggestion_id: str) -> SuggestionDecision | None:
    return db.scalar(select(SuggestionDecision).where(
        SuggestionDecision.coding_id == coding.id,
        SuggestionDecision.suggestion_id == suggestion_id))


def accepted(db: Session, coding: Coding, suggestion_id: str, event: Event) -> Event:
    """The event a coder made of a suggestion (their code and edges; its provenance), with the
    decision recorded. The coder may have changed code, subject and edges; the event is checked
    against the scheme like any other."""
    found = _suggestion(db, coding, suggestion_id)
    earlier = _decided(db, coding, suggestion_id)
    if earlier is not None and earlier.decision == "accepted" and earlier.event_id != event.id:
        raise ConflictError(N_("that suggestion was accepted already"),
                            fix=N_("edit the event it became instead"))
    if earlier is None:
        db.add(SuggestionDecision(coding_id=coding.id, suggestion_id=found.id,
                                  decision="accepted", event_id=event.id))
    else:
        earlier.decision, earlier.event_id = "accepted", event.id
    return event.model_copy(update={"provenance": f"assist:{found.detector}@{found.version}"})


def reject(db: Session, coding: Coding, suggestion_id: str) -> None:
    codings.ensure_open(coding)
    found = _suggestion(db, coding, suggestion_id)
    earlier = _decided(db, coding, suggestion_id)
    if earlier is not None and earlier.decision == "accepted":
        raise ConflictError(N_("that suggestion was accepted already"),
                            fix=N_("delete the event it became to undo the acceptance"))
    if earlier is None:
        db.add(SuggestionDecision(coding_id=coding.id, suggestion_id=found.id,
                                  decision="rejected"))


def undecide(db: Session, coding: Coding, suggestion_id: str) -> None:
    """Take a rejection back (undo): the suggestion is open again."""
    codings.ensure_open(coding)
    db.execute(delete(SuggestionDecision).where(
        SuggestionDecision.coding_id == coding.id,
        SuggestionDecision.suggestion_id == suggestion_id,
        SuggestionDecision.decision == "rejected"))


def forget_event(db: Session, coding: Coding, event_id: str) -> None:
    """An accepted suggestion's event was deleted (or undone): the suggestion is open again."""
    db.execute(delete(SuggestionDecision).where(
        SuggestionDecision.coding_id == coding.id, SuggestionDecision.event_id == event_id))


def listing(db: Session, coding: Coding) -> list[dict[str, Any]]:
    """Every suggestion of the coding's session with this coding's decision, and the silences
    after this coding's bids, in time order."""
    rows = db.scalars(select(Suggestion).where(Suggestion.session_id == coding.session_id)
                      .order_by(Suggestion.onset_ms, Suggestion.id)).all()
    decisions = {d.suggestion_id: d for d in db.scalars(select(SuggestionDecision).where(
        SuggestionDecision.coding_id == coding.id)).all()}
    listed = [_listed(row, decisions.get(row.id)) for row in rows]
    speech = [r for r in rows if r.detector == "speech"]
    listed += [_pointer(coding, p) for p in silences(db, coding, speech)]
    return sorted(listed, key=lambda s: (s["onset_ms"], s["id"]))


def _listed(row: Suggestion, decision: SuggestionDecision | None) -> dict[str, Any]:
    return {
        "id": row.id, "detector": row.detector, "version": row.version,
        "provenance": f"assist:{row.detector}@{row.version}", "subject": row.subject,
        "code": row.code, "onset_ms": row.onset_ms, "offset_ms": row.offset_ms,
        "confidence": row.confidence, "modifiers": dict(row.modifiers or {}), "note": row.note,
        "decidable": True, "decision": decision.decision if decision else None,
        "event_id": decision.event_id if decision else None,
    }


def silences(db: Session, coding: Coding, speech: Sequence[Suggestion]) -> list[Proposal]:
    """Silences after this coding's bids, from the session's heard speech (none without a
    speech pass: silence cannot be told from not having listened)."""
    if not speech:
        return []
    study = study_settings(coding.session.study.settings)
    settings = study.indicator_settings()
    bids = [e.onset_ms for e in codings.coding_events(db, coding)
            if e.code == settings.bid_code and e.subject == settings.child]
    heard = [(s.onset_ms, s.offset_ms if s.offset_ms is not None else s.onset_ms)
             for s in speech]
    end = coding.session.duration_ms or max((b for _, b in heard), default=0)
    return silences_after_bids(bids, heard, settings.response_window_ms, end, speech[0].version,
                               grace_ms=study.assist.silence_grace_ms)


def _pointer(coding: Coding, p: Proposal) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(SILENCE_NAMESPACE, f"{coding.id}:{p.onset_ms}")),
        "detector": p.detector, "version": p.version, "provenance": p.provenance,
        "subject": p.subject, "code": p.code, "onset_ms": p.onset_ms,
        "offset_ms": p.offset_ms, "confidence": p.confidence, "modifiers": {},
        "note": p.note, "decidable": False, "decision": None, "event_id": None,
    }
