"""Result tables in the browser (issue 22): the lag-sequential page has the CLI's options,
shows the pooled rows first, pages by 50 rows, collapses to the pooled rows, and downloads the
same rows as CSV, XLSX and JSON."""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pandas as pd
from fastapi.testclient import TestClient

from samspill.core.sequential import lag_sequential
from samspill.core.vignette import vignette_events
from samspill.interop.result_files import pooled_first
from tests.exchange.conftest import Lab, finished, login

PAGE_ROWS = 50


def _lag_job(web: TestClient, **form: str):
    csrf = login(web, "own")
    started = web.post("/studies/lab/analysis/sequential",
                       data={"csrf_token": csrf, "query": "lag", **form})
    page = finished(web, started, "own")
    assert page.status_code == 200, page.text[:300]
    return page, str(page.url).split("?")[0]


def _body_rows(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]


def _download(web: TestClient, html: str, fmt: str) -> bytes:
    href = re.search(rf'href="([^"]+)" download data-format="{fmt}"', html).group(1)
    got = web.get(href.replace("&amp;", "&"))
    assert got.status_code == 200, got.text[:300]
    assert "attachment" in got.headers["content-disposition"]
    return got.content


def test_the_lag_page_shows_pooled_rows_first_and_pages_by_fifty(lab: Lab, web: TestClient
                                                                 ) -> None:
    page, url = _lag_job(web)
    rows = _body_rows(page.text)
    assert len(rows) == PAGE_ROWS and "rel=\"next\"" in page.text
    pooled = [r for r in rows if r[0] == "(pooled)"]
    assert pooled and rows[: len(pooled)] == pooled, "pooled rows come first"
    second = web.get(url, params={"table": "1", "page": "2"})
    assert second.status_code == 200 and 'rel="prev"' in second.text
    assert _body_rows(second.text)[0] != rows[0]
    assert "Rows 51–" in second.text


def test_the_downloads_carry_the_rows_the_page_shows(lab: Lab, web: TestClient) -> None:
    page, _url = _lag_job(web)
    from_csv = list(csv.DictReader(io.StringIO(_download(web, page.text, "csv").decode())))
    from_json = json.loads(_download(web, page.text, "json"))
    sheet = openpyxl.load_workbook(io.BytesIO(_download(web, page.text, "xlsx"))).active
    assert sheet.freeze_panes == "A2"
    header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(from_csv) == len(from_json) == len(body) > PAGE_ROWS
    assert [r["session"] for r in from_json] == [r["session"] for r in from_csv] == [
        r[header.index("session")] for r in body]
    assert from_json[0]["session"] == "(pooled)"
    # The page's first rows are the file's first rows, formatted.
    shown = _body_rows(page.text)
    assert [r[0] for r in shown] == [r["session"] for r in from_json[:PAGE_ROWS]]


def test_pooled_only_collapses_the_sessions_in_the_page_and_the_file(lab: Lab, web: TestClient
                                                                     ) -> None:
    page, _url = _lag_job(web)
    collapse = re.search(r'href="([^"]+)">Show the pooled rows only', page.text).group(1)
    pooled = web.get(collapse.replace("&amp;", "&"))
    rows = _body_rows(pooled.text)
    assert rows and {r[0] for r in rows} == {"(pooled)"}
    records = json.loads(_download(web, pooled.text, "json"))
    assert {r["session"] for r in records} == {"(pooled)"}
    assert len(records) == len(rows) or len(records) > PAGE_ROWS


def test_the_coder_and_lag_options_reach_the_analysis(lab: Lab, web: TestClient) -> None:
    page, _ = _lag_job(web, coder="cod2", lag="1-2")
    records = json.loads(_download(web, page.text, "json"))
    sessions = {r["session"] for r in records}
    assert sessions == {"(pooled)", "v1"}, "cod2 coded v1 only"
    assert {r["lag"] for r in records} == {1, 2}
    # The same numbers as the core on cod2's events (the vignette's first 15).
    frame = pd.DataFrame([{"session": "v1", "subject": e.subject, "code": e.code,
                           "onset_ms": e.onset_ms, "offset_ms": e.offset_ms}
                          for e in vignette_events()[:15]])
    expected = pooled_first(lag_sequential(frame, lags=[1, 2], session_col="session"))
    assert [r["count"] for r in records] == expected["count"].tolist()
    assert [r["given"] for r in records] == expected["given"].tolist()


def test_only_sequences_the_codes_named(lab: Lab, web: TestClient) -> None:
    page, _ = _lag_job(web, only="bid,respond,hold")
    records = json.loads(_download(web, page.text, "json"))
    assert {r["given"] for r in records} | {r["target"] for r in records} == {
        "bid", "respond", "hold"}


def test_no_repeats_reaches_the_core(lab: Lab, web: TestClient) -> None:
    # The vignette has a code following itself: with no repeats the core refuses and says how.
    page, _ = _lag_job(web, no_repeats="true")
    assert 'role="alert"' in page.text and "repeats" in page.text


def test_the_tablewise_option_gives_one_test_per_table(lab: Lab, web: TestClient) -> None:
    page, _ = _lag_job(web, tablewise="true")
    records = json.loads(_download(web, page.text, "json"))
    assert (records and "chi2" in records[0]) or "g2" in json.dumps(records[0]).lower()
    assert records[0]["session"] == "(pooled)"


def test_an_unknown_download_format_is_refused_with_a_fix(lab: Lab, web: TestClient) -> None:
    _page, url = _lag_job(web)
    got = web.get(f"{url}/tables", params={"table": "1", "format": "sav"})
    assert got.status_code in (400, 422) and "csv, xlsx or json" in got.text
    assert web.get(f"{url}/tables", params={"table": "9"}).status_code == 404


def test_the_lag_page_speaks_bokmaal(lab: Lab, web: TestClient) -> None:
    login(web, "own")
    web.cookies.set("samspill_lang", "nb")
    form = web.get("/studies/lab/analysis").text
    assert "Sekvenser bare disse kodene" in form
    page, _ = _lag_job(web)
    assert "Last ned" in page.text and "Vis bare de samlede radene" in page.text


def test_the_cohort_export_shows_its_table_paged_with_downloads(lab: Lab, web: TestClient,
                                                               monkeypatch) -> None:
    from samspill.web import result_tables

    monkeypatch.setattr(result_tables, "PAGE_ROWS", 2)
    csrf = login(web, "own")
    # Every coding (the default takes one per session: two rows, no second page).
    started = web.post("/studies/lab/export", data={"csrf_token": csrf, "what": "cohort",
                                                    "format": "sav", "one_per_session": "off"})
    page = finished(web, started, "own")
    assert "Cohort: one row per coding" in page.text and 'rel="next"' in page.text
    rows = _body_rows(page.text)
    records = json.loads(_download(web, page.text, "json"))
    assert len(rows) == 2 and len(records) == 4, "four codings: v1 by three coders, v2"
    first = next(iter(records[0]))
    assert [r[0] for r in rows] == [r[first] for r in records[:2]]
    assert {r["session"] for r in records} == {"v1", "v2"}
    sheet = openpyxl.load_workbook(io.BytesIO(_download(web, page.text, "xlsx"))).active
    assert [c.value for c in sheet[1]] == list(records[0])
    assert sheet.max_row == 5 and sheet.freeze_panes == "A2"


def test_an_outcome_models_tables_page_and_download(lab: Lab, web: TestClient,
                                                    monkeypatch) -> None:
    """The outcome model's three tables go through the same job page (one finished job stands
    in for a model: the lab has too few dyads to fit one)."""
    from samspill.services.jobs import REGISTRY
    from samspill.store.models import User
    from samspill.web import result_tables

    monkeypatch.setattr(result_tables, "PAGE_ROWS", 3)
    login(web, "own")
    with lab.database.session() as db:
        own = db.query(User).filter_by(username="own").one()
    coefficients = pd.DataFrame({"step": [1] * 5, "predictor": list("abcde"),
                                 "beta": [0.1, -0.25, 6320.0, 1e-17, float("nan")]})
    job = REGISTRY.start(lambda _progress: {"Coefficients: standardised betas": coefficients},
                         user_id=own.id, study="lab", kind="Outcome model", detail="bpd")
    assert REGISTRY.wait(job.id, timeout=30).state == "done"
    page = web.get(f"/studies/lab/jobs/{job.id}")
    assert "Coefficients: standardised betas" in page.text
    rows = _body_rows(page.text)
    assert [r[2] for r in rows] == ["0.1", "-0.25", "6,320"], "never 6.32e+03"
    records = json.loads(_download(web, page.text, "json"))
    assert [r["beta"] for r in records][:4] == [0.1, -0.25, 6320.0, 1e-17]
    assert records[4]["beta"] is None
    last = web.get(f"/studies/lab/jobs/{job.id}", params={"table": "1", "page": "2"})
    assert [r[2] for r in _body_rows(last.text)] == ["0", "–"]
