"""A report as a document: sections of facts, headings, paragraphs, tables and plots, already
in the report's language. The session and cohort reports build one; :mod:`render` writes it as
HTML or PDF, so both formats say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.figure import Figure


@dataclass(frozen=True)
class Facts:
    """Label–value pairs (the header)."""

    items: list[tuple[str, str]]


@dataclass(frozen=True)
class Heading:
    """A heading inside a section (e.g. one segment's part of the signs)."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "plain"  # plain | summary (bold) | note (muted) | notice (the disclaimer)


@dataclass(frozen=True)
class Table:
    """A table of text cells; ``marked`` rows are shown as flagged."""

    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    marked: frozenset[int] = frozenset()
    numeric: frozenset[int] = frozenset()  # columns to right-align
    widths: tuple[float, ...] = ()  # relative column widths for the PDF

    def __post_init__(self) -> None:
        if any(len(r) != len(self.columns) for r in self.rows):
            raise ValueError("every row needs one cell per column")


@dataclass(frozen=True)
class Plot:
    """A matplotlib figure and the sentence that says what it shows (alt text)."""

    figure: Figure
    alt: str
    key: str


Block = Facts | Heading | Paragraph | Table | Plot


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    key: str = ""


@dataclass
class Document:
    """The whole report: a title, its sections, and the closing statement."""

    language: str
    title: str
    subtitle: str
    sections: list[Section]
    disclaimer: str
    footer: str
    kind: str = "session"  # session | cohort
