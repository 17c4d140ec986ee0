"""The app factory: routes, the one error handler, security headers and languages."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from samspill import __version__
from samspill.core.errors import (
    N_,
    AuthenticationError,
    InputError,
    NotedInputError,
    SamspillError,
)
from samspill.services import audit
from samspill.services.jobs import REGISTRY
from samspill.settings import Settings
from samspill.store import errors as store_errors
from samspill.store.db import Database
from samspill.web import edge_words, i18n, refusals
from samspill.web.errors import EdgeErrors, request_id
from samspill.web.limits import BodyLimit
from samspill.web.routes import ROUTERS
from samspill.web.templating import templates

log = logging.getLogger("samspill.web")
STATIC = Path(__file__).parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _stop_workers(app: FastAPI) -> None:
    """Stop the background workers this app started (assist passes, reel exports), so that no
    thread outlives its server polling a database that is gone."""
    for name in ("assist_worker", "reel_worker"):
        worker = getattr(app.state, name, None)
        if worker is not None:
            worker.stop()


def create_app(
    settings: Settings, *, database: Database | None = None, host: str = "127.0.0.1"
) -> FastAPI:
    app = FastAPI(title="Samspill", version=__version__, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.database = database or Database(settings)
    app.state.host = host
    app.router.on_shutdown.append(lambda: _stop_workers(app))
    REGISTRY.configure(  # issue 21, item 16: jobs capped per user and per server
        per_user=settings.max_jobs_per_user, per_server=settings.max_jobs_per_server
    )
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _install_error_handlers(app)
    _install_storage_handler(app)  # issue 7
    app.add_middleware(BodyLimit, respond=_error_response)  # issue 21: before any route reads
    app.add_middleware(EdgeErrors, respond=_error_response)  # issue 21: nothing of it in logs
    app.add_middleware(HeadersAndLanguage)
    return app


class HeadersAndLanguage:
    """Per request: the language and the audit context on the way in, the
    security headers on the way out. Plain ASGI, not BaseHTTPMiddleware: that one runs every
    request in an extra task and stream, a cost each of many coders' saves would pay."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        language = i18n.negotiate(
            request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language")
        )
        token = i18n.current_language.set(language)
        # Audit (issue 7): the client address, for every row this request writes.
        client = audit.CLIENT.set(request.client.host if request.client else "")
        audit.RECORDED.set([])
        answered: dict[str, int] = {}
        try:
            await self.app(scope, receive, _with_security_headers(send, request, answered))
            if _is_unknown_login_refusal(request, answered.get("status", 0)):
                await run_in_threadpool(_record_unknown_login, request, answered["status"])
        finally:
            i18n.current_language.reset(token)
            audit.CLIENT.reset(client)


SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def _with_security_headers(send: Send, request: Request, answered: dict[str, int]) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            answered["status"] = message["status"]
            headers = MutableHeaders(scope=message)
            for name, value in SECURITY_HEADERS.items():
                headers[name] = value
            if "cache-control" not in headers:
                headers["cache-control"] = "no-store"
            if request.url.scheme == "https":
                headers["strict-transport-security"] = "max-age=31536000"
        await send(message)

    return send_with_headers


LOGIN_PATHS = frozenset({"/login", "/api/login", "/login/link"})


def _is_unknown_login_refusal(request: Request, status: int) -> bool:
    """A refused login that changed no account: an unknown name, a locked account, a used
    link, or an API token that matches none. Refusals of a known account's password are
    logged by the flush hook in services/audit.py."""
    if status not in (401, 429) or "login.failed" in (audit.RECORDED.get() or []):
        return False
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return True
    if request.url.path not in LOGIN_PATHS:
        return False
    return request.method != "GET" or request.url.path == "/login/link"


def _record_unknown_login(request: Request, status: int) -> None:
    bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
    database: Database = request.app.state.database
    with database.session() as db:
        audit.record(
            db,
            action="login.failed",
            target=f"{request.method} {request.url.path}",
            detail=f"answered {status}" + (" to an unknown API token" if bearer else ""),
        )


LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
WEAK_SECRETS = frozenset({"", "secret", "changeme", "change-me", "samspill", "dev", "default"})
MIN_SECRET_LENGTH = 32


def require_safe_secret(settings: Settings, host: str) -> str:
    """The secret to run with; refuses a missing or default one unless on localhost.

    Without a secret of its own, a server is development-only: it then keeps a generated
    secret in the data folder, and only answers on a loopback address.
    """
    secret = settings.secret_key or ""
    if secret not in WEAK_SECRETS and len(secret) >= MIN_SECRET_LENGTH:
        return secret
    if host not in LOOPBACK:
        raise InputError(
            N_("refusing to serve on {host} with a missing or default secret key"),
            fix=N_("set SAMSPILL_SECRET_KEY to {min_secret_length}+ random characters (python -c "
                   "'import secrets; print(secrets.token_urlsafe(32))'), or serve on 127.0.0.1 "
                   "in development mode"),
            params={"host": str(host), "min_secret_length": str(MIN_SECRET_LENGTH)},
        )
    return _kept_secret(settings.data_dir)


def _kept_secret(data_dir: Path) -> str:
    import secrets

    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    value = secrets.token_urlsafe(32)
    path.write_text(value, encoding="utf-8")
    return value


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or "application/json" in request.headers.get(
        "accept", ""
    )


def _error_response(request: Request, status: int, body: Mapping[str, object]) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": body}, status_code=status)
    if status == 401:
        return Response(status_code=303, headers={"Location": f"/login?next={request.url.path}"})
    return templates.TemplateResponse(request, "error.html", {"error": body}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SamspillError)
    async def samspill_error(request: Request, exc: SamspillError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else {}
        body = refusals.said(exc)
        if isinstance(exc, NotedInputError):
            body = {**body, "message": refusals.note_message(exc.note),
                    "fix": refusals.note_fix(exc.note)}
        response = _error_response(request, exc.status_code, body)
        response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error_response(
            request,
            422,
            {
                "type": "InputError",
                "message": edge_words.validation_message(first),
                "where": where,
                "fix": edge_words.said(edge_words.VALIDATION_FIX),
            },
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        body = edge_words.http_body(exc.status_code, exc.detail, request.url.path,
                                    request.method)
        return _error_response(request, exc.status_code, body)


# --- Degraded storage (issue 7): a full disk or a read-only data folder is said plainly (503);
# the answer is an error, so the coding screen's outbox keeps the work and sends it again.
# Which errors are storage problems is the store's knowledge (``store/errors.py``).


def _install_storage_handler(app: FastAPI) -> None:
    async def storage_error(request: Request, exc: Exception) -> Response:
        error = store_errors.storage_error(exc)
        if error is None:
            raise exc
        # The problem's words are ours (store/errors.py); the path may name a study or dyad.
        log.error("storage problem: %s (request %s)", error.message, request_id())
        return _error_response(request, error.status_code, refusals.said(error))

    async def value_error(request: Request, exc: Exception) -> Response:
        # A number too large for a database integer (SQLite: OverflowError; PostgreSQL: a
        # DataError), or a value the database cannot take: the request's fault, said as such.
        message, fix = edge_words.TOO_LARGE_A_VALUE
        body = {"type": "InputError", "message": edge_words.said(message), "where": "",
                "fix": edge_words.said(fix)}
        return _error_response(request, 400, body)

    app.add_exception_handler(OverflowError, value_error)  # issue 21, item 13
    app.add_exception_handler(DataError, value_error)
    app.add_exception_handler(OSError, storage_error)
    app.add_exception_handler(DBAPIError, storage_error)
    app.add_exception_handler(sqlite3.Error, storage_error)


__all__ = ["HTMLResponse", "create_app"]
