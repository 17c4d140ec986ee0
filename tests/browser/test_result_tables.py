"""The lag-sequential page in a real browser (issue 22): the CLI's options on the form, the
result with its pooled rows first, collapsed to them, and a download of the same rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from samspill.services.demo import DEMO_STUDY
from samspill.store.db import Database
from tests.browser.conftest import Server, log_in


def test_lag_options_reach_the_result_and_its_download(browser, demo_database: Database,
                                                       server: Server) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB",
                                  accept_downloads=True)
    page = context.new_page()
    try:
        log_in(page, demo_database, server)
        page.goto(f"{server.url}/studies/{DEMO_STUDY}/analysis")
        page.select_option("#seq-query", "lag")
        page.fill("#seq-lag", "1-2")
        page.fill("#seq-only", "bid,respond,hold")
        page.click("form[action$='/analysis/sequential'] button[type=submit]")
        page.wait_for_selector("section.result-table", timeout=60_000)
        first = page.locator("section.result-table tbody tr").first.locator("td")
        assert first.nth(0).inner_text() == "(pooled)"
        page.click("text=Show the pooled rows only")
        page.wait_for_url("**rows=pooled**")
        sessions = page.locator("section.result-table tbody tr td:first-child").all_inner_texts()
        assert sessions and set(sessions) == {"(pooled)"}
        with page.expect_download() as started:
            page.click("section.result-table a.download[data-format=csv]")
        download = started.value
        assert download.suggested_filename == "lag-sequential-tables.csv"
        text = Path(download.path()).read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == len(sessions) < 50, "every pooled row, on one page"
        assert {r["session"] for r in rows} == {"(pooled)"}
        assert {r["given"] for r in rows} | {r["target"] for r in rows} <= {
            "bid", "respond", "hold"}
        assert {r["lag"] for r in rows} == {"1", "2"}
    finally:
        context.close()
