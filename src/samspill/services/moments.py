"""Moments to show and guidance notes, on stored sessions (issue 23).

The proposals come from one coding of the session: among the study codings the asking member
may read (the blind rule holds here too), the one pooled results take (master, else consensus,
else the first submitted: :mod:`samspill.core.selection`). The finder is pure
(:mod:`samspill.core.moments`); this module scores the coding, matches the proposals with the
decisions stored (:class:`~samspill.store.models_moments.Moment`) and keeps the accepted
moments' trims, captions, reel order and guidance notes.

Proposals are suggestions: nothing is chosen until a person accepts it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, InputError, NotFoundError
from samspill.core.indicators import IndicatorSettings
from samspill.core.moments import MomentSettings, find_moments
from samspill.core.reel import ClipSpec, check_clip
from samspill.core.selection import ONE_PER_SESSION
from samspill.services import access, codings, pooling
from samspill.services.scoring import in_cohort, scored_coding
from samspill.store.models import Coding, Dyad, ObservationSession, User
from samspill.store.models_moments import GuidanceNote, Moment

ACCEPTED, REJECTED = "accepted", "rejected"
T = TypeVar("T")
NOTE_FIELDS = ("parent_did", "child_showed", "to_try")
MAX_NOTE = 1000


@dataclass(frozen=True)
class Proposal:
    """One candidate moment, with what a person decided on it (``status`` None: open)."""

    key: str
    kind: str
    rank: int
    clarity: float
    start_ms: int
    end_ms: int
    key_ms: int
    reasons: tuple[str, ...]
    evidence: tuple[str, ...]
    status: str | None = None
    moment_id: int | None = None


@dataclass(frozen=True)
class Proposals:
    """The session's proposals and the coding they came from (None: no coding to read)."""

    coding: Coding | None
    duration_ms: int | None
    items: list[Proposal] = field(default_factory=list)


def source_coding(db: Session, session: ObservationSession,
                  member: access.Member | None) -> Coding | None:
    """The coding proposals come from: of the study codings the member may read, the one the
    pooling rule takes for the session."""
    held = [c for c in codings.codings_of(db, session) if in_cohort(c)]
    if member is not None:
        held = access.readable_codings(member, held)
    chosen = pooling.pooled(db, held, ONE_PER_SESSION)
    return chosen[0] if chosen else None


def proposal_key(kind: str, key_event_id: str, key_ms: int) -> str:
    return f"{kind}:{key_event_id or key_ms}"[:120]


def propose(db: Session, session: ObservationSession, member: access.Member | None,
            settings: MomentSettings | None = None) -> Proposals:
    """Ranked proposals from the session's coding, each with the decision stored on it."""
    coding = source_coding(db, session, member)
    if coding is None:
        return Proposals(None, session.duration_ms)
    scored = scored_coding(db, coding, stability=False)
    s = settings or _settings_of(scored.scores.settings)
    table = find_moments(scored.scores.indicators, scored.scores.evidence,
                         events=scored.events, duration_ms=scored.duration_ms, settings=s)
    decided = {m.proposal_key: m for m in _all_moments(db, session)}
    return Proposals(coding, scored.duration_ms, [_proposal(row, decided) for row in
                                                  table.to_dict("records")])


def _settings_of(s: IndicatorSettings) -> MomentSettings:
    """The moment finder's windows from the study's indicator settings."""
    return MomentSettings(response_window_ms=s.response_window_ms,
                          initiative_window_ms=s.initiative_window_ms,
                          proximity_kinds=tuple(s.proximity_kinds),
                          bid_kind_modifier=s.bid_kind_modifier)


def _proposal(row: Mapping[Hashable, Any], decided: dict[str, Moment]) -> Proposal:
    key = proposal_key(str(row["kind"]), str(row["key_event_id"]), int(row["key_ms"]))
    moment = decided.get(key)
    return Proposal(key=key, kind=str(row["kind"]), rank=int(row["rank"]),
                    clarity=float(row["clarity"]), start_ms=int(row["start_ms"]),
                    end_ms=int(row["end_ms"]), key_ms=int(row["key_ms"]),
                    reasons=tuple(row["reasons"]), evidence=tuple(row["evidence"]),
                    status=moment.status if moment else None,
                    moment_id=moment.id if moment else None)


def _all_moments(db: Session, session: ObservationSession) -> Sequence[Moment]:
    return db.scalars(select(Moment).where(Moment.session_id == session.id)).all()


def moments_of(db: Session, session: ObservationSession) -> list[Moment]:
    """The accepted moments in reel order."""
    return list(db.scalars(select(Moment).where(Moment.session_id == session.id,
                                                Moment.status == ACCEPTED)
                           .order_by(Moment.position, Moment.start_ms, Moment.id)).all())


def get_moment(db: Session, session: ObservationSession, moment_id: int) -> Moment:
    moment = db.get(Moment, moment_id)
    if moment is None or moment.session_id != session.id:
        raise NotFoundError(N_("no such moment"), fix=N_("reload the moments page"))
    return moment


def decide(db: Session, session: ObservationSession, *, key: str, status: str,
           member: access.Member | None, user: User | None) -> Moment:
    """Accept or reject a proposal (named by its key); a decision already made is changed."""
    if status not in (ACCEPTED, REJECTED):
        raise InputError(N_("a proposal is accepted or rejected, not '{status}'"),
                         fix=N_("use accepted or rejected"), params={"status": status})
    found = propose(db, session, member)
    proposal = next((p for p in found.items if p.key == key), None)
    if proposal is None:
        raise NotFoundError(N_("no such proposal"),
                            fix=N_("reload the moments page: the coding may have changed"))
    moment = db.get(Moment, proposal.moment_id) if proposal.moment_id else None
    if moment is None:
        moment = Moment(session_id=session.id, coding_id=found.coding.id if found.coding else None,
                        proposal_key=key, kind=proposal.kind, reasons=list(proposal.reasons),
                        evidence=list(proposal.evidence), clarity=proposal.clarity,
                        key_ms=proposal.key_ms, start_ms=proposal.start_ms,
                        end_ms=proposal.end_ms, caption="", freeze=False, slow=False,
                        position=_next_position(db, session))
        db.add(moment)
    moment.status = status
    moment.decided_by_id = user.id if user else None
    moment.updated_at = dt.datetime.now(dt.UTC)
    db.flush()
    return moment


def _next_position(db: Session, session: ObservationSession) -> int:
    last = db.scalar(select(func.max(Moment.position)).where(Moment.session_id == session.id))
    return int(last or 0) + 1


@dataclass(frozen=True)
class MomentChange:
    """What a person changes on an accepted moment (None: unchanged)."""

    start_ms: int | None = None
    end_ms: int | None = None
    caption: str | None = None
    freeze: bool | None = None
    slow: bool | None = None
    position: int | None = None


def change(db: Session, moment: Moment, given: MomentChange, *,
           duration_ms: int | None) -> Moment:
    """Trim, caption, freeze, slow or move an accepted moment; refused when it cannot play."""
    if moment.status != ACCEPTED:
        raise InputError(N_("only an accepted moment can be changed"),
                         fix=N_("accept the proposal first"))
    spec = ClipSpec(start_ms=_or(given.start_ms, moment.start_ms),
                    end_ms=_or(given.end_ms, moment.end_ms), key_ms=moment.key_ms,
                    caption=(moment.caption if given.caption is None else given.caption.strip()),
                    freeze=_or(given.freeze, moment.freeze), slow=_or(given.slow, moment.slow))
    check_clip(spec, duration_ms)
    moment.start_ms, moment.end_ms, moment.caption = spec.start_ms, spec.end_ms, spec.caption
    moment.freeze, moment.slow = spec.freeze, spec.slow
    if given.position is not None:
        _move(db, moment, given.position)
    moment.updated_at = dt.datetime.now(dt.UTC)
    db.flush()
    return moment


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


def _move(db: Session, moment: Moment, position: int) -> None:
    """Put the moment at ``position`` (1-based) in the reel; the others keep their order."""
    session = db.get(ObservationSession, moment.session_id)
    assert session is not None
    order = [m for m in moments_of(db, session) if m.id != moment.id]
    order.insert(max(0, min(position - 1, len(order))), moment)
    for place, m in enumerate(order, start=1):
        m.position = place


def withdraw(db: Session, moment: Moment) -> None:
    """Undo a decision: the proposal is open again (its caption and note go with it)."""
    db.delete(moment)
    db.flush()


def clip_of(moment: Moment) -> ClipSpec:
    return ClipSpec(start_ms=moment.start_ms, end_ms=moment.end_ms, key_ms=moment.key_ms,
                    caption=moment.caption, freeze=moment.freeze, slow=moment.slow)


# --- Guidance notes ---------------------------------------------------------------------------


def note_of(db: Session, moment: Moment) -> GuidanceNote | None:
    return db.scalar(select(GuidanceNote).where(GuidanceNote.moment_id == moment.id))


def set_note(db: Session, moment: Moment, *, parent_did: str, child_showed: str, to_try: str,
             user: User | None) -> GuidanceNote:
    """Write the moment's note: what the parent did, what the child showed, what to try."""
    texts = {"parent_did": parent_did.strip(), "child_showed": child_showed.strip(),
             "to_try": to_try.strip()}
    for name, text in texts.items():
        if len(text) > MAX_NOTE:
            raise InputError(N_("a guidance note's part {name} may hold at most {limit} "
                                "characters"), fix=N_("shorten it"),
                             params={"name": name, "limit": MAX_NOTE})
    note = note_of(db, moment) or GuidanceNote(moment_id=moment.id)
    note.parent_did, note.child_showed, note.to_try = (texts[n] for n in NOTE_FIELDS)
    note.written_by_id = user.id if user else None
    note.updated_at = dt.datetime.now(dt.UTC)
    db.add(note)
    db.flush()
    return note


@dataclass(frozen=True)
class GuidanceNoteView:
    """One guidance note as a report shows it: its session, its moment, the three parts."""

    session: str
    session_date: dt.date | None
    kind: str
    start_ms: int
    end_ms: int
    caption: str
    parent_did: str
    child_showed: str
    to_try: str


def guidance_notes_of_dyad(db: Session, dyad: Dyad) -> list[GuidanceNoteView]:
    """Every guidance note of the dyad's accepted moments, session by session (by date, then
    name), each session's in reel order. For the progress report (issue 23)."""
    rows = list(db.execute(
        select(ObservationSession, Moment, GuidanceNote)
        .join(Moment, Moment.session_id == ObservationSession.id)
        .join(GuidanceNote, GuidanceNote.moment_id == Moment.id)
        .where(ObservationSession.dyad_id == dyad.id, Moment.status == ACCEPTED)
    ).tuples().all())
    rows.sort(key=lambda r: (r[0].date or dt.date.max, r[0].name, r[1].position, r[1].id))
    return [GuidanceNoteView(s.name, s.date, m.kind, m.start_ms, m.end_ms, m.caption,
                             n.parent_did, n.child_showed, n.to_try) for s, m, n in rows]


def proposals_frame(found: Proposals) -> pd.DataFrame:
    """The proposals as a table (for the CLI)."""
    return pd.DataFrame([p.__dict__ for p in found.items],
                        columns=list(Proposal.__dataclass_fields__))
