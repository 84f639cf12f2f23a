"""A stateful fake platform on 127.0.0.1 with per-test fault injection."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

ACCESS_TOKEN = "EAAGsecretACCESS0123456789"
REFRESH_TOKEN = "rt-secretREFRESH0123456789"
CLIENT_SECRET = "cs-secretCLIENT0123456789"


@dataclass
class Request:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        """URL-encoded form body merged over the query string."""
        out = dict(self.query)
        if self.body and "json" not in self.headers.get("content-type", ""):
            with contextlib.suppress(UnicodeDecodeError):
                out |= {k: v[0] for k, v in parse_qs(self.body.decode()).items()}
        return out

    @property
    def json(self) -> Any:
        """Decoded JSON body."""
        return json.loads(self.body or b"{}")


@dataclass
class Reply:
    """What to answer."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


@dataclass
class Fault:
    """A fault applied to requests matching ``target`` (regex on ``"METHOD /path"``)."""

    kind: str
    target: str
    times: int | None = 1
    delay: float = 0.0
    skip: int = 0


class FakePlatform(ABC):
    """Base for a platform fake: routing, token checks and faults. Subclasses implement ``route``."""

    name = "fake"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.log: list[str] = []
        self.valid_tokens = {ACCESS_TOKEN}
        self.issued_tokens: list[str] = []
        self.posts: list[dict[str, Any]] = []
        self.fired: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self.base_url = ""

    # ---- lifecycle
    def start(self) -> str:
        """Serve on a random port; returns the base URL."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                fake._dispatch(self)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        """Stop serving."""
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # ---- faults
    commit_skip = 0
    expiry_revokes = True  # an expired token stops working for every later call

    def inject(
        self,
        kind: str,
        target: str = ".*",
        times: int | None = 1,
        delay: float = 0.0,
        skip: int = 0,
    ) -> None:
        """Queue a fault (rate_limit, server_error, reset, expired_token, slow, quota, duplicate).

        ``skip`` lets that many matching requests through first.
        """
        with self.lock:
            self.faults.append(Fault(kind, target, times, delay, skip))

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times != 0 and re.search(fault.target, f"{method} {path}"):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    if fault.times is not None:
                        fault.times -= 1
                    self.fired.append(fault.kind)
                    return fault
        return None

    # ---- platform hooks
    @abstractmethod
    def route(self, req: Request) -> Reply:
        """Answer a request."""

    @abstractmethod
    def error(self, kind: str, req: Request) -> Reply:
        """The platform's error reply for ``kind``."""

    def token_of(self, req: Request) -> str | None:
        """The access token a request carries (Authorization header)."""
        auth = req.headers.get("authorization", "")
        if " " in auth:
            return auth.split(" ", 1)[1]
        return req.query.get("access_token")

    def public(self, req: Request) -> bool:
        """Requests that need no user token (token endpoints)."""
        return False

    def on_partial(self, req: Request, received: bytes) -> None:  # noqa: B027 - optional hook
        """Called with the bytes read before a connection reset (resumable uploads keep them)."""

    def new_token(self) -> str:
        """Issue a fresh access token (refresh)."""
        with self.lock:
            token = f"EAAGsecretNEW{len(self.issued_tokens)}x{int(time.time() * 1000)}"
            self.issued_tokens.append(token)
            self.valid_tokens.add(token)
            return token

    def posts_with(self, marker: str) -> list[dict[str, Any]]:
        """Live posts whose text carries ``marker``."""
        return [p for p in self.posts if marker in str(p.get("text", "")) and p.get("live", True)]

    # ---- plumbing
    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlparse(handler.path)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(headers.get("content-length") or 0)
        method = handler.command
        self.log.append(f"{method} {url.path}")
        fault = self._take_fault(method, url.path)
        if fault and fault.kind == "reset":
            received = handler.rfile.read(length // 2) if length else b""
            self.on_partial(Request(method, url.path, query, headers, b""), received)
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            handler.connection.close()
            return
        body = handler.rfile.read(length) if length else b""
        req = Request(method, url.path, query, headers, body)
        if fault and fault.kind == "expired_token" and self.expiry_revokes:
            with self.lock:
                self.valid_tokens.discard(self.token_of(req) or "")
        if fault and fault.kind not in ("slow",):
            reply = self.error(fault.kind, req)
        elif not self.public(req) and self.token_of(req) not in self.valid_tokens:
            reply = self.error("expired_token", req)
        else:
            try:
                reply = self.route(req)
            except KeyError as exc:
                reply = Reply(404, {"error": f"unknown {exc}"})
        if fault and fault.kind == "slow":
            time.sleep(fault.delay)
        self._write(handler, reply)

    @staticmethod
    def _write(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        payload = (
            reply.raw
            if reply.raw is not None
            else (json.dumps(reply.body).encode() if reply.body is not None else b"")
        )
        try:
            handler.send_response(reply.status)
            headers = {"Content-Type": "application/json", **reply.headers}
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
