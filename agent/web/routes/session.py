"""Sign in, sign out and the health probe."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from agent.web.auth import (
    authenticate,
    csrf_guard,
    end_session,
    record_failed_signin,
    signed_in,
    start_session,
    web_state,
)
from agent.web.pages import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/healthz", include_in_schema=False)
def healthz() -> JSONResponse:
    return JSONResponse({"ok": True})


@router.get("/signin")
def signin_page(request: Request, next: str | None = None) -> Response:
    if signed_in(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "signin.html", next=_safe_next(next), email="")


@router.post("/signin", dependencies=[Depends(csrf_guard)])
def signin(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    state = web_state(request)
    client = request.client.host if request.client else "unknown"
    if state.throttle.blocked(client):
        # Not audited: the throttle bounds what a flood of attempts can write.
        return render(
            request,
            "signin.html",
            status_code=429,
            next=_safe_next(next),
            email=email,
            error="Too many failed attempts. Wait a few minutes and try again.",
        )
    user = authenticate(state, email, password) if email and password else None
    if user is None:
        state.throttle.failed(client)
        record_failed_signin(state, email, "wrong email or password")
        return render(
            request,
            "signin.html",
            status_code=401,
            next=_safe_next(next),
            email=email,
            error="Wrong email or password. If no password is set yet, run: twin web password",
        )
    state.throttle.succeeded(client)
    response = RedirectResponse(_safe_next(next), status_code=303)
    start_session(state, user, request, response)
    return response


@router.post("/signout", dependencies=[Depends(csrf_guard)])
def signout(request: Request) -> Response:
    response = RedirectResponse("/signin", status_code=303)
    end_session(web_state(request), request, response)
    return response
