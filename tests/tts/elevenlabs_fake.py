"""A local stand-in for ElevenLabs' text-to-speech-with-timestamps endpoint.

It speaks the real wire format: checks the ``xi-api-key`` header, the JSON
body and ``output_format``, and answers with base64 raw PCM (a sine tone,
``MS_PER_CHAR`` per character) and a per-character alignment. Tests script
faults (quota, 429, 5xx, ...) by pushing onto ``server.plan``.
"""

from __future__ import annotations

import base64
import json
import math
import re
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API_KEY = "sk-test-9f2c4e1d-SECRET"
KNOWN_VOICES = ("voice-rachel", "voice-adam")
MS_PER_CHAR = 60
_PATH = re.compile(r"^/v1/text-to-speech/([^/]+)/with-timestamps$")


def tone_pcm(duration_ms: int, sample_rate: int, freq: float = 220.0) -> bytes:
    """A sine tone as 16-bit little-endian mono PCM."""
    count = duration_ms * sample_rate // 1000
    return b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * freq * n / sample_rate)))
        for n in range(count)
    )


@dataclass
class Recorded:
    """One request as the server saw it."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeElevenLabs:
    """Server state: scripted faults and the requests received."""

    base_url: str = ""
    plan: list[str] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_fault(self) -> str:
        with self.lock:
            return self.plan.pop(0) if self.plan else "ok"


def _error(status: str, message: str) -> dict[str, Any]:
    return {"detail": {"status": status, "message": message}}


def _make_handler(state: FakeElevenLabs) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, code: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._send(400, _error("invalid_json", "Body is not JSON."))
                return
            query = parse_qs(url.query)
            with state.lock:
                state.requests.append(
                    Recorded(url.path, query, {k.lower(): v for k, v in self.headers.items()}, body)
                )
            match = _PATH.match(url.path)
            if match is None:
                self._send(404, {"detail": "Not Found"})
                return
            if self.headers.get("xi-api-key") != API_KEY:
                self._send(401, _error("invalid_api_key", "Invalid API key"))
                return
            fault = state.next_fault()
            if fault == "quota":
                self._send(
                    401,
                    _error(
                        "quota_exceeded",
                        "This request exceeds your quota of 10000. You have 5 credits "
                        "remaining, while 120 credits are required for this request.",
                    ),
                )
                return
            if fault.startswith("429"):
                retry_after = fault.partition(":")[2]
                headers = {"Retry-After": retry_after} if retry_after else {}
                self._send(
                    429,
                    _error("too_many_concurrent_requests", "Too many concurrent requests."),
                    headers,
                )
                return
            if fault in ("500", "503"):
                self._send(int(fault), _error("internal_error", "Something went wrong."))
                return
            if match.group(1) not in KNOWN_VOICES:
                self._send(
                    404,
                    _error(
                        "voice_not_found",
                        f"A voice with the voice_id {match.group(1)} was not found.",
                    ),
                )
                return
            text = body.get("text")
            fmt = query.get("output_format", ["mp3_44100_128"])[0]
            if not isinstance(text, str) or not text or not fmt.startswith("pcm_"):
                self._send(422, {"detail": [{"msg": "text and a pcm output_format are required"}]})
                return
            rate = int(fmt.split("_")[1])
            chars = list(text)
            self._send(
                200,
                {
                    "audio_base64": base64.b64encode(
                        tone_pcm(len(chars) * MS_PER_CHAR, rate)
                    ).decode(),
                    "alignment": {
                        "characters": chars,
                        "character_start_times_seconds": [
                            i * MS_PER_CHAR / 1000 for i in range(len(chars))
                        ],
                        "character_end_times_seconds": [
                            (i + 1) * MS_PER_CHAR / 1000
                            for i in range(len(chars) - (fault == "misaligned"))
                        ],
                    },
                    "normalized_alignment": None,
                },
            )

    return Handler


def start_server() -> tuple[FakeElevenLabs, ThreadingHTTPServer, threading.Thread]:
    """Serve a fake ElevenLabs API on 127.0.0.1 on a free port, in a thread."""
    state = FakeElevenLabs()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    return state, server, thread
