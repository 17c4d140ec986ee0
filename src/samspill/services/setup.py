"""First-run setup: the local administrator and its one-time login link."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.services.credentials import make_login_link
from samspill.store.models import User

ADMIN = "admin"
FIRST_LINK_HOURS = 1.0  # the link `samspill serve` shows: for the person at the terminal now


def ensure_user(db: Session, username: str, *, is_admin: bool = False) -> User:
    """A user that exists from now on; created without a password when new."""
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, is_admin=is_admin, password_hash=None)
        db.add(user)
        db.flush()
    return user


def ensure_admin(db: Session) -> User:
    """The local administrator; created without a password (log in by link or token)."""
    return ensure_user(db, ADMIN, is_admin=True)


def login_link(
    db: Session, user: User, *, host: str, port: int, hours: float = FIRST_LINK_HOURS,
    scheme: str = "http",
) -> str:
    """A one-time login link for ``user`` on this server (``scheme`` https when it serves TLS);
    earlier unused links stop working."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return link_url(f"{scheme}://{shown}:{port}", make_login_link(db, user, hours=hours))


def link_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}/login/link?token={token}"


def needs_first_link(user: User) -> bool:
    """The administrator has no password yet: only a login link lets them in."""
    return user.password_hash is None and user.disabled_at is None
