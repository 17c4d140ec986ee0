"""The web server's assist worker: one background thread that runs queued assist passes one
after another (a pass is CPU-bound; coders' saves come first). Passes live in the database, so
a restarted server finds the ones it left running, queues them again and runs them."""

from __future__ import annotations

import logging
import threading

from fastapi import FastAPI

from samspill.services import assist
from samspill.store.db import Database

log = logging.getLogger("samspill.assist")


class AssistWorker:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def start(self, *, resume: bool = False) -> None:
        """Start the thread (once); with ``resume``, first queue again what a stopped server
        left running."""
        if resume:
            with self._database.session() as db:
                assist.requeue_interrupted(db)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="samspill-assist",
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                for run_id in self._queued():
                    if self._stopping:
                        return
                    self._run(run_id)
            except Exception:  # the database went away (shutdown): wait for the next wake
                log.exception("the assist worker could not read its queue")
            self._wake.wait(timeout=30)

    def _queued(self) -> list[int]:
        with self._database.session() as db:
            return assist.queued(db)

    def _run(self, run_id: int) -> None:
        settings = self._database.settings
        assist.execute(self._database.session, run_id, media_dir=settings.media_dir,
                       models_dir=settings.assist_models_dir)


def worker_of(app: FastAPI) -> AssistWorker:
    """The app's one assist worker (made on first use)."""
    if getattr(app.state, "assist_worker", None) is None:
        app.state.assist_worker = AssistWorker(app.state.database)
    found: AssistWorker = app.state.assist_worker
    return found
