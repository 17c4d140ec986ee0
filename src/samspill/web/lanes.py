"""The coding screen's saves run on their own two worker threads.

Python runs one thread at a time. When saves were spread over the web server's shared pool of
40 worker threads, a save holding SQLite's write lock waited its turn behind every other busy
thread, and the saves behind it waited for the lock: under 50 coders the slowest 1 % of saves
took 40-80 ms where the work itself takes about 3 ms (issue 7). Saves are short, so two threads
keep them moving; each save is one call (authorise, apply, commit), so it never waits for a
thread while holding a database connection. Other routes keep the shared pool, so a long
report or export never holds up a save.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")

SAVE_THREADS = 2
_SAVES = anyio.CapacityLimiter(SAVE_THREADS)


async def in_save_lane(work: Callable[[], T]) -> T:
    """Run ``work`` on a save thread, with the caller's context (language, audit client)."""
    return await anyio.to_thread.run_sync(work, limiter=_SAVES)
