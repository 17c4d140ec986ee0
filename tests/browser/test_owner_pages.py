"""An owner's pages in a real Chromium: marking a master on the session page, and the study
settings page with an error beside its field, then a saved change."""

from __future__ import annotations

import pytest

from samspill.services import codings
from samspill.services.demo import DEMO_SESSION, DEMO_STUDY
from samspill.services.studies import get_session, get_study
from samspill.store.db import Database
from samspill.store.models import Coding
from tests.browser.conftest import Server, log_in, new_coding

pytestmark = pytest.mark.browser


def _status(database: Database, coding_id: int) -> str:
    with database.session() as db:
        coding = db.get(Coding, coding_id)
        assert coding is not None
        return coding.status


def _demo_master(database: Database) -> int:
    with database.session() as db:
        session = get_session(db, study=get_study(db, DEMO_STUDY), name=DEMO_SESSION)
        return next(c.id for c in codings.codings_of(db, session) if c.status == "master")


@pytest.fixture
def owner_page(browser, demo_database: Database, server: Server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    page = context.new_page()
    log_in(page, demo_database, server)
    yield page
    context.close()


def test_the_owner_marks_and_unmarks_a_master_on_the_session_page(
    owner_page, demo_database: Database, server: Server
) -> None:
    page = owner_page
    old_master = _demo_master(demo_database)
    coding_id = new_coding(demo_database)
    with demo_database.session() as db:
        coding = db.get(Coding, coding_id)
        assert coding is not None
        codings.set_status(db, coding=coding, status="submitted")
    page.goto(f"{server.url}/studies/{DEMO_STUDY}/sessions/{DEMO_SESSION}")
    row = page.locator(f"tr[data-coding='{coding_id}']")
    row.get_by_label("Master for").select_option("reliability")
    row.get_by_role("button", name=f"Mark coding {coding_id} as master").click()
    notice = page.locator(".master-done")
    notice.wait_for()
    assert f"Coding {coding_id} is now this session's master, for reliability" in (
        notice.inner_text())
    assert (_status(demo_database, coding_id), _status(demo_database, old_master)) == (
        "master", "submitted")
    # The demo's own master back, from the same list: the new coding is submitted again.
    page.locator(f"tr[data-coding='{old_master}']").get_by_role(
        "button", name=f"Mark coding {old_master} as master").click()
    page.locator(".master-done").wait_for()
    assert (_status(demo_database, coding_id), _status(demo_database, old_master)) == (
        "submitted", "master")
    with demo_database.session() as db:
        restored = db.get(Coding, old_master)
        assert restored is not None and restored.purpose == "training"
        restored.purpose = "study"  # as the demo made it, for the other tests


def test_the_settings_page_says_a_bad_value_beside_its_field_then_saves(
    owner_page, demo_database: Database, server: Server
) -> None:
    page = owner_page
    page.goto(f"{server.url}/studies/{DEMO_STUDY}/settings")
    field = page.locator("#setting-certification-min_tapes")
    assert field.input_value() == "18"
    field.fill("0")
    page.locator("#setting-agreement_unit_ms").fill("500")
    page.get_by_role("button", name="Save settings").click()
    error = page.locator("#setting-certification-min_tapes-error")
    error.wait_for()
    assert error.inner_text() == "must be at least 1"
    assert field.get_attribute("aria-invalid") == "true"
    assert page.locator("#setting-agreement_unit_ms").input_value() == "500", "kept as typed"
    field.fill("12")
    page.locator("#setting-agreement_unit_ms").fill("1000")
    page.get_by_role("button", name="Save settings").click()
    page.locator(".settings-saved").wait_for()
    assert "Settings changed: 1" in page.locator(".settings-saved").inner_text()
    assert page.locator("#setting-certification-min_tapes").input_value() == "12"
    with demo_database.session() as db:
        study = get_study(db, DEMO_STUDY)
        assert study.settings["certification"]["min_tapes"] == 12
        study.settings = {**study.settings, "certification": {}}  # as the other tests expect
