"""Users, passwords (argon2id), browser logins, API tokens and one-time login links."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from samspill.core.errors import AuthenticationError, ConflictError, InputError, NotFoundError
from samspill.store.models import ApiToken, AuthSession, User, utcnow

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.\-]{1,63}$")
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
TOKEN_PREFIX = "ssp_"


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
            f"'{username}' is not a valid user name",
            fix="use 2–64 lower-case letters, digits, '.', '_' or '-'",
        )
    if db.scalar(select(User).where(User.username == username)):
        raise ConflictError(f"user '{username}' exists already", fix="choose another name")
    user = User(
        username=username,
        is_admin=is_admin,
        password_hash=hash_password(password, min_length) if password else None,
    )
    db.add(user)
    db.flush()
    return user


def hash_password(password: str, min_length: int = 12) -> str:
    if len(password) < min_length:
        raise InputError(
            f"the password is shorter than {min_length} characters",
            fix=f"choose a password of at least {min_length} characters",
        )
    return _HASHER.hash(password)


def get_user(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"no user '{username}'", fix="create it with 'samspill user add'")
    return user


def authenticate(db: Session, *, username: str, password: str) -> User:
    """The user for a correct password; counts failures and locks the account for a while."""
    user = db.scalar(select(User).where(User.username == username))
    now = utcnow()
    if user is not None and user.locked_until and _aware(user.locked_until) > now:
        raise AccountLockedError(
            "too many failed logins; the account is locked for a while",
            fix="wait 15 minutes or ask an administrator",
        )
    if user is None or not user.password_hash or not _verify(user.password_hash, password):
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until, user.failed_logins = now + LOCKOUT, 0
        raise AuthenticationError("wrong user name or password", fix="check both and try again")
    user.failed_logins, user.locked_until = 0, None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return user


class AccountLockedError(AuthenticationError):
    status_code = 429


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite returns naive datetimes; everything stored is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def create_api_token(
    db: Session, *, user: User, name: str = "", kind: str = "api", ttl: dt.timedelta | None = None
) -> str:
    """A new token; the plain text is returned once and never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.add(
        ApiToken(
            user_id=user.id,
            token_hash=digest(plain),
            name=name,
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
    return row.user


def consume_login_link(db: Session, token: str) -> User:
    """A one-time login link works once, before it expires."""
    row = db.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest(token), ApiToken.kind == "login-link")
    )
    if row is None or row.used_at or (row.expires_at and _aware(row.expires_at) < utcnow()):
        raise AuthenticationError(
            "this login link is not valid any more",
            fix="restart 'samspill serve' for a new link, or log in",
        )
    row.used_at = utcnow()
    return row.user


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
    if row is None or _aware(row.expires_at) < utcnow():
        return None
    return row


def end_browser_session(db: Session, cookie: str) -> None:
    row = db.get(AuthSession, digest(cookie))
    if row is not None:
        db.delete(row)
