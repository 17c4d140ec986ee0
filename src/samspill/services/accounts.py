"""Users, passwords (argon2id), browser logins, API tokens and one-time login links; and taking
access away again (issue 21): revoking tokens, disabling users, changing and resetting passwords.

Logins are counted per user name and per client address in ``login_attempts``, one SQL
statement per count, *before* the password is checked: however many requests arrive at once,
only the first :data:`MAX_FAILED_LOGINS` of them are checked. Known and unknown names cost the
same time (an unknown name is checked against a dummy hash) and get the same answers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Sequence
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Table, and_, case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload

from samspill.core.errors import (
    N_,
    AuthenticationError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from samspill.core.numbers import number
from samspill.core.passwords import check_password
from samspill.core.terms import LOGIN_LINK_HOURS
from samspill.services import audit
from samspill.store.models import ApiToken, AuthSession, LoginAttempt, User, utcnow

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,63}$")
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
ADDRESS_LIMIT = 50  # failed logins from one address per lockout period (settings override it)
TOKEN_DAYS = 90  # API tokens' lifetime unless the caller says (settings.token_days)
TOKEN_PREFIX = "ssp_"
LOCKED = (
    N_("too many failed logins; logging in is paused for 15 minutes"),
    N_("wait 15 minutes and try again, or ask an administrator"),
)


def digest(secret: str) -> str:
    """Tokens are random, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


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


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes; everything stored is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# --- Tokens and login links -------------------------------------------------------------------


def create_api_token(
    db: Session,
    *,
    user: User,
    name: str = "",
    kind: str = "api",
    ttl: dt.timedelta | None = None,
) -> str:
    """A new token; the plain text is returned once and never stored. API tokens expire
    (:data:`TOKEN_DAYS` unless ``ttl`` says otherwise)."""
    if ttl is None and kind == "api":
        ttl = dt.timedelta(days=TOKEN_DAYS)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.add(
        ApiToken(
            user_id=user.id,
            token_hash=digest(plain),
            name=name[:100],
            kind=kind,
            expires_at=utcnow() + ttl if ttl else None,
        )
    )
    db.flush()
    return plain


def user_for_token(db: Session, token: str) -> User | None:
    row = db.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))  # one query for the token and its user
        .where(ApiToken.token_hash == digest(token), ApiToken.kind == "api")
    )
    if row is None or (row.expires_at and _aware(row.expires_at) < utcnow()):
        return None
    return row.user if row.user.disabled_at is None else None


def tokens_of(db: Session, user: User | None = None) -> Sequence[ApiToken]:
    """API tokens, newest first; one user's, or everybody's."""
    query = (
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.kind == "api")
        .order_by(ApiToken.id.desc())
    )
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    return db.scalars(query).all()


def get_token(db: Session, token_id: int) -> ApiToken:
    row = db.get(ApiToken, token_id)
    if row is None or row.kind != "api":
        raise NotFoundError(N_("no token {id}"), fix=N_("list them with 'samspill token list'"),
                            params={"id": token_id})
    return row


def revoke_token(db: Session, token: ApiToken, *, actor: User | None = None) -> None:
    """The token stops working at once; the audit log keeps whose it was and who revoked it."""
    audit.record(
        db,
        action="token.revoke",
        user=actor,
        target=token.user.username,
        detail=f"token {token.id}",
    )
    db.delete(token)
    db.flush()


def make_login_link(db: Session, user: User, *, hours: float = LOGIN_LINK_HOURS) -> str:
    """A new one-time login token for ``user``; any earlier unused link of theirs stops working."""
    if user.disabled_at is not None:
        raise ConflictError(N_("user '{username}' is disabled"), fix=N_("enable the user first"),
                            params={"username": user.username})
    db.execute(
        delete(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.kind == "login-link", ApiToken.used_at.is_(None)
        )
    )
    token = create_api_token(
        db, user=user, name="login link", kind="login-link", ttl=dt.timedelta(hours=hours)
    )
    audit.record(db, action="login.link", user=user, detail=f"valid {number(hours)} h")
    return token


def consume_login_link(db: Session, token: str) -> User:
    """A one-time login link works once, before it expires: one UPDATE marks it used, so of
    many parallel requests with the same link exactly one gets a login."""
    now = utcnow()
    user_id = db.execute(
        update(ApiToken)
        .where(
            ApiToken.token_hash == digest(token),
            ApiToken.kind == "login-link",
            ApiToken.used_at.is_(None),
            ApiToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(ApiToken.user_id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    user = db.get(User, user_id) if user_id is not None else None
    if user is None or user.disabled_at is not None:
        raise AuthenticationError(
            N_("this login link is not valid any more"),
            fix=N_("ask an administrator for a new link ('samspill login-link USER'), or log in"),
        )
    return user


# --- Browser logins ---------------------------------------------------------------------------


def start_browser_session(db: Session, *, user: User, hours: float) -> tuple[str, str]:
    """A new login (cookie value, CSRF token). A fresh id at every login: no fixation."""
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    db.add(
        AuthSession(
            id_hash=digest(cookie),
            user_id=user.id,
            csrf_token=csrf,
            expires_at=utcnow() + dt.timedelta(hours=hours),
        )
    )
    db.flush()
    return cookie, csrf


def browser_session(db: Session, cookie: str) -> AuthSession | None:
    row = db.get(AuthSession, digest(cookie), options=[joinedload(AuthSession.user)])
    if row is None or _aware(row.expires_at) < utcnow() or row.user.disabled_at is not None:
        return None
    return row


def end_browser_session(db: Session, cookie: str) -> None:
    row = db.get(AuthSession, digest(cookie))
    if row is not None:
        db.delete(row)


def end_access(db: Session, user: User, *, keep_cookie: str | None = None) -> tuple[int, int]:
    """End every browser login of ``user`` (but the one ``keep_cookie`` names) and every token
    and login link. Returns (logins ended, tokens ended)."""
    db.flush()  # the caller's changes to the user first: expire_all below would drop them
    logins = delete(AuthSession).where(AuthSession.user_id == user.id)
    if keep_cookie:
        logins = logins.where(AuthSession.id_hash != digest(keep_cookie))
    ended = db.execute(logins.execution_options(synchronize_session=False))
    tokens = db.execute(
        delete(ApiToken)
        .where(ApiToken.user_id == user.id)
        .execution_options(synchronize_session=False)
    )
    db.expire_all()  # the deleted rows must not linger in the session's identity map
    return _rowcount(ended), _rowcount(tokens)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


# --- Passwords and disabling ------------------------------------------------------------------


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
