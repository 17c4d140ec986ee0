"""Errors said in the reader's language: the coding's refusals (``core.coding_rules``) and every
error whose English template is in the catalogs (the services mark theirs with ``N_``).

The refusals' templates are the core's; they are marked here so that Babel's extractor puts
them in the catalogs (a test checks the two lists agree and that bokmål has each one). An error
whose text is not in the catalogs is said as it is, in English. Refusals of other services
that are said in the reader's language are marked in :data:`OTHERS`.
"""

from __future__ import annotations

from samspill.core.errors import Note, SamspillError
from samspill.store import folder, lengths
from samspill.store.errors import StorageProblem
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


# The core's password rules (``core.passwords``, which Babel does not read): messages, fixes
# and the reasons a password is easy to guess, said as the ``problem`` of the second.
PASSWORDS = (
    _("the password is shorter than {count} characters"),
    _("choose a password of at least {count} characters"),
    _("the password is too easy to guess ({problem})"),
    _("use a few unrelated words or a password manager's random password"),
    _("a strength estimate below 3 of 4"),
    _("it is one of the most common passwords"),
    _("it holds the user name or the product's name"),
    _("it repeats a few characters"),
    _("it is a run of the keyboard or the alphabet"),
)
# The store's words said as a {parameter}: a storage problem, a column's name, a zip entry's
# problem (store/errors.py, store/lengths.py, store/folder.py).
STORE_WORDS = (*(str(p.value) for p in StorageProblem), *lengths.NAMES.values(),
               *folder.ENTRY_PROBLEMS)
_WORDS = frozenset(OTHERS + PASSWORDS + STORE_WORDS)


# Importers' messages that reach the web (issue 22): Notes with these templates.
IMPORT_MARKED = (
    _("the project has BORIS project format {version}; this Samspill reads formats up to "
      "{supported} (BORIS 8 and 9)"),
    _("upgrade Samspill to import it, or save the project from a BORIS version that writes "
      "format {supported}"),
    _("line {line} is not UTF-8 text: byte {byte} at character {column} (perhaps '{guess}' "
      "saved as Latin-1 or Windows-1252)"),
    _("open the file in a text editor or spreadsheet and save it as UTF-8"),
    _("{count} pair(s) of annotations overlap on one tier (a tier is one stream of "
      "annotations): {pairs}"),
    _("move or shorten them in ELAN, or put one of each pair on a tier of its own"),
    _("{count} observation(s) do not say their procedure ({names}), and none was chosen for "
      "the import"),
    _("choose the procedure of new sessions (free-play or ssp: --procedure, or Procedure on "
      "the import form), or add a 'procedure' variable in BORIS"),
    _("observation '{observation}': events run until {end} s, past the media length the file "
      "records ({media} s); the session's length was set to {end} s"),
    _("the file was coded with scheme {scheme}, which this Samspill does not have"),
    _("load that scheme first (samspill scheme load FILE), or choose the scheme to read the "
      "file with (--scheme, or Scheme on the import form)"),
)


def note_message(note: object) -> str:
    """A Note's message (else the thing as text) in the request's language."""
    if isinstance(note, Note):
        return i18n.gettext(note.template).format(**note.params)
    return str(note)


def note_fix(note: object) -> str:
    """A Note's fix in the request's language; empty when it has none."""
    if isinstance(note, Note) and note.fix_template:
        return i18n.gettext(note.fix_template).format(**note.params)
    return ""


def note_text(note: object) -> str:
    """A warning as one line: where, message and fix, in the request's language."""
    if not isinstance(note, Note):
        return str(note)
    text = f"{note.where}: {note_message(note)}" if note.where else note_message(note)
    fix = note_fix(note)
    return f"{text}. {i18n.gettext('Fix')}: {fix}" if fix else text


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
        return said_so.format(**_words(params)) if params else said_so
    except (KeyError, IndexError, ValueError):  # a translation naming a field it lacks
        return english


def _words(params: dict[str, str | int]) -> dict[str, str | int]:
    # A parameter that is itself a marked word (a status) is said in the reader's language.
    return {k: i18n.gettext(v) if isinstance(v, str) and v in _WORDS else v
            for k, v in params.items()}
