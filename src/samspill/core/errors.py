"""One exception family for the whole product.

Every error says what is wrong, where (file line, CSV row, event id) when that is known, and how
to fix it. The CLI prints ``str(error)`` on one line and exits 2; the web app turns it into the
JSON body ``{"error": {"type", "message", "where", "fix"}}``.
"""

from __future__ import annotations

from collections.abc import Mapping


def N_(template: str) -> str:
    """Mark an error's English template for the web's catalogs (Babel extracts ``N_``); the
    web app says it in the reader's language (``web.refusals.said``)."""
    return template


class SamspillError(Exception):
    """Base class: a problem the user can fix.

    With ``params``, ``message`` and ``fix`` are templates (``{name}`` fields filled from
    ``params``), kept so that a page can say them in its reader's language; the CLI and the
    logs get the English text.
    """

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        fix: str = "",
        where: str = "",
        params: Mapping[str, str | int] | None = None,
    ) -> None:
        self.template, self.fix_template = message, fix
        self.params = dict(params or {})
        if params is not None:
            message, fix = message.format(**self.params), fix.format(**self.params)
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.where = where

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}. Fix: {self.fix}" if self.fix else text

    def as_dict(self) -> dict[str, str]:
        return {
            "type": type(self).__name__,
            "message": self.message,
            "where": self.where,
            "fix": self.fix,
        }


class SchemeError(SamspillError):
    """A coding scheme file is malformed or inconsistent."""


class EventError(SamspillError):
    """Events that cannot be stored or scored as given (unknown code, bad times, overlaps)."""


class InputError(SamspillError):
    """Any other malformed input: a CSV, an archive, a parameter."""


class NotFoundError(SamspillError):
    """A named study, session, coding or user does not exist."""

    status_code = 404


class ConflictError(SamspillError):
    """The request clashes with the stored state (a name taken, a locked coding)."""

    status_code = 409


class PermissionDeniedError(SamspillError):
    """The user's role does not allow this."""

    status_code = 403


class AuthenticationError(SamspillError):
    """No valid login or token."""

    status_code = 401


class StorageError(SamspillError):
    """The server's storage refused the work (a full disk, a read-only data folder, a busy or
    unreachable database): nothing was saved, and the same request may succeed later."""

    status_code = 503


class RefusedError(ConflictError):
    """A write that breaks a rule of the coding (``core.coding_rules``): nothing is stored.

    ``template`` and ``fix_template`` are English with ``{names}`` filled from ``params``, so
    the edge can say them in the reader's language; ``details`` goes into the answer as it is
    (the server's version of an event, for a choice). 409 for a clash with what is stored, 422
    for a write incomplete in itself.
    """

    def __init__(
        self,
        template: str,
        *,
        fix: str,
        params: Mapping[str, str | int] | None = None,
        where: str = "",
        status_code: int = 409,
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(template, fix=fix, where=where, params=params or {})
        self.status_code = status_code
        self.details = dict(details or {})


class Note:
    """A message kept as an English template with its values, so each edge can say it in the
    reader's language (the CLI in English via ``str``, the web through its catalogs).

    Importers use it for warnings and refusals that reach the web; ``template`` and
    ``fix_template`` take ``{names}`` from ``params``.
    """

    def __init__(self, template: str, *, fix: str = "", where: str = "",
                 params: Mapping[str, str | int] | None = None) -> None:
        self.template = template
        self.fix_template = fix
        self.where = where
        self.params = dict(params or {})

    @property
    def message(self) -> str:
        return self.template.format(**self.params)

    @property
    def fix(self) -> str:
        return self.fix_template.format(**self.params)

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}. Fix: {self.fix}" if self.fix else text

    def __repr__(self) -> str:
        return f"Note({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Note) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


class NotedInputError(InputError):
    """An :class:`InputError` whose message is a :class:`Note`, so the web can translate it."""

    def __init__(self, note: Note) -> None:
        super().__init__(note.message, fix=note.fix, where=note.where)
        self.note = note
        self.template = note.template
        self.fix_template = note.fix_template
        self.params = note.params
