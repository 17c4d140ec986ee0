"""Long web jobs (imports, exports, analyses) with progress: a small in-process registry.

A job runs in a worker thread with its own database unit of work and reports a fraction done;
the page polls the job's JSON endpoint and shows a progress bar, then the result. Jobs live in
memory only (a restart forgets them) and belong to the user who started them. The registry
keeps the newest :data:`MAX_JOBS` jobs.

Held uploads (the CSV import's first step, before the mapping is chosen) live here too.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from samspill.core.errors import N_, Note, NotFoundError, SamspillError


class TooManyJobsError(SamspillError):
    """A user or the server runs as many jobs as allowed (issue 21, item 16)."""

    status_code = 429


DISCARDED = {"type": "DataChanged",
             "message": "a dyad of this study was deleted after this job started, so its "
                        "result was dropped",
             "where": "", "fix": "start the export again"}

log = logging.getLogger("samspill.jobs")
MAX_JOBS = 200
MAX_RESULT_BYTES = 1024 * 2**20  # finished export files kept, all jobs together
MAX_UPLOADS = 50
State = Literal["running", "done", "failed"]
Progress = Callable[[float], None]
Work = Callable[[Progress], Any]


@dataclass
class Job:
    """One job: who started it in which study, how far it is, and its result or error."""

    id: str
    user_id: int
    study: str
    kind: str
    detail: str = ""
    state: State = "running"
    progress: float = 0.0
    result: Any = None
    error: dict[str, str] | None = None
    # The error as a template and values, when it has them, so a page says it in its language
    error_note: Note | None = None
    started: float = field(default_factory=time.monotonic)
    finished: threading.Event = field(default_factory=threading.Event)
    discarded: bool = False  # a dyad was deleted meanwhile: the result must not be served

    def report(self, fraction: float) -> None:
        """Progress only grows, and stays within 0..1."""
        self.progress = max(self.progress, min(1.0, max(0.0, float(fraction))))

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "detail": self.detail, "state": self.state,
                "progress": round(self.progress, 3), "error": self.error}


@dataclass(frozen=True)
class Upload:
    """A file held between two steps of a form."""

    id: str
    user_id: int
    study: str
    name: str
    body: bytes


class Registry:
    """Jobs and held uploads of this process, safe to use from many threads."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._uploads: OrderedDict[str, Upload] = OrderedDict()
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self.per_user, self.per_server = 3, 8  # running jobs at once; see configure()

    def configure(self, *, per_user: int, per_server: int) -> None:
        """The caps from the server's settings (max_jobs_per_user, max_jobs_per_server)."""
        self.per_user, self.per_server = per_user, per_server

    def start(self, work: Work, *, user_id: int, study: str, kind: str, detail: str = "",
              background: bool = True) -> Job:
        """Run ``work(progress)`` in a thread (or inline); its return value is the result."""
        job = Job(id=f"{next(self._numbers)}-{secrets.token_hex(6)}", user_id=user_id,
                  study=study, kind=kind, detail=detail)
        with self._lock:
            self._check_caps(user_id)
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS or (
                    len(self._jobs) > 1 and _held_bytes(self._jobs) > MAX_RESULT_BYTES):
                self._jobs.popitem(last=False)
        if background:
            # The request's context (language, the audit log's client address) goes along.
            context = contextvars.copy_context()
            threading.Thread(target=context.run, args=(_run, job, work), daemon=True,
                             name=f"samspill-job-{job.id}").start()
        else:
            _run(job, work)
        return job

    def _check_caps(self, user_id: int) -> None:
        """Refuse one more job past a cap (30 parallel exports made every coder's save 60
        times slower); the caller holds the lock."""
        running = [j for j in self._jobs.values() if j.state == "running"]
        if sum(j.user_id == user_id for j in running) >= self.per_user:
            raise TooManyJobsError(
                N_("you have {count} exports, imports or analyses running; that is the "
                   "most one user may run at once"),
                fix=N_("wait until one of them ends (its page shows the progress), then start "
                       "this one again"), params={"count": self.per_user})
        if len(running) >= self.per_server:
            raise TooManyJobsError(
                N_("the server runs {count} exports, imports or analyses already; "
                   "that is the most it runs at once"),
                fix=N_("try again in a few minutes"), params={"count": self.per_server})

    def discard_study(self, study: str) -> int:
        """Drop every result of the study's jobs, finished or still running, and the files
        held for its imports: after a dyad is deleted, nothing made before may serve its data
        (issue 21, item 18). How many jobs lost their result."""
        with self._lock:
            jobs = [j for j in self._jobs.values() if j.study == study]
            for upload_id in [u.id for u in self._uploads.values() if u.study == study]:
                del self._uploads[upload_id]
        for job in jobs:
            job.discarded = True
            if job.state == "done":
                _discard(job)
        return len(jobs)

    def get(self, job_id: str, *, user_id: int, study: str) -> Job:
        """The user's job in this study; anyone else's is "no such job"."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.user_id != user_id or job.study != study:
            raise NotFoundError(N_("no such job"),
                                fix=N_("start the export, import or analysis again"))
        return job

    def wait(self, job_id: str, timeout: float | None = None) -> Job:
        """Block until the job has ended (or ``timeout`` seconds passed); the job."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(N_("no such job"), fix=N_("start it again"))
        job.finished.wait(timeout)
        return job

    def hold(self, *, user_id: int, study: str, name: str, body: bytes) -> Upload:
        upload = Upload(secrets.token_urlsafe(12), user_id, study, name, body)
        with self._lock:
            self._uploads[upload.id] = upload
            while len(self._uploads) > MAX_UPLOADS:
                self._uploads.popitem(last=False)
        return upload

    def held(self, upload_id: str, *, user_id: int, study: str) -> Upload:
        with self._lock:
            upload = self._uploads.get(upload_id)
        if upload is None or upload.user_id != user_id or upload.study != study:
            raise NotFoundError(N_("the uploaded file is no longer held"),
                                fix=N_("upload the file again"))
        return upload

    def release(self, upload_id: str) -> None:
        with self._lock:
            self._uploads.pop(upload_id, None)


def _held_bytes(jobs: OrderedDict[str, Job]) -> int:
    """Bytes of the finished files the jobs hold (export results carry a ``body``)."""
    return sum(len(getattr(j.result, "body", b"") or b"") for j in jobs.values())


def _discard(job: Job) -> None:
    job.result, job.error, job.state = None, dict(DISCARDED), "failed"


def _run(job: Job, work: Work) -> None:
    try:
        result = work(job.report)
        job.progress = 1.0
        if not job.discarded:
            job.result, job.state = result, "done"
        if job.discarded:  # checked again: a deletion may have come in between
            _discard(job)
    except SamspillError as error:
        job.error, job.state = error.as_dict(), "failed"
        note = getattr(error, "note", None)
        job.error_note = note if isinstance(note, Note) else None
    except Exception as error:  # a job must end, and say so, whatever happens
        # The class only: a traceback's text may hold the job's data (issue 21, item 11).
        log.error("job %s failed unexpectedly: %s", job.id, type(error).__name__)
        job.error = {"type": "InternalError", "message": "the job failed unexpectedly",
                     "where": "", "fix": f"report this ({type(error).__name__})"}
        job.state = "failed"
    finally:
        job.finished.set()


REGISTRY = Registry()
