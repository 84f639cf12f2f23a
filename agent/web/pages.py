"""Rendering pages: the Jinja2 environment, the shared page context, redirects with messages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import func, select

from agent.web.auth import PRESESSION_COOKIE, csrf_token_for, signed_in, web_state
from agent.web.media import signed_media_url
from db.models import Notification

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

NAV = [
    ("dashboard", "/", "Dashboard"),
    ("inbox", "/inbox", "Inbox"),
    ("calendar", "/calendar", "Calendar"),
    ("reports", "/reports", "Reports"),
    ("chat", "/chat", "Chat"),
    ("twin", "/twin", "Twin"),
    ("accounts", "/accounts", "Accounts"),
    ("notifications", "/notifications", "Notifications"),
]

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown_html(text: str) -> Markup:
    """Markdown rendered to HTML with raw HTML disabled (safe to embed)."""
    return Markup(_markdown.render(text))


def when(value: datetime | None) -> str:
    """A short UTC timestamp for tables."""
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    templates.env.filters["when"] = when
    templates.env.filters["markdown"] = markdown_html
    templates.env.globals["nav"] = NAV
    return templates


templates = _templates()


def unread_count(request: Request) -> int:
    user = signed_in(request)
    if user is None:
        return 0
    with web_state(request).system.sessions() as session:
        count = session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.user_id, Notification.is_read.is_(False))
        )
    return int(count or 0)


def render(
    request: Request, template: str, *, active: str = "", status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render ``template`` with the user, CSRF token, messages and a ``media_url`` helper."""
    state = web_state(request)
    user = signed_in(request)
    settings = state.system.settings

    def media_url(path: str | Path | None) -> str | None:
        return signed_media_url(settings, state.signer, path, state.media_url_ttl)

    values = {
        "request": request,
        "user": user,
        "csrf_token": csrf_token_for(request),
        "flashes": state.pop_flashes(user.session_key) if user else [],
        "active": active,
        "unread": unread_count(request) if user else 0,
        "media_url": media_url,
        **context,
    }
    response = templates.TemplateResponse(request, template, values, status_code=status_code)
    presession = getattr(request.state, "presession", None)
    if user is None and presession and request.cookies.get(PRESESSION_COOKIE) != presession:
        response.set_cookie(
            PRESESSION_COOKIE,
            presession,
            httponly=True,
            samesite="lax",
            path="/",
            secure=request.url.scheme == "https",
        )
    return response


def redirect(
    request: Request, url: str, message: str | None = None, kind: str = "ok"
) -> RedirectResponse:
    """A 303 redirect after a POST, with an optional one-time message."""
    user = signed_in(request)
    if message and user is not None:
        web_state(request).flash(user.session_key, kind, message)
    return RedirectResponse(url, status_code=303)


__all__ = ["NAV", "STATIC_DIR", "markdown_html", "redirect", "render", "templates", "when"]
