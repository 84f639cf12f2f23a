"""The web app's long-lived state: system, signer, jobs, flashes and chat history."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from agent.app.resources import Resources
from agent.app.wiring import Wiring
from agent.web.jobs import JobRunner
from agent.web.security import Signer

MAX_CHAT_TURNS = 60
LOGIN_WINDOW_SECONDS = 300.0
LOGIN_MAX_FAILURES = 10


@dataclass
class ChatTurn:
    """One line of the chat panel."""

    role: str
    text: str
    tool_calls: list[str] = field(default_factory=list)
    pending_action: str | None = None
    needs_confirmation: bool = False


class LoginThrottle:
    """Refuses sign-in from an address after too many recent failures."""

    def __init__(
        self, window: float = LOGIN_WINDOW_SECONDS, limit: int = LOGIN_MAX_FAILURES
    ) -> None:
        self.window = window
        self.limit = limit
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque[float]:
        entries = self._failures[key]
        while entries and now - entries[0] > self.window:
            entries.popleft()
        return entries

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._trim(key, time.monotonic())) >= self.limit

    def failed(self, key: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._trim(key, now).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


@dataclass
class WebState:
    """Everything the routes share; one per app."""

    system: Resources
    signer: Signer
    jobs: JobRunner
    session_hours: float
    media_url_ttl: int
    cookie_secure: bool | None
    """True/False forces the Secure flag; None sets it when the request came over https."""
    wiring: Wiring = field(default_factory=Wiring)
    """The parts of runs resumed from the inbox (tests pass a cheap renderer)."""
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    flashes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    chats: dict[str, list[ChatTurn]] = field(default_factory=dict)
    pending_chat: dict[str, str] = field(default_factory=dict)
    """Per session: the message whose action waits for the creator's confirmation."""
    oauth_flows: dict[str, Any] = field(default_factory=dict)
    """OAuth authorizations waiting for ``/oauth/callback``, by their ``state``."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def flash(self, session_key: str, kind: str, text: str) -> None:
        """Queue a message shown once on the next page (kind: ok, error, info)."""
        with self.lock:
            self.flashes.setdefault(session_key, []).append((kind, text))

    def pop_flashes(self, session_key: str) -> list[tuple[str, str]]:
        with self.lock:
            return self.flashes.pop(session_key, [])

    def chat_history(self, session_key: str) -> list[ChatTurn]:
        with self.lock:
            return list(self.chats.get(session_key, []))

    def add_chat(self, session_key: str, *turns: ChatTurn) -> None:
        with self.lock:
            history = self.chats.setdefault(session_key, [])
            history.extend(turns)
            del history[:-MAX_CHAT_TURNS]


__all__ = ["ChatTurn", "LoginThrottle", "WebState"]
