"""The audit trail: one append-only row per event of interest (who, what, when, from where).

Rows come from three places:

- the web's Permission dependency (``web/deps.py``): every write, each read of a session, its
  video or identifying data, each export and report, and each refused attempt;
- a flush hook on every database session (:func:`install`): logins, new API tokens and every
  change of a study role (a removal too), whichever path (web or CLI) made them;
- the account service (``services/accounts.py``, issue 21): failed logins and lockouts, login
  links, revoked tokens, password changes and resets, disabled and enabled users;
- services that do something worth naming (a dyad's deletion, with counts only).

A row names things (user, study, path, dyad code) and never holds a request body or
identifying content. The database refuses to update or delete rows (migration 0002).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, SessionTransaction

from samspill.core.errors import N_, InputError
from samspill.core.terms import AUDIT_MAX_ROWS
from samspill.store.models import (
    ApiToken,
    AuditEntry,
    AuthSession,
    Membership,
    Study,
    User,
)

# Where the current request comes from; the web middleware sets it, the CLI leaves "cli".
CLIENT: ContextVar[str] = ContextVar("samspill_audit_client", default="cli")
# The actions recorded during the current request (a list the request owns), so the web layer
# can tell whether a refused login was logged already.
RECORDED: ContextVar[list[str] | None] = ContextVar("samspill_audit_recorded", default=None)
_AT_COMMIT = "samspill_audit_at_commit"  # the session.info key of rows due at commit
CSV_COLUMNS = ("id", "at", "username", "action", "target", "study", "client", "detail")
MAX_ROWS = AUDIT_MAX_ROWS


def record(
    db: Session,
    *,
    action: str,
    user: User | None = None,
    username: str = "",
    target: str = "",
    study: str | None = None,
    detail: str = "",
) -> AuditEntry:
    """Add one row to the log in the caller's transaction (it commits with the change)."""
    entry = AuditEntry(
        user_id=user.id if user is not None else None,
        username=(user.username if user is not None else username)[:64],
        action=action[:32],
        target=target[:300],
        study=study,
        client=CLIENT.get()[:64],
        detail=detail[:300],
        at=dt.datetime.now(dt.UTC),
    )
    db.add(entry)
    recorded = RECORDED.get()
    if recorded is not None:
        recorded.append(entry.action)
    return entry


def record_at_commit(db: Session, **fields: object) -> None:
    """Like :func:`record`, but the row is added when the transaction commits.

    A request's reads then all run before it writes, so on SQLite it holds the single write
    lock only for its final burst of writes (see ``store/sqlite_gate``).
    """
    db.info.setdefault(_AT_COMMIT, []).append(fields)


def _add_rows_due_at_commit(db: Session) -> None:
    due: list[dict[str, Any]] = db.info.pop(_AT_COMMIT, [])
    for fields in due:
        record(db, **fields)


def _forget_rows_due_at_commit(db: Session, transaction: SessionTransaction) -> None:
    # Only when the outermost transaction ends (a commit took them already; a rollback takes
    # them with the change they described). A savepoint's rollback leaves them be.
    if transaction.parent is None:
        db.info.pop(_AT_COMMIT, None)


def entries(
    db: Session,
    *,
    study: str | None = None,
    username: str | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 500,
) -> Sequence[AuditEntry]:
    """Newest first. ``action`` matches a prefix ("login" finds "login.failed" too)."""
    if not 1 <= limit <= MAX_ROWS:
        raise InputError(N_("limit {limit} is out of range"), fix=N_("ask for 1 to {most} rows"),
                         params={"limit": limit, "most": MAX_ROWS})
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if study is not None:
        query = query.where(AuditEntry.study == study)
    if username:
        query = query.where(AuditEntry.username == username)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return db.scalars(query).all()


def to_csv(rows: Sequence[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)
        study, target, detail = row.study or "", _cell(row.target), _cell(row.detail)
        writer.writerow(
            [row.id, at.isoformat(), row.username, row.action, target, study, row.client, detail]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    # A spreadsheet must not run a cell as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _on_flush(db: Session, _context: object, _instances: object) -> None:
    """Log account and role events as they are written, whichever code path wrote them."""
    with db.no_autoflush:
        for obj in list(db.new):
            if isinstance(obj, AuthSession):
                record(db, action="login", user=db.get(User, obj.user_id))
            elif isinstance(obj, ApiToken) and obj.kind == "api":
                record(db, action="token.create", user=db.get(User, obj.user_id))
            elif isinstance(obj, Membership):
                _role_change(db, obj, "")
        for obj in list(db.dirty):
            if isinstance(obj, Membership):
                old = inspect(obj).attrs.role.history.deleted
                if old and old[0] != obj.role:
                    _role_change(db, obj, str(old[0]))
        for obj in list(db.deleted):
            if isinstance(obj, Membership):  # issue 21: a member removed from a study
                _role_change(db, obj, obj.role, new="none")


def _role_change(db: Session, member: Membership, old: str, *, new: str = "") -> None:
    study = db.get(Study, member.study_id)
    user = db.get(User, member.user_id)
    record(
        db,
        action="permission",
        username=getattr(_actor(), "username", ""),
        target=user.username if user else str(member.user_id),
        study=study.name if study else None,
        detail=f"role {old or 'none'} -> {new or member.role}",
    )


# Who changes a role is known to the web request only; the dependency sets it here.
ACTOR: ContextVar[User | None] = ContextVar("samspill_audit_actor", default=None)


def _actor() -> User | None:
    return ACTOR.get()


def install() -> None:
    """Register the flush and commit hooks once for every ORM session of the process."""
    hooks = (
        ("before_flush", _on_flush),
        ("before_commit", _add_rows_due_at_commit),
        ("after_transaction_end", _forget_rows_due_at_commit),
    )
    for name, hook in hooks:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)


install()


def classify(*, method: str, path: str, permission: str, has_session: bool) -> str | None:
    """The audit action for a permitted request, or None for reads not worth a row."""
    lowered = path.lower()
    if permission.startswith("identity."):
        return "read.identity" if method in ("GET", "HEAD") else "write.identity"
    if permission.startswith("audit."):
        return "export.audit" if lowered.endswith(".csv") else "audit.view"
    if "export" in lowered or lowered.endswith((".csv", ".zip", ".xlsx", ".pdf")):
        return "export"
    if "report" in lowered:
        return "report"
    if method not in ("GET", "HEAD", "OPTIONS"):
        if "/members" in lowered:
            return None  # the flush hook records the role change itself, with old and new
        return "delete" if method == "DELETE" else "write"
    if permission == "media.read" or (permission == "course.take" and lowered.endswith("/video")):
        return "read.video"  # a course's clip is a study's video too (issue 12)
    return "read" if has_session else None
