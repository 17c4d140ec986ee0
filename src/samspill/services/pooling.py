"""One coding per session for pooled results, on stored codings.

The rule itself is pure (:mod:`samspill.core.selection`); this module describes stored codings
to it (which of them is its session's reconciled coding comes from the store) and hands back
the chosen codings. Every pooled result calls it: the cohort table and report
(``services.scoring``, ``services.reporting``), the exports' tables
(``services.exports``), pooled sequential analysis and outcome models
(``services.analysis``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.selection import CodingFacts, Pooling, one_per_session
from samspill.store.models import Coding, Reconciliation


def reconciled_ids(db: Session, session_ids: Iterable[int]) -> set[int]:
    """The ids of the reconciled (consensus) codings of these sessions."""
    ids = sorted(set(session_ids))
    found: set[int] = set()
    for start in range(0, len(ids), 500):
        found.update(
            coding_id for coding_id in db.scalars(
                select(Reconciliation.coding_id).where(
                    Reconciliation.session_id.in_(ids[start:start + 500]),
                    Reconciliation.coding_id.is_not(None)))
            if coding_id is not None)
    return found


def facts_of(coding: Coding, reconciled: set[int]) -> CodingFacts:
    return CodingFacts(id=coding.id, session=coding.session_id, coder=coding.coder.username,
                       status=coding.status, reconciled=coding.id in reconciled,
                       submitted_at=coding.submitted_at, created_at=coding.created_at)


def pooled(db: Session, chosen: Sequence[Coding], pooling: Pooling) -> list[Coding]:
    """The chosen codings a pooled result takes under ``pooling``, in their order: one per
    session by the rule of :mod:`samspill.core.selection`, or every one (``off``)."""
    if not pooling.one:
        return list(chosen)
    reconciled = reconciled_ids(db, (c.session_id for c in chosen))
    keep = {f.id for f in one_per_session([facts_of(c, reconciled) for c in chosen], pooling)}
    return [c for c in chosen if c.id in keep]
