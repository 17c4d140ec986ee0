"""The trainer's certification overview in a real Chromium (issue 22): every trainee and tape in
one table, each trainee's report and each tape's feedback a click away, written about the
trainee; and the same page in bokmål."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from samspill.services import studies, training
from samspill.services.setup import ensure_admin, ensure_user
from samspill.store.db import Database
from samspill.store.models import Study
from tests.agreement.tapes import add_coding, add_tape
from tests.browser.conftest import Server, log_in

pytestmark = pytest.mark.browser
STUDY = "certs"


def _study(database: Database) -> None:
    """``tra`` codes two tapes as the master did, but one point event 1 s late on the first;
    ``tre`` codes one tape with the level far off."""
    with database.session() as db:
        if db.scalar(select(Study).where(Study.name == STUDY)) is not None:
            return  # the demo database lives for the whole run
        own = ensure_admin(db)
        study = studies.create_study(db, name=STUDY, owner=own)
        tra, tre = ensure_user(db, "tra"), ensure_user(db, "tre")
        for user in (tra, tre):
            studies.set_role(db, study=study, user=user, role="trainee")
        for i in range(2):
            session, events = add_tape(db, study, f"tape{i}", seed=60 + i)
            master = add_coding(db, session, own, events, level=3 + i)
            training.mark_master(db, coding=master, purpose="training", by=own)
            mine = events
            if i == 0:
                point = next(e for e in events if e.offset_ms is None)
                mine = [e.model_copy(update={"onset_ms": e.onset_ms + 1_000})
                        if e.id == point.id else e for e in events]
            add_coding(db, session, tra, mine, level=3 + i, purpose="training")
            if i == 0:
                add_coding(db, session, tre, events, level=7, purpose="training")


@pytest.fixture
def overview(browser, demo_database: Database, server: Server):
    _study(demo_database)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    page = context.new_page()
    log_in(page, demo_database, server)
    page.goto(f"{server.url}/studies/{STUDY}/certification")
    yield page, server, context
    context.close()


def test_the_trainer_sees_every_trainee_and_tape_and_reaches_each_report(overview) -> None:
    page, _, _ = overview
    table = page.locator("#certification-overview")
    assert table.is_visible()
    assert page.locator('tbody[data-trainee="tra"] tr[data-tape]').count() == 2
    assert page.locator('tbody[data-trainee="tre"] tr[data-tape]').count() == 1
    tre_tape = page.locator('tbody[data-trainee="tre"] tr[data-tape="tape0"]')
    assert "tape passed: no" in tre_tape.inner_text()
    assert "(same: no)" in tre_tape.inner_text()
    main = page.locator("main").inner_text()
    assert not re.search(r"\b(Your|You)\b", main) and "True" not in main
    # Every tape row links to its trainee's report.
    page.locator('tbody[data-trainee="tra"] tr[data-tape="tape1"] td').first \
        .get_by_role("link", name="tra").click()
    page.wait_for_url(re.compile(r"certification\?trainee=tra$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Certification report: tra"
    assert "tra’s level" in page.locator("main").inner_text()
    # ...and each tape to its feedback, about the trainee, with the timing.
    page.go_back()
    page.locator('tbody[data-trainee="tra"] tr[data-tape="tape0"]') \
        .get_by_role("link", name="Feedback").click()
    page.wait_for_selector("#feedback-timing")
    assert page.get_by_role("heading", level=1).inner_text().startswith(
        "tra’s coding against the master")
    assert "1.0\u00a0s late" in page.locator("#feedback-timing").inner_text()
    assert "Every event matches the master" not in page.locator("main").inner_text()


def test_the_overview_speaks_bokmaal(overview) -> None:
    page, server, context = overview
    context.add_cookies([{"name": "samspill_lang", "value": "nb", "url": server.url}])
    page.goto(f"{server.url}/studies/{STUDY}/certification")
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Sertifisering: alle kursdeltakere"
    row = page.locator('tbody[data-trainee="tra"] tr[data-tape="tape1"]').inner_text()
    assert "fasit" in row and "opptaket bestått: ja" in row and "Master" not in row
