"""The web server's reel worker: one background thread that makes queued reel exports one
after another (each an ffmpeg re-encode; coders' saves come first). Renders live in the
database, so a restarted server finds the ones it left running and makes them again."""

from __future__ import annotations

import logging
import threading

from fastapi import FastAPI

from samspill.services import reels
from samspill.store.db import Database

log = logging.getLogger("samspill.reels")


class ReelWorker:
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
            reels.sweep_partial(self._database.settings.data_dir)
            with self._database.session() as db:
                reels.requeue_interrupted(db)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="samspill-reels",
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
                for render_id in self._queued():
                    if self._stopping:
                        return
                    settings = self._database.settings
                    reels.execute(self._database.session, render_id,
                                  media_dir=settings.media_dir, data_dir=settings.data_dir)
            except Exception:  # the database went away (shutdown): wait for the next wake
                log.exception("the reel worker could not read its queue")
            self._wake.wait(timeout=30)

    def _queued(self) -> list[int]:
        with self._database.session() as db:
            return reels.queued(db)


def worker_of(app: FastAPI) -> ReelWorker:
    """The app's one reel worker (made on first use)."""
    if getattr(app.state, "reel_worker", None) is None:
        app.state.reel_worker = ReelWorker(app.state.database)
    found: ReelWorker = app.state.reel_worker
    return found
