"""A coded transcript as PDF (the reports' PDF stack) and as a Word document (python-docx).

Both say the same: a header naming the study, session, coding and coder, then one row per
entry, its time and its text, with each ``[code]`` tag followed by the time of the event it
links to, or marked as linking to none. The entries come linked from
``services.transcripts``; nothing here reads the database.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from samspill import __version__
from samspill.core.transcript import DEFAULT_TOLERANCE_MS, Entry, Link, format_time
from samspill.reports.document import Document, Facts, Paragraph, Section, Table
from samspill.reports.i18n import N_, Translator, translator
from samspill.reports.pdf import render_pdf

NOTE = N_("A code in brackets links to the coding's nearest event of that code, within "
          "%(seconds)s s of the entry's time (or of the time in the brackets); ✗ marks a code "
          "with no such event.")


@dataclass(frozen=True)
class TranscriptHeader:
    study: str
    session: str
    coding_id: int
    coder: str


def shown_text(entry: Entry, links: Sequence[Link]) -> str:
    """The entry's text with each linked tag followed by its event's time: ``[bid → 00:55.2]``,
    an unlinked one by ✗."""
    out, at = [], 0
    for link in links:
        tag = entry.text[link.start:link.end]
        mark = f" → {format_time(link.event_ms)}" if link.event_ms is not None else " ✗"
        out += [entry.text[at:link.start], tag[:-1] + mark + "]"]
        at = link.end
    return "".join([*out, entry.text[at:]])


def links_text(links: Sequence[Link]) -> str:
    """``bid 00:21.970; respond ✗``: each tag's code and its event's time."""
    return "; ".join(f"{link.code} {format_time(link.event_ms)}" if link.event_ms is not None
                     else f"{link.code} ✗" for link in links)


def _facts(header: TranscriptHeader, _: Translator) -> Facts:
    return Facts([(_("Study"), header.study), (_("Session"), header.session),
                  (_("Coding"), str(header.coding_id)), (_("Coder"), header.coder)])


def transcript_document(header: TranscriptHeader, entries: Sequence[tuple[Entry, list[Link]]],
                        *, language: str, today: dt.date | None = None) -> Document:
    """The transcript as a report document (the PDF's content)."""
    _ = translator(language)
    rows = [[format_time(entry.time_ms), entry.text, links_text(links)]
            for entry, links in entries]
    body: list[Facts | Paragraph | Table] = [_facts(header, _)]
    if rows:
        body.append(Table([_("Time"), _("Entry"), _("Codes")], rows, widths=(2, 11, 4)))
    else:
        body.append(Paragraph(_("The transcript has no entries yet.")))
    return Document(
        language=language, title=_("Transcript"),
        subtitle=f"{header.study} · {header.session} · {header.coder}",
        sections=[Section(_("Entries"), list(body), key="entries")],
        disclaimer=_(NOTE, seconds=DEFAULT_TOLERANCE_MS // 1000),
        footer=_("Samspill %(version)s · made %(date)s", version=__version__,
                 date=_.date(today or dt.date.today())),
        kind="transcript",
    )


def transcript_pdf(header: TranscriptHeader, entries: Sequence[tuple[Entry, list[Link]]],
                   *, language: str) -> bytes:
    return render_pdf(transcript_document(header, entries, language=language))


def transcript_docx(header: TranscriptHeader, entries: Sequence[tuple[Entry, list[Link]]],
                    *, language: str) -> bytes:
    """The transcript as a .docx: a title, the facts, then one paragraph per entry with its
    time in bold, so a reader can annotate it in a word processor."""
    import docx  # python-docx: only this export needs it

    _ = translator(language)
    document = docx.Document()
    document.core_properties.title = _("Transcript")
    document.core_properties.language = language
    document.add_heading(f"{_('Transcript')}: {header.session}", level=1)
    for label, value in _facts(header, _).items:
        line = document.add_paragraph()
        line.add_run(f"{label}: ").bold = True
        line.add_run(value)
    if not entries:
        document.add_paragraph(_("The transcript has no entries yet."))
    for entry, links in entries:
        line = document.add_paragraph()
        line.add_run(f"{format_time(entry.time_ms)}\t").bold = True
        for number, part in enumerate(shown_text(entry, links).split("\n")):
            if number:
                line.add_run().add_break()
                line.add_run("\t")
            line.add_run(part)
    document.add_paragraph().add_run(_(NOTE, seconds=DEFAULT_TOLERANCE_MS // 1000)).italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
