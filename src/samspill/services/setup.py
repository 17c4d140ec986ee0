"""First-run setup: the local administrator and its one-time login link."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.services.accounts import create_api_token
from samspill.store.models import User

ADMIN = "admin"


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


def login_link(db: Session, user: User, *, host: str, port: int) -> str:
    token = create_api_token(
        db, user=user, name="login link", kind="login-link", ttl=dt.timedelta(hours=24)
    )
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://{shown}:{port}/login/link?token={token}"
