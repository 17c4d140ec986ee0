"""A report document as PDF: text and tables by reportlab, plots as vector PDF by matplotlib.

Why this route: both install from PyPI alone (no system libraries, unlike weasyprint's
Pango/Cairo), reportlab lays out long tables across pages, and matplotlib's own PDF backend
keeps the plots exactly as drawn and vector. The text pages are built first with an empty,
measured slot for each plot; pypdf then stamps each figure's one-page PDF into its slot.
Fonts are DejaVu Sans (shipped with matplotlib), so bokmål letters and symbols such as "≥"
print everywhere.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import cast
from xml.sax.saxutils import escape

import matplotlib
from matplotlib.figure import Figure
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
)
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable

from samspill.reports import document as d
from samspill.reports.plots import style

MARGIN = 16 * mm
INK, MUTED, BAD = colors.HexColor("#1d2430"), colors.HexColor("#5b6472"), colors.HexColor("#a32020")
LINE, HEAD_BG = colors.HexColor("#d8dce3"), colors.HexColor("#eef1f5")


@cache
def _fonts() -> tuple[str, str]:
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont("SamspillSans", str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("SamspillSans-Bold", str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily("SamspillSans", normal="SamspillSans", bold="SamspillSans-Bold")
    return "SamspillSans", "SamspillSans-Bold"


@cache
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=8.5, leading=11, textColor=INK)
    return {
        "base": base,
        "title": ParagraphStyle("title", base, fontName=bold, fontSize=17, leading=21),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=10, textColor=MUTED,
                                   spaceAfter=6),
        "h2": ParagraphStyle("h2", base, fontName=bold, fontSize=11.5, leading=14,
                             spaceBefore=10, spaceAfter=4),
        "h3": ParagraphStyle("h3", base, fontName=bold, fontSize=9.5, leading=12,
                             spaceBefore=8, spaceAfter=3, keepWithNext=1),
        "summary": ParagraphStyle("summary", base, fontName=bold),
        "note": ParagraphStyle("note", base, textColor=MUTED, fontSize=8),
        "notice": ParagraphStyle("notice", base, fontName=bold, backColor="#fff8e6",
                                 borderColor="#f0a500", borderWidth=0.8, borderPadding=5,
                                 spaceBefore=6, spaceAfter=8),
        "cell": ParagraphStyle("cell", base, fontSize=7.5, leading=9.2),
        "cell_bold": ParagraphStyle("cell_bold", base, fontName=bold, fontSize=7.5,
                                    leading=9.2),
        "cell_marked": ParagraphStyle("cell_marked", base, fontName=bold, fontSize=7.5,
                                      leading=9.2, textColor=BAD),
        "caption": ParagraphStyle("caption", base, fontSize=7.5, textColor=MUTED),
    }


@dataclass
class _Slot:
    figure: Figure
    page: int = 0
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0


class _PlotSlot(Flowable):
    """Empty room for a plot, as wide as the frame; it notes where it landed."""

    def __init__(self, slot: _Slot) -> None:
        super().__init__()
        self.slot = slot
        w, h = slot.figure.get_size_inches()
        self.aspect = h / w

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        limit = A4[1] - 2 * MARGIN - 30  # never taller than a page
        natural = float(self.slot.figure.get_size_inches()[0]) * 72
        self.width = min(avail_width, natural)  # fonts never grow beyond their set size
        self.height = self.width * self.aspect
        if self.height > limit:
            self.height, self.width = limit, limit / self.aspect
        return self.width, self.height

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)
        slot = self.slot
        slot.page, slot.x, slot.y = self.canv.getPageNumber() - 1, x, y
        slot.width, slot.height = self.width, self.height


def render_pdf(document: d.Document) -> bytes:
    """The document as PDF bytes: A4, a running footer, vector plots."""
    s = _styles()
    slots: list[_Slot] = []
    story = [Paragraph(escape(document.title), s["title"]),
             Paragraph(escape(document.subtitle), s["subtitle"])]
    for section in document.sections:
        story += _section(section, s, slots)
    story.append(Paragraph(escape(document.disclaimer), s["notice"]))
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm,
                            title=f"{document.title} · {document.subtitle}", author="Samspill",
                            lang=document.language)
    footer = _footer(document)
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return _stamp(buffer.getvalue(), slots)


def _section(section: d.Section, s: dict[str, ParagraphStyle], slots: list[_Slot]) -> list:
    heading = Paragraph(escape(section.title), s["h2"])
    flowables: list = []
    for block in section.blocks:
        flowables += _block(block, s, slots)
    # Keep the heading with its first block, so no title ends a page alone (not nested:
    # a KeepTogether inside another pushes both to the next page).
    first = flowables[0] if flowables else Spacer(1, 1)
    inner = list(first._content) if isinstance(first, KeepTogether) else [first]
    return [KeepTogether([heading, *inner]), *flowables[1:]]


def _block(block: d.Block, s: dict[str, ParagraphStyle], slots: list[_Slot]) -> list:
    if isinstance(block, d.Heading):
        return [Paragraph(escape(block.text), s["h3"])]
    if isinstance(block, d.Paragraph):
        return [Paragraph(escape(block.text), s.get(block.kind, s["base"])), Spacer(1, 3)]
    if isinstance(block, d.Facts):
        return [_facts(block, s), Spacer(1, 4)]
    if isinstance(block, d.Table):
        caption = [Paragraph(escape(block.caption), s["caption"])] if block.caption else []
        if len(block.rows) <= 12:  # a short table stays on one page with its caption
            return [KeepTogether([*caption, _table(block, s)]), Spacer(1, 6)]
        return [*caption, _table(block, s), Spacer(1, 6)]
    slot = _Slot(block.figure)
    slots.append(slot)
    return [_PlotSlot(slot), Paragraph(escape(block.alt), s["caption"]), Spacer(1, 6)]


def _facts(block: d.Facts, s: dict[str, ParagraphStyle]) -> RLTable:
    """Label–value pairs two by two across the page."""
    cells = [[Paragraph(escape(label), s["note"]), Paragraph(escape(value), s["base"])]
             for label, value in block.items]
    rows = [cells[i] + (cells[i + 1] if i + 1 < len(cells) else ["", ""])
            for i in range(0, len(cells), 2)]
    width = A4[0] - 2 * MARGIN
    table = RLTable(rows, colWidths=[width * f for f in (0.16, 0.34, 0.16, 0.34)])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                               ("TOPPADDING", (0, 0), (-1, -1), 1.5)]))
    return table


def _table(block: d.Table, s: dict[str, ParagraphStyle]) -> RLTable:
    def cell(text: str, style: ParagraphStyle, col: int) -> Paragraph:
        align = ParagraphStyle(f"{style.name}-r", style, alignment=2) if col in block.numeric \
            else style
        return Paragraph(escape(text), align)

    head = [cell(c, s["cell_bold"], i) for i, c in enumerate(block.columns)]
    body = [[cell(text, s["cell_marked"] if r in block.marked else s["cell"], i)
             for i, text in enumerate(row)] for r, row in enumerate(block.rows)]
    width = (A4[0] - 2 * MARGIN) * (0.5 if len(block.columns) <= 2 else 1.0)
    table = RLTable([head, *body], colWidths=_column_widths(block, width), repeatRows=1,
                    hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return table


CELL_PADDING = 12  # reportlab's default left + right padding


def _column_widths(block: d.Table, width: float) -> list[float]:
    """The table's relative widths, but never narrower than a column's longest header word
    (so no word breaks mid-word); the room comes from the columns that have some to spare."""
    _regular, bold = _fonts()
    weights = block.widths or (1.0,) * len(block.columns)
    widths = [width * w / sum(weights) for w in weights]
    need = [max((stringWidth(word, bold, 7.5) for word in c.split()), default=0) + CELL_PADDING
            for c in block.columns]
    short = sum(max(n - w, 0) for n, w in zip(need, widths, strict=True))
    spare = sum(max(w - n, 0) for n, w in zip(need, widths, strict=True))
    if short == 0 or spare < short:
        return widths
    return [n if n > w else w - (w - n) * short / spare
            for n, w in zip(need, widths, strict=True)]


def _footer(document: d.Document):
    regular, _bold = _fonts()

    def draw(canvas, pdf) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, MARGIN - 2 * mm, f"{document.subtitle} · {document.footer}")
        canvas.drawRightString(A4[0] - MARGIN, MARGIN - 2 * mm, str(canvas.getPageNumber()))
        canvas.restoreState()

    return draw


def _stamp(text_pdf: bytes, slots: list[_Slot]) -> bytes:
    """Put each figure's vector PDF into the slot reserved for it, as a form XObject.

    A form XObject is drawn by one ``Do`` with a scaling matrix: no content stream is parsed
    (pypdf's ``merge_transformed_page`` would parse both pages' contents, ten times slower).
    """
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf)))
    for number, slot in enumerate(slots):
        figure_page = PdfReader(io.BytesIO(_figure_pdf(slot.figure))).pages[0]
        name = NameObject(f"/SamspillPlot{number}")
        form = _form_xobject(writer, figure_page)
        page = writer.pages[slot.page]
        resources = cast(DictionaryObject, page[NameObject("/Resources")].get_object())
        if "/XObject" not in resources:
            resources[NameObject("/XObject")] = DictionaryObject()
        cast(DictionaryObject, resources["/XObject"].get_object())[name] = form
        scale = slot.width / float(figure_page.mediabox.width)
        draw = f"q {scale:.6f} 0 0 {scale:.6f} {slot.x:.3f} {slot.y:.3f} cm {name} Do Q"
        _append_content(writer, page, draw.encode("ascii"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _form_xobject(writer: PdfWriter, page: PageObject) -> IndirectObject:
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())  # type: ignore[union-attr]
    form.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject(FloatObject(v) for v in page.mediabox),
        NameObject("/Resources"): cast(DictionaryObject,
                                       page["/Resources"].get_object()).clone(writer),
    })
    return writer._add_object(form)  # pypdf's only way to add a free-standing object


def _append_content(writer: PdfWriter, page: PageObject, operators: bytes) -> None:
    """Add drawing after the page's own, its graphics state saved around it."""
    contents = page[NameObject("/Contents")]
    target = contents.get_object()
    old = list(target) if isinstance(target, ArrayObject) else [contents]
    streams = []
    for data in (b"q\n", b"\nQ\n" + operators + b"\n"):
        stream = DecodedStreamObject()
        stream.set_data(data)
        streams.append(writer._add_object(stream))
    page[NameObject("/Contents")] = ArrayObject([streams[0], *old, streams[1]])


def _figure_pdf(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    with style():
        figure.savefig(buffer, format="pdf", metadata={"CreationDate": None, "Creator": None})
    return buffer.getvalue()
