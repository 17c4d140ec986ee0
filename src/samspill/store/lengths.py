"""Text too long for its column is refused before the database sees it.

SQLite keeps any length; PostgreSQL refuses what exceeds ``VARCHAR(n)`` with a database error
that used to answer 500 and print the statement (with a coder's comment) to the log (issue 21,
items 11 and 13). Every flush is checked here, so every way in (web, CLI, imports) gets the
same clear 400, and bulk inserts call :func:`check_values` themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import String, event
from sqlalchemy.orm import Session, sessionmaker

from samspill.core.errors import N_, InputError

# What a column is called in a message; others are named "<column> of a <table> row".
NAMES = {
    ("events", "id"): N_("an event's id"),
    ("events", "subject"): N_("an event's subject"),
    ("events", "code"): N_("an event's code"),
    ("segments", "id"): N_("a segment's id"),
    ("segments", "name"): N_("a segment's name"),
    ("sessions", "name"): N_("a session's name"),
    ("sessions", "procedure"): N_("a session's procedure"),
    ("dyads", "code"): N_("a dyad's code"),
    ("studies", "name"): N_("a study's name"),
    ("studies", "title"): N_("a study's title"),
    ("users", "username"): N_("a user name"),
    ("ratings", "item_id"): N_("a rating's item"),
    ("ratings", "value"): N_("a rating's value"),
}


def check_values(table: Any, values: Mapping[str, object]) -> None:
    """Refuse (InputError) any text in ``values`` longer than its column of ``table``."""
    for name, value in values.items():
        column = table.columns.get(name)
        if column is None or not isinstance(value, str) or not isinstance(column.type, String):
            continue
        limit = column.type.length
        if limit is not None and len(value) > limit:
            what = NAMES.get((table.name, name), f"{name} of a {table.name} row")
            # The value itself stays out of the message: it may be a name or a comment.
            raise InputError(
                N_("{what} is {length} characters long; at most {limit} fit"),
                fix=N_("shorten it to {limit} characters or fewer"),
                params={"what": what, "length": len(value), "limit": limit},
            )


def _check_flush(session: Session, _context: object, _instances: object) -> None:
    for obj in (*session.new, *session.dirty):
        table = getattr(obj, "__table__", None)
        if table is not None:
            check_values(table, {c.key: getattr(obj, c.key, None) for c in table.columns})


def install(sessions: sessionmaker[Session]) -> None:
    event.listen(sessions, "before_flush", _check_flush)
