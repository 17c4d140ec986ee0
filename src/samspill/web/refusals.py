"""The coding's refusals (``core.coding_rules``) said in the reader's language.

The templates are the core's; they are marked here so that Babel's extractor puts them in the
catalogs (a test checks the two lists agree and that bokmål has each one). Refusals of other
services that are said in the reader's language are marked in :data:`OTHERS`.
"""

from __future__ import annotations

from samspill.core.errors import RefusedError, SamspillError
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
    _("{count} state(s) still running, the first '{code}' since {onset} ms"),
    _("stop every running state, then submit"),
    _("this event was changed elsewhere (your version {yours}, the server's {theirs})"),
    _("keep yours or take the server's"),
    _("this event was deleted elsewhere"),
    _("add it again, or take the deletion"),
)

# Marking a master (``services.training``) and the refusals of ``services.access.REFUSALS``
# and ``services.studies`` (who may create a study): messages and fixes.
OTHERS = (
    _("a master is for training or reliability, not '{purpose}'"),
    _("choose training or reliability"),
    _("only a submitted coding can be the master (this one is {status})"),
    _("let its coder submit it first, then mark it"),
    _("this coding is not the master of its session"),
    _("reload the page: someone may have unmarked it already"),
    _("in progress"),
    _("submitted"),
    _("master"),
    _("only the study's owner marks a master, unmarks it or reopens a coding"),
    _("ask the study's owner"),
    _("creating a study is a right you do not hold"),
    _("ask an administrator to let you create studies"),
)


def said_plainly(error: SamspillError) -> dict[str, str]:
    """Any other error, its message and fix translated when the catalog holds them (fixed
    texts such as the refusals marked above); other messages stay as they are."""
    body = error.as_dict()
    return {**body, "message": _say(body["message"]), "fix": _say(body["fix"])}


def _say(text: str) -> str:
    return i18n.gettext(text) if text else text  # gettext("") is the catalog's header


def said(error: RefusedError) -> dict[str, object]:
    """The error's answer in the request's language, with its details (e.g. both versions)."""
    return {
        **error.as_dict(),
        "message": i18n.gettext(error.template).format(**_words(error.params)),
        "fix": i18n.gettext(error.fix_template).format(**error.params),
        **error.details,
    }


def _words(params: dict[str, str | int]) -> dict[str, str | int]:
    # A parameter that is itself a marked word (a status) is said in the reader's language.
    return {k: i18n.gettext(v) if isinstance(v, str) and v in OTHERS else v
            for k, v in params.items()}
