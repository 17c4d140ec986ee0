"""A form rated per segment on the web (issue 14): the coding screen offers a choice of segment
above it, the page's boot data holds the ratings per segment, and the actions endpoint stores
a rating with its segment (refused with a clear error where the form is not rated)."""

from __future__ import annotations

import json
import re
import uuid
from importlib import resources

from fastapi.testclient import TestClient

from samspill.core.events import Segment
from samspill.core.scheme_check import parse_scheme
from samspill.services import accounts, codings, studies
from samspill.services.schemes import register_scheme
from samspill.store.db import Database
from tests.factories import Built
from tests.web.conftest import bearer


def _coding(database: Database, built: Built) -> tuple[int, str, str]:
    """A coding under a scheme with EAS rated in ep5 and ep8; (id, ep5's id, ep2's id)."""
    text = (resources.files("samspill.core") / "schemes" / "withdrawal-open.yaml").read_text(
        encoding="utf-8").replace("id: withdrawal-open", "id: lab-seg", 1)
    forms = "\nforms: [{id: eas, per: segment, segments: [ep5, ep8]}]\n"
    with database.session() as db:
        version = register_scheme(db, parse_scheme(text + forms))
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="v1")
        ep5 = Segment(spec_id="ep5", name="5 First reunion", start_ms=1000, end_ms=2000)
        ep2 = Segment(spec_id="ep2", name="2 Caregiver and child", start_ms=100, end_ms=900)
        for segment in (ep5, ep2):
            studies.put_segment(db, session=session, segment=segment)
        owner = accounts.get_user(db, built.owner.username)
        coding = codings.create_coding(db, session=session, coder=owner, scheme_version=version)
        return coding.id, ep5.id, ep2.id


def test_a_per_segment_form_is_rated_per_segment_on_the_web(
        client: TestClient, database: Database, built: Built) -> None:
    coding_id, ep5, ep2 = _coding(database, built)
    owner = bearer(database, built.owner.username)
    page = client.get(f"/codings/{coding_id}", headers=owner).text
    assert 'data-form="eas" data-per="segment"' in page
    assert 'select data-segment-choice="eas"' in page
    action = {"id": str(uuid.uuid4()), "type": "rating", "segment_id": ep5,
              "ratings": {"eas_sensitivity": 6}}
    answer = client.post(f"/api/codings/{coding_id}/actions", headers=owner,
                         json={"actions": [action]})
    assert answer.status_code == 200, answer.text
    page = client.get(f"/codings/{coding_id}", headers=owner).text
    boot = json.loads(re.search(r'<script[^>]*id="boot"[^>]*>(.*?)</script>', page, re.S)
                      .group(1))  # type: ignore[union-attr]
    assert boot["segment_ratings"] == {ep5: {"eas_sensitivity": "6"}}
    assert boot["ratings"] == {}
    wrong = {**action, "id": str(uuid.uuid4()), "segment_id": ep2}
    refused = client.post(f"/api/codings/{coding_id}/actions", headers=owner,
                          json={"actions": [wrong]})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert "not rated in segment '2 Caregiver and child'" in error["message"]
    assert "ep5, ep8" in error["fix"]
    nb = client.post(f"/api/codings/{coding_id}/actions",
                     headers={**owner, "Accept-Language": "nb"}, json={"actions": [wrong]})
    assert nb.json()["error"]["message"] != error["message"]  # said in bokmål
