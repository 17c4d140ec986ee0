"""Reconciling a form rated per segment (issue 14): the reconcile page sets each coder's rating
of every segment side by side, the consensus keeps the chosen ones per segment, and the
provenance says whose each was; in English and bokmål, with radio buttons (keyboard: Tab to
the group, arrows to choose)."""

from __future__ import annotations

import re
from importlib import resources

import numpy as np

from samspill.core.events import Segment
from samspill.core.scheme_check import parse_scheme
from samspill.services import coding_ratings, codings, studies
from samspill.services.accounts import get_user
from samspill.services.schemes import register_scheme
from samspill.store.models import Coding
from tests.agreement.conftest import Lab
from tests.agreement.tapes import noisy

PAGE = "/studies/s1/sessions/t0"
API = "/api/studies/s1/sessions/t0"


def _post(lab: Lab, path: str, data: dict):
    return lab.client.post(path, headers=lab.as_("own"), data=data, follow_redirects=False)


def _double_coded(lab: Lab, rng: np.random.Generator) -> dict[str, str]:
    """ann and bob code t0 under a scheme rating EAS in ep5 and ep8: they agree on ep8's
    sensitivity and differ on ep5's; bob alone rates ep5's structuring. Returns the segments'
    ids by template id."""
    text = (resources.files("samspill.core") / "schemes" / "withdrawal-open.yaml").read_text(
        encoding="utf-8").replace("id: withdrawal-open", "id: lab-seg", 1)
    forms = "\nforms: [{id: eas, per: segment, segments: [ep5, ep8]}]\n"
    _post(lab, PAGE + "/assign", {"coders": ["ann", "bob"]})
    with lab.database.session() as db:
        version = register_scheme(db, parse_scheme(text + forms))
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        ep5 = Segment(spec_id="ep5", name="5 First reunion", start_ms=20_000, end_ms=40_000)
        ep8 = Segment(spec_id="ep8", name="8 Second reunion", start_ms=60_000, end_ms=80_000)
        for old in studies.segments_of(db, session):  # the tape's one free-play segment
            studies.delete_segment(db, session=session, segment_id=old.id)
        for segment in (ep5, ep8):
            studies.put_segment(db, session=session, segment=segment)
        given = {"ann": ({"eas_sensitivity": 6}, {"eas_sensitivity": 4}),
                 "bob": ({"eas_sensitivity": 3, "eas_structuring": 5}, {"eas_sensitivity": 4})}
        for name, (in_ep5, in_ep8) in given.items():
            coding = codings.create_coding(db, session=session, coder=get_user(db, name),
                                           scheme_version=version)
            codings.replace_events(db, coding=coding, events=noisy(lab.events, rng,
                                                                   jitter_ms=500, drop=0.1))
            coding_ratings.set_segment_ratings(db, coding=coding, segment_id=ep5.id, ratings=in_ep5)
            coding_ratings.set_segment_ratings(db, coding=coding, segment_id=ep8.id, ratings=in_ep8)
            codings.set_status(db, coding=coding, status="submitted")
    assert _post(lab, PAGE + "/reconcile", {"tolerance_ms": "1500"}).status_code == 303
    return {"ep5": ep5.id, "ep8": ep8.id}


def test_the_reconcile_page_offers_each_segments_ratings_and_the_consensus_keeps_the_chosen(
        lab: Lab, rng: np.random.Generator) -> None:
    ids = _double_coded(lab, rng)
    page = lab.get("own", PAGE + "/reconcile").text
    assert "Ratings per segment" in page
    table = page.split("Ratings per segment", 1)[1].split("</table>", 1)[0]
    assert "5 First reunion" in table and "8 Second reunion" in table
    field = f"segment-rating:{ids['ep5']}:eas_sensitivity"
    choices = re.findall(rf'<input type="radio" name="{field}" value="(\w+)"( checked)?', table)
    assert choices == [("ann", " checked"), ("bob", "")]  # the first coder's preselected
    # Each radio sits in its label (the value is read out with it), one group per rating.
    assert re.search(rf'<label><input type="radio" name="{field}" value="bob" > 3</label>',
                     table)
    assert '<tr class="differs"><th scope="row">5 First reunion</th>' in table

    made = _post(lab, PAGE + "/consensus", {field: "bob", "master": "on"})
    assert made.status_code == 303
    with lab.database.session() as db:
        recon = db.query(Coding).filter(Coding.coder_id == get_user(db, "own").id).one()
        kept = coding_ratings.segment_ratings_of(db, recon)
    assert kept == {ids["ep5"]: {"eas_sensitivity": "3", "eas_structuring": "5"},
                    ids["ep8"]: {"eas_sensitivity": "4"}}
    done = lab.get("own", PAGE + "/reconcile").text
    provenance = done.split("Where each decision came from", 1)[1]
    row = next(r for r in provenance.split("<tr>") if "5 First reunion" in r and ": 3" in r)
    assert "bob's rating" in row
    lab.client.cookies.set("samspill_lang", "nb")
    norsk = lab.get("own", PAGE + "/reconcile").text
    assert "vurderingen til bob" in norsk.split("5 First reunion", 1)[1]


def test_the_api_compares_and_reconciles_per_segment_ratings(
        lab: Lab, rng: np.random.Generator) -> None:
    ids = _double_coded(lab, rng)
    found = lab.get("own", API + "/reconciliation").json()["segment_ratings"]
    ep5 = next(r for r in found if r["key"] == f"{ids['ep5']}:eas_sensitivity")
    assert (ep5["ann"], ep5["bob"], ep5["agree"]) == ("6", "3", False)
    assert next(r for r in found if r["segment"] == ids["ep8"])["agree"] is True
    made = lab.send("POST", "own", API + "/consensus",
                    {"segment_ratings": {ep5["key"]: "ann"}, "master": False})
    assert made.status_code == 201, made.text
    sources = [p for p in made.json()["provenance"] if p["item_kind"] == "segment_rating"]
    assert {(p["segment"], p["source_item"], p["coder"], p["value"]) for p in sources} == {
        (ids["ep5"], "eas_sensitivity", "ann", "6"), (ids["ep5"], "eas_structuring", "bob", "5"),
        (ids["ep8"], "eas_sensitivity", "ann", "4")}
    wrong = lab.send("POST", "own", API + "/consensus",
                     {"segment_ratings": {ep5["key"]: "zed"}})
    assert wrong.status_code >= 400


def test_the_reconcile_page_is_in_bokmaal(lab: Lab, rng: np.random.Generator) -> None:
    _double_coded(lab, rng)
    lab.client.cookies.set("samspill_lang", "nb")
    page = lab.get("own", PAGE + "/reconcile").text
    assert "Vurderinger per segment" in page and "Ratings per segment" not in page
