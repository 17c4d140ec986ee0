"""The server process exempts its startup heap from the collector's full passes."""

from __future__ import annotations

import gc

from samspill.web.serving import freeze_startup_heap


def test_freezing_moves_every_tracked_object_to_the_permanent_generation() -> None:
    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() >= len(gc.get_objects()) - 1000
        assert all(count == 0 for count in gc.get_count()[1:])
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0
