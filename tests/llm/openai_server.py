"""A local OpenAI-compatible HTTP server for tests (stdlib only, 127.0.0.1:0).

Implements ``POST /v1/chat/completions`` (plain, ``response_format`` json_schema /
json_object, ``tools`` + ``tool_choice``, ``stream`` with SSE chunks and
``stream_options.include_usage``) and ``GET /v1/models`` with OpenAI's response
and error shapes. Answers are deterministic and worded from the request's
messages (via :func:`agent.llm.offline.schema_fill.fill_schema`); a JSON schema written in
the prompt is followed too, as an instruction-following model would.

``refusals`` makes it behave like a server lacking a feature: each :class:`Refusal`
in :data:`REFUSALS` answers with the status and body that server really sends.

Usage::

    with FakeOpenAIServer(api_key="sk-test") as server:
        model = ChatOpenAI(base_url=server.base_url, api_key="sk-test", model="m")
        server.inject("invalid_output", count=2)
        ...
        assert server.chat_requests[-1]["response_format"]["type"] == "json_schema"
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from agent.llm.offline.responders import match_tools
from agent.llm.offline.schema_fill import fill_schema
from agent.llm.offline.wording import Writer
from tests.llm.server_answers import (
    envelope,
    follow,
    ground,
    invalid_for,
    parameters,
    pieces,
    schema_in_prompt,
    text_of,
)
from tests.llm.server_refusals import REFUSALS, Refusal

__all__ = ["REFUSALS", "FakeOpenAIServer", "Fault", "RecordedRequest", "Refusal", "ToolPolicy"]

FaultKind = Literal["invalid_output", "prose", "server_error", "rate_limit"]
ToolPolicy = Callable[
    [list[dict[str, Any]], list[dict[str, Any]], Any], tuple[str, dict[str, Any] | None] | None
]
"""``policy(messages, tools, tool_choice) -> (tool name, args or None) | None``.

None answers in text (unless the request forces a tool); args None lets the
server fill the tool's parameter schema from the messages.
"""


@dataclass(frozen=True)
class Fault:
    """One injected failure, consumed by the next chat-completion request.

    Attributes:
        kind: "invalid_output" (answer that violates the requested schema), "prose"
            (a text answer whatever format was asked for, as a model that ignores
            ``response_format`` gives), "server_error" (HTTP 500) or "rate_limit"
            (HTTP 429 with Retry-After).
        retry_after: Seconds advertised in Retry-After / retry-after-ms (429 only).
    """

    kind: FaultKind
    retry_after: float = 0.0


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server received it (the Authorization header is not kept).

    Attributes:
        method: HTTP method.
        path: Request path.
        headers: Headers other than Authorization, lower-cased names.
        body: Parsed JSON body, or None.
        authorized: Whether the request carried the expected key.
        status: HTTP status the server answered with.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    authorized: bool
    status: int


@dataclass
class FakeOpenAIServer:
    """A threaded OpenAI-compatible server; use as a context manager.

    Attributes:
        api_key: When set, requests must send ``Authorization: Bearer <api_key>``.
        models: Model ids listed by ``GET /v1/models``.
        seed: Mixed into every answer's random seed.
        tool_policy: Chooses tool calls; None uses name matching against the
            latest user message.
        refusals: Features this server lacks, refused with that server's own error.
        fenced_json: Answers that follow a schema written in the prompt come wrapped
            in prose and a markdown fence, as chatty models write them.
    """

    api_key: str | None = None
    models: tuple[str, ...] = ("test-model",)
    seed: int = 0
    tool_policy: ToolPolicy | None = None
    refusals: tuple[Refusal, ...] = ()
    fenced_json: bool = False
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    _httpd: ThreadingHTTPServer | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- lifecycle ----------------------------------------------------------------

    def start(self) -> FakeOpenAIServer:
        """Bind to a free port on 127.0.0.1 and serve in a daemon thread."""
        handler = type("_BoundHandler", (_Handler,), {"app": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The ``/v1`` base URL to give an OpenAI client."""
        if self._httpd is None:
            raise RuntimeError("FakeOpenAIServer is not running; call start() first.")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    # -- test controls ------------------------------------------------------------

    def inject(self, kind: FaultKind, count: int = 1, *, retry_after: float = 0.0) -> None:
        """Queue ``count`` faults of one kind for the next chat-completion requests.

        Args:
            kind: "invalid_output", "prose", "server_error" or "rate_limit".
            count: How many consecutive requests get the fault.
            retry_after: Seconds advertised by a rate-limit response.
        """
        with self._lock:
            self.faults.extend(Fault(kind, retry_after) for _ in range(count))

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of every chat-completion request received, in order."""
        with self._lock:
            return [r.body or {} for r in self.requests if r.path.endswith("/chat/completions")]

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self.faults.popleft() if self.faults else None

    # -- answering ----------------------------------------------------------------

    def completion(self, body: dict[str, Any], fault: Fault | None) -> dict[str, Any]:
        """Build the ``chat.completion`` object answering ``body``."""
        messages: list[dict[str, Any]] = list(body.get("messages") or [])
        grounding = ground(messages)
        material = json.dumps({"seed": self.seed, "body": body}, sort_keys=True, default=str)
        rng = random.Random(int.from_bytes(hashlib.sha256(material.encode()).digest()[:8], "big"))
        invalid = fault is not None and fault.kind == "invalid_output"
        prose = fault is not None and fault.kind == "prose"
        content: str | None = None
        tool_calls: list[dict[str, Any]] = []
        response_format = body.get("response_format") or {}
        tools: list[dict[str, Any]] = list(body.get("tools") or [])
        tool_choice = body.get("tool_choice", "auto")
        prompt_schema = schema_in_prompt(messages)
        if prose:
            pass
        elif response_format.get("type") == "json_schema":
            schema = response_format.get("json_schema", {}).get("schema", {})
            value = follow(schema, invalid, grounding, rng)
            content = value if isinstance(value, str) else json.dumps(value)
        elif response_format.get("type") == "json_object":
            value = (
                follow(prompt_schema, invalid, grounding, rng)
                if prompt_schema is not None
                else {"answer": Writer(grounding, rng).sentence("answer")}
            )
            content = json.dumps(value)
        elif prompt_schema is not None and not tools:
            content = json.dumps(follow(prompt_schema, invalid, grounding, rng), indent=2)
            if self.fenced_json:
                content = f"Sure! Here it is:\n\n```json\n{content}\n```\n\nHope this helps."
        elif tools and tool_choice != "none":
            choice = self._choose_tool(messages, tools, tool_choice)
            if choice is not None:
                name, args = choice
                params = parameters(tools, name)
                if invalid:
                    arguments = json.dumps(invalid_for(params))
                else:
                    focus = grounding.without(re.findall(r"[A-Za-z]+", name))
                    filled = args if args is not None else fill_schema(params, focus, rng)
                    arguments = json.dumps(filled)
                call_id = f"call_{rng.getrandbits(64):016x}"
                tool_calls.append(
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": name, "arguments": arguments},
                    }
                )
        if content is None and not tool_calls:
            content = Writer(grounding, rng).paragraph("your message", sentences=2)
        message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
        if tool_calls:
            message["tool_calls"] = tool_calls
        return envelope(body, message, rng, default_model=self.models[0])

    def _choose_tool(
        self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], tool_choice: Any
    ) -> tuple[str, dict[str, Any] | None] | None:
        names = [t.get("function", {}).get("name", "") for t in tools]
        if isinstance(tool_choice, dict):
            return str(tool_choice.get("function", {}).get("name")), None
        if self.tool_policy is not None:
            chosen = self.tool_policy(messages, tools, tool_choice)
            if chosen is not None or tool_choice != "required":
                return chosen
        last = messages[-1] if messages else {}
        if last.get("role") == "user":
            scores = match_tools(text_of(last), tools)
            if scores and (scores[0][0] >= 1.0 or tool_choice == "required"):
                return scores[0][1], None
        if tool_choice == "required" and names:
            return names[0], None
        return None


class _Handler(BaseHTTPRequestHandler):
    app: FakeOpenAIServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        return

    def do_GET(self) -> None:
        if not self._authorized(None):
            return
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "local-test"}
                for m in self.app.models
            ]
            self._json(200, {"object": "list", "data": data}, None)
        else:
            self._error(404, f"Unknown path {self.path}", "invalid_request_error", None, None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = None
        if not self._authorized(body):
            return
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._error(404, f"Unknown path {self.path}", "invalid_request_error", None, body)
            return
        if not isinstance(body, dict) or not body.get("messages"):
            self._error(400, "'messages' is required.", "invalid_request_error", None, body)
            return
        refusal = next((r for r in self.app.refusals if r.applies(body)), None)
        if refusal is not None:
            self._json(refusal.status, refusal.body, body)
            return
        fault = self.app._next_fault()
        if fault is not None and fault.kind == "server_error":
            self._error(500, "The server had an error while processing your request.",
                        "server_error", None, body)  # fmt: skip
            return
        if fault is not None and fault.kind == "rate_limit":
            headers = {
                "Retry-After": str(max(0, math.ceil(fault.retry_after))),
                "retry-after-ms": str(int(fault.retry_after * 1000)),
            }
            self._error(429, "Rate limit reached for requests.", "requests", headers, body)
            return
        completion = self.app.completion(body, fault)
        if body.get("stream"):
            self._stream(completion, body)
        else:
            self._json(200, completion, body)

    # -- helpers ------------------------------------------------------------------

    def _authorized(self, body: dict[str, Any] | None) -> bool:
        expected = self.app.api_key
        given = self.headers.get("Authorization", "")
        ok = expected is None or given == f"Bearer {expected}"
        if not ok:
            self._error(
                401,
                "Incorrect API key provided. Check the key configured for this endpoint.",
                "invalid_request_error",
                None,
                body,
                code="invalid_api_key",
                authorized=False,
            )
        return ok

    def _record(self, status: int, body: dict[str, Any] | None, authorized: bool = True) -> None:
        headers = {k.lower(): v for k, v in self.headers.items() if k.lower() != "authorization"}
        self.app._record(
            RecordedRequest(self.command, self.path, headers, body, authorized, status)
        )

    def _json(self, status: int, payload: dict[str, Any], body: dict[str, Any] | None,
              headers: dict[str, str] | None = None, authorized: bool = True) -> None:  # fmt: skip
        self._record(status, body, authorized)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", f"req_{len(self.app.requests)}")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str, headers: dict[str, str] | None,
               body: dict[str, Any] | None, *, code: str | None = None,
               authorized: bool = True) -> None:  # fmt: skip
        payload = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        self._json(status, payload, body, headers, authorized)

    def _stream(self, completion: dict[str, Any], body: dict[str, Any]) -> None:
        self._record(200, body)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        choice = completion["choices"][0]
        message = choice["message"]
        base = {k: completion[k] for k in ("id", "created", "model", "system_fingerprint")}
        base["object"] = "chat.completion.chunk"

        def send(delta: dict[str, Any], finish: str | None = None) -> None:
            chunk = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()

        send({"role": "assistant", "content": ""})
        text = message.get("content") or ""
        for piece in pieces(text):
            send({"content": piece})
        for index, call in enumerate(message.get("tool_calls") or []):
            send({"tool_calls": [{"index": index, **call}]})
        send({}, choice["finish_reason"])
        if (body.get("stream_options") or {}).get("include_usage"):
            usage_chunk = {**base, "choices": [], "usage": completion["usage"]}
            self.wfile.write(f"data: {json.dumps(usage_chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
