"""The server process warms up and exempts its startup heap from the collector's full passes."""

from __future__ import annotations

import gc

from sqlalchemy import func, select

from samspill.store.models import AuditEntry
from samspill.web.serving import freeze_startup_heap, run_in_own_loop, warm_up


def test_freezing_moves_every_tracked_object_to_the_permanent_generation() -> None:
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() >= len(gc.get_objects()) - 1000
        assert all(count == 0 for count in gc.get_count()[1:])
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0


def test_warming_up_answers_without_touching_stored_data(app, database) -> None:
    with database.session() as db:
        before = db.scalar(select(func.count()).select_from(AuditEntry))
    assert warm_up(app) == [404, 401]
    with database.session() as db:
        assert db.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_warming_up_works_from_a_thread_that_runs_an_event_loop(app) -> None:
    async def inside_a_loop() -> list[int]:
        return warm_up(app)

    assert run_in_own_loop(inside_a_loop()) == [404, 401]  # warm_up runs inside that loop
