"""The crash test: coders post events over real HTTP, the server is SIGKILLed mid-load and
restarted; every acknowledged event is stored exactly once and retries add no duplicates.

A small version of ``bench/load.py`` (which runs 50 coders and prints the figures).
"""

from __future__ import annotations

import pytest
from bench.load import crash_run

from samspill.settings import Settings


@pytest.mark.slow
def test_acknowledged_events_survive_a_sigkill_exactly_once(backend_settings: Settings) -> None:
    result = crash_run(backend_settings, n_coders=8, rate=2.0, seconds=4.0, kill_at=2.0)
    assert result["kill_status"] == -9  # SIGKILL: no shutdown, no flush, no goodbye
    assert result["acked_after_restart"] > 8 * 2
    assert result["lost"] == 0
    assert result["stored_twice"] == 0
    # Every action was retried until acknowledged; retries stored nothing twice.
    assert result["stored"] == result["sent"] == result["acked"]
    assert result["applied_actions"] == result["sent"]
