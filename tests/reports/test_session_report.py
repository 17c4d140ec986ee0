"""The session report: its content in PDF and HTML, vector plots, labels, and bokmål."""

from __future__ import annotations

import html
import io
import re

import pytest
from pypdf import PdfReader

from samspill.core.events import Event
from samspill.core.indicators import DISCLAIMER, SIGNS, IndicatorSettings
from samspill.reports.data import ReportData
from samspill.reports.i18n import SIGN_TITLES, clock
from samspill.reports.render import render, render_html
from samspill.reports.session_report import session_document
from tests.reports.conftest import collapse, pdf_text, vignette_data

SEGMENT_ROWS = ("Free play plain 00:00.000 02:00.000", "Separation separation 02:00.000 03:00.000",
                "Reunion reunion 03:00.000 06:00.000")


@pytest.fixture(scope="module")
def english_pdf(vignette: ReportData) -> bytes:
    return render(session_document(vignette, "en"), "pdf")


@pytest.fixture(scope="module")
def english_html(vignette: ReportData) -> str:
    return render_html(session_document(vignette, "en"))


def test_pdf_has_the_pseudonymous_header(english_pdf: bytes) -> None:
    text, _pages = pdf_text(english_pdf)
    for expected in ("Session report", "Study demo", "Dyad D001", "Session vignette",
                     "March 14, 2023", "Child's age 24 months", "Procedure free play",
                     "Coder ann (master)", "withdrawal-open, version 1",
                     "Open withdrawal scheme (open scheme, not an official AMBIANCE score)"):
        assert expected in text, expected


def test_pdf_lists_the_segments_with_times(english_pdf: bytes) -> None:
    text, _pages = pdf_text(english_pdf)
    for row in SEGMENT_ROWS:
        assert row in text, row


def test_pdf_has_the_disclaimer_and_each_of_the_five_signs(english_pdf: bytes) -> None:
    text, _pages = pdf_text(english_pdf)
    assert collapse(DISCLAIMER) in text
    assert set(SIGN_TITLES) == set(SIGNS)
    for sign in SIGNS:
        assert SIGN_TITLES[sign] in text, sign


def test_pdf_has_level_classification_and_evidence_times(english_pdf: bytes) -> None:
    text, _pages = pdf_text(english_pdf)
    assert "6 of 7" in text and "disrupted (cut-off: level 5)" in text
    assert "helpless-fearful" in text
    # The vignette's first bid at 0:20 was answered, muted, at 0:27; the bid at 1:35 was not.
    assert "00:20.000" in text and "bid: answered, muted" in text and "00:27.000" in text
    assert "01:35.000" in text and "bid: unanswered within 10 s" in text


def test_pdf_pages_are_numbered_and_grow_with_the_evidence(english_pdf: bytes) -> None:
    _text, pages = pdf_text(english_pdf)
    assert 4 <= pages <= 10
    for number, page in enumerate(PdfReader(io.BytesIO(english_pdf)).pages, start=1):
        assert re.search(rf"· Samspill [^\n]*\n{number}\n", page.extract_text() or "")
    bids = [Event(subject="child", code="bid", onset_ms=1000 + 500 * i,
                  modifiers={"kind": "show"}) for i in range(200)]
    longer = render(session_document(vignette_data(extra=bids), "en"), "pdf")
    _text, more_pages = pdf_text(longer)
    assert more_pages >= pages + 3  # 200 more evidence rows take several pages


def test_pdf_plots_are_vector_not_images(english_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(english_pdf))
    assert all(len(page.images) == 0 for page in reader.pages)
    text, _pages = pdf_text(english_pdf)
    # The plots' own text is text in the PDF: an axis label and a lane of the timeline.
    assert "time on the session (mm:ss)" in text
    assert "caregiver · Far (out of reach)" in text


def test_html_has_both_plots_as_inline_svg(english_html: str) -> None:
    assert english_html.count("<svg") == 2  # the timeline and the whole session's signs
    assert 'aria-label="Coded events over the session' in english_html
    assert "<img" not in english_html
    page = html.unescape(english_html)
    for row in ("Free play", "02:00.000", "00:20.000", collapse(DISCLAIMER)):
        assert row in page


def test_html_svg_passes_a_csp_without_inline_styles(english_html: str) -> None:
    """Inside the plots: no style attributes or elements (the CSP would drop them)."""
    svgs = re.findall(r"<svg.*?</svg>", english_html, flags=re.S)
    assert svgs
    for svg in svgs:
        assert " style=" not in svg and "<style" not in svg
        assert 'fill="' in svg
    ids = re.findall(r' id="([^"]+)"', english_html)
    assert len(ids) == len(set(ids))
    for target in re.findall(r"url\(#([^)]+)\)", english_html):
        assert target in ids


def test_the_label_says_ambiance_only_for_a_licensed_scheme() -> None:
    licensed = render_html(session_document(vignette_data(licensed=True), "en"))
    assert "Scores labelled</dt><dd>AMBIANCE</dd>" in licensed
    assert "AMBIANCE: counts per dimension and segment" in licensed
    assert "open scheme" not in licensed
    open_ = render_html(session_document(vignette_data(licensed=False), "en"))
    assert "not an official AMBIANCE score" in open_
    assert "AMBIANCE: counts" not in open_


def test_only_signs_whose_criteria_are_met_are_marked_present() -> None:
    """Thresholds out of reach for every criterion but redirection's (all of the vignette's
    reactions are redirects: no setting below 100 % avoids it)."""
    relaxed = IndicatorSettings(initiative_flag_below=0.0, latency_flag_above_ms=60_000,
                                unanswered_flag_at=1.0, muted_option="never-coded",
                                hold_median_flag_below_ms=0, putdown_share_flag_at=1.0,
                                putdowns_flag_at=5, protest_kind="never-coded",
                                no_contact_min_bids=50,
                                far_share_flag_at=1.0, low_hostility_below_per_10min=0.0)
    document = session_document(vignette_data(settings=relaxed), "en")
    signs = next(s for s in document.sections if s.key == "signs")
    states, criteria = [b for b in signs.blocks if getattr(b, "columns", [None])[0] == "Sign"]
    assert [row[1] for row in states.rows] == ["absent", "absent", "absent", "present", "absent"]
    assert states.rows[0][2] == "no criterion met"
    assert states.marked == frozenset({3})
    assert [criteria.rows[i][1] for i in criteria.marked] == [
        "reactions to bids for proximity or distress that were redirects"]
    text, _pages = pdf_text(render(document, "pdf"))
    assert "Whole session: 1 of 5 signs present, 0 not observable" in text
    # At a threshold of 0 per 10 minutes no rate is below it: the qualifier says hostile.
    assert "hostile or intrusive behaviour present: mixed or hostile profile" in text
    assert "above 60 s" in text and "flagged" not in text


def test_an_unrated_coding_and_no_segments_are_said_plainly() -> None:
    html = render_html(session_document(vignette_data(ratings={}, segments=False), "en"))
    assert "not rated" in html
    assert "No segments are marked" in html


@pytest.mark.parametrize(("ms", "shown"), [(0, "00:00.000"), (20_000, "00:20.000"),
                                           (61_005, "01:01.005"), (3_723_456, "62:03.456")])
def test_times_are_minutes_seconds_milliseconds(ms: int, shown: str) -> None:
    assert clock(ms) == shown
