"""The web app's exports, imports and analyses, driven as a browser would (cookie and CSRF).

Jobs run in a worker thread; the tests wait on the job's end, never on a clock.
"""

from __future__ import annotations

import io
import re
import threading

import pandas as pd
from fastapi.testclient import TestClient

from samspill.services import audit, codings, studies
from samspill.services.accounts import get_user
from samspill.services.jobs import REGISTRY
from tests.exchange.conftest import Lab, finished, login


def _download(client: TestClient, page) -> bytes:
    match = re.search(r'href="(/studies/lab/jobs/[^"]+/export)"', page.text)
    assert match, page.text[-800:]
    response = client.get(match.group(1))
    assert response.status_code == 200 and "attachment" in response.headers[
        "content-disposition"]
    return response.content


def _export(client: TestClient, csrf: str, user: str, **form: str) -> bytes:
    started = client.post("/studies/lab/export", data={"csrf_token": csrf, **form})
    return _download(client, finished(client, started, user))


def test_the_owner_downloads_the_cohort_of_every_coding(lab: Lab, web: TestClient) -> None:
    csrf = login(web, "own")
    page = web.get("/studies/lab")
    assert 'href="/studies/lab/exchange"' in page.text
    assert 'href="/studies/lab/analysis"' in page.text
    body = _export(web, csrf, "own", what="cohort", format="csv", one_per_session="off")
    table = pd.read_csv(io.BytesIO(body))
    assert sorted(table["coding_id"]) == sorted(lab.coding_ids.values())


def test_the_cohort_export_counts_a_double_coded_session_once_by_default(
        lab: Lab, web: TestClient) -> None:
    """v1 is coded by own (master), cod and cod2; the form's default takes its master."""
    csrf = login(web, "own")
    form = web.get("/studies/lab/exchange").text
    assert 'name="one_per_session"' in form and 'value="coder:cod"' in form
    table = pd.read_csv(io.BytesIO(_export(web, csrf, "own", what="cohort", format="csv")))
    assert sorted(table["coding_id"]) == sorted([lab.coding_ids["own"], lab.coding_ids["v2"]])
    assert table["session"].is_unique and list(table.columns[-2:]) == ["purpose", "reconciled"]
    events = pd.read_csv(io.BytesIO(_export(web, csrf, "own", what="events", format="csv")))
    assert set(events["coding_id"]) == set(lab.coding_ids.values())  # events: every coding
    refused = web.post("/studies/lab/export", data={
        "csrf_token": csrf, "what": "cohort", "one_per_session": "two"})
    assert refused.status_code == 400 and "coder:NAME" in refused.text


def test_the_cohort_job_page_lists_the_codings_left_out_with_reason_and_fix(
        lab: Lab, web: TestClient) -> None:
    from samspill.core.events import Event

    with lab.database.session() as db:
        coding = codings.get_coding(db, lab.coding_ids["cod"])
        codings.upsert_event(db, coding=coding, event=Event(
            subject="caregiver", code="hold", onset_ms=5000))
    csrf = login(web, "own")
    started = web.post("/studies/lab/export", data={
        "csrf_token": csrf, "what": "cohort", "format": "csv", "one_per_session": "off"})
    page = finished(web, started, "own")
    table = pd.read_csv(io.BytesIO(_download(web, page)))
    assert lab.coding_ids["cod"] not in set(table["coding_id"]) and len(table) == 3
    assert "Codings left out, and why" in page.text
    assert "has no offset" in page.text and "correct the events named above" in page.text


def test_a_coder_exports_only_their_own_coding(lab: Lab, web: TestClient) -> None:
    csrf = login(web, "cod")
    events = pd.read_csv(io.BytesIO(_export(web, csrf, "cod", what="events", format="csv")))
    assert set(events["coding_id"]) == {lab.coding_ids["cod"]}
    cohort = pd.read_csv(io.BytesIO(_export(web, csrf, "cod", what="cohort", format="csv")))
    assert set(cohort["coder"]) == {"cod"}
    boris = _export(web, csrf, "cod", what="boris")
    assert b"LEAK" not in boris and b'"coder":"cod2"' not in boris and b'"own"' not in boris


def test_a_viewer_exports_only_finished_codings(lab: Lab, web: TestClient) -> None:
    csrf = login(web, "vie")
    events = pd.read_csv(io.BytesIO(_export(web, csrf, "vie", what="events", format="csv")))
    assert set(events["coding_id"]) == {lab.coding_ids["own"], lab.coding_ids["v2"]}


def test_hidden_scores_stay_hidden_from_a_coder_in_exports(lab: Lab, web: TestClient) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "lab")
        study.settings = {**study.settings, "hide_scores_from_coders": True}
    csrf = login(web, "cod")
    assert 'value="cohort"' not in web.get("/studies/lab/exchange").text
    refused = web.post("/studies/lab/export", data={"csrf_token": csrf, "what": "cohort"})
    assert refused.status_code == 403


def test_nobody_reads_another_users_job(lab: Lab, web: TestClient) -> None:
    csrf = login(web, "own")
    started = web.post("/studies/lab/export", data={"csrf_token": csrf, "what": "events"})
    job_path = finished(web, started, "own").url.path
    web.post("/logout", data={"csrf_token": csrf})
    login(web, "cod")
    assert web.get(job_path).status_code == 404
    assert web.get(f"{job_path}/export").status_code == 404


def test_the_job_endpoint_reports_progress_and_the_page_polls_it(lab: Lab,
                                                                  web: TestClient) -> None:
    csrf = login(web, "own")
    started = web.post("/studies/lab/export", data={"csrf_token": csrf, "what": "boris"})
    page = finished(web, started, "own")
    job_id = page.url.path.rsplit("/", 1)[-1]
    status = web.get(f"/api/studies/lab/jobs/{job_id}").json()
    assert status["state"] == "done" and status["progress"] == 1.0
    assert "<script" not in page.text or 'src="/static/jobs.js"' in page.text
    assert "style=" not in page.text


def test_the_owner_imports_a_boris_project_by_upload(lab: Lab, web: TestClient) -> None:
    csrf = login(web, "own")
    body = _export(web, csrf, "own", what="boris", session="v2")
    web.post("/studies", data={"name": "copy", "csrf_token": csrf})
    started = web.post("/studies/copy/import/boris", data={"csrf_token": csrf},
                       files={"file": ("lab.boris", body, "application/json")})
    page = finished(web, started, "own")
    assert "1 coding(s), 21 event(s), 1 new session(s)" in page.text
    assert 'href="/studies/copy/sessions/v2"' in page.text


def test_web_exports_and_imports_are_in_the_audit_log(lab: Lab, web: TestClient) -> None:
    csrf = login(web, "own")
    body = _export(web, csrf, "own", what="boris", session="v2")
    web.post("/studies", data={"name": "copy", "csrf_token": csrf})
    finished(web, web.post("/studies/copy/import/boris", data={"csrf_token": csrf},
                           files={"file": ("lab.boris", body, "application/json")}), "own")
    with lab.database.session() as db:
        rows = audit.entries(db, username="own")
        exported = [r for r in rows if r.action == "export" and r.study == "lab"]
        imported = [r for r in rows if r.action == "import" and r.study == "copy"]
        assert exported and len(imported) == 1
        assert "21 event(s)" in imported[0].detail and imported[0].client != "cli"


def test_a_coder_cannot_import(lab: Lab, web: TestClient) -> None:
    csrf = login(web, "cod")
    assert "/import/boris" not in web.get("/studies/lab/exchange").text
    response = web.post("/studies/lab/import/boris", data={"csrf_token": csrf},
                        files={"file": ("x.boris", b"{}", "application/json")})
    assert response.status_code == 403


def test_a_hostile_upload_fails_with_its_reason_and_stores_nothing(lab: Lab,
                                                                   web: TestClient) -> None:
    csrf = login(web, "own")
    started = web.post("/studies/lab/import/boris", data={"csrf_token": csrf},
                       files={"file": ("evil.boris", b'{"behaviors_conf": [', "text/plain")})
    page = finished(web, started, "own")
    assert 'role="alert"' in page.text and "evil.boris" in page.text
    with lab.database.session() as db:
        assert len(studies.sessions_of(db, studies.get_study(db, "lab"))) == 2


def test_the_csv_mapping_dialog_imports_with_the_chosen_columns(lab: Lab,
                                                               web: TestClient) -> None:
    csrf = login(web, "own")
    text = "Who,Behaviour,Start (s),Stop (s)\nchild,bid,20,\ncaregiver,far,0,12.5\n"
    dialog = web.post("/studies/lab/import/csv", data={"csrf_token": csrf},
                      files={"file": ("obs7.csv", text.encode(), "text/csv")})
    assert dialog.status_code == 200 and "Start (s)" in dialog.text
    assert 'value="obs7"' in dialog.text
    action = re.search(r'action="(/studies/lab/import/csv/[^"]+)"', dialog.text).group(1)
    form = {"csrf_token": csrf, "session": "obs7", "dyad": "D07", "time_unit": "s",
            "map_subject": "Who", "map_code": "Behaviour", "map_onset_ms": "Start (s)",
            "map_offset_ms": "Stop (s)", "procedure": "free-play"}
    page = finished(web, web.post(action, data=form), "own")
    assert "2 event(s)" in page.text
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "lab"), name="obs7")
        coding = codings.codings_of(db, session)[0]
        assert coding.coder_id == get_user(db, "own").id and session.dyad.code == "D07"
        assert [(e.code, e.offset_ms) for e in codings.coding_events(db, coding)] == [
            ("far", 12500), ("bid", None)]
    assert web.post(action, data=form).status_code == 404  # the held file is gone


def test_a_csv_with_wrong_mapping_names_the_columns(lab: Lab, web: TestClient) -> None:
    csrf = login(web, "own")
    dialog = web.post("/studies/lab/import/csv", data={"csrf_token": csrf},
                      files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")})
    action = re.search(r'action="(/studies/lab/import/csv/[^"]+)"', dialog.text).group(1)
    page = finished(web, web.post(action, data={"csrf_token": csrf, "session": "x"}), "own")
    assert "missing column" in page.text and "Nothing was stored" in page.text


def test_the_withdrawal_query_runs_on_the_stored_codings(lab: Lab, web: TestClient) -> None:
    csrf = login(web, "own")
    assert web.get("/studies/lab/analysis").status_code == 200
    started = web.post("/studies/lab/analysis/sequential", data={
        "csrf_token": csrf, "window_ms": "10000", "unit_ms": "1000",
        "one_per_session": "off"})
    page = finished(web, started, "own")
    assert "(pooled)" in page.text and "share_followed" in page.text
    assert "v1.cod" in page.text and "v2" in page.text


def test_the_pooled_sequential_analysis_takes_one_coding_per_session_by_default(
        lab: Lab, web: TestClient) -> None:
    csrf = login(web, "own")
    form = web.get("/studies/lab/analysis").text
    assert form.count('name="one_per_session"') == 2  # the sequential and the outcome forms
    started = web.post("/studies/lab/analysis/sequential", data={
        "csrf_token": csrf, "window_ms": "10000", "unit_ms": "1000"})
    page = finished(web, started, "own")
    assert "(pooled)" in page.text and "v1.cod" not in page.text
    preferring = finished(web, web.post("/studies/lab/analysis/sequential", data={
        "csrf_token": csrf, "one_per_session": "coder:cod"}), "own")
    assert "v1.cod" not in preferring.text  # the master still comes first


def test_an_outcome_model_runs_on_an_uploaded_outcome_file(lab: Lab, web: TestClient) -> None:
    csrf = login(web, "own")
    outcomes = "dyad,bpd\nD01,3.5\nD02,1.0\nD99,2.0\n"
    started = web.post("/studies/lab/analysis/outcomes", data={
        "csrf_token": csrf, "outcome": "bpd", "steps": "unanswered_share"},
        files={"file": ("outcomes.csv", outcomes.encode(), "text/csv")})
    page = finished(web, started, "own")
    # Two dyads cannot fit a model: the core says so, and the page shows it.
    assert 'role="alert"' in page.text and "complete case" in page.text


def test_the_pages_speak_norwegian(lab: Lab, web: TestClient) -> None:
    login(web, "own")
    web.cookies.set("samspill_lang", "nb")
    assert "Eksport og import" in web.get("/studies/lab/exchange").text
    assert "Predikerer tilbaketrekning" in web.get("/studies/lab/analysis").text


def test_a_running_job_shows_a_progress_bar_that_polls(lab: Lab, web: TestClient) -> None:
    login(web, "own")
    gate = threading.Event()
    with lab.database.session() as db:
        owner = get_user(db, "own").id
    job = REGISTRY.start(lambda progress: progress(0.25) or gate.wait(30), user_id=owner,
                         study="lab", kind="Export", detail="events")
    try:
        page = web.get(f"/studies/lab/jobs/{job.id}")
        assert f'data-poll="/api/studies/lab/jobs/{job.id}"' in page.text
        assert 'src="/static/jobs.js"' in page.text and "<progress" in page.text
        assert web.get(f"/api/studies/lab/jobs/{job.id}").json()["state"] == "running"
        assert web.get("/static/jobs.js").status_code == 200
    finally:
        gate.set()
    assert REGISTRY.wait(job.id, timeout=30).state == "done"
