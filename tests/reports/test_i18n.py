"""Report strings in bokmål: every message translated, placeholders kept, reports in Norwegian."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from babel.messages.pofile import read_po

from samspill.core.errors import InputError
from samspill.core.indicators import DISCLAIMER
from samspill.core.scoring import score_coding
from samspill.core.simulate import simulate_session
from samspill.reports.data import ReportData
from samspill.reports.i18n import DISCLAIMER_TEXT, note_text, translator
from samspill.reports.render import render, render_html
from samspill.reports.session_report import session_document
from tests.reports.conftest import SCHEME, pdf_text

FIELD = re.compile(r"%\(\w+\)s")


def _catalog(name: str):
    folder = resources.files("samspill.reports") / "i18n"
    path = folder / "messages.pot" if name == "pot" else folder / name / "LC_MESSAGES" / \
        "messages.po"
    with path.open("rb") as handle:
        return read_po(handle)


def test_the_disclaimer_is_the_core_sentence() -> None:
    assert DISCLAIMER_TEXT == DISCLAIMER


def test_every_message_has_a_bokmal_translation_with_the_same_fields() -> None:
    template, nb = _catalog("pot"), _catalog("nb")
    ids = [m.id for m in template if m.id]
    assert len(ids) > 100
    for message_id in ids:
        translated = nb.get(message_id)
        assert translated is not None and translated.string, message_id
        assert sorted(FIELD.findall(translated.string)) == sorted(FIELD.findall(message_id))


def test_the_norwegian_pdf_speaks_bokmal(vignette: ReportData) -> None:
    text, _pages = pdf_text(render(session_document(vignette, "nb"), "pdf"))
    for expected in ("Øktrapport", "Studie demo", "Barnets alder 24 måneder", "14. mars 2023",
                     "Segmenter", "De seks tegnene på tilbaketrekning",
                     "Forsinket eller dempet respons", "Samspill på avstand",
                     "Tersklene er denne studiens innstillinger, ikke kliniske normer.",
                     "de er ingen diagnose", "7,5 s", "signal: ubesvart innen 10 s",
                     "forstyrret (grenseverdi: nivå 5)", "åpent skjema, ikke en offisiell"):
        assert expected in text, expected
    for english in ("Session report", "Delayed or muted responding", "clinical norms"):
        assert english not in text


def test_the_norwegian_html_speaks_bokmal(vignette: ReportData) -> None:
    page = render_html(session_document(vignette, "nb"))
    assert '<html lang="nb">' in page and "Øktrapport" in page and "tid i økten" in page


def test_every_evidence_note_the_indicators_write_is_translated(vignette: ReportData) -> None:
    """Notes from the vignette and from simulated sessions of every style."""
    nb = translator("nb")
    notes = set(vignette.evidence["note"])
    for style in ("sensitive", "withdrawn", "hostile", "frightened"):
        sim = simulate_session(style, seed=7, duration_ms=300_000)
        scores = score_coding(sim.table, sim.segments_table(), scheme=SCHEME,
                              duration_ms=sim.duration_ms)
        notes |= set(scores.evidence["note"])
    assert len(notes) >= 12
    for note in notes:
        assert note_text(note, nb) != note, note


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    with pytest.raises(InputError, match="en, nb"):
        translator("de")
