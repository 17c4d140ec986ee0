"""The test server: ``python -m tests.browser.serve DATA_DIR PORT`` serves the app on loopback.

A separate process, so a test can stop it hard (as a crash or a lost network would) and start
it again on the same data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from samspill.settings import Settings
from samspill.store.db import Database
from samspill.web.app import create_app


def main(data_dir: str, port: str) -> None:
    settings = Settings(data_dir=Path(data_dir))
    app = create_app(settings, database=Database(settings))
    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning", access_log=False)


if __name__ == "__main__":
    main(*sys.argv[1:3])
