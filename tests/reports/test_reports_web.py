"""Report pages and downloads over HTTP: formats, languages, and who may see which report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from samspill.core.vignette import vignette_events
from samspill.services import coding_ratings, codings, studies
from samspill.services.jobs import REGISTRY
from samspill.services.schemes import latest_version
from samspill.store.db import Database
from samspill.web.app import create_app
from tests.factories import Built, make_coded_session, make_user
from tests.reports.conftest import pdf_text
from tests.web.conftest import bearer

SESSION = "/studies/s1/sessions/v1/report"


@pytest.fixture
def built(sqlite_database: Database) -> Built:
    with sqlite_database.session() as db:
        return make_coded_session(db)


@pytest.fixture
def client(sqlite_database: Database, built: Built) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_database.settings, database=sqlite_database)) as c:
        yield c


def _member(database: Database, name: str, role: str, *, coding: bool = False) -> dict:
    """A study member, with a coding of the session (events of the vignette) if asked."""
    with database.session() as db:
        user = make_user(db, name)
        study = studies.get_study(db, "s1")
        studies.set_role(db, study=study, user=user, role=role)
        if coding:
            session = studies.get_session(db, study=study, name="v1")
            mine = codings.create_coding(db, session=session, coder=user,
                                         scheme_version=latest_version(db, "withdrawal-open"))
            events = [e.model_copy(update={"id": f"{name[:4]}{e.id[4:]}"})
                      for e in vignette_events()]
            codings.replace_events(db, coding=mine, events=events)
    return bearer(database, name)


def test_the_session_report_page_has_svg_plots_under_the_strict_csp(
        client: TestClient, sqlite_database: Database, built: Built) -> None:
    page = client.get(SESSION, headers=bearer(sqlite_database, built.owner.username))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "style-src 'self'" in page.headers["content-security-policy"]
    body = page.text
    assert body.count("<svg") == 2 and "<style" not in body and " style=" not in body
    assert 'href="/reports/report.css"' in body
    assert "report?format=pdf&amp;coder=owner-s1&amp;lang=en" in body
    assert client.get("/reports/report.css").headers["content-type"].startswith("text/css")


def test_the_pdf_and_the_html_file_download(
        client: TestClient, sqlite_database: Database, built: Built) -> None:
    owner = bearer(sqlite_database, built.owner.username)
    pdf = client.get(f"{SESSION}?format=pdf", headers=owner)
    assert pdf.headers["content-type"] == "application/pdf"
    assert 'filename="report-s1-v1-owner-s1.pdf"' in pdf.headers["content-disposition"]
    text, _pages = pdf_text(pdf.content)
    assert "Session report" in text and "Dyad D01" in text
    html = client.get(f"{SESSION}?format=download", headers=owner)
    assert "attachment" in html.headers["content-disposition"]
    assert "<style>" in html.text and "report.css" not in html.text


def test_the_report_follows_the_language_cookie_or_the_lang_parameter(
        client: TestClient, sqlite_database: Database, built: Built) -> None:
    owner = bearer(sqlite_database, built.owner.username)
    client.cookies.set("samspill_lang", "nb")
    assert "Øktrapport" in client.get(SESSION, headers=owner).text
    assert "Session report" in client.get(f"{SESSION}?lang=en", headers=owner).text
    text, _pages = pdf_text(client.get(f"{SESSION}?format=pdf&lang=nb", headers=owner).content)
    assert "Tersklene er denne studiens innstillinger" in text


def test_a_coder_gets_the_report_of_their_own_coding_only(
        client: TestClient, sqlite_database: Database, built: Built) -> None:
    cora = _member(sqlite_database, "cora", "coder", coding=True)
    _member(sqlite_database, "carl", "coder", coding=True)
    own = client.get(SESSION, headers=cora)
    assert own.status_code == 200 and "cora (in progress)" in own.text
    assert client.get(f"{SESSION}?coder=carl", headers=cora).status_code == 404
    assert client.get(f"{SESSION}?coder=carl&format=pdf", headers=cora).status_code == 404
    cody = _member(sqlite_database, "cody", "coder")
    assert client.get(SESSION, headers=cody).status_code == 404  # no coding of his own
    trainee = _member(sqlite_database, "tess", "trainee", coding=True)
    assert client.get(SESSION, headers=trainee).status_code == 403  # trainees: scores hidden
    owner = bearer(sqlite_database, built.owner.username)
    assert client.get(f"{SESSION}?coder=carl", headers=owner).status_code == 200


def test_a_viewer_sees_a_report_once_the_coding_is_submitted(
        client: TestClient, sqlite_database: Database, built: Built) -> None:
    viewer = _member(sqlite_database, "vera", "viewer")
    assert client.get(SESSION, headers=viewer).status_code == 404
    with sqlite_database.session() as db:
        codings.set_status(db, coding=codings.get_coding(db, built.coding.id), status="submitted")
    assert client.get(SESSION, headers=viewer).status_code == 200


def test_the_cohort_report_is_for_the_study_owner(
        client: TestClient, sqlite_database: Database, built: Built) -> None:
    owner = bearer(sqlite_database, built.owner.username)
    page = client.get("/studies/s1/report", headers=owner)
    assert page.status_code == 200 and "Cohort report" in page.text and "<svg" in page.text
    pdf = client.get("/studies/s1/report?format=pdf", headers=owner)
    assert pdf.headers["content-type"] == "application/pdf"
    for name, role in (("cole", "coder"), ("vic", "viewer")):
        assert client.get("/studies/s1/report", headers=_member(
            sqlite_database, name, role)).status_code == 403


def test_a_report_needs_a_login(client: TestClient) -> None:
    answer = client.get(SESSION, headers={"accept": "application/json"})
    assert answer.status_code == 401


def test_a_study_in_blind_mode_hides_reports_from_its_coders(
        client: TestClient, sqlite_database: Database, built: Built) -> None:
    cora = _member(sqlite_database, "cora", "coder", coding=True)
    with sqlite_database.session() as db:
        studies.get_study(db, "s1").settings = {"hide_scores_from_coders": True}
    assert client.get(SESSION, headers=cora).status_code == 403
    owner = bearer(sqlite_database, built.owner.username)
    assert client.get(f"{SESSION}?coder=cora", headers=owner).status_code == 200


def test_the_cohort_file_is_made_in_a_job_with_progress(
        client: TestClient, sqlite_database: Database, built: Built) -> None:
    owner = bearer(sqlite_database, built.owner.username)
    page = client.get("/studies/s1/report", headers=owner).text
    assert 'action="/studies/s1/report?one_per_session=auto"' in page
    assert 'name="format" value="pdf"' in page
    assert "Codings per session" in page and "else the reconciled coding" in page
    every = client.get("/studies/s1/report?one_per_session=off", headers=owner).text
    assert 'action="/studies/s1/report?one_per_session=off"' in every
    assert "every coding (a double-coded session counts once per coding)" in every
    assert client.get("/studies/s1/report?one_per_session=x", headers=owner).status_code == 400
    started = client.post("/studies/s1/report", headers=owner, data={"format": "pdf"},
                          follow_redirects=False)
    assert started.status_code == 303
    job_id = started.headers["location"].rsplit("/", 1)[1]
    REGISTRY.wait(job_id, timeout=60)
    status = client.get(f"/api/studies/s1/jobs/{job_id}", headers=owner).json()
    assert status["state"] == "done" and status["progress"] == 1.0
    pdf = client.get(f"/studies/s1/jobs/{job_id}/export", headers=owner)
    assert pdf.headers["content-type"] == "application/pdf"
    text, _pages = pdf_text(pdf.content)
    assert "Cohort report" in text and "Codings 1" in text


def test_the_report_shows_the_study_s_own_thresholds_and_cut_off(
        client: TestClient, sqlite_database: Database, built: Built) -> None:
    with sqlite_database.session() as db:
        studies.get_study(db, "s1").settings = {
            "disrupted_cutoff": 6, "indicators": {"latency_flag_above_ms": 5000}}
        coding_ratings.set_ratings(db, coding=codings.get_coding(db, built.coding.id),
                            ratings={"level": 5})
    owner = bearer(sqlite_database, built.owner.username)
    text, _pages = pdf_text(client.get(f"{SESSION}?format=pdf", headers=owner).content)
    assert "above 5 s" in text and "above 3 s" not in text
    assert "not disrupted (cut-off: level 6)" in text
