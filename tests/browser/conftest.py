"""Browser fixtures: the demo study rendered once, a real server process, Debian's Chromium.

Without /usr/bin/chromium the browser tests skip, unless SAMSPILL_REQUIRE_BROWSER=1 (as in
`make test`), where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench.workspace import CHROMIUM_ARGS  # one list of flags for tests and bench

from samspill.services import codings
from samspill.services.demo import DEMO_SESSION, DEMO_STUDY, load_demo
from samspill.services.schemes import latest_version
from samspill.services.setup import ensure_admin, login_link
from samspill.services.studies import get_session, get_study
from samspill.settings import Settings
from samspill.store.db import Database

CHROMIUM = "/usr/bin/chromium"
START_TIMEOUT_S = 120
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """The app in its own process on a fixed loopback port; stop() kills it like a crash."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "tests.browser.serve", str(self.data_dir), str(self.port)]
        # Its output goes to a file: a pipe held by a stray server would hang whoever reads it.
        with (self.data_dir / "server.log").open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log)
        # Importing the app takes seconds, and much longer on a loaded machine (make test runs
        # two workers beside whatever else the machine does): wait for it, but not for a server
        # that has already died.
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the test server exited ({self.process.returncode}):\n"
                                   f"{self._log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/health", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the test server did not start in {START_TIMEOUT_S} s:\n"
                           f"{self._log_tail()}")

    def _log_tail(self) -> str:
        return (self.data_dir / "server.log").read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture(scope="session")
def demo_database(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Database]:
    """The demo study in a copy of the migrated template (its video rendered once per run)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("browser") / "data")
    settings.data_dir.mkdir(parents=True)
    shutil.copyfile(sqlite_template, settings.sqlite_path)
    database = Database(settings)
    with database.session() as db:
        load_demo(db, owner=ensure_admin(db), media_dir=settings.media_dir, with_video=True)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def server(demo_database: Database) -> Iterator[Server]:
    running = Server(demo_database.settings.data_dir)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("SAMSPILL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing; run 'make test' to install Debian's chromium")
        pytest.skip(f"no browser at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_coding(database: Database) -> int:
    """A fresh, open coding of the demo session by the administrator."""
    with database.session() as db:
        session = get_session(db, study=get_study(db, DEMO_STUDY), name=DEMO_SESSION)
        coding = codings.create_coding(
            db,
            session=session,
            coder=ensure_admin(db),
            scheme_version=latest_version(db, "withdrawal-open"),
        )
        return coding.id


def log_in(page, database: Database, server: Server) -> None:
    with database.session() as db:
        link = login_link(db, ensure_admin(db), host="127.0.0.1", port=server.port)
    page.goto(link)


def workspace_in(browser, demo_database: Database, server: Server, locale: str):
    """A logged-in page (1400×1000, in ``locale``) on a new coding's workspace: yields (page,
    coding id) and closes its browser context after."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
    page = context.new_page()
    log_in(page, demo_database, server)
    coding_id = new_coding(demo_database)
    open_workspace(page, server, coding_id)
    yield page, coding_id
    context.close()


@pytest.fixture
def workspace(browser, demo_database: Database, server: Server):
    """A logged-in page on a new coding's workspace: (page, coding id)."""
    yield from workspace_in(browser, demo_database, server, "en-GB")


def open_workspace(page, server: Server, coding_id: int) -> None:
    page.goto(f"{server.url}/codings/{coding_id}")
    page.wait_for_selector("body[data-ready=true]")
