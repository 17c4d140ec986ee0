"""A local fake of the REDCap API for the tests: answers the calls PyCap makes to import a data
dictionary (``content=metadata``) and records (``content=record``), as REDCap does: a form POST
with the token, the answer JSON, ``{"error": ...}`` with status 400/403 when refused.

It keeps what it was sent, checks the token, the dictionary's header, and that every record's
field is in the dictionary, so a test sees what a real project would have stored.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

TOKEN = "0123456789ABCDEF0123456789ABCDEF"


@dataclass
class FakeProject:
    token: str = TOKEN
    fields: list[dict[str, str]] = field(default_factory=list)
    records: list[dict[str, str]] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    development: bool = True
    url: str = ""


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _handler(project: FakeProject) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            project.requests.append({k: v for k, v in form.items() if k != "data"})
            if self.path != "/api/":
                return self._answer(404, {"error": "not found"})
            if form.get("token") != project.token:
                return self._answer(403, {"error": "You do not have permissions to use the "
                                          "API"})
            if form.get("content") == "metadata":
                return self._metadata(form)
            if form.get("content") == "record":
                return self._records(form)
            return self._answer(400, {"error": "unsupported content"})

        def _metadata(self, form: dict[str, str]) -> None:
            if not project.development:
                return self._answer(400, {"error": "Metadata may only be imported while the "
                                          "project is in development status"})
            rows = _rows(form["data"])
            if not rows or ("field_name" not in rows[0] and "Variable / Field Name" not in rows[0]):
                return self._answer(400, {"error": "the data dictionary has no field names"})
            project.fields = rows
            return self._answer(200, len(rows))

        def _records(self, form: dict[str, str]) -> None:
            rows = _rows(form["data"])
            known = {r.get("Variable / Field Name") or r.get("field_name") for r in project.fields}
            unknown = sorted({k for r in rows for k in r} - known)
            if unknown:
                return self._answer(400, {"error": "The following fields were not found in "
                                          f"the project as real data fields: {', '.join(unknown)}"})
            project.records = rows
            return self._answer(200, {"count": len(rows)})

        def _answer(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def fake_redcap(project: FakeProject | None = None) -> Iterator[FakeProject]:
    """A fake REDCap API on 127.0.0.1 for the ``with`` block; ``project.url`` is its API URL."""
    project = project or FakeProject()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(project))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    project.url = f"http://127.0.0.1:{server.server_address[1]}/api/"
    try:
        yield project
    finally:
        server.shutdown()
        server.server_close()
