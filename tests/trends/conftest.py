"""A local HTTP server that serves feeds by path and counts every request."""

from __future__ import annotations

import hashlib
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Route:
    """What one path answers."""

    body: bytes
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    delay: float = 0.0


@dataclass
class FeedServer:
    """Routes by path; ``hits`` counts requests per path, ``queries`` keeps their query strings."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    queries: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def serve(self, path: str, body: str | bytes, **options: object) -> str:
        """Serve ``body`` at ``path``; returns the absolute URL."""
        raw = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(raw, **options)  # type: ignore[arg-type]
        return self.base + path


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            with server.lock:
                server.hits[parts.path] += 1
                server.queries.append({k: v[0] for k, v in parse_qs(parts.query).items()})
            route = server.routes.get(parts.path)
            if route is None:
                route = Route(b"not found", status=404, content_type="text/plain")
            if route.delay:
                time.sleep(route.delay)
            try:
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: object) -> None:
            return None

    return Handler


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def bag_of_words(texts: list[str]) -> Sequence[Sequence[float]]:
    """A tiny deterministic embedding: hashed word counts (shared words -> similar vectors)."""
    out = []
    for text in texts:
        vec = [0.0] * 4096
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            word = word[:-1] if word.endswith("s") and len(word) > 3 else word
            vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % 4096] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        out.append([v / norm for v in vec])
    return out
