"""The in-process job registry: progress, results, errors, owners, held uploads."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from samspill.core.errors import InputError, NotFoundError
from samspill.services import jobs
from samspill.services.jobs import MAX_JOBS, Registry


def test_a_job_reports_growing_progress_and_its_result() -> None:
    seen: list[float] = []

    def work(progress):
        for fraction in (0.5, 0.2, 1.7):
            progress(fraction)
            seen.append(registry.get(job_id[0], user_id=1, study="s").progress)
        return "result"

    registry, job_id = Registry(), [""]
    gate = threading.Event()
    job = registry.start(lambda p: gate.wait(30) and work(p), user_id=1, study="s",
                         kind="Export")
    job_id[0] = job.id
    gate.set()
    done = registry.wait(job.id, timeout=30)
    assert done.state == "done" and done.result == "result" and done.progress == 1.0
    assert seen == [0.5, 0.5, 1.0]


def test_a_failing_job_keeps_the_error_for_the_page() -> None:
    registry = Registry()

    def bad(_progress):
        raise InputError("the file is broken", fix="save it again", where="x.boris")

    job = registry.start(bad, user_id=1, study="s", kind="Import", background=False)
    assert job.state == "failed" and job.error["where"] == "x.boris"
    crash = registry.start(lambda _p: 1 / 0, user_id=1, study="s", kind="Import",
                           background=False)
    assert crash.state == "failed" and "ZeroDivisionError" in crash.error["fix"]


def test_a_job_belongs_to_its_user_and_study() -> None:
    registry = Registry()
    job = registry.start(lambda _p: None, user_id=1, study="s", kind="Export", background=False)
    for user, study in ((2, "s"), (1, "other")):
        with pytest.raises(NotFoundError, match="no such job"):
            registry.get(job.id, user_id=user, study=study)


def test_old_jobs_are_forgotten_beyond_the_limit() -> None:
    registry = Registry()
    first = registry.start(lambda _p: None, user_id=1, study="s", kind="x", background=False)
    for _ in range(MAX_JOBS):
        registry.start(lambda _p: None, user_id=1, study="s", kind="x", background=False)
    with pytest.raises(NotFoundError):
        registry.get(first.id, user_id=1, study="s")


def test_held_uploads_are_private_and_released() -> None:
    registry = Registry()
    held = registry.hold(user_id=1, study="s", name="a.csv", body=b"x")
    assert registry.held(held.id, user_id=1, study="s").body == b"x"
    with pytest.raises(NotFoundError):
        registry.held(held.id, user_id=2, study="s")
    registry.release(held.id)
    with pytest.raises(NotFoundError, match="upload the file again"):
        registry.held(held.id, user_id=1, study="s")


def test_old_export_files_are_dropped_when_they_hold_too_much_memory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jobs, "MAX_RESULT_BYTES", 100)
    registry = Registry()
    big = registry.start(lambda _p: SimpleNamespace(body=b"x" * 80), user_id=1, study="s",
                         kind="Export", background=False)
    second = registry.start(lambda _p: SimpleNamespace(body=b"y" * 80), user_id=1, study="s",
                            kind="Export", background=False)
    registry.start(lambda _p: None, user_id=1, study="s", kind="Export", background=False)
    with pytest.raises(NotFoundError):
        registry.get(big.id, user_id=1, study="s")
    assert registry.get(second.id, user_id=1, study="s").result.body == b"y" * 80
