"""The child's birth month (YYYY-MM) on the dyad (issue 20): entered on the dyads page or over
the API, and the session report gives the child's age at the session in months (it said
"Barnets alder –" because nothing could set it: the API answered an existing dyad with its
old month and dropped the new one). Names with æ, ø, å work over the web too."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient

from samspill.services import studies
from samspill.store.db import Database
from samspill.store.models import Dyad
from tests.factories import PASSWORD, Built
from tests.web.conftest import bearer


def _login(client: TestClient, username: str) -> str:
    page = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def _month(database: Database, code: str = "D01") -> str | None:
    with database.session() as db:
        return db.query(Dyad).filter_by(code=code).one().child_birth_month


def test_the_api_sets_the_birth_month_of_a_dyad_that_exists(
        client: TestClient, database: Database, built: Built) -> None:
    owner = bearer(database, built.owner.username)
    made = client.post("/api/studies/s1/dyads", headers=owner,
                       json={"code": "D01", "child_birth_month": "2021-03"})
    assert made.status_code == 201 and made.json()["child_birth_month"] == "2021-03"
    assert _month(database) == "2021-03"
    put = client.put("/api/studies/s1/dyads/D01/birth-month", headers=owner,
                     json={"child_birth_month": "2021-04"})
    assert put.status_code == 200 and _month(database) == "2021-04"
    bad = client.put("/api/studies/s1/dyads/D01/birth-month", headers=owner,
                     json={"child_birth_month": "2021-13"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.text and _month(database) == "2021-04"
    cleared = client.put("/api/studies/s1/dyads/D01/birth-month", headers=owner,
                         json={"child_birth_month": None})
    assert cleared.status_code == 200 and _month(database) is None


def test_the_birth_month_entered_on_the_dyads_page_gives_the_age_in_the_report(
        client: TestClient, database: Database, built: Built) -> None:
    with database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="v1")
        session.date = dt.date(2023, 7, 14)
    csrf = _login(client, built.owner.username)
    page = client.get("/studies/s1/dyads")
    assert 'name="child_birth_month"' in page.text and 'value="2022-01"' in page.text
    saved = client.post("/studies/s1/dyads/D01/birth-month",
                        data={"child_birth_month": "2022-04", "csrf_token": csrf})
    assert saved.status_code == 200 and _month(database) == "2022-04"
    report = client.get("/studies/s1/sessions/v1/report", headers={"Accept-Language": "nb"})
    assert report.status_code == 200
    text = re.sub(r"<[^>]+>", " ", report.text)
    assert re.search(r"Barnets alder\s+15 måneder", text), text[:3000]
    refused = client.post("/studies/s1/dyads/D01/birth-month",
                          data={"child_birth_month": "april 2022", "csrf_token": csrf})
    assert refused.status_code == 400 and _month(database) == "2022-04"


def test_a_study_dyad_and_session_may_have_norwegian_letters(
        client: TestClient, database: Database, built: Built) -> None:
    owner = bearer(database, built.owner.username)
    made = client.post("/api/studies/s1/sessions", headers=owner,
                       json={"name": "hjemmebesøk-1", "dyad": "bjørn-ærlig"})
    assert made.status_code == 201, made.text
    assert client.get("/api/studies/s1/sessions/hjemmebesøk-1", headers=owner).status_code == 200
    study = client.post("/api/studies", headers=owner, json={"name": "småbarn"})
    assert study.status_code == 201, study.text
