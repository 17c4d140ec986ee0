"""Body size limits, counted on the bytes as they arrive, before any route or login check.

FastAPI reads a JSON or form body before it resolves a route's dependencies, so the login
check comes *after* the body is in memory (or spooled to disk): a limit applied in a route is
too late (issue 21, item 4: a chunked 300 MB JSON body with no login took the server from 388
to 1,229 MB before its 401). This middleware sits in front of every route and counts what
``receive`` hands on, whether or not a Content-Length was declared:

- a video upload may be as large as ``max_upload_mb``, an import file (BORIS, ELAN, CSV, an
  outcome table) ``max_import_mb``, anything else ``max_body_mb``;
- a request that carries no credential at all (no session cookie, no ``Authorization``
  header) gets ``max_body_mb`` whatever its route: nobody anonymous sends a video.

Past the limit the answer is 413 at once; what the route had read is dropped and the rest of
the body is never read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samspill.core.errors import N_, InputError
from samspill.settings import Settings
from samspill.web import refusals

MB = 2**20
UPLOAD_PATHS = re.compile(r"^(/api)?/studies/[^/]+/sessions/[^/]+/media$")
IMPORT_PATHS = re.compile(r"^/studies/[^/]+/(import/|analysis/outcomes$)")
SESSION_COOKIE = "samspill_session"
# Builds the error answer (JSON or page) for a request; app.py passes its own.
Respond = Callable[[Request, int, dict[str, str]], Response]


class BodyTooLargeError(InputError):
    status_code = 413


def body_limit(settings: Settings, scope: Scope) -> tuple[int, str]:
    """The largest body this request may send, in bytes, and the setting that sets it."""
    path = scope.get("path", "")
    if not _has_credential(scope):
        return settings.max_body_mb * MB, "max_body_mb"
    if UPLOAD_PATHS.match(path):
        return settings.max_upload_mb * MB, "max_upload_mb"
    if IMPORT_PATHS.match(path):
        return settings.max_import_mb * MB, "max_import_mb"
    return settings.max_body_mb * MB, "max_body_mb"


def _has_credential(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value:
            return True
        if name == b"cookie" and SESSION_COOKIE.encode() in value:
            return True
    return False


FIXES = {
    "max_upload_mb": N_("compress the video or raise max_upload_mb"),
    "max_import_mb": N_("split the file, or ask the administrator to raise max_import_mb"),
    "max_body_mb": N_("log in first and send less at once, or ask the administrator to raise "
                      "max_body_mb"),
}


def too_large(limit: int, setting: str) -> BodyTooLargeError:
    return BodyTooLargeError(
        N_("the request body is larger than {size} MB"), fix=FIXES[setting],
        params={"size": limit // MB},
    )


class BodyLimit:
    """Refuse a body past its limit (413) while it streams in; see the module's docstring."""

    def __init__(self, app: ASGIApp, respond: Respond) -> None:
        self.app = app
        self.respond = respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings: Settings = scope["app"].state.settings
        limit, setting = body_limit(settings, scope)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, limit, setting)
            return
        state: dict[str, int] = {"received": 0, "refused": 0, "started": 0}

        async def counted_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["refused"] = 1
                    raise too_large(limit, setting)
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"]:
                return  # the route's own answer to the broken body: ours goes out instead
            if message["type"] == "http.response.start":
                state["started"] = 1
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not state["refused"]:
                raise
        if state["refused"] and not state["started"]:
            await self._refuse(scope, receive, send, limit, setting)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, limit: int, setting: str
    ) -> None:
        error = too_large(limit, setting)
        response = self.respond(Request(scope), 413, refusals.said(error))
        response.headers["connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None
