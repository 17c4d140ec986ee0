"""One background thread that works through a queue kept in the database, one item after
another (each CPU-bound; coders' saves come first). The queue lives in the database, so a
restarted server finds what it left running, queues it again and carries on. The assist passes
and the reel exports each have one such worker."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod

from samspill.store.db import Database


class QueueWorker(ABC):
    """Subclasses say what is queued, how one item runs, and how a restart resumes."""

    name = "samspill-worker"
    log = logging.getLogger("samspill.worker")

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
            self._resume()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    def _loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                for item in self._queued():
                    if self._stopping:
                        return
                    self._run(item)
            except Exception:  # the database went away (shutdown): wait for the next wake
                self.log.exception("the %s worker could not read its queue", self.name)
            self._wake.wait(timeout=30)

    @abstractmethod
    def _resume(self) -> None:
        """Queue again what a stopped server left running."""

    @abstractmethod
    def _queued(self) -> list[int]:
        """The ids waiting, in the order to run them."""

    @abstractmethod
    def _run(self, item: int) -> None:
        """Run one item to its end (its own errors are recorded on it, not raised)."""
