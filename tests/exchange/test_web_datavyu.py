"""Datavyu in the web app: the export offered beside BORIS and ELAN, an upload that imports,
and a derived scheme shown before anything is stored. Synthetic files only."""

from __future__ import annotations

import io
import re
import zipfile

from fastapi.testclient import TestClient

from samspill.services import codings, studies
from samspill.services.schemes import scheme_versions
from tests.exchange.conftest import Lab, finished, login


def _download(client: TestClient, page) -> bytes:
    match = re.search(r'href="(/studies/lab/jobs/[^"]+/export)"', page.text)
    assert match, page.text[-800:]
    return client.get(match.group(1)).content


def _opf(db: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project", "!project\nname: x\nversion: 5\nviewerSettings: []\n")
        archive.writestr("db", db)
    return out.getvalue()


def test_the_owner_exports_a_session_as_datavyu_and_imports_it_again(lab: Lab,
                                                                      web: TestClient) -> None:
    csrf = login(web, "own")
    page = web.get("/studies/lab/exchange").text
    assert 'value="datavyu"' in page and 'action="/studies/lab/import/datavyu"' in page
    started = web.post("/studies/lab/export", data={"csrf_token": csrf, "what": "datavyu",
                                                    "session": "v2"})
    body = _download(web, finished(web, started, "own"))
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert sorted(archive.namelist()) == ["db", "project"]
    web.post("/studies", data={"name": "copy", "csrf_token": csrf})
    started = web.post("/studies/copy/import/datavyu",
                       data={"csrf_token": csrf, "session": "v2", "dyad": "D2",
                             "procedure": "free-play"},
                       files={"file": ("lab-v2.opf", body, "application/zip")})
    assert "1 coding(s), 21 event(s), 1 new session(s)" in finished(web, started, "own").text


def test_a_derived_scheme_is_shown_and_stored_only_when_agreed(lab: Lab,
                                                               web: TestClient) -> None:
    csrf = login(web, "own")
    body = _opf("#4\nMom_gaze (MATRIX,true,)-look|NOMINAL\n"
                "00:00:01:000,00:00:03:000,(toy)\n00:00:04:000,00:00:04:000,(baby)\n")
    shown = web.post("/studies/lab/import/datavyu",
                     data={"csrf_token": csrf, "session": "home 4", "derive": "true",
                           "procedure": "free-play"},
                     files={"file": ("home4.opf", body, "application/zip")})
    assert shown.status_code == 200
    assert "<td>mom_gaze</td><td>Mom_gaze</td>" in shown.text
    assert "<td>toy (interval), baby (instant)</td>" in shown.text
    with lab.database.session() as db:
        assert "datavyu-home4" not in {v.scheme_id for v in scheme_versions(db)}
    action = re.search(r'action="(/studies/lab/import/datavyu/[^"]+)"', shown.text).group(1)
    page = finished(web, web.post(action, data={"csrf_token": csrf, "session": "home-4",
                                                "procedure": "free-play"}), "own")
    assert "2 event(s)" in page.text and "datavyu-home4 v1" in page.text
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "lab"), name="home-4")
        events = codings.coding_events(db, codings.codings_of(db, session)[0])
        assert [(e.code, e.offset_ms) for e in events] == [("toy", 3000), ("baby", None)]
