"""The web server's assist worker: queued assist passes, one after another (see
:mod:`samspill.web.queue_worker`)."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from samspill.services import assist
from samspill.web.queue_worker import QueueWorker


class AssistWorker(QueueWorker):
    name = "samspill-assist"
    log = logging.getLogger("samspill.assist")

    def _resume(self) -> None:
        with self._database.session() as db:
            assist.requeue_interrupted(db)

    def _queued(self) -> list[int]:
        with self._database.session() as db:
            return assist.queued(db)

    def _run(self, item: int) -> None:
        settings = self._database.settings
        assist.execute(self._database.session, item, media_dir=settings.media_dir,
                       models_dir=settings.assist_models_dir)


def worker_of(app: FastAPI) -> AssistWorker:
    """The app's one assist worker (made on first use)."""
    if getattr(app.state, "assist_worker", None) is None:
        app.state.assist_worker = AssistWorker(app.state.database)
    found: AssistWorker = app.state.assist_worker
    return found
