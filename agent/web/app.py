"""The FastAPI application: routers, static files, error pages and security headers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from agent.app.resources import Resources
from agent.app.wiring import Wiring
from agent.web.auth import CsrfError, NotSignedInError
from agent.web.jobs import JobRunner
from agent.web.pages import STATIC_DIR, render
from agent.web.routes import ROUTERS
from agent.web.security import Signer, load_server_secret
from agent.web.state import WebState

DEFAULT_SESSION_HOURS = 24.0 * 14
DEFAULT_MEDIA_URL_TTL = 3600
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; "
    "script-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
)


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/media/")) or request.method != "GET":
        return False
    return "text/html" in request.headers.get(
        "accept", "text/html"
    ) or "*/*" in request.headers.get("accept", "")


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedInError)
    async def not_signed_in(request: Request, exc: NotSignedInError) -> Response:
        if _wants_html(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            from urllib.parse import quote

            return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "sign in first"}, status_code=401)
        return PlainTextResponse("Sign in first.", status_code=401)

    @app.exception_handler(CsrfError)
    async def csrf_refused(request: Request, exc: CsrfError) -> Response:
        return render(
            request,
            "error.html",
            status_code=403,
            title="Form expired",
            message="This form was not accepted (missing or stale security token). "
            "Go back, reload the page and try again.",
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)
        title = "Page not found" if exc.status_code == 404 else f"Error {exc.status_code}"
        return render(
            request, "error.html", status_code=exc.status_code, title=title, message=str(exc.detail)
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return render(
            request,
            "error.html",
            status_code=422,
            title="Incomplete form",
            message=f"Some fields are missing or not valid: {fields}. Go back and try again.",
        )

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        try:
            return _crash_page(request)
        except Exception:  # the database itself may be what failed
            return PlainTextResponse("Something went wrong; try again.", status_code=500)


def _crash_page(request: Request) -> Response:
    return render(
        request,
        "error.html",
        status_code=500,
        title="Something went wrong",
        message="The server could not finish this request. Try again; if it keeps "
        "happening, check the terminal running 'twin serve'.",
    )


def create_app(
    system: Resources,
    *,
    session_hours: float = DEFAULT_SESSION_HOURS,
    media_url_ttl: int = DEFAULT_MEDIA_URL_TTL,
    cookie_secure: bool | None = None,
    wiring: Wiring | None = None,
) -> FastAPI:
    """Build the web app over ``system``.

    Args:
        system: The opened system (settings, database, cipher).
        session_hours: How long a sign-in lasts.
        media_url_ttl: Seconds a signed media URL stays valid.
        cookie_secure: Force the cookie's Secure flag; None sets it for https requests.
        wiring: The parts of runs resumed from the inbox (tests, simulations).
    """
    state = WebState(
        system=system,
        signer=Signer(load_server_secret(system.settings.data_dir)),
        jobs=JobRunner(),
        session_hours=session_hours,
        media_url_ttl=media_url_ttl,
        cookie_secure=cookie_secure,
        wiring=wiring or Wiring(),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.jobs.shutdown()

    app = FastAPI(
        title="Twin Agent", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.web = state

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        if request.url.path != "/static" and not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    _install_handlers(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app


__all__ = ["create_app"]
