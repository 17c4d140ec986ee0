"""A study with two sessions and codings by an owner (master), a coder and a second coder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from samspill.core.events import Event
from samspill.core.vignette import VIGNETTE_DURATION_MS, vignette_events
from samspill.services import codings, studies
from samspill.services.jobs import REGISTRY
from samspill.services.schemes import latest_version, register_builtin_schemes
from samspill.settings import Settings
from samspill.store.db import Database
from samspill.web.app import create_app
from tests.factories import PASSWORD, make_user


@dataclass
class Lab:
    database: Database
    coding_ids: dict[str, int]  # "own", "cod", "cod2" -> the coding of session v1; "v2" too


@pytest.fixture(scope="session")
def lab_template(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    """The lab built once (migrations and password hashes are slow); tests get copies."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("lab") / "data", min_password_length=12)
    database = Database(settings)
    database.migrate()
    with database.session() as db:
        register_builtin_schemes(db)
    lab = build_lab(database)
    database.dispose()
    return lab


@pytest.fixture
def lab(lab_template: Lab, tmp_path: Path) -> Iterator[Lab]:
    """A private copy of the lab (SQLite), free to change."""
    folder = tmp_path / "data"
    shutil.copytree(lab_template.database.settings.data_dir, folder)
    database = Database(lab_template.database.settings.model_copy(update={"data_dir": folder}))
    yield Lab(database, dict(lab_template.coding_ids))
    database.dispose()


def build_lab(database: Database) -> Lab:
    with database.session() as db:
        users = {n: make_user(db, n) for n in ("own", "cod", "cod2", "vie")}
        study = studies.create_study(db, name="lab", owner=users["own"])
        users["own"].can_create_studies = True  # issue 22: the owner may create studies
        for name in ("cod", "cod2"):
            studies.set_role(db, study=study, user=users[name], role="coder")
        studies.set_role(db, study=study, user=users["vie"], role="viewer")
        version = latest_version(db, "withdrawal-open")
        ids = {}
        for session_name, dyad in (("v1", "D01"), ("v2", "D02")):
            pair = studies.get_or_create_dyad(db, study=study, code=dyad)
            session = studies.create_session(db, study=study, dyad=pair, name=session_name,
                                             duration_ms=VIGNETTE_DURATION_MS)
            coders = ("own", "cod", "cod2") if session_name == "v1" else ("own",)
            for n, coder in enumerate(coders):
                coding = codings.create_coding(db, session=session, coder=users[coder],
                                               scheme_version=version)
                events = vignette_events()[: 21 - 3 * n] if coder != "own" else vignette_events()
                codings.replace_events(db, coding=coding, events=_fresh(events))
                ids[coder if session_name == "v1" else "v2"] = coding.id
            master = codings.codings_of(db, session)[0]
            codings.set_status(db, coding=master, status="master")
    return Lab(database, ids)


def _fresh(events: list[Event]) -> list[Event]:
    return [Event(**e.model_dump(exclude={"id"})) for e in events]


@pytest.fixture
def web(lab: Lab) -> Iterator[TestClient]:
    with TestClient(create_app(lab.database.settings, database=lab.database)) as client:
        yield client


def login(client: TestClient, username: str) -> str:
    """Log in through the form; the CSRF token of the session's forms."""
    import re

    page = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def finished(client: TestClient, response, username: str):
    """Follow a job page to its end (waits on the job, never on a clock) and return the page."""
    assert response.status_code == 200, response.text[:300]
    job_id = str(response.url).rstrip("/").rsplit("/", 1)[-1]
    study = str(response.url).split("/studies/", 1)[1].split("/", 1)[0]
    with_user = client.get(f"/api/studies/{study}/jobs/{job_id}")
    assert with_user.status_code == 200
    assert REGISTRY.wait(job_id, timeout=60).state != "running", "the job did not finish"
    return client.get(f"/studies/{study}/jobs/{job_id}")
