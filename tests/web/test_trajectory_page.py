"""The dyad's course page and its progress report over HTTP (issue 23): the demo family's
three sessions in order, the change index in words in English and bokmål, the PDF, the audit
row, the phases form, and who may see them (the session report's rule)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from samspill.core.study_settings import study_settings
from samspill.services import audit, studies
from samspill.services.demo import DEMO_DYAD, load_demo
from samspill.services.setup import ensure_admin
from samspill.store.db import Database
from samspill.web.app import create_app
from tests.factories import make_user
from tests.reports.conftest import pdf_text
from tests.web.conftest import bearer

PAGE = f"/studies/demo/dyads/{DEMO_DYAD}"
SESSIONS = ("vignette", "vignette-2", "vignette-3")


@pytest.fixture
def demo(sqlite_database: Database) -> Database:
    with sqlite_database.session() as db:
        admin = ensure_admin(db)
        load_demo(db, owner=admin, media_dir=sqlite_database.settings.media_dir,
                  with_video=False)
        study = studies.get_study(db, "demo")
        for name, role in (("vic", "viewer"), ("cora", "coder")):
            studies.set_role(db, study=study, user=make_user(db, name), role=role)
        make_user(db, "outsider")
    return sqlite_database


@pytest.fixture
def client(demo: Database) -> Iterator[TestClient]:
    with TestClient(create_app(demo.settings, database=demo)) as c:
        yield c


def _in_order(text: str, names: tuple[str, ...]) -> bool:
    places = [text.index(f">{n}<") for n in names]
    return places == sorted(places)


def test_the_course_page_shows_the_sessions_in_order_with_the_change_index(
        client: TestClient, demo: Database) -> None:
    page = client.get(PAGE, headers=bearer(demo, "admin"))
    assert page.status_code == 200, page.text
    body = page.text
    assert _in_order(body, SESSIONS)
    assert body.count('<svg class="course-chart"') == 2  # the whole session and the reunions
    assert "intake" in body and "during guidance" in body and "follow-up" in body
    assert "reliable change" in body and "within coder disagreement" in body
    assert "towards fewer signs" in body
    assert " style=" not in body  # the CSP allows no inline style


def test_the_course_page_speaks_bokmaal(client: TestClient, demo: Database) -> None:
    client.cookies.set("samspill_lang", "nb")
    page = client.get(PAGE, headers={**bearer(demo, "admin"), "Accept-Language": "nb"})
    assert page.status_code == 200
    body = page.text
    assert 'lang="nb"' in body and "pålitelig endring" in body and "oppfølging" in body
    assert "within coder disagreement" not in body and "innenfor uenigheten" in body


def test_the_progress_report_pdf_holds_every_session_and_is_audited(
        client: TestClient, demo: Database) -> None:
    answer = client.get(f"{PAGE}/report?format=pdf&lang=en", headers=bearer(demo, "admin"))
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert answer.headers["content-type"] == "application/pdf"
    text, pages = pdf_text(answer.content)
    assert pages >= 2 and all(name in text for name in SESSIONS)
    assert "Progress report" in text and "Jacobson" in text and "reliable change" in text
    assert "Monica" not in text and "Maria" not in text  # codes only
    with demo.session() as db:
        rows = audit.entries(db, action="report")
        assert any(f"{PAGE}/report" in r.target for r in rows)


def test_the_progress_report_page_and_html_file_in_bokmaal(
        client: TestClient, demo: Database) -> None:
    page = client.get(f"{PAGE}/report?lang=nb", headers=bearer(demo, "admin"))
    assert page.status_code == 200 and "Fremdriftsrapport" in page.text
    saved = client.get(f"{PAGE}/report?format=download&lang=nb", headers=bearer(demo, "admin"))
    assert saved.headers["content-disposition"].endswith('.html"')
    assert all(name in saved.text for name in SESSIONS)


def test_who_may_see_the_course_follows_the_session_report(
        client: TestClient, demo: Database) -> None:
    assert client.get(PAGE, headers=bearer(demo, "vic")).status_code == 200
    assert client.get(PAGE, headers=bearer(demo, "outsider")).status_code == 404
    coder = client.get(PAGE, headers=bearer(demo, "cora"))
    assert coder.status_code == 200
    # A coder reads only their own codings (blind coding): the owner's masters stay hidden.
    assert "no coding you may read" in coder.text and "change-reliable" not in coder.text
    with demo.session() as db:
        study = studies.get_study(db, "demo")
        study.settings = {**(study.settings or {}), "hide_scores_from_coders": True}
        assert study_settings(study.settings).hide_scores_from_coders
    hidden = client.get(f"{PAGE}/report?format=pdf", headers=bearer(demo, "cora"))
    assert hidden.status_code == 403
    assert client.get(f"{PAGE}/report", headers=bearer(demo, "outsider")).status_code == 404


def test_owners_mark_the_phase_of_each_session(client: TestClient, demo: Database) -> None:
    with demo.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "demo"), name="vignette-2")
        sid = session.id
    answer = client.post(f"{PAGE}/phases", data={f"phase-{sid}": "follow-up"},
                         headers=bearer(demo, "admin"), follow_redirects=False)
    assert answer.status_code == 303
    page = client.get(PAGE, headers=bearer(demo, "admin")).text
    assert f'name="phase-{sid}"' in page
    chosen = page.split(f'name="phase-{sid}"')[1].split("</select>")[0]
    assert 'value="follow-up" selected' in chosen
    refused = client.post(f"{PAGE}/phases", data={f"phase-{sid}": "intake"},
                          headers=bearer(demo, "vic"))
    assert refused.status_code == 403
    wrong = client.post(f"{PAGE}/phases", data={f"phase-{sid}": "later"},
                        headers=bearer(demo, "admin"))
    assert wrong.status_code == 400 and "no such phase" in wrong.text


def test_deleting_the_dyad_removes_its_sessions_phases(client: TestClient,
                                                       demo: Database) -> None:
    from sqlalchemy import func, select

    from samspill.store.models_trajectory import SessionPhase

    with demo.session() as db:
        assert db.scalar(select(func.count()).select_from(SessionPhase)) == 3
    gone = client.delete(f"/api/studies/demo/dyads/{DEMO_DYAD}", headers=bearer(demo, "admin"))
    assert gone.status_code == 200
    with demo.session() as db:
        assert db.scalar(select(func.count()).select_from(SessionPhase)) == 0
