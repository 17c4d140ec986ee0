"""A study for double coding and training: owner ``own``, coders ``ann``, ``bob`` and ``cat``,
trainees ``tra`` and ``tre``, viewer ``vie``; one simulated session ``t0``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pytest
from fastapi.testclient import TestClient

from samspill.core.events import Event
from samspill.services import credentials, studies
from samspill.services.setup import ensure_user
from samspill.store.db import Database
from samspill.web.app import create_app
from tests.agreement.tapes import add_tape

ROLES = {"ann": "coder", "bob": "coder", "cat": "coder", "tra": "trainee", "tre": "trainee",
         "vie": "viewer"}


@dataclass
class Lab:
    database: Database
    client: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)

    def as_(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def get(self, name: str, path: str):
        return self.client.get(path, headers=self.as_(name))

    def send(self, method: str, name: str, path: str, body: dict):
        return self.client.request(method, path, headers=self.as_(name), json=body)


def build_lab(database: Database) -> dict[str, str]:
    with database.session() as db:
        users = {n: ensure_user(db, n) for n in ["own", *ROLES]}  # token only: fast
        study = studies.create_study(db, name="s1", owner=users["own"])
        for name, role in ROLES.items():
            studies.set_role(db, study=study, user=users[name], role=role)
        return {n: credentials.create_api_token(db, user=u) for n, u in users.items()}


@pytest.fixture
def lab(sqlite_database: Database) -> Iterator[Lab]:
    tokens = build_lab(sqlite_database)
    with sqlite_database.session() as db:
        study = studies.get_study(db, "s1")
        _, events = add_tape(db, study, "t0", seed=7)
    app = create_app(sqlite_database.settings, database=sqlite_database)
    with TestClient(app) as client:
        yield Lab(sqlite_database, client, tokens, events)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261126)
