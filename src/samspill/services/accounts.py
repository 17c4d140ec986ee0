"""Users and passwords (argon2id), and taking access away again (issue 21): disabling users,
changing and resetting passwords. Their credentials (browser logins, API tokens, one-time login
links) are in :mod:`samspill.services.credentials`.

Logins are counted per user name and per client address in ``login_attempts``, one SQL
statement per count, *before* the password is checked: however many requests arrive at once,
only the first :data:`MAX_FAILED_LOGINS` of them are checked. Known and unknown names cost the
same time (an unknown name is checked against a dummy hash) and get the same answers.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Table, and_, case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from samspill.core.errors import (
    N_,
    AuthenticationError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from samspill.core.passwords import check_password
from samspill.services import audit
from samspill.services.credentials import digest, end_access, make_login_link
from samspill.store.models import LoginAttempt, User, utcnow

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,63}$")
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
ADDRESS_LIMIT = 50  # failed logins from one address per lockout period (settings override it)
LOCKED = (
    N_("too many failed logins; logging in is paused for 15 minutes"),
    N_("wait 15 minutes and try again, or ask an administrator"),
)


def add_user(
    db: Session,
    *,
    username: str,
    password: str | None,
    is_admin: bool = False,
    min_length: int = 12,
) -> User:
    if not _USERNAME.match(username):
        raise InputError(
            N_("'{username}' is not a valid user name"),
            fix=N_("use 2–64 lower-case letters, digits, '.', '_' or '-'"),
            params={"username": username},
        )
    if db.scalar(select(User).where(User.username == username)):
        raise ConflictError(N_("user '{username}' exists already"), fix=N_("choose another name"),
                            params={"username": username})
    user = User(
        username=username,
        is_admin=is_admin,
        password_hash=hash_password(password, min_length, username=username) if password else None,
    )
    db.add(user)
    db.flush()
    return user


def hash_password(password: str, min_length: int = 12, *, username: str = "") -> str:
    """The argon2id hash of a new password that is long enough and not easily guessed."""
    check_password(password, username=username, min_length=min_length)
    return _HASHER.hash(password)


def get_user(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(N_("no user '{username}'"),
                            fix=N_("create it with 'samspill user add'"),
                            params={"username": username})
    return user


def all_users(db: Session) -> Sequence[User]:
    return db.scalars(select(User).order_by(User.username)).all()


# --- Logging in -------------------------------------------------------------------------------


class AccountLockedError(AuthenticationError):
    status_code = 429


class AccountDisabledError(PermissionDeniedError):
    """Said only after the right password: the name alone does not tell."""


def authenticate(
    db: Session,
    *,
    username: str,
    password: str,
    address: str = "",
    address_limit: int = ADDRESS_LIMIT,
) -> User:
    """The user for a correct password.

    The attempt is counted first, in a transaction of its own committed at once, so that
    parallel requests see each other's counts before the slow password check. (On SQLite, call
    this before the caller's transaction writes: the count waits for the write lock.) Failures
    go to the audit log in the caller's transaction: commit it with the refusal.
    """
    name_key, address_key = _key("name", username), _key("address", address)
    now_ms = _now_ms()
    with Session(db.get_bind()) as counting, counting.begin():
        tries = _count_attempt(counting, name_key, limit=MAX_FAILED_LOGINS, now_ms=now_ms)
        from_address = _count_attempt(counting, address_key, limit=address_limit, now_ms=now_ms)
    user = db.scalar(select(User).where(User.username == username))
    if tries > MAX_FAILED_LOGINS or from_address > address_limit:
        _failed(db, user, "refused while locked")
        raise AccountLockedError(LOCKED[0], fix=LOCKED[1])
    # The same argon2 work for an unknown name or a user without a password as for a real one.
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    right = _verify(stored, password) and user is not None and user.password_hash is not None
    if not right or user is None:
        _failed(db, user, "account locked" if tries >= MAX_FAILED_LOGINS else f"failure {tries}")
        raise AuthenticationError(N_("wrong user name or password"),
                                  fix=N_("check both and try again"))
    _forget_attempts(db, name_key, address_key)
    if user.disabled_at is not None:
        _failed(db, user, "account disabled")
        raise AccountDisabledError(N_("this account is disabled"), fix=N_("ask an administrator"))
    if _HASHER.check_needs_rehash(stored):
        user.password_hash = _HASHER.hash(password)
    return user


def _key(kind: str, value: str) -> str:
    return digest(f"{kind}:{value}")


def _now_ms() -> int:
    return int(utcnow().timestamp() * 1000)


def _count_attempt(db: Session, key: str, *, limit: int, now_ms: int) -> int:
    """Count one attempt in one statement (an upsert with RETURNING, SQLite and PostgreSQL).

    The count starts again after a quiet :data:`LOCKOUT`; once over ``limit`` the time of the
    last counted attempt stays put, so a lock ends :data:`LOCKOUT` after it began.
    """
    table = sa_table(LoginAttempt)
    stale = now_ms - int(LOCKOUT.total_seconds() * 1000)
    dialect = db.get_bind().dialect.name
    insert = postgres_insert(table) if dialect == "postgresql" else sqlite_insert(table)
    locked = and_(table.c.last_ms >= stale, table.c.attempts >= limit)
    statement = (
        insert.values(key=key, attempts=1, last_ms=now_ms)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "attempts": case((table.c.last_ms < stale, 1), else_=table.c.attempts + 1),
                "last_ms": case((locked, table.c.last_ms), else_=now_ms),
            },
        )
        .returning(table.c.attempts)
    )
    return int(db.execute(statement).scalar_one())


def sa_table(model: type[LoginAttempt]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _forget_attempts(db: Session, name_key: str, address_key: str) -> None:
    """A right password clears the name's count and takes its attempt off the address's."""
    db.execute(delete(LoginAttempt).where(LoginAttempt.key == name_key))
    db.execute(
        update(LoginAttempt)
        .where(LoginAttempt.key == address_key, LoginAttempt.attempts > 0)
        .values(attempts=LoginAttempt.attempts - 1)
    )


def unlock(db: Session, user: User) -> None:
    """Clear the failed-login count of a user name (an administrator's enable or reset)."""
    db.execute(delete(LoginAttempt).where(LoginAttempt.key == _key("name", user.username)))


def _failed(db: Session, user: User | None, detail: str) -> None:
    # An unknown name is not written down: it may be a password typed into the wrong field.
    audit.record(
        db, action="login.failed", user=user, detail=detail if user else "unknown user name"
    )


@cache
def _dummy_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(
    db: Session,
    *,
    user: User,
    current: str,
    new: str,
    min_length: int = 12,
    keep_cookie: str | None = None,
) -> None:
    """A user changes their own password; their other logins and all their tokens end."""
    if user.password_hash is not None:
        _check_current_password(db, user, current)
    set_password(
        db, user=user, password=new, min_length=min_length, keep_cookie=keep_cookie, actor=user
    )


def _check_current_password(db: Session, user: User, current: str) -> None:
    """Guesses at the current password count with the name's failed logins, so a login left
    open on a shared computer is no free oracle: after :data:`MAX_FAILED_LOGINS` in
    :data:`LOCKOUT` they are refused as a login is. The count and the audit row of a wrong guess
    are committed at once, apart from the caller's transaction, which a refusal rolls back."""
    name_key = _key("name", user.username)
    with Session(db.get_bind()) as counting, counting.begin():
        tries = _count_attempt(counting, name_key, limit=MAX_FAILED_LOGINS, now_ms=_now_ms())
    if tries > MAX_FAILED_LOGINS:
        _record_apart(db, user, "refused while locked")
        raise AccountLockedError(LOCKED[0], fix=LOCKED[1])
    if not _verify(user.password_hash or "", current):
        _record_apart(db, user, f"wrong current password (failure {tries})")
        raise InputError(N_("the current password is wrong"), fix=N_("type your current password"))
    db.execute(delete(LoginAttempt).where(LoginAttempt.key == name_key))


def _record_apart(db: Session, user: User, detail: str) -> None:
    with Session(db.get_bind()) as apart, apart.begin():
        audit.record(apart, action="password.failed", user=user, detail=detail)


def set_password(
    db: Session,
    *,
    user: User,
    password: str,
    min_length: int = 12,
    keep_cookie: str | None = None,
    actor: User | None = None,
) -> None:
    """A new password (checked for strength); every other login and token of the user ends.
    ``actor``: who set it (None: the command line)."""
    user.password_hash = hash_password(password, min_length, username=user.username)
    logins, tokens = end_access(db, user, keep_cookie=keep_cookie)
    _record_admin(db, "password.change", user, actor, f"ended {logins} logins, {tokens} tokens")


def reset_password(db: Session, *, user: User, actor: User | None = None) -> str:
    """An administrator's reset: the password is cleared, every login and token ends, and a
    one-time login link (returned) lets the user in to choose a new password."""
    user.password_hash = None
    logins, tokens = end_access(db, user)
    unlock(db, user)
    _record_admin(db, "password.reset", user, actor, f"ended {logins} logins, {tokens} tokens")
    return make_login_link(db, user)


def disable_user(db: Session, *, user: User, actor: User | None = None) -> None:
    """The user cannot log in any more; every login and token of theirs ends now."""
    if actor is not None and actor.id == user.id:
        raise ConflictError(N_("you cannot disable your own account"),
                            fix=N_("ask another administrator"))
    user.disabled_at = utcnow()
    logins, tokens = end_access(db, user)
    _record_admin(db, "user.disable", user, actor, f"ended {logins} logins, {tokens} tokens")


def enable_user(db: Session, *, user: User, actor: User | None = None) -> None:
    user.disabled_at = None
    unlock(db, user)
    _record_admin(db, "user.enable", user, actor, "")


def set_create_right(db: Session, *, user: User, allowed: bool, actor: User | None = None) -> bool:
    """Grant or revoke the right to create studies; True when it changed (each change is
    audited). Studies the user created stay theirs."""
    if user.can_create_studies == allowed:
        return False
    user.can_create_studies = allowed
    action = "user.grant_create" if allowed else "user.revoke_create"
    _record_admin(db, action, user, actor, "may create studies" if allowed else "may not")
    return True


def _record_admin(db: Session, action: str, user: User, actor: User | None, detail: str) -> None:
    audit.record(db, action=action, user=actor, target=user.username, detail=detail)
