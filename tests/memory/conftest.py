"""Fixtures for the memory tests: one shared model, stores in tmp dirs, a loopback guard,
and an OpenAI-compatible embeddings server on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from memory import AgentMemoryStore, LocalMiniLMEmbeddingFunction, MiniLMEmbedder, load_minilm


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if anything in these tests connects beyond 127.0.0.1."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if host not in ("127.0.0.1", "::1", "localhost"):
                raise AssertionError(f"memory tests must not reach the network ({host})")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbedder:
    """The verified model, loaded once for the whole session."""
    return load_minilm()


class Clock:
    """A settable clock for stores, so ages and compaction times are exact."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 3, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def make_store(
    tmp_path: Path, minilm: MiniLMEmbedder, clock: Clock
) -> Callable[..., AgentMemoryStore]:
    """Build stores under ``tmp_path`` sharing the session model and the test clock."""

    def build(agent_id: str = "agent-1", **kwargs: Any) -> AgentMemoryStore:
        kwargs.setdefault("data_dir", tmp_path / "data")
        kwargs.setdefault("embedding_function", LocalMiniLMEmbeddingFunction())
        kwargs.setdefault("clock", clock)
        return AgentMemoryStore(agent_id, **kwargs)

    return build


@pytest.fixture
def store(make_store: Callable[..., AgentMemoryStore]) -> Iterator[AgentMemoryStore]:
    yield make_store()


# -- OpenAI-compatible /v1/embeddings server -------------------------------------------
# Follows CreateEmbeddingRequest / CreateEmbeddingResponse of the OpenAI spec and embeds
# with the local MiniLM, so vectors carry meaning. It can answer in reverse index order,
# in base64, or with an error.


@dataclass
class EmbeddingServer:
    """Server state shared with the handler; inspect ``requests`` after calls."""

    embedder: MiniLMEmbedder
    required_key: str | None = None
    reverse_order: bool = False
    force_base64: bool = False
    fail_status: int | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    auth_headers: list[str | None] = field(default_factory=list)
    port: int = 0
    _httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> EmbeddingServer:
        state = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                if self.path != "/v1/embeddings":
                    self._send(404, {"error": {"message": "not found"}})
                    return
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                state.requests.append(request)
                auth = self.headers.get("Authorization")
                state.auth_headers.append(auth)
                if state.required_key and auth != f"Bearer {state.required_key}":
                    message = f"Incorrect API key provided: {auth}"
                    self._send(401, {"error": {"message": message, "type": "auth"}})
                    return
                if state.fail_status:
                    self._send(state.fail_status, {"error": {"message": "model overloaded"}})
                    return
                if set(request) - {"input", "model", "encoding_format", "dimensions", "user"}:
                    self._send(400, {"error": {"message": "additionalProperties not allowed"}})
                    return
                texts = request["input"]
                texts = [texts] if isinstance(texts, str) else texts
                vectors = state.embedder.embed(texts)
                if request.get("dimensions"):
                    vectors = vectors[:, : request["dimensions"]]
                as_base64 = state.force_base64 or request.get("encoding_format") == "base64"
                data = [
                    {
                        "object": "embedding",
                        "index": i,
                        "embedding": base64.b64encode(v.astype("<f4").tobytes()).decode()
                        if as_base64
                        else [float(x) for x in v],
                    }
                    for i, v in enumerate(vectors)
                ]
                if state.reverse_order:
                    data.reverse()
                tokens = sum(len(t.split()) for t in texts)
                self._send(
                    200,
                    {
                        "object": "list",
                        "model": request["model"],
                        "data": data,
                        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
                    },
                )

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._httpd.server_address[1]
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()


@pytest.fixture
def embedding_server(minilm: MiniLMEmbedder) -> Iterator[EmbeddingServer]:
    server = EmbeddingServer(embedder=minilm).start()
    yield server
    server.stop()
