"""The coding screen groups a scheme's rating items by form, in the reader's language."""

from __future__ import annotations

import re
from importlib import resources

from fastapi.testclient import TestClient

from samspill.core.scheme_check import parse_scheme
from samspill.services import accounts, codings, studies
from samspill.services.schemes import register_scheme
from samspill.store.db import Database
from tests.factories import Built
from tests.web.conftest import bearer


def _form_coding(database: Database, built: Built) -> int:
    text = (resources.files("samspill.core") / "schemes" / "withdrawal-open.yaml").read_text(
        encoding="utf-8").replace("id: withdrawal-open", "id: lab-forms", 1)
    with database.session() as db:
        version = register_scheme(db, parse_scheme(text + "\nforms: [eas, care]\n"))
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="v1")
        owner = accounts.get_user(db, built.owner.username)
        return codings.create_coding(db, session=session, coder=owner,
                                     scheme_version=version).id


def test_ratings_are_grouped_by_form(client: TestClient, database: Database,
                                     built: Built) -> None:
    coding_id = _form_coding(database, built)
    owner = bearer(database, built.owner.username)
    page = client.get(f"/codings/{coding_id}", headers=owner).text
    eas = page.index('data-form="eas"')
    care = page.index('data-form="care"')
    assert page.index('data-item="level"') < eas < page.index('data-item="eas_sensitivity"') < care
    assert page.index('data-item="care_passivity"') > care
    assert len(re.findall(r'name="care_control" value="\d+"', page)) == 15  # 0..14
    assert "Structure only; anchors and wording come from the licensed manual" in page
    nb = client.get(f"/codings/{coding_id}", headers={**owner, "Accept-Language": "nb"}).text
    assert "Bare struktur; ankre og ordlyd kommer fra den lisensierte manualen" in nb
    assert "EAS voksen ikke-fiendtlig" in nb
