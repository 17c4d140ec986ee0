"""The study settings page, the API and the CLI edit every setting through one service: the
same validation, errors beside each field (English and bokmål), each change audited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from samspill.cli import app as cli_app
from samspill.core.setting_fields import FIELDS, SettingsProblems, apply
from samspill.core.study_settings import study_settings
from samspill.services import studies
from samspill.services.study_settings import change_settings
from samspill.store.db import Database
from samspill.store.models import AuditEntry
from tests.factories import PASSWORD, Built, make_coded_session, make_user
from tests.web.conftest import bearer

PAGE = "/studies/s1/settings"


def _login(client: TestClient, username: str) -> str:
    page = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def _stored(database: Database) -> dict:
    with database.session() as db:
        return dict(studies.get_study(db, "s1").settings or {})


def _audit(database: Database) -> list[tuple[str, str]]:
    with database.session() as db:
        rows = db.query(AuditEntry).filter_by(action="settings").order_by(AuditEntry.id)
        return [(r.target, r.detail) for r in rows]


def test_the_page_shows_every_setting_with_its_value(client: TestClient, built: Built) -> None:
    _login(client, built.owner.username)
    page = client.get(PAGE)
    assert page.status_code == 200
    form = page.text[page.text.index('class="settings-form"'):]
    names = set(re.findall(r'name="([a-z0-9_.]+)"', form)) - {"csrf_token"}
    assert names == set(FIELDS)
    assert 'name="certification.min_tapes" value="18"' in page.text
    assert 'name="agreement_tolerance_ms" value="2000"' in page.text and "= 2\u00a0s" in page.text
    assert 'name="indicators.answer_codes" value="respond, initiate, hold"' in page.text


def test_the_owner_changes_settings_and_each_change_is_audited(
    client: TestClient, built: Built, database: Database
) -> None:
    csrf = _login(client, built.owner.username)
    saved = client.post(PAGE, data={
        "csrf_token": csrf, "certification.min_tapes": "12", "agreement_unit_ms": "500",
        "certification.min_time_unit_kappa": "0,6", "indicators.response_window_ms": "4000",
        "hide_scores_from_coders": ["false", "true"], "hide_scores_from_trainees": "false",
        "disrupted_cutoff": "",
    }, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}?saved=6"
    stored = _stored(database)
    assert stored["certification"]["min_tapes"] == 12
    assert stored["certification"]["min_time_unit_kappa"] == 0.6
    assert stored["indicators"] == {"response_window_ms": 4000}
    assert (stored["hide_scores_from_coders"], stored["hide_scores_from_trainees"]) == (True, False)
    assert ("setting certification.min_tapes", "18 -> 12") in _audit(database)
    assert ("setting agreement_unit_ms", "1000 -> 500") in _audit(database)
    assert len(_audit(database)) == 6
    assert "Settings changed: 6" in client.get(saved.headers["location"]).text


def test_bad_values_are_named_beside_their_fields_and_nothing_is_saved(
    client: TestClient, built: Built, database: Database
) -> None:
    csrf = _login(client, built.owner.username)
    form = {"csrf_token": csrf, "certification.min_tapes": "0", "agreement_unit_ms": "abc",
            "certification.min_level_icc": "0.7"}
    refused = client.post(PAGE, data=form)
    assert refused.status_code == 400
    assert re.search(r'id="setting-certification-min_tapes-error">must be at least 1<',
                     refused.text)
    assert 'id="setting-agreement_unit_ms-error">must be a whole number<' in refused.text
    assert 'value="abc"' in refused.text, "what was typed is shown again"
    assert _stored(database) == {} and _audit(database) == []
    bokmaal = client.post(PAGE, data=form, headers={"Accept-Language": "nb"})
    assert "må være minst 1" in bokmaal.text and "må være et heltall" in bokmaal.text
    assert "Ingenting er lagret" in bokmaal.text


def test_only_the_owner_reaches_the_settings(
    client: TestClient, built: Built, database: Database
) -> None:
    with database.session() as db:
        coder = make_user(db, "cod")
        studies.set_role(db, study=studies.get_study(db, "s1"), user=coder, role="coder")
    headers = bearer(database, "cod")
    assert client.get(PAGE, headers=headers).status_code == 403
    assert client.get("/api/studies/s1/settings", headers=headers).status_code == 403
    assert client.put("/api/studies/s1/settings", headers=headers,
                      json={"settings": {"agreement_unit_ms": 1}}).status_code == 403


def test_the_api_reads_and_changes_settings(
    client: TestClient, built: Built, database: Database
) -> None:
    headers = bearer(database, built.owner.username)
    read = client.get("/api/studies/s1/settings", headers=headers).json()
    assert read["settings"]["certification.level_icc_type"] == "ICC2"
    assert {f["key"] for f in read["fields"]} == set(FIELDS)
    changed = client.put("/api/studies/s1/settings", headers=headers, json={"settings": {
        "certification.level_icc_type": "ICC3", "indicators.distress_codes": ["distress", "cry"],
    }})
    assert changed.status_code == 200
    assert sorted((c["key"], c["new"]) for c in changed.json()["changed"]) == [
        ("certification.level_icc_type", "ICC3"),
        ("indicators.distress_codes", ["distress", "cry"])]
    bad = client.put("/api/studies/s1/settings", headers=headers,
                     json={"settings": {"agreement_unit_ms": "fast", "colour": 3}})
    assert bad.status_code == 400
    message = bad.json()["error"]["message"]
    assert "agreement_unit_ms: must be a whole number" in message
    assert "there is no setting 'colour'" in message


def test_a_value_back_at_its_default_leaves_no_override() -> None:
    changed, _ = apply(study_settings({"indicators": {"response_window_ms": 4000}}),
                       {"indicators.response_window_ms": "10000"})
    assert changed.indicators == {}


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("certification.min_level_icc", "1.5", "at_most"),
    ("certification.level_icc_type", "ICC9", "choice"),
    ("hide_scores_from_coders", "maybe", "boolean"),
    ("indicators.initiative_flag_below", "-0.1", "at_least"),
    ("indicators.response_window_ms", "2.5", "integer"),
    ("agreement_tolerance_ms", "", "required"),
    ("no_such", "1", "unknown"),
])
def test_each_bad_value_names_its_problem(key: str, value: str, problem: str) -> None:
    with pytest.raises(SettingsProblems) as raised:
        apply(study_settings({}), {key: value})
    assert [(p.key, p.problem) for p in raised.value.problems] == [(key, problem)]


def test_show_and_set_on_the_command_line(sqlite_database: Database) -> None:
    database = sqlite_database  # the command line opens the data folder's SQLite file
    with database.session() as db:
        make_coded_session(db)
    runner = CliRunner()
    data = ["--data-dir", str(database.settings.data_dir)]
    done = runner.invoke(cli_app, ["study", "settings", "set", "s1", "agreement_unit_ms=500",
                                   "indicators.hostile_codes=hostile, intrusive", *data])
    assert done.exit_code == 0, done.output
    assert "agreement_unit_ms: 1000 -> 500" in done.output
    shown = runner.invoke(cli_app, ["study", "settings", "show", "s1", *data])
    assert "agreement_unit_ms = 500  (0.5\u00a0s)" in shown.output
    assert "indicators.hostile_codes = hostile, intrusive" in shown.output
    assert "indicators.initiative_flag_below = 0.5  (50\u00a0%)" in shown.output
    bad = runner.invoke(cli_app, ["study", "settings", "set", "s1", "certification.min_tapes=0",
                                  *data])
    assert isinstance(bad.exception, SettingsProblems)  # main() says it on one line, exit 2
    assert "must be at least 1" in str(bad.exception)
    assert _stored(database)["certification"]["min_tapes"] == 18
    assert ("setting agreement_unit_ms", "1000 -> 500") in _audit(database)


def test_the_service_is_what_every_route_calls(database: Database, built: Built) -> None:
    with database.session() as db:
        study = studies.get_study(db, "s1")
        assert change_settings(db, study=study, changes={"agreement_unit_ms": 1000},
                               by=None) == []  # the same value: nothing to change or audit
    assert _audit(database) == []


def test_the_settings_page_link_is_on_the_study_page(client: TestClient, built: Built) -> None:
    _login(client, built.owner.username)
    assert f'href="{PAGE}"' in client.get("/studies/s1").text


def test_docs_name_the_settings_page_and_commands() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "settings.md").read_text()
    assert "/studies/STUDY/settings" in docs and "samspill study settings set" in docs


def test_the_assist_settings_are_a_group_of_their_own(
    client: TestClient, built: Built, database: Database
) -> None:
    csrf = _login(client, built.owner.username)
    page = client.get(PAGE)
    assert 'id="settings-assist"' in page.text and "Crying: shortest burst (ms)" in page.text
    assert 'name="assist.detectors" value="speech, cry, pose"' in page.text
    bokmaal = client.get(PAGE, headers={"Accept-Language": "nb"}).text
    assert "Assistent: detektorer og terskler" in bokmaal
    assert "Høyere: bare høy gråt foreslås" in bokmaal
    saved = client.post(PAGE, data={"csrf_token": csrf, "assist.cry_min_rise_db": "12",
                                    "assist.detectors": "speech"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert _stored(database)["assist"]["cry_min_rise_db"] == 12
    assert _stored(database)["assist"]["detectors"] == ["speech"]
    assert ("setting assist.detectors", "speech, cry, pose -> speech") in _audit(database)
    refused = client.post(PAGE, data={"csrf_token": csrf, "assist.cry_f0_min_hz": "700"},
                          headers={"Accept-Language": "nb"})
    assert refused.status_code == 400
    assert 'id="setting-assist-cry_f0_min_hz-error"' in refused.text
    assert "laveste tonehøyde må være under høyeste" in refused.text


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("assist.detectors", "speech, cri", "invalid"),
    ("assist.detectors", "", "invalid"),
    ("assist.speech_threshold", "1.2", "at_most"),
    ("assist.cry_min_rise_db", "-1", "at_least"),
    ("assist.cry_f0_max_hz", "200", "invalid"),
    ("assist.pose_near_gap", "0.6", "invalid"),
    ("assist.pose_fps", "30", "at_most"),
    ("assist.silence_grace_ms", "0.5", "integer"),
])
def test_each_bad_assist_value_names_its_field(key: str, value: str, problem: str) -> None:
    with pytest.raises(SettingsProblems) as raised:
        apply(study_settings({}), {key: value})
    assert [(p.key, p.problem) for p in raised.value.problems] == [(key, problem)]


def test_assist_settings_on_the_command_line_and_the_api(
    sqlite_database: Database
) -> None:
    database = sqlite_database
    with database.session() as db:
        make_coded_session(db)
    runner = CliRunner()
    data = ["--data-dir", str(database.settings.data_dir)]
    done = runner.invoke(cli_app, ["study", "settings", "set", "s1", "assist.cry_min_rise_db=12",
                                   "assist.cry_code=cry", *data])
    assert done.exit_code == 0, done.output
    assert "assist.cry_min_rise_db: 15 -> 12" in done.output
    shown = runner.invoke(cli_app, ["study", "settings", "show", "s1", *data])
    assert "assist.cry_code = cry" in shown.output
    assert "assist.speech_threshold = 0.5  (50\u00a0%)" in shown.output
    with database.session() as db:
        assist = study_settings(studies.get_study(db, "s1").settings).assist
    assert (assist.cry_min_rise_db, assist.cry_code) == (12, "cry")
    assert assist.cry_settings().min_rise_db == 12


def test_the_api_changes_an_assist_setting(
    client: TestClient, built: Built, database: Database
) -> None:
    headers = bearer(database, built.owner.username)
    read = client.get("/api/studies/s1/settings", headers=headers).json()
    assert read["settings"]["assist.detectors"] == ["speech", "cry", "pose"]
    changed = client.put("/api/studies/s1/settings", headers=headers, json={"settings": {
        "assist.detectors": ["cry"], "assist.silence_grace_ms": 500}})
    assert changed.status_code == 200, changed.text
    assert _stored(database)["assist"]["silence_grace_ms"] == 500
    bad = client.put("/api/studies/s1/settings", headers=headers,
                     json={"settings": {"assist.cry_min_periodicity": 2}})
    assert bad.status_code == 400
    assert "assist.cry_min_periodicity: must be at most 1" in bad.json()["error"]["message"]
