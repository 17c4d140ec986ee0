"""Migration 0004 (issue 21) on SQLite and PostgreSQL: users gain ``disabled_at`` and lose the
racy failure columns, ``login_attempts`` appears, and tokens that never expired now do."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import inspect, text

from samspill.settings import Settings
from samspill.store.db import alembic_config, make_engine


def _at(engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_0004_upgrades_stored_accounts_and_downgrades(backend_settings: Settings) -> None:
    backend_settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(backend_settings.effective_database_url())
    _at(engine, "0003")
    made = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, password_hash, is_admin, created_at, "
                "failed_logins) VALUES (1, 'cod', NULL, false, :at, 3)"
            ),
            {"at": made},
        )
        conn.execute(
            text(
                "INSERT INTO api_tokens (user_id, token_hash, name, kind, created_at) "
                "VALUES (1, 'h1', '', 'api', :at), (1, 'h2', '', 'login-link', :at)"
            ),
            {"at": made},
        )
    _at(engine, "head")
    columns = {c["name"] for c in inspect(engine).get_columns("users")}
    assert "disabled_at" in columns and not {"failed_logins", "locked_until"} & columns
    assert "login_attempts" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        expiry = dict(conn.execute(text("SELECT kind, expires_at FROM api_tokens")).all())
        users = conn.execute(text("SELECT count(*) FROM users")).scalar_one()
    # Nothing that hangs on a user is lost on the way (a table copy on SQLite would cascade).
    assert users == 1 and expiry["api"] is not None and expiry["login-link"] is None
    _at(engine, "0003", down=True)
    columns = {c["name"] for c in inspect(engine).get_columns("users")}
    assert "failed_logins" in columns and "disabled_at" not in columns
    engine.dispose()
