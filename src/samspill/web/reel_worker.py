"""The web server's reel worker: queued reel exports (each an ffmpeg re-encode), one after
another (see :mod:`samspill.web.queue_worker`). A restarted server sweeps the half-written
files it left and makes those reels again."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from samspill.services import reels
from samspill.web.queue_worker import QueueWorker


class ReelWorker(QueueWorker):
    name = "samspill-reels"
    log = logging.getLogger("samspill.reels")

    def _resume(self) -> None:
        reels.sweep_partial(self._database.settings.data_dir)
        with self._database.session() as db:
            reels.requeue_interrupted(db)

    def _queued(self) -> list[int]:
        with self._database.session() as db:
            return reels.queued(db)

    def _run(self, item: int) -> None:
        settings = self._database.settings
        reels.execute(self._database.session, item,
                      media_dir=settings.media_dir, data_dir=settings.data_dir)


def worker_of(app: FastAPI) -> ReelWorker:
    """The app's one reel worker (made on first use)."""
    if getattr(app.state, "reel_worker", None) is None:
        app.state.reel_worker = ReelWorker(app.state.database)
    found: ReelWorker = app.state.reel_worker
    return found
