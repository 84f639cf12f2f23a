"""Sign-in sessions (hashed in ``app_sessions``), the signed-in user, and CSRF checks."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import Request, Response
from sqlalchemy import select

from agent.web.security import new_session_token, token_digest, verify_password
from agent.web.state import WebState
from db.engine import transaction
from db.enums import AuditOrigin, DeviceType, SessionStatus, UserStatus
from db.models import AppSession, User
from db.repo import audit

SESSION_COOKIE = "twin_session"
PRESESSION_COOKIE = "twin_presession"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_EMAIL_SHAPE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")


class NotSignedInError(Exception):
    """The request needs a signed-in user."""


class CsrfError(Exception):
    """A state-changing request without a valid CSRF token."""


@dataclass(frozen=True)
class SignedIn:
    """The user behind a request and the session key its CSRF token is bound to."""

    user_id: uuid.UUID
    email: str
    name: str
    session_key: str
    """The stored token hash; keys flashes, chat history and the CSRF token."""


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def _is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def cookie_secure(state: WebState, request: Request) -> bool:
    return state.cookie_secure if state.cookie_secure is not None else _is_https(request)


def authenticate(state: WebState, email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    with state.system.sessions() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None or user.status != UserStatus.active:
            # Spend the same time as a real check so emails cannot be probed by timing.
            verify_password(password, "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA")
            return None
        if not verify_password(password, user.password_hash):
            return None
        session.expunge(user)
        return user


def start_session(state: WebState, user: User, request: Request, response: Response) -> str:
    """Record a new session and set its cookie (HttpOnly, SameSite=Lax, Secure on https)."""
    token = new_session_token()
    digest = token_digest(token)
    with transaction(state.system.sessions) as session:
        session.add(
            AppSession(
                user_id=user.id,
                device_type=DeviceType.web,
                device_info_json={"user_agent": request.headers.get("user-agent", "")[:300]},
                ip_address=request.client.host if request.client else None,
                token_hash=digest,
                status=SessionStatus.active,
            )
        )
        row = session.get(User, user.id)
        if row is not None:
            row.last_login_at = datetime.now(UTC)
        audit.record(
            session=session,
            actor=user.email,
            action="auth.signin",
            subject_type="user",
            subject_id=user.id,
            origin=AuditOrigin.web,
            details={"session": digest[:12]},
            user_id=user.id,
        )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(state.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(state, request),
        path="/",
    )
    response.delete_cookie(PRESESSION_COOKIE, path="/")
    return digest


def end_session(state: WebState, request: Request, response: Response) -> None:
    """Close the session row and clear the cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with transaction(state.system.sessions) as session:
            row = session.scalar(
                select(AppSession).where(AppSession.token_hash == token_digest(token))
            )
            if row is not None and row.status == SessionStatus.active:
                row.status = SessionStatus.closed
                row.ended_at = datetime.now(UTC)
                user = session.get(User, row.user_id)
                audit.record(
                    session=session,
                    actor=user.email if user else "unknown",
                    action="auth.signout",
                    subject_type="user",
                    subject_id=row.user_id,
                    origin=AuditOrigin.web,
                    details={"session": (row.token_hash or "")[:12]},
                    user_id=row.user_id,
                )
    response.delete_cookie(SESSION_COOKIE, path="/")


def record_failed_signin(state: WebState, email: str, reason: str) -> None:
    """Audit a refused sign-in. The typed email is kept only if it looks like one, since
    people paste passwords into the wrong field."""
    typed = email.strip().lower()
    with transaction(state.system.sessions) as session:
        audit.record(
            session=session,
            actor=typed if _EMAIL_SHAPE.match(typed) else "[not an email]",
            action="auth.signin_failed",
            subject_type="user",
            subject_id=None,
            origin=AuditOrigin.web,
            details={"reason": reason},
        )


def signed_in(request: Request) -> SignedIn | None:
    """The signed-in user of this request, or None (cached on the request)."""
    if hasattr(request.state, "signed_in"):
        cached: SignedIn | None = request.state.signed_in
        return cached
    result = _lookup(web_state(request), request.cookies.get(SESSION_COOKIE))
    request.state.signed_in = result
    return result


def _lookup(state: WebState, token: str | None) -> SignedIn | None:
    if not token or len(token) > 200:
        return None
    digest = token_digest(token)
    oldest = datetime.now(UTC) - timedelta(hours=state.session_hours)
    with state.system.sessions() as session:
        row = session.scalar(
            select(AppSession).where(
                AppSession.token_hash == digest, AppSession.status == SessionStatus.active
            )
        )
        if row is None or row.ended_at is not None or row.started_at < oldest:
            return None
        user = session.get(User, row.user_id)
        if user is None or user.status != UserStatus.active:
            return None
        return SignedIn(user_id=user.id, email=user.email, name=user.name, session_key=digest)


def require_user(request: Request) -> SignedIn:
    """FastAPI dependency: the signed-in user, or a redirect to sign-in / 401."""
    user = signed_in(request)
    if user is None:
        raise NotSignedInError()
    return user


def presession_key(request: Request) -> tuple[str, bool]:
    """The anonymous key the sign-in form's CSRF token is bound to, and whether it is new."""
    value = request.cookies.get(PRESESSION_COOKIE)
    if value and 20 <= len(value) <= 100:
        return value, False
    return secrets.token_urlsafe(24), True


def csrf_token_for(request: Request) -> str:
    """The CSRF token to embed in this page's forms."""
    state = web_state(request)
    user = signed_in(request)
    if user is not None:
        return state.signer.csrf_token("session:" + user.session_key)
    key = getattr(request.state, "presession", None) or presession_key(request)[0]
    request.state.presession = key
    return state.signer.csrf_token("pre:" + key)


async def csrf_guard(request: Request) -> None:
    """FastAPI dependency: every POST carries the token of its session (403 otherwise)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    state = web_state(request)
    user = signed_in(request)
    if user is not None:
        key = "session:" + user.session_key
    else:
        pre = request.cookies.get(PRESESSION_COOKIE)
        if not pre:
            raise CsrfError()
        key = "pre:" + pre
    if not state.signer.check_csrf(key, token):
        raise CsrfError()


__all__ = [
    "CSRF_FIELD",
    "PRESESSION_COOKIE",
    "SESSION_COOKIE",
    "CsrfError",
    "NotSignedInError",
    "SignedIn",
    "authenticate",
    "csrf_guard",
    "csrf_token_for",
    "end_session",
    "presession_key",
    "record_failed_signin",
    "require_user",
    "signed_in",
    "start_session",
    "web_state",
]
