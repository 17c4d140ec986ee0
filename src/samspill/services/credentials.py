"""Credentials: browser logins (a cookie and its CSRF token), API tokens and one-time login
links. Only digests are stored: every token and cookie is random, and its plain text is given
out once. ``end_access`` ends them all for a user (a password changed, a user disabled).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, joinedload

from samspill.core.errors import N_, AuthenticationError, ConflictError, NotFoundError
from samspill.core.numbers import number
from samspill.core.terms import LOGIN_LINK_HOURS
from samspill.services import audit
from samspill.store.models import ApiToken, AuthSession, User, utcnow

TOKEN_DAYS = 90  # API tokens' lifetime unless the caller says (settings.token_days)
TOKEN_PREFIX = "ssp_"


def digest(secret: str) -> str:
    """Tokens are random, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def aware(moment: dt.datetime) -> dt.datetime:
    """The moment in UTC: SQLite returns naive datetimes; everything stored is UTC."""
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
    if row is None or (row.expires_at and aware(row.expires_at) < utcnow()):
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
    if row is None or aware(row.expires_at) < utcnow() or row.user.disabled_at is not None:
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
