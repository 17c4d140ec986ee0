"""Every error message in bokmål as well as English (issue 20): the services' errors carry an
English template and its values, so a reader who chose bokmål (the ``lang`` cookie, or
Accept-Language) reads them in bokmål, while the CLI and other readers keep the English text."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from samspill.core.errors import SamspillError
from samspill.services import accounts, studies
from samspill.store.db import Database
from samspill.web.i18n import LANG_COOKIE
from tests.factories import PASSWORD, Built, make_user
from tests.web.conftest import bearer

NB = {"Accept-Language": "nb"}


def _error(answer) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return answer.json()["error"]


def test_a_missing_session_is_said_in_bokmaal_and_in_english(
    client: TestClient, database: Database, built: Built
) -> None:
    headers = bearer(database, built.owner.username)
    path = "/api/studies/s1/sessions/nowhere/assignments"
    english = _error(client.get(path, headers=headers))
    assert english["message"] == "no session 'nowhere' in study 's1'"
    bokmaal = _error(client.get(path, headers={**headers, **NB}))
    assert bokmaal["message"] == "ingen økt «nowhere» i studien «s1»"
    assert bokmaal["fix"] == "sjekk navnet på studiesiden eller med «samspill score»"


def test_a_wrong_current_password_is_said_in_bokmaal(
    client: TestClient, database: Database, built: Built
) -> None:
    body = {"current_password": "not the password at all",
            "new_password": "lange ord som ingen gjetter 91"}
    headers = bearer(database, built.owner.username)
    answer = client.post("/api/account/password", json=body, headers={**headers, **NB})
    assert answer.status_code == 400
    assert _error(answer)["message"] == "det nåværende passordet er feil"
    english = client.post("/api/account/password", json=body, headers=headers)
    assert _error(english)["message"] == "the current password is wrong"


def test_a_wrong_login_is_said_in_bokmaal_by_the_language_cookie(
    client: TestClient, database: Database, built: Built
) -> None:
    client.cookies.set(LANG_COOKIE, "nb")
    answer = client.post("/api/login", json={"username": built.owner.username,
                                             "password": PASSWORD + "x"})
    assert answer.status_code == 401
    assert _error(answer)["message"] == "feil brukernavn eller passord"
    assert _error(answer)["fix"] == "sjekk begge og prøv igjen"


def test_a_refused_assignment_is_said_in_bokmaal(
    client: TestClient, database: Database, built: Built
) -> None:
    with database.session() as db:
        coder = make_user(db, "cora")
        studies.set_role(db, study=studies.get_study(db, "s1"), user=coder, role="coder")
    path = f"/api/studies/s1/sessions/{built.session.name}/assignments"
    headers = {**bearer(database, built.owner.username), **NB}
    one = client.post(path, json={"coders": ["cora"]}, headers=headers)
    assert one.status_code == 400
    assert _error(one)["message"] == (
        f"blind dobbeltkoding av økten «{built.session.name}» trenger to eller flere kodere")
    stranger = client.post(path, json={"coders": ["cora", "nobody"]}, headers=headers)
    assert _error(stranger)["message"] in ("ingen bruker «nobody»",
                                           "«nobody» er ikke koder i denne studien")


def test_a_taken_study_name_and_a_missing_token_are_said_in_bokmaal(
    client: TestClient, database: Database, built: Built
) -> None:
    headers = {**bearer(database, built.owner.username), **NB}
    taken = client.post("/api/studies", json={"name": "s1"}, headers=headers)
    assert taken.status_code == 409
    assert _error(taken) | {"type": ""} == {"type": "", "message": "studien «s1» finnes allerede",
                                            "where": "", "fix": "velg et annet navn"}
    token = client.delete("/api/tokens/999999", headers=headers)
    assert token.status_code == 404 and _error(token)["message"] == "nøkkelen finnes ikke"


@pytest.mark.parametrize(("raise_it", "english"), [
    (lambda db: studies.get_study(db, "nope"), "no study 'nope'. Fix: check the name with "
                                               "'samspill study list'"),
    (lambda db: accounts.get_user(db, "nobody"), "no user 'nobody'. Fix: create it with "
                                                 "'samspill user add'"),
    (lambda db: studies.check_name("a b", "session"),
     "'a b' is not a valid session name. Fix: use up to 64 letters (æ, ø, å too), digits, '.', "
     "'_' or '-', starting with a letter or digit"),
])
def test_the_cli_keeps_the_english_text(database: Database, raise_it, english) -> None:  # type: ignore[no-untyped-def]
    with database.session() as db, pytest.raises(SamspillError) as caught:
        raise_it(db)
    assert str(caught.value) == english


def test_a_weak_new_password_is_said_in_bokmaal_with_its_reason(
    client: TestClient, database: Database, built: Built
) -> None:
    headers = {**bearer(database, built.owner.username), **NB}
    short = client.post("/api/account/password", headers=headers,
                        json={"current_password": PASSWORD, "new_password": "kort"})
    assert _error(short)["message"] == "passordet er kortere enn 12 tegn"
    common = client.post("/api/account/password", headers=headers,
                         json={"current_password": PASSWORD, "new_password": "passwordpassword"})
    assert _error(common)["message"].startswith("passordet er for lett å gjette (det ")


def test_a_role_refusal_is_said_in_bokmaal(
    client: TestClient, database: Database, built: Built
) -> None:
    with database.session() as db:
        coder = make_user(db, "cora")
        studies.set_role(db, study=studies.get_study(db, "s1"), user=coder, role="coder")
    path = f"/api/studies/s1/sessions/{built.session.name}/assignments"
    refused = client.post(path, json={"coders": ["cora"]},
                          headers={**bearer(database, "cora"), **NB})
    assert refused.status_code == 403
    assert _error(refused)["message"] == "rollen din (coder) tillater ikke dette"


def test_a_missing_coding_in_the_address_is_said_in_bokmaal(
    client: TestClient, database: Database, built: Built
) -> None:
    headers = {**bearer(database, built.owner.username), **NB}
    missing = client.get("/api/codings/987654321", headers=headers)
    assert missing.status_code == 404
    assert _error(missing)["message"] in ("kodingen finnes ikke", "ingen koding 987654321")


# ---------------------------------------------------------------- the framework's own answers


def test_an_address_with_nothing_is_said_in_bokmaal(client: TestClient) -> None:
    english = client.get("/api/nowhere-at-all")
    assert english.status_code == 404
    assert _error(english)["message"] == "there is nothing at this address"
    bokmaal = client.get("/api/nowhere-at-all", headers=NB)
    assert _error(bokmaal)["message"] == "det finnes ingenting på denne adressen"
    page = client.get("/nowhere-at-all", headers=NB)
    assert page.status_code == 404 and "det finnes ingenting på denne adressen" in page.text


def test_a_method_the_address_does_not_take_is_said_in_bokmaal(client: TestClient) -> None:
    answer = client.delete("/api/login", headers=NB)
    assert answer.status_code == 405
    assert _error(answer)["message"] == "denne adressen tar ikke imot DELETE-forespørsler"


def test_a_refused_request_body_is_said_in_bokmaal(
    client: TestClient, database: Database, built: Built
) -> None:
    headers = bearer(database, built.owner.username)
    missing = client.post("/api/studies", json={}, headers={**headers, **NB})
    assert missing.status_code == 422
    assert _error(missing) | {"where": ""} == {
        "type": "InputError", "message": "feltet må fylles ut", "where": "",
        "fix": "rett opp det feltet"}
    assert _error(client.post("/api/studies", json={}, headers=headers))["message"] == (
        "this field is required")


def test_a_form_date_that_is_no_day_is_said_in_bokmaal(client: TestClient, built: Built) -> None:
    from tests.web.test_pages import _login

    csrf = _login(client, built.owner.username)
    answer = client.post(
        f"/studies/{built.study.name}/sessions",
        data={"csrf_token": csrf, "name": "v2", "dyad": "D02", "date": "2020-13-45"},
        headers={"Accept": "application/json", **NB},
    )
    assert answer.status_code == 400
    assert _error(answer)["message"] == "«date» er ikke en dato"
    assert _error(answer)["fix"] == "skriv den som ÅÅÅÅ-MM-DD, for eksempel 2024-03-15"


def test_a_full_disk_and_a_crashed_server_are_said_in_bokmaal() -> None:
    import errno

    from samspill.store.errors import storage_error
    from samspill.web import i18n, refusals
    from samspill.web.errors import unexpected_body

    token = i18n.current_language.set("nb")
    try:
        full = storage_error(OSError(errno.ENOSPC, "No space left on device"))
        assert full is not None
        assert refusals.said(full)["message"] == "serverens disk er full; ingenting ble lagret"
        assert unexpected_body("ab12")["message"] == "noe gikk galt på serveren (referanse ab12)"
    finally:
        i18n.current_language.reset(token)
    assert str(full) == ("the server's disk is full; nothing was saved. Fix: tell the "
                         "administrator; your unsaved work is kept and sent again")


def test_an_importers_and_an_analysis_refusal_are_said_in_bokmaal() -> None:
    """The importers' and the core's errors carry their templates too (issue 20): a page
    says them in bokmål, the CLI keeps the English."""
    from samspill.core.errors import InputError
    from samspill.core.sequential._input import parse_lags
    from samspill.interop.safety import load_json
    from samspill.web import i18n, refusals

    with pytest.raises(InputError) as broken:
        load_json(b'{"a": ', "project.boris")
    with pytest.raises(InputError) as lag:
        parse_lags("x")
    assert str(broken.value).startswith("project.boris: malformed JSON at line 1, column 7")
    token = i18n.current_language.set("nb")
    try:
        said = refusals.said(broken.value)
        assert said["message"].startswith("feilformet JSON på linje 1, kolonne 7 (")
        assert said["fix"] == "åpne filen i programmet som skrev den, og lagre den på nytt"
        assert refusals.said(lag.value)["message"] == (
            "--lag 'x' er ikke et lag, et intervall eller en liste")
    finally:
        i18n.current_language.reset(token)


def test_the_datavyu_elan_mapping_and_clap_refusals_are_said_in_bokmaal() -> None:
    """The errors merged with Datavyu, ELAN mappings and clap alignment carry templates too:
    a page says them in bokmål with their values, the CLI keeps the English."""
    import numpy as np

    from samspill.core.clap import find_lag
    from samspill.core.errors import InputError
    from samspill.interop.datavyu_db import parse_db
    from samspill.interop.elan_mapping import load_mapping
    from samspill.web import i18n, refusals

    with pytest.raises(InputError) as version:
        parse_db("#9\n", "session.opf")
    with pytest.raises(InputError) as mapping:
        load_mapping("scheme: [", "mapping.yaml")
    with pytest.raises(InputError) as silent:
        find_lag(np.zeros(100), 0, np.zeros(100), 1000)
    assert str(version.value).startswith("session.opf: unknown Datavyu db version '#9'")
    token = i18n.current_language.set("nb")
    try:
        said = refusals.said(version.value)
        assert said["message"].startswith("ukjent Datavyu db-versjon «#9» (Samspill leser: ")
        assert said["fix"] == "åpne filen i en nyere versjon av Datavyu og lagre den på nytt"
        assert refusals.said(mapping.value)["message"].startswith("feilformet YAML (")
        assert refusals.said(silent.value)["message"] == "samplingsfrekvensen må være positiv"
    finally:
        i18n.current_language.reset(token)
