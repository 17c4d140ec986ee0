"""`samspill serve` over TLS, holding its data folder, with private files (issue 21, items 9
and 12). One real server process, with a self-signed certificate made for the test."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from samspill.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def keep_umask() -> Iterator[None]:
    """The CLI makes every file private (umask 077); the test process gets its own back."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _invoke(*args: str):
    return runner.invoke(app, list(args))


def test_the_data_folder_and_its_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert _invoke("init", "--data-dir", str(data)).exit_code == 0
    backup = tmp_path / "backup.zip"
    assert _invoke("backup", "--out", str(backup), "--data-dir", str(data)).exit_code == 0
    out = tmp_path / "events.csv"
    _invoke("export", "events", "--study", "none", "--out", str(out), "--data-dir", str(data))
    assert _mode(data) == 0o700
    sqlite = data / "samspill.sqlite3"
    for path in (sqlite, backup, *data.glob("samspill.sqlite3-*")):
        assert _mode(path) == 0o600, path


@pytest.mark.skipif(not __import__("shutil").which("openssl"), reason="needs the openssl CLI")
def test_serve_over_tls_holds_the_folder_and_restore_waits(tmp_path: Path) -> None:
    data, port = tmp_path / "data", _free_port()
    assert _invoke("init", "--data-dir", str(data)).exit_code == 0
    backup = tmp_path / "backup.zip"
    assert _invoke("backup", "--out", str(backup), "--data-dir", str(data)).exit_code == 0
    cert, key = _self_signed(tmp_path)
    server = subprocess.Popen(
        [sys.executable, "-c", "from samspill.cli import main; main()", "serve",
         "--port", str(port), "--data-dir", str(data),
         "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        answer = _wait_for(f"https://127.0.0.1:{port}/login", server)
        assert answer.status_code == 200 and answer.url.scheme == "https"
        assert answer.headers["strict-transport-security"].startswith("max-age=")
        refused = _invoke("restore", str(backup), "--yes", "--data-dir", str(data))
        assert refused.exit_code != 0
        assert "server is running" in str(refused.exception)
        assert _mode(data / "server.lock") == 0o600
    finally:
        server.terminate()
        server.wait(30)
    assert _invoke("restore", str(backup), "--yes", "--data-dir", str(data)).exit_code == 0


def _wait_for(url: str, server: subprocess.Popen) -> httpx.Response:
    deadline = time.monotonic() + 180  # the server imports the statistics stack first
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(server.stderr.read().decode() if server.stderr else "exited")
        try:
            return httpx.get(url, verify=False, trust_env=False, timeout=2)
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError("the server did not answer over TLS within 180 s")
