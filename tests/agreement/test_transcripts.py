"""Coded transcripts (issue 12) through the web API: who reads and writes them (the blind rule,
a trainee's tape, the lock), a stale save refused, and the round trip write → export as text →
import, and the Word and PDF exports opened and read."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from samspill.core.transcript import parse_transcript
from samspill.services import credentials, studies, transcripts
from samspill.services.accounts import get_user
from samspill.services.setup import ensure_user
from samspill.services.training import mark_master
from tests.agreement.conftest import Lab
from tests.agreement.tapes import add_coding

TEXT = ("00:21 Maria holds up a toy towards her mother [bid]\n"
        "00:26 mother nods faintly [respond] [inaudible]\n"
        "      and looks back at her phone\n"
        "1:00:00.250 after an hour, nothing [bid]\n")


def _tape(lab: Lab) -> tuple[int, int]:
    """A master coding by ``own`` with a transcript, marked; ``tra``'s coding in progress."""
    with lab.database.session() as db:
        session = studies.get_session(db, study=studies.get_study(db, "s1"), name="t0")
        own = get_user(db, "own")
        master = add_coding(db, session, own, lab.events, level=5, status="in_progress")
        transcripts.save(db, coding=master, text=TEXT, base_version=0, by=own)
        master.status = "submitted"
        mark_master(db, coding=master, purpose="training", by=own)
        mine = add_coding(db, session, get_user(db, "tra"), lab.events, level=4,
                          status="in_progress", purpose="training")
        return master.id, mine.id


def test_the_master_transcript_reads_with_its_codes_linked_to_events(lab: Lab) -> None:
    master, _ = _tape(lab)
    found = lab.get("own", f"/api/codings/{master}/transcript").json()
    assert found["version"] == 1 and found["problem"] is None
    first, second, third = found["entries"]
    assert (first["time"], first["links"][0]["code"]) == ("00:21", "bid")
    bid = next(e for e in lab.events if e.code == "bid")
    assert first["links"][0]["event_ms"] == bid.onset_ms  # 21.97 s: within 2 s of 00:21
    assert first["links"][0]["event_id"] is not None
    assert [link["code"] for link in second["links"]] == ["respond"]  # [inaudible] is text
    assert third["links"][0]["event_id"] is None  # no bid near 1:00:00


def test_a_trainee_reads_the_master_transcript_only_after_submitting_the_tape(lab: Lab) -> None:
    master, mine = _tape(lab)
    for tail in ("/transcript", "/transcript.txt", "/transcript.docx", "/transcript.pdf"):
        assert lab.get("tra", f"/api/codings/{master}{tail}").status_code == 404, tail
    assert lab.send("PUT", "tra", f"/api/codings/{mine}/status",
                    {"status": "submitted"}).status_code == 200
    assert lab.get("tra", f"/api/codings/{master}/transcript").json()["text"] == TEXT
    assert lab.get("tre", f"/api/codings/{master}/transcript").status_code == 404
    # Reading is not writing: the master's transcript stays the master coder's.
    assert lab.send("PUT", "tra", f"/api/codings/{master}/transcript",
                    {"text": "", "version": 1}).status_code == 404


def test_viewers_read_finished_transcripts_and_coders_do_not_read_others(lab: Lab) -> None:
    master, mine = _tape(lab)
    assert lab.get("vie", f"/api/codings/{master}/transcript").status_code == 200
    assert lab.get("vie", f"/api/codings/{mine}/transcript").status_code == 404  # in progress
    assert lab.send("PUT", "vie", f"/api/codings/{master}/transcript",
                    {"text": "", "version": 1}).status_code == 403
    assert lab.get("ann", f"/api/codings/{mine}/transcript").status_code == 404


def test_another_studys_owner_does_not_learn_the_transcript_exists(lab: Lab) -> None:
    master, _ = _tape(lab)
    with lab.database.session() as db:
        outsider = ensure_user(db, "out")
        studies.create_study(db, name="s2", owner=outsider)
        lab.tokens["out"] = credentials.create_api_token(db, user=outsider)
    for tail in ("/transcript", "/transcript.txt"):
        assert lab.get("out", f"/api/codings/{master}{tail}").status_code == 404


def test_a_stale_save_is_refused_with_the_stored_text_and_nothing_is_lost(lab: Lab) -> None:
    _, mine = _tape(lab)
    url = f"/api/codings/{mine}/transcript"
    assert lab.send("PUT", "tra", url, {"text": "00:01 one", "version": 0}).json()["version"] == 1
    assert lab.send("PUT", "tra", url, {"text": "00:01 two", "version": 1}).json()["version"] == 2
    stale = lab.send("PUT", "tra", url, {"text": "00:01 three", "version": 1})
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert (error["reason"], error["yours"], error["theirs"]) == ("stale", 1, 2)
    assert error["text"] == "00:01 two"
    assert lab.get("tra", url).json()["text"] == "00:01 two"
    # Unreadable text is kept as typed, with its problem said.
    kept = lab.send("PUT", "tra", url, {"text": "00:01 two\n00:99 typo", "version": 2}).json()
    assert kept["text"].endswith("typo") and "line 2" in kept["problem"]["where"]


def test_a_submitted_codings_transcript_is_locked(lab: Lab) -> None:
    master, _ = _tape(lab)
    refused = lab.send("PUT", "own", f"/api/codings/{master}/transcript",
                       {"text": "00:01 late", "version": 1})
    assert refused.status_code == 409 and "locked" in refused.json()["error"]["message"]


def test_written_exported_as_text_and_imported_again_it_is_the_same(lab: Lab) -> None:
    master, mine = _tape(lab)
    exported = lab.get("own", f"/api/codings/{master}/transcript.txt")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/plain")
    assert exported.text.startswith("# Samspill transcript")
    imported = lab.client.post(f"/api/codings/{mine}/transcript/import", headers=lab.as_("tra"),
                               data={"version": "0"},
                               files={"file": ("t.txt", exported.content, "text/plain")})
    assert imported.status_code == 200, imported.text
    pairs = [(e.time_ms, e.text) for e in parse_transcript(TEXT)]
    assert [(e["time_ms"], e["text"]) for e in imported.json()["entries"]] == pairs
    again = lab.get("tra", f"/api/codings/{mine}/transcript.txt").text
    assert again.split("\n", 1)[1] == exported.text.split("\n", 1)[1]


def test_an_import_with_a_bad_line_names_it_and_changes_nothing(lab: Lab) -> None:
    _, mine = _tape(lab)
    bad = lab.client.post(f"/api/codings/{mine}/transcript/import", headers=lab.as_("tra"),
                          data={"version": "0"},
                          files={"file": ("t.txt", b"00:10 fine\n00:61 typo\n", "text/plain")})
    assert bad.status_code == 400
    assert bad.json()["error"]["where"] == "line 2"
    assert lab.get("tra", f"/api/codings/{mine}/transcript").json()["version"] == 0


@pytest.mark.parametrize("lang,word", [("en", "Transcript"), ("nb", "Transkripsjon")])
def test_the_word_and_pdf_exports_open_and_hold_the_entries(lab: Lab, lang: str,
                                                            word: str) -> None:
    docx = pytest.importorskip("docx")
    master, _ = _tape(lab)
    answer = lab.get("own", f"/api/codings/{master}/transcript.docx?lang={lang}")
    assert answer.status_code == 200
    document = docx.Document(io.BytesIO(answer.content))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0].startswith(word)
    assert any(p.startswith("00:21\tMaria holds up a toy towards her mother [bid → 00:21.970]")
               for p in paragraphs)
    assert any("1:00:00.250" in p and "[bid ✗]" in p for p in paragraphs)
    pdf = lab.get("own", f"/api/codings/{master}/transcript.pdf?lang={lang}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert word in text and "Maria holds up a toy" in text and "1:00:00.250" in text
    assert "bid 00:21.970" in text and "bid ✗" in text


def test_the_feedback_page_leads_the_trainee_to_the_master_transcript(lab: Lab) -> None:
    master, mine = _tape(lab)
    lab.send("PUT", "tra", f"/api/codings/{mine}/status", {"status": "submitted"})
    page = lab.get("tra", f"/codings/{mine}/feedback")
    assert page.status_code == 200
    assert f'href="/codings/{master}#transcript"' in page.text
    assert f"/api/codings/{master}/transcript.pdf" in page.text
