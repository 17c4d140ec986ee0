"""The agreement pages: assignment form, reconciliation side by side, consensus decisions,
the agreement report with its plot; server-rendered, CSP-safe (no inline script or style)."""

from __future__ import annotations

import re

import numpy as np

from samspill.services import studies
from samspill.services.accounts import get_user
from tests.agreement.conftest import Lab
from tests.agreement.tapes import add_coding, noisy

PAGE = "/studies/s1/sessions/t0"


def _post(lab: Lab, name: str, path: str, data: dict):
    return lab.client.post(path, headers=lab.as_(name), data=data, follow_redirects=False)


def _submitted_codings(lab: Lab, rng: np.random.Generator) -> None:
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        add_coding(db, session, get_user(db, "ann"), lab.events, level=3)
        add_coding(db, session, get_user(db, "bob"),
                   noisy(lab.events, rng, jitter_ms=4000, drop=0.3), level=5)


def _csp_safe(html: str) -> None:
    assert "<script>" not in html and " style=" not in html and "onclick" not in html


def test_the_owner_assigns_opens_and_reconciles_through_the_forms(
    lab: Lab, rng: np.random.Generator
) -> None:
    page = lab.get("own", PAGE + "/reconcile")
    assert page.status_code == 200 and 'name="coders" value="ann"' in page.text
    assigned = _post(lab, "own", PAGE + "/assign", {"coders": ["ann", "bob"]})
    assert assigned.status_code == 303
    _submitted_codings(lab, rng)
    assert _post(lab, "own", PAGE + "/reconcile", {"tolerance_ms": "1500"}).status_code == 303
    page = lab.get("own", PAGE + "/reconcile")
    assert page.status_code == 200 and "<svg" in page.text and "#e07000" in page.text
    _csp_safe(page.text)
    keys = re.findall(r'name="event:([^"]+)" value="bob"', page.text)
    assert keys, "a disagreement offers bob's version"
    made = _post(lab, "own", PAGE + "/consensus",
                 {f"event:{keys[0]}": "bob", "rating:level": "bob", "master": "on"})
    assert made.status_code == 303
    page = lab.get("own", PAGE + "/reconcile")
    assert "Where each decision came from" in page.text and "<td>bob</td>" in page.text


def test_the_agreement_report_shows_matrix_tables_and_timeline(
    lab: Lab, rng: np.random.Generator
) -> None:
    _submitted_codings(lab, rng)
    page = lab.get("own", "/studies/s1/agreement")
    assert page.status_code == 200
    for heading in ("Pairwise time-unit kappa", "Per code", "Confusion matrix",
                    "Agreement timeline"):
        assert heading in page.text
    assert page.text.count("<svg") == 1 and "#c0392b" in page.text
    _csp_safe(page.text)
    assert lab.get("vie", "/studies/s1/agreement").status_code == 200
    assert lab.get("ann", "/studies/s1/agreement").status_code == 403


def test_pages_speak_bokmaal(lab: Lab, rng: np.random.Generator) -> None:
    _submitted_codings(lab, rng)
    lab.client.cookies.set("samspill_lang", "nb")
    page = lab.get("own", "/studies/s1/agreement")
    assert "Samsvarsrapport" in page.text and "Agreement report" not in page.text
