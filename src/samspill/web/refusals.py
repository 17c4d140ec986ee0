"""Errors said in the reader's language: the coding's refusals (``core.coding_rules``) and every
error whose English template is in the catalogs (the services mark theirs with ``N_``).

The refusals' templates are the core's; they are marked here so that Babel's extractor puts
them in the catalogs (a test checks the two lists agree and that bokmål has each one). An error
whose text is not in the catalogs is said as it is, in English.
"""

from __future__ import annotations

from samspill.core.errors import SamspillError
from samspill.web import i18n
from samspill.web.i18n import marked as _  # for the extractor

MARKED = (
    _("'{code}' at {onset} ms would overlap '{other}' ({start}–{end}) for {subject}"),
    _("end the first state before the next one starts, or reload to see the other's events"),
    _("'{code}' would run at the same time as '{other}' (running since {start} ms) for {subject}"),
    _("stop '{other}' first; another window may have started it, so reload the page"),
    _("segment '{name}' ({start}–{end}) overlaps segment '{other}' ({other_start}–{other_end})"),
    _("mark it after the other ends, or delete the other first"),
    _("'{code}' at {onset} ms lacks its required '{modifier}'"),
    _("choose a '{modifier}' for it (edit the event)"),
    _("'{code}' at {onset} ms cannot be added without its required '{modifier}'"),
    _("send the event together with its '{modifier}'; the coding screen asks for it first"),
    _("{count} state(s) still running, the first '{code}' since {onset} ms"),
    _("stop every running state, then submit"),
    _("this event was changed elsewhere (your version {yours}, the server's {theirs})"),
    _("keep yours or take the server's"),
    _("this event was deleted elsewhere"),
    _("add it again, or take the deletion"),
)


def said(error: SamspillError) -> dict[str, object]:
    """The error's answer in the request's language, with its details (e.g. both versions)."""
    return {
        **error.as_dict(),
        "message": _in_language(error.template, error.message, error.params),
        "fix": _in_language(error.fix_template, error.fix, error.params),
        **getattr(error, "details", {}),
    }


def _in_language(template: str, english: str, params: dict[str, str | int]) -> str:
    if not template:
        return english
    said_so = i18n.gettext(template)
    try:
        return said_so.format(**params) if params else said_so
    except (KeyError, IndexError, ValueError):  # a translation naming a field it lacks
        return english
