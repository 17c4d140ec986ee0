"""Storage on SQLite and PostgreSQL: migrations, idempotent writes, all-or-nothing imports."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select

from samspill.core.errors import ConflictError, EventError, InputError, RefusedError
from samspill.core.events import Event
from samspill.core.scheme_check import load_builtin_scheme
from samspill.core.vignette import vignette_events
from samspill.services import coding_ratings, codings, studies
from samspill.services.actions import Action, apply_actions
from samspill.services.schemes import register_scheme
from samspill.store.db import Database
from samspill.store.models import EventRow
from tests.factories import make_coded_session, make_user


def test_migrations_create_every_table(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert {
        "users",
        "studies",
        "memberships",
        "dyads",
        "sessions",
        "media_files",
        "segments",
        "scheme_versions",
        "codings",
        "events",
        "ratings",
        "applied_actions",
    } <= tables


def test_migrating_twice_changes_nothing(database: Database) -> None:
    database.migrate()
    assert "events" in inspect(database.engine).get_table_names()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_database: Database) -> None:
    with sqlite_database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_coding_stores_and_returns_the_vignette_in_order(database: Database) -> None:
    with database.session() as db:
        built = make_coded_session(db)
        coding_id = built.coding.id
    with database.session() as db:
        events = codings.coding_events(db, codings.get_coding(db, coding_id))
    assert [e.onset_ms for e in events] == sorted(e.onset_ms for e in vignette_events())
    assert {e.id for e in events} == {e.id for e in vignette_events()}
    respond = next(e for e in events if e.onset_ms == 27_000)
    assert respond.modifiers == {"channel": "verbal", "intensity": "muted"}


def test_a_retried_action_is_applied_once(database: Database) -> None:
    event = Event(subject="child", code="bid", onset_ms=300_000, modifiers={"kind": "look"})
    action = Action(id="2f1c8a3e-1d7b-4a59-9c1e-111111111111", type="add", event=event)
    with database.session() as db:
        coding = make_coded_session(db).coding
        first = apply_actions(db, coding=coding, actions=[action])
    with database.session() as db:
        coding = codings.get_coding(db, coding.id)
        again = apply_actions(db, coding=coding, actions=[action, action])
        count = db.scalar(select(func.count()).select_from(EventRow).where(EventRow.id == event.id))
    assert [r.status for r in first] == ["applied"]
    assert [r.status for r in again] == ["duplicate", "duplicate"]
    assert count == 1


def test_a_bad_import_leaves_the_coding_as_it_was(database: Database) -> None:
    with database.session() as db:
        coding_id = make_coded_session(db).coding.id
    bad = [*vignette_events()[:3], Event(subject="child", code="giggle", onset_ms=1)]
    with pytest.raises(EventError, match="unknown code 'giggle'"), database.session() as db:
        codings.replace_events(db, coding=codings.get_coding(db, coding_id), events=bad)
    with database.session() as db:
        assert len(codings.coding_events(db, codings.get_coding(db, coding_id))) == 21


def test_overlapping_exclusive_states_are_refused_on_edit(database: Database) -> None:
    clash = Event(subject="caregiver", code="near", onset_ms=10_000, offset_ms=20_000)
    with database.session() as db:
        coding = make_coded_session(db).coding
        with pytest.raises(RefusedError, match="would overlap"):
            codings.upsert_event(db, coding=coding, event=clash)


def test_a_submitted_coding_is_locked(database: Database) -> None:
    with database.session() as db:
        coding = make_coded_session(db).coding
        codings.set_status(db, coding=coding, status="submitted")
        with pytest.raises(ConflictError, match="locked"):
            codings.delete_event(db, coding=coding, event_id=vignette_events()[0].id)


def test_a_changed_scheme_in_use_gets_a_new_version(database: Database) -> None:
    scheme = load_builtin_scheme("withdrawal-open")
    changed = scheme.model_copy(update={"description": "edited by the lab"})
    with database.session() as db:
        same = register_scheme(db, scheme)
        newer = register_scheme(db, changed)
        again = register_scheme(db, changed)
    assert (same.version, newer.version, again.id) == (1, 2, newer.id)
    assert newer.content_hash == changed.content_hash() != same.content_hash


def test_ratings_are_checked_against_the_scale(database: Database) -> None:
    with database.session() as db:
        coding = make_coded_session(db).coding
        coding_ratings.set_ratings(db, coding=coding, ratings={"level": 6, "profile": "mixed"})
        assert coding_ratings.ratings_of(db, coding) == {"level": "6", "profile": "mixed"}
        with pytest.raises(InputError, match="from 1 to 7"):
            coding_ratings.set_ratings(db, coding=coding, ratings={"level": 9})


def test_age_in_months_comes_from_the_birth_month(database: Database) -> None:
    import datetime as dt

    assert studies.age_in_months("2022-01", dt.date(2023, 7, 3)) == 18
    with database.session() as db, pytest.raises(InputError, match="YYYY-MM"):
        studies.get_or_create_dyad(
            db, study=make_coded_session(db).study, code="D9", child_birth_month="2022-01-15"
        )


def test_study_names_are_unique(database: Database) -> None:
    with database.session() as db:
        owner = make_user(db, "ann")
        studies.create_study(db, name="twice", owner=owner)
        with pytest.raises(ConflictError):
            studies.create_study(db, name="twice", owner=owner)


def test_a_save_checks_only_the_lane_it_touches_yet_still_refuses_overlaps(
        database: Database) -> None:
    many = [Event(subject="child", code="bid", onset_ms=t, modifiers={"kind": "look"})
            for t in range(0, 300_000, 100)]
    with database.session() as db:
        coding = make_coded_session(db, events=[]).coding
        codings.replace_events(db, coding=coding, events=many)
        codings.upsert_event(db, coding=coding, event=Event(
            subject="caregiver", code="far", onset_ms=0, offset_ms=10_000))
        codings.upsert_event(db, coding=coding, event=Event(
            subject="caregiver", code="near", onset_ms=10_000, offset_ms=20_000))
        with pytest.raises(RefusedError, match="would overlap"):
            codings.upsert_event(db, coding=coding, event=Event(
                subject="caregiver", code="absent", onset_ms=15_000, offset_ms=16_000))
        with pytest.raises(RefusedError, match="would overlap"):
            codings.upsert_event(db, coding=coding, event=Event(
                subject="caregiver", code="far", onset_ms=500, offset_ms=30_000))
        codings.upsert_event(db, coding=coding, event=Event(
            subject="child", code="distress", onset_ms=500, offset_ms=30_000))


def test_the_migrations_build_exactly_the_tables_the_models_describe(database: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from samspill.store.models import Base

    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
