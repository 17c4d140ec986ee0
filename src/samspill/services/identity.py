"""Identifying data of a dyad (names, exact birth date), stored apart and shown to owners only.

Dyads are pseudonymous codes everywhere else. Nothing here enters a study archive, an events
file or a report; a dyad export carries it only when an owner asks for it explicitly.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.core.errors import N_, NotFoundError
from samspill.services import studies
from samspill.store.models import Dyad, DyadIdentity, Study


class Identity(BaseModel):
    """The identifying fields; every one optional."""

    model_config = ConfigDict(extra="forbid")
    child_name: str = Field(default="", max_length=200)
    caregiver_name: str = Field(default="", max_length=200)
    child_birth_date: dt.date | None = None
    note: str = Field(default="", max_length=5000)


def get_dyad(db: Session, *, study: Study, code: str) -> Dyad:
    studies.check_name(code, "dyad")
    dyad = db.scalar(select(Dyad).where(Dyad.study_id == study.id, Dyad.code == code))
    if dyad is None:
        raise NotFoundError(
            N_("no dyad '{code}' in study '{study}'"), fix=N_("check the code on the study page"),
            params={"code": code, "study": study.name},
        )
    return dyad


def identity_of(db: Session, dyad: Dyad) -> Identity | None:
    row = db.get(DyadIdentity, dyad.id)
    if row is None:
        return None
    return Identity(
        child_name=row.child_name,
        caregiver_name=row.caregiver_name,
        child_birth_date=row.child_birth_date,
        note=row.note,
    )


def set_identity(db: Session, *, dyad: Dyad, identity: Identity) -> Identity:
    row = db.get(DyadIdentity, dyad.id) or DyadIdentity(dyad_id=dyad.id)
    row.child_name = identity.child_name
    row.caregiver_name = identity.caregiver_name
    row.child_birth_date = identity.child_birth_date
    row.note = identity.note
    db.add(row)
    db.flush()
    return identity


def forget_identity(db: Session, *, dyad: Dyad) -> bool:
    """Remove the identifying data, keeping the pseudonymous dyad; True if there was any."""
    row = db.get(DyadIdentity, dyad.id)
    if row is None:
        return False
    db.delete(row)
    db.flush()
    return True
