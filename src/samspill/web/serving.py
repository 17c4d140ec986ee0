"""Running the web app as a long-lived server process (``samspill serve`` and the benchmarks)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

from samspill.core.errors import InputError
from samspill.store.folder import hold_folder

T = TypeVar("T")


def freeze_startup_heap() -> None:
    """Exempt what startup made from the cyclic garbage collector's full passes.

    Startup imports the statistics stack (pandas, scipy, statsmodels, pingouin, matplotlib):
    about 325,000 objects that live as long as the server. Each full collection walked them
    all, about 0.16 s during which no request moves; under load such pauses were most of the
    slowest 1 % of saves (issue 7). Objects made later are collected as usual.
    """
    gc.collect()
    gc.freeze()


def warm_up(app: FastAPI) -> list[int]:
    """Do before the first user what the first requests would otherwise do while users wait.

    FastAPI works out each route's dependencies at the route's first match, and the first
    call into a worker thread imports the thread backend: 50-90 ms together, spent on the
    first saves after every restart, just when (after a crash) every coder's outbox sends at
    once. An unmatched path is compared with every route, and a save without a login reaches
    the login check on a save thread. Neither touches stored data, and neither is a login
    attempt for the audit log. Returns the answers' status codes (404 and 401).
    """
    return run_in_own_loop(_warm_up_requests(app))


def run_in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on a fresh event loop in a thread of its own: the caller's thread may
    run a loop already (a test worker where Playwright left one), and asyncio.run refuses that."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


async def _warm_up_requests(app: FastAPI) -> list[int]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://warm-up") as client:
        unmatched = await client.get("/api/warm-up-matches-no-route")
        no_login = await client.post("/api/codings/0/actions", json={"actions": []})
    return [unmatched.status_code, no_login.status_code]


def serve(
    app: FastAPI,
    *,
    host: str,
    port: int,
    log_level: str = "warning",
    ssl_certfile: Path | None = None,
    ssl_keyfile: Path | None = None,
) -> None:
    """Run ``app`` under uvicorn until stopped, holding the data folder (a restore refuses
    meanwhile). No access log (addresses with study and session names); uvicorn's own error
    lines lose their tracebacks, which can hold request data (issue 21, item 11)."""
    import uvicorn

    settings = app.state.settings
    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise InputError(
            "--ssl-certfile and --ssl-keyfile go together",
            fix="give both (the certificate and its private key), or neither",
        )
    warm_up(app)
    from samspill.web.assist_worker import worker_of

    worker_of(app).start(resume=True)  # passes a stopped server left running start again
    from samspill.web import reel_worker

    reel_worker.worker_of(app).start(resume=True)  # so do reel exports (issue 23)
    freeze_startup_heap()
    with hold_folder(settings.data_dir, "serve"):
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level=log_level,
            log_config=quiet_log_config(log_level),
            access_log=False,
            ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
            ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )


def quiet_log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging with every record stripped of its traceback and arguments: an
    exception that escaped the app may carry a request's data in its message or its frames'
    values. Samspill's own lines ("samspill.*") name only an error class and a request id."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "samspill.web.errors.RedactTracebacks"}},
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            name: {"handlers": ["stderr"], "level": level.upper(), "propagate": False}
            for name in ("uvicorn", "uvicorn.error", "samspill")
        },
    }
