"""Owners mark and unmark masters in the browser: the session page's codings list and the coding
screen's header post a form; the API has PUT and DELETE. Refusals say who may, and why."""

from __future__ import annotations

from samspill.services import studies
from samspill.services.accounts import get_user
from samspill.store.models import AuditEntry, Coding
from tests.agreement.conftest import Lab
from tests.agreement.tapes import add_coding

PAGE = "/studies/s1/sessions/t0"


def _codings(lab: Lab, *specs: tuple[str, str]) -> list[int]:
    """One coding of t0 per (coder, status)."""
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        return [add_coding(db, session, get_user(db, coder), lab.events, level=4,
                           status=status).id for coder, status in specs]


def _post(lab: Lab, name: str, path: str, data: dict, lang: str = "en"):
    headers = {**lab.as_(name), "Accept-Language": lang}
    return lab.client.post(path, headers=headers, data=data, follow_redirects=False)


def _status(lab: Lab, coding_id: int) -> tuple[str, str]:
    with lab.database.session() as db:
        coding = db.get(Coding, coding_id)
        assert coding is not None
        return coding.status, coding.purpose


def test_the_owner_marks_a_master_on_the_session_page_and_sees_it_confirmed(lab: Lab) -> None:
    first, second = _codings(lab, ("ann", "submitted"), ("bob", "submitted"))
    page = lab.get("own", PAGE)
    assert f'action="/codings/{first}/master"' in page.text and "Mark as master" in page.text
    marked = _post(lab, "own", f"/codings/{first}/master", {"purpose": "training"})
    assert marked.status_code == 303
    assert marked.headers["location"] == f"{PAGE}?master=marked-{first}"
    assert _status(lab, first) == ("master", "training")
    shown = lab.get("own", marked.headers["location"])
    assert f"Coding {first} is now this session's master, for training" in shown.text
    assert f'action="/codings/{first}/master/remove"' in shown.text
    # Marking the other demotes the first, which keeps its purpose.
    _post(lab, "own", f"/codings/{second}/master", {"purpose": "reliability"})
    assert _status(lab, first) == ("submitted", "training")
    assert _status(lab, second) == ("master", "reliability")


def test_the_owner_unmarks_a_master_from_the_coding_screen_and_it_is_audited(lab: Lab) -> None:
    (coding,) = _codings(lab, ("ann", "submitted"))
    screen = lab.get("own", f"/codings/{coding}")
    assert 'name="back" value="coding"' in screen.text
    _post(lab, "own", f"/codings/{coding}/master", {"purpose": "training", "back": "coding"})
    undone = _post(lab, "own", f"/codings/{coding}/master/remove", {"back": "coding"})
    assert undone.headers["location"] == f"/codings/{coding}?master=unmarked-{coding}"
    assert _status(lab, coding) == ("submitted", "training")
    shown = lab.get("own", undone.headers["location"])
    assert "This coding is no longer the master" in shown.text
    with lab.database.session() as db:
        details = [e.detail for e in db.query(AuditEntry).filter_by(action="write.master")]
    assert details == ["marked (training)", "unmarked (training)"]


def test_the_api_marks_and_unmarks(lab: Lab) -> None:
    (coding,) = _codings(lab, ("ann", "submitted"))
    assert lab.send("PUT", "own", f"/api/codings/{coding}/master",
                    {"purpose": "reliability"}).json()["status"] == "master"
    removed = lab.client.delete(f"/api/codings/{coding}/master", headers=lab.as_("own"))
    assert removed.status_code == 200 and removed.json()["status"] == "submitted"
    again = lab.client.delete(f"/api/codings/{coding}/master", headers=lab.as_("own"))
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "this coding is not the master of its session"


def test_a_coding_in_progress_cannot_be_the_master_in_either_language(lab: Lab) -> None:
    (coding,) = _codings(lab, ("ann", "in_progress"))
    assert "submit it first" in lab.get("own", PAGE).text
    refused = lab.send("PUT", "own", f"/api/codings/{coding}/master", {"purpose": "training"})
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == (
        "only a submitted coding can be the master (this one is in progress)")
    bokmaal = _post(lab, "own", f"/codings/{coding}/master", {"purpose": "training"}, "nb")
    assert bokmaal.status_code == 409
    assert "innlevert koding kan være fasit" in bokmaal.text and "under arbeid" in bokmaal.text
    assert _status(lab, coding)[0] == "in_progress"


def test_a_master_is_for_training_or_reliability_in_either_language(lab: Lab) -> None:
    (coding,) = _codings(lab, ("ann", "submitted"))
    refused = _post(lab, "own", f"/codings/{coding}/master", {"purpose": "study"}, "nb")
    assert refused.status_code == 422 and "opplæring eller reliabilitet" in refused.text


def test_only_the_owner_marks_or_unmarks_and_is_told_so(lab: Lab) -> None:
    own_coding, other = _codings(lab, ("ann", "submitted"), ("bob", "submitted"))
    _post(lab, "own", f"/codings/{other}/master", {"purpose": "training"})
    for name in ("ann", "vie"):
        assert "Mark as master" not in lab.get(name, PAGE).text
        refused = lab.send("PUT", name, f"/api/codings/{own_coding}/master",
                           {"purpose": "training"})
        assert refused.status_code == 403, name
        assert "only the study's owner marks a master" in refused.json()["error"]["message"]
    bokmaal = _post(lab, "ann", f"/codings/{own_coding}/master", {"purpose": "training"}, "nb")
    assert bokmaal.status_code == 403 and "Bare studiens eier" in bokmaal.text
    assert lab.client.delete(f"/api/codings/{other}/master",
                             headers=lab.as_("vie")).status_code == 403
    assert _status(lab, other)[0] == "master"
