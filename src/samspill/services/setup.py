"""First-run setup: the local administrator and its one-time login link."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from samspill.services.accounts import create_api_token
from samspill.store.models import User

ADMIN = "admin"


def ensure_admin(db: Session) -> User:
    """The local administrator; created without a password (log in by link or token)."""
    admin = db.scalar(select(User).where(User.username == ADMIN))
    if admin is None:
        admin = User(username=ADMIN, is_admin=True, password_hash=None)
        db.add(admin)
        db.flush()
    return admin


def login_link(db: Session, user: User, *, host: str, port: int) -> str:
    token = create_api_token(
        db, user=user, name="login link", kind="login-link", ttl=dt.timedelta(hours=24)
    )
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://{shown}:{port}/login/link?token={token}"
