"""The app factory: routes, the one error handler, security headers and languages."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from samspill import __version__
from samspill.core.errors import AuthenticationError, SamspillError
from samspill.settings import Settings
from samspill.store.db import Database
from samspill.web import i18n
from samspill.web.routes import ROUTERS
from samspill.web.templating import templates

log = logging.getLogger("samspill.web")
STATIC = Path(__file__).parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def create_app(
    settings: Settings, *, database: Database | None = None, host: str = "127.0.0.1"
) -> FastAPI:
    app = FastAPI(title="Samspill", version=__version__, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.database = database or Database(settings)
    app.state.host = host
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _install_error_handlers(app)
    app.middleware("http")(_headers_and_language)
    return app


async def _headers_and_language(request: Request, call_next):
    language = i18n.negotiate(
        request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language")
    )
    token = i18n.current_language.set(language)
    try:
        response: Response = await call_next(request)
    finally:
        i18n.current_language.reset(token)
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    headers.setdefault("Cache-Control", "no-store")
    if request.url.scheme == "https":
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or "application/json" in request.headers.get(
        "accept", ""
    )


def _error_response(request: Request, status: int, body: dict[str, str]) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": body}, status_code=status)
    if status == 401:
        return Response(status_code=303, headers={"Location": f"/login?next={request.url.path}"})
    return templates.TemplateResponse(request, "error.html", {"error": body}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SamspillError)
    async def samspill_error(request: Request, exc: SamspillError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthenticationError) else {}
        response = _error_response(request, exc.status_code, exc.as_dict())
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
                "message": first["msg"],
                "where": where,
                "fix": "correct that field",
            },
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error_response(
            request,
            exc.status_code,
            {
                "type": "HTTPError",
                "message": str(exc.detail),
                "where": request.url.path,
                "fix": "check the address",
            },
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # Log the type and the route, never the request body: it may hold children's data.
        log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
        return _error_response(
            request,
            500,
            {
                "type": "InternalError",
                "message": "something went wrong on the server",
                "where": "",
                "fix": "try again; nothing you saved before is lost",
            },
        )


__all__ = ["HTMLResponse", "create_app"]
