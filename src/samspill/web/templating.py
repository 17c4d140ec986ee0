"""Jinja2 templates with gettext bound to the request's language, and a study's pages."""

from __future__ import annotations

from pathlib import Path

import jinja2
from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from samspill.core import numbers
from samspill.web import i18n, refusals
from samspill.web.deps import Access


def _ms(value: int | None) -> str:
    """12345 ms → 00:12.345 (minutes:seconds.millis), the coding screen's format."""
    if value is None:
        return ""
    minutes, rest = divmod(int(value), 60_000)
    return f"{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
)


def _number(value: object) -> str:
    """Integers as integers, other numbers with up to three decimals, in the page's language:
    never ``7.5e+03`` (samspill.core.numbers, shared with the CLI and the reports)."""
    return numbers.number(value, i18n.current_language.get())


def _percent(value: object) -> str:
    """A share (0–1) as a whole percent in the page's language (``80 %``)."""
    return numbers.percent(value, i18n.current_language.get())


templates = Jinja2Templates(env=_env)
templates.env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
templates.env.filters["ms"] = _ms
templates.env.filters["number"] = _number
templates.env.filters["percent"] = _percent
templates.env.globals["current_language"] = i18n.current_language.get
templates.env.globals["languages"] = i18n.LANGUAGES
templates.env.globals["note_message"] = refusals.note_message
templates.env.globals["note_fix"] = refusals.note_fix
templates.env.globals["note_text"] = refusals.note_text


def page(request: Request, access: Access, template: str, **context: object) -> Response:
    """A study's page: the template with the user, the CSRF token, the role and the study."""
    return templates.TemplateResponse(
        request,
        template,
        {
            "user": access.user,
            "csrf": access.csrf,
            "role": access.role,
            "study": access.the_study,
            **context,
        },
    )
