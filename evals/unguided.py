"""An OpenAI-compatible chat server that answers every structured request with schema-valid
random choices: it ignores the prompt (suggestions, strategy, directives), as a model that
follows nothing it is told would. The adaptation eval runs the agent against it to show that
learning holds with any model, because code decides the week and the model only writes words.

It speaks the Chat Completions protocol (``POST /v1/chat/completions``): a ``response_format``
of type ``json_schema`` gets JSON content, a forced tool call gets a tool call with random
arguments, anything else gets a few random words. Answers are seeded by the request, so a run
is repeatable. Start it with :func:`serve` (a context manager yielding the base URL).
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WORDS = [
    "signal",
    "ocean",
    "lantern",
    "gravel",
    "orbit",
    "velvet",
    "harbor",
    "pixel",
    "meadow",
    "quartz",
    "ember",
    "tundra",
    "canyon",
    "cobalt",
    "willow",
    "prism",
    "falcon",
    "mosaic",
    "ripple",
    "summit",
    "cedar",
    "nectar",
    "glacier",
    "static",
    "beacon",
    "fable",
]
MAX_FREE_WORDS = 60
"""Words of a free-text field without a length limit."""


def random_value(schema: dict[str, Any], rng: random.Random, defs: dict[str, Any]) -> Any:
    """A random value valid against a JSON schema (the subset pydantic emits)."""
    if "$ref" in schema:
        return random_value(defs[schema["$ref"].rsplit("/", 1)[-1]], rng, defs)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return random_value(rng.choice(options), rng, defs)
    if "allOf" in schema:
        return random_value(schema["allOf"][0], rng, defs)
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: random_value(sub, rng, defs) for name, sub in properties.items()}
    if kind == "array":
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, 3)))
        return [
            random_value(schema.get("items", {}), rng, defs)
            for _ in range(rng.randint(low, min(high, low + 5)))
        ]
    if kind == "integer":
        low = (
            int(schema["minimum"])
            if "minimum" in schema
            else int(schema.get("exclusiveMinimum", -1)) + 1
        )
        high = (
            int(schema["maximum"])
            if "maximum" in schema
            else int(schema.get("exclusiveMaximum", low + 101)) - 1
        )
        return rng.randint(low, max(low, high))
    if kind == "number":
        bottom = float(schema.get("minimum", 0.0))
        return rng.uniform(bottom, float(schema.get("maximum", bottom + 100.0)))
    if kind == "boolean":
        return rng.random() < 0.5
    return _text(schema, rng)


def _text(schema: dict[str, Any], rng: random.Random) -> str:
    low, high = int(schema.get("minLength", 1)), schema.get("maxLength")
    words = [rng.choice(WORDS) for _ in range(rng.randint(1, MAX_FREE_WORDS))]
    text = " ".join(words)
    while len(text) < low:
        text += " " + rng.choice(WORDS)
    if high is not None and len(text) > int(high):
        text = text[: int(high)].rstrip() or text[: int(high)]
    return text


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """The chat completion for one request body."""
    rng = random.Random(hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest())
    message: dict[str, Any] = {"role": "assistant", "content": None}
    response_format = request.get("response_format") or {}
    tools = request.get("tools") or []
    if response_format.get("type") == "json_schema":
        schema = response_format["json_schema"].get("schema", {})
        message["content"] = json.dumps(random_value(schema, rng, schema.get("$defs", {})))
    elif tools and request.get("tool_choice") not in (None, "none", "auto"):
        choice = request["tool_choice"]
        name = (
            choice["function"]["name"] if isinstance(choice, dict) else tools[0]["function"]["name"]
        )
        tool = next(t for t in tools if t["function"]["name"] == name)
        schema = tool["function"].get("parameters", {})
        arguments = json.dumps(random_value(schema, rng, schema.get("$defs", {})))
        message["tool_calls"] = [
            {
                "id": f"call_{rng.getrandbits(32):08x}",
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
        ]
    else:
        message["content"] = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
    prompt = sum(len(str(m.get("content") or "")) for m in request.get("messages", [])) // 4
    completion = len(json.dumps(message)) // 4
    return {
        "id": f"chatcmpl-{rng.getrandbits(48):012x}",
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model", "unguided"),
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(
                404,
                {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}},
            )
            return
        self._send(200, answer(body))

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def serve() -> Iterator[str]:
    """Run the server on a free loopback port; yields its base URL (``http://127.0.0.1:N/v1``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


__all__ = ["answer", "random_value", "serve"]
