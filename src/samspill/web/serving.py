"""Running the web app as a long-lived server process (``samspill serve`` and the benchmarks)."""

from __future__ import annotations

import gc

from fastapi import FastAPI


def freeze_startup_heap() -> None:
    """Exempt what startup made from the cyclic garbage collector's full passes.

    Startup imports the statistics stack (pandas, scipy, statsmodels, pingouin, matplotlib):
    about 325,000 objects that live as long as the server. Each full collection walked them
    all, about 0.16 s during which no request moves; under load such pauses were most of the
    slowest 1 % of saves (issue 7). Objects made later are collected as usual.
    """
    gc.collect()
    gc.freeze()


def serve(app: FastAPI, *, host: str, port: int, log_level: str = "warning") -> None:
    import uvicorn

    freeze_startup_heap()
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
