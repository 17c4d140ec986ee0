"""The edge of the app for unexpected errors: one log line with the error's class and a
request id, an answer naming the same id, and nothing of the request in any log.

Issue 21, item 11: Starlette's outermost middleware re-raises every unhandled exception after
answering, so the server printed its traceback, and on PostgreSQL the database error's
message held the statement's parameters (a coder's comment). Here the exception stops: it is
answered 500 and logged without traceback or message, so no frame's values or database
parameters reach a log. The engines are made with ``hide_parameters=True`` as well.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samspill.web import edge_words

log = logging.getLogger("samspill.web")
Respond = Callable[[Request, int, dict[str, str]], Response]


def request_id() -> str:
    """A short random id that ties an answer to its log line, and nothing else."""
    return secrets.token_hex(6)


def unexpected_body(reference: str) -> dict[str, str]:
    message, fix = edge_words.INTERNAL
    return {
        "type": "InternalError",
        "message": edge_words.said(message, reference=reference),
        "where": "",
        "fix": edge_words.said(fix),
    }


class EdgeErrors:
    """Answer any exception no handler took with 500, log its class and a request id only."""

    def __init__(self, app: ASGIApp, respond: Respond) -> None:
        self.app = app
        self.respond = respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as exc:  # the edge: whatever it is, it stops here
            reference = request_id()
            log.error("unexpected %s (request %s)", type(exc).__name__, reference)
            if not started:
                response = self.respond(Request(scope), 500, unexpected_body(reference))
                await response(scope, receive, send)


class RedactTracebacks(logging.Filter):
    """For the server's log handlers: drop a record's traceback, and its message when that
    would be built from arguments (an exception's text may hold request data)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info or record.exc_text:
            kind = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
            record.msg = f"{record.msg} ({kind}; details withheld)" if kind else record.msg
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        if not record.name.startswith("samspill") and record.args:
            record.msg, record.args = f"{record.msg} (arguments withheld)", None
        return True
