"""A report document as HTML (Jinja2, plots as inline SVG) or PDF (see :mod:`pdf`).

The web app serves reports under a strict Content-Security-Policy that forbids inline styles,
and matplotlib's SVG carries its styling in ``style`` attributes and a ``<style>`` element. So
:func:`svg_markup` rewrites them into SVG presentation attributes (``fill="…"``), which the
policy allows, and gives each figure's ids a prefix so several figures share one page.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from samspill.core.errors import InputError
from samspill.reports.document import Document, Facts, Heading, Paragraph, Plot, Table
from samspill.reports.i18n import translator
from samspill.reports.pdf import render_pdf
from samspill.reports.plots import style

TEMPLATES = Path(__file__).parent / "templates"
CSS_FILE = TEMPLATES / "report.css"
SCREEN_SCALE = 1.35
_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_ID_ATTR = re.compile(r'\sid="([^"]+)"')


def svg_markup(figure, *, key: str, alt: str) -> Markup:
    """The figure as an ``<svg>`` element for inline use, without inline CSS."""
    buffer = io.StringIO()
    with style():
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    text = re.sub(r"<style[^>]*>.*?</style>\s*", "", text, flags=re.S)
    text = _STYLE_ATTR.sub(lambda m: _presentation(m.group(1)), text)
    text = _prefix_ids(text, key)
    opening = (f'<svg class="plot" role="img" aria-label="{escape(alt)}" '
               'stroke-linejoin="round" stroke-linecap="butt" ')
    # Drawn for print; on screen a third larger (the stylesheet caps it at the page's width).
    size = re.search(r'<svg\s[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"', text)
    natural = (f'width="{float(size.group(1)) * SCREEN_SCALE:.1f}pt" '
               f'height="{float(size.group(2)) * SCREEN_SCALE:.1f}pt" ') if size else ""
    text = re.sub(r'<svg\s[^>]*?(viewBox="[^"]*")[^>]*>', lambda m: opening + natural
                  + m.group(1) + ' xmlns="http://www.w3.org/2000/svg" '
                  'xmlns:xlink="http://www.w3.org/1999/xlink">', text, count=1)
    return Markup(text)


def _presentation(style_text: str) -> str:
    """``style="fill: #fff; stroke: none"`` → `` fill="#fff" stroke="none"``."""
    parts = []
    for declaration in style_text.split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name and value:
            parts.append(f' {name}="{value.replace(chr(34), chr(39))}"')
    return "".join(parts)


def _prefix_ids(text: str, key: str) -> str:
    ids = set(_ID_ATTR.findall(text))
    text = _ID_ATTR.sub(lambda m: f' id="{key}-{m.group(1)}"', text)
    return re.sub(r"#([A-Za-z_][\w.\-]*)",
                  lambda m: f"#{key}-{m.group(1)}" if m.group(1) in ids else m.group(0), text)


@dataclass(frozen=True)
class WebLinks:
    """Where the page's buttons go when it is served by the web app."""

    pdf: str
    html: str
    back: str
    css: str
    job: str = ""  # where a form starts the file as a job with progress (cohort reports)
    csrf: str = ""


@cache
def _environment(language: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             extensions=["jinja2.ext.i18n"])
    _ = translator(language)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message, **fields: _(message, **fields),
        lambda singular, plural, n, **fields: _.ngettext(singular, plural, n, **fields),
        newstyle=True)
    env.filters["block_kind"] = _block_kind
    return env


def _block_kind(block: object) -> str:
    kinds = {Facts: "facts", Heading: "heading", Paragraph: "paragraph", Table: "table",
             Plot: "plot"}
    return kinds[type(block)]


def render_html(document: Document, *, links: WebLinks | None = None) -> str:
    """A self-contained HTML file (CSS inlined), or with ``links`` the web app's page."""
    plots = {b.key: svg_markup(b.figure, key=b.key, alt=b.alt)
             for s in document.sections for b in s.blocks if isinstance(b, Plot)}
    template = _environment(document.language).get_template("report.html")
    css = None if links else Markup(CSS_FILE.read_text(encoding="utf-8"))
    return template.render(doc=document, plots=plots, links=links, css=css)


def render(document: Document, fmt: str) -> bytes:
    """The report in ``fmt`` (``html`` or ``pdf``) as bytes to write or send."""
    if fmt == "html":
        return render_html(document).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(document)
    raise InputError(f"no report format '{fmt}'", fix="use pdf or html")
