"""The web's ELAN import for a file that fits no stored scheme (issue 13): a dialog with the
derived scheme (subjects, codes, counts) and a confirm button, or a mapping upload."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import yaml
from fastapi.testclient import TestClient

from samspill.services import codings, studies
from samspill.services.schemes import scheme_versions
from tests.exchange.conftest import Lab, finished, login

SAMPLES = Path(__file__).parents[1] / "interop" / "pympi_samples"


def _sample() -> bytes:
    return gzip.decompress((SAMPLES / "sample_3.0.eaf.gz").read_bytes())


def _dialog(web: TestClient, csrf: str, name: str = "yele.eaf"):
    dialog = web.post("/studies/lab/import/elan",
                      data={"csrf_token": csrf, "session": "yele", "dyad": "D09",
                            "procedure": "free-play"},
                      files={"file": (name, _sample(), "application/xml")})
    assert dialog.status_code == 200
    return dialog


def _events_of(lab: Lab, session: str) -> list:
    with lab.database.session() as db:
        found = studies.get_session(db, study=studies.get_study(db, "lab"), name=session)
        return list(codings.coding_events(db, codings.codings_of(db, found)[0]))


def test_a_file_of_another_scheme_shows_the_derived_one_and_imports_on_confirm(
        lab: Lab, web: TestClient) -> None:
    csrf = login(web, "own")
    dialog = _dialog(web, csrf)
    text = dialog.text
    assert 'role="dialog"' in text and "A scheme for this ELAN file" in text
    assert "Scheme elan-yele: 2 subject(s), 8 code(s), 4788 event(s)." in text
    # the gestures tier's codes with their counts, and the tiers that add to comments
    codes = re.search(r'<table class="list" id="elan-codes">(.*?)</table>', text, re.S).group(1)
    assert re.search(r"<td>prep</td><td>preparation</td><td>gestures</td><td>\d+</td>", codes)
    assert "words-symsub" in text and "<pre>id: elan-yele" in text
    # the confirm button comes first and has the focus: Enter imports
    assert text.index('id="elan-derive"') < text.index('id="elan-mapping"')
    assert 'autofocus>Store scheme elan-yele and import</button>' in text
    target = re.search(r'action="(/studies/lab/import/elan/[^"]+)"', text).group(1)
    with lab.database.session() as db:
        assert "elan-yele" not in {v.scheme_id for v in scheme_versions(db)}  # not yet
    page = finished(web, web.post(target, data={"csrf_token": csrf, "session": "yele",
                                                "dyad": "D09", "procedure": "free-play"}),
                    "own")
    assert "1 coding(s), 4788 event(s), 1 new session(s); scheme elan-yele v1" in page.text
    events = _events_of(lab, "yele")
    assert len(events) == 4788 and all(isinstance(e.onset_ms, int) for e in events)
    assert web.post(target, data={"csrf_token": csrf, "session": "yele"}).status_code == 404


def test_the_dialog_takes_a_mapping_onto_a_stored_scheme(lab: Lab, web: TestClient) -> None:
    csrf = login(web, "own")
    target = re.search(r'action="(/studies/lab/import/elan/[^"]+)"',
                       _dialog(web, csrf).text).group(1)
    mapping = {"format": "samspill-elan-mapping/1", "scheme": "withdrawal-open", "tiers": {
        "gestures": {"subject": "caregiver", "codes": {"prep": None, "hold": "hold",
                                                       "stroke": None, "retr": None}}}}
    empty = web.post(target, data={"csrf_token": csrf, "session": "mapped", "use": "mapping"})
    assert empty.status_code == 400 and "no mapping file was chosen" in empty.text
    page = finished(web, web.post(target, data={"csrf_token": csrf, "session": "mapped",
                                                "dyad": "D10", "procedure": "free-play",
                                                "use": "mapping"},
                                  files={"mapping": ("m.yaml", yaml.safe_dump(mapping).encode(),
                                                     "text/yaml")}), "own")
    assert "scheme withdrawal-open v1" in page.text
    assert {e.code for e in _events_of(lab, "mapped")} == {"hold"}


def test_a_broken_file_is_refused_naming_file_and_tier(lab: Lab, web: TestClient) -> None:
    csrf = login(web, "own")
    broken = _sample().replace(b'ANNOTATION_ID="a4391" CVE_REF="cveid1" TIME_SLOT_REF1="ts7"',
                               b'ANNOTATION_ID="a4391" CVE_REF="cveid1" TIME_SLOT_REF1="ts1"', 1)
    started = web.post("/studies/lab/import/elan",
                       data={"csrf_token": csrf, "session": "b", "procedure": "free-play"},
                       files={"file": ("broken.eaf", broken, "application/xml")})
    page = finished(web, started, "own")
    assert 'role="alert"' in page.text and "broken.eaf" in page.text
    assert "tier &#39;gestures&#39;: 00:01.800" in page.text
    with lab.database.session() as db:
        assert len(studies.sessions_of(db, studies.get_study(db, "lab"))) == 2


def test_the_dialog_speaks_norwegian(lab: Lab, web: TestClient) -> None:
    csrf = login(web, "own")
    web.cookies.set("samspill_lang", "nb")
    text = _dialog(web, csrf).text
    assert "Et skjema for denne ELAN-fila" in text
