"""The one access policy (services/access.py): the permission table, the blind rule and its
openings, score visibility, and feedback that shows a master only to whom the master shows."""

from __future__ import annotations

import numpy as np

from samspill.core.errors import NotFoundError, PermissionDeniedError
from samspill.services import access, studies
from samspill.services.accounts import get_user
from samspill.store.models import Coding
from tests.agreement.conftest import Lab
from tests.agreement.tapes import add_coding, noisy


def _member(lab: Lab, name: str) -> access.Member:
    with lab.database.session() as db:
        user = get_user(db, name)
        role = studies.role_of(db, study=studies.get_study(db, "s1"), user=user)
        db.expunge(user)
    return access.Member(user, role)


def test_the_table_gives_reopening_and_others_certification_to_whom_the_routes_did() -> None:
    assert access.holds("owner", "coding.review") and not access.holds("coder", "coding.review")
    assert not access.holds("viewer", "coding.review") and not access.holds(None, "study.read")
    assert {r for r in access.ALL_ROLES if access.holds(r, "certification.read_others")} == {
        "owner", "viewer"}
    assert not access.holds("owner", "no.such.permission")


def test_only_the_owner_reopens_or_marks_a_master(lab: Lab) -> None:
    coder, owner = _member(lab, "ann"), _member(lab, "own")
    access.check_status_change(coder, "submitted")
    for status in ("in_progress", "master"):
        access.check_status_change(owner, status)
        try:
            access.check_status_change(coder, status)
        except PermissionDeniedError:
            continue
        raise AssertionError(f"a coder set {status}")


def test_the_blind_rule_reads_and_writes(lab: Lab) -> None:
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        draft = add_coding(db, session, get_user(db, "ann"), lab.events, level=None,
                           status="in_progress")
        done = add_coding(db, session, get_user(db, "bob"), lab.events, level=None)
        ann, bob, owner, viewer = (access.Member(get_user(db, n), r) for n, r in
                                   [("ann", "coder"), ("bob", "coder"), ("own", "owner"),
                                    ("vie", "viewer")])
        assert access.may_read_coding(ann, draft) and access.may_write_coding(ann, draft)
        assert not access.may_read_coding(bob, draft) and not access.may_read_coding(ann, done)
        assert access.may_read_coding(owner, draft) and access.may_write_coding(owner, done)
        assert access.may_read_coding(viewer, done) and not access.may_read_coding(viewer, draft)
        assert not access.may_write_coding(viewer, done)
        assert access.readable_codings(ann, [draft, done]) == [draft]
        assert access.default_coder(ann, None) == "ann"
        assert access.default_coder(owner, None) is None
        try:
            access.check_coding(bob, draft, write=False)
        except NotFoundError as refusal:  # never "forbidden": the coding's existence is hidden
            assert "no such coding" in str(refusal)
        else:
            raise AssertionError("bob read ann's draft")


def test_scores_follow_the_studys_hiding_settings(lab: Lab) -> None:
    with lab.database.session() as db:
        study = studies.get_study(db, "s1")
        study.settings = {**(study.settings or {}), "hide_scores_from_coders": True,
                          "hide_scores_from_trainees": False}
        db.flush()
        assert access.scores_visible(study, "owner") and access.scores_visible(study, "trainee")
        assert not access.scores_visible(study, "coder") and not access.scores_visible(study, None)
        try:
            access.check_scores(study, "coder", fix="ask")
        except PermissionDeniedError:
            pass
        else:
            raise AssertionError("a hidden score was shown")


def _reliability_master_and_coder(lab: Lab, rng: np.random.Generator) -> tuple[int, int]:
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        master = add_coding(db, session, get_user(db, "own"), lab.events, level=5)
        mine = add_coding(db, session, get_user(db, "ann"), noisy(lab.events, rng, jitter_ms=800,
                          drop=0.1), level=4, purpose="reliability")
        ids = master.id, mine.id
    marked = lab.send("PUT", "own", f"/api/codings/{ids[0]}/master", {"purpose": "reliability"})
    assert marked.status_code == 200
    return ids


def test_a_coders_feedback_does_not_leak_a_reliability_master(
    lab: Lab, rng: np.random.Generator
) -> None:
    master, mine = _reliability_master_and_coder(lab, rng)
    assert lab.get("ann", f"/api/codings/{master}/events").status_code == 404
    assert lab.get("ann", f"/api/codings/{mine}/feedback").status_code == 404
    assert lab.get("ann", f"/codings/{mine}/feedback").status_code == 404
    # The owner, who reads the master anyway, gets the comparison.
    found = lab.get("own", f"/api/codings/{mine}/feedback")
    assert found.status_code == 200 and found.json()["master"] == master
    with lab.database.session() as db:
        coding = db.get(Coding, mine)
        assert coding is not None
        try:
            access.check_feedback(access.Member(get_user(db, "ann"), "coder"), coding)
        except NotFoundError:
            pass
        else:
            raise AssertionError("the policy let the master through")
