"""A local stand-in for ElevenLabs' text-to-speech-with-timestamps and voice endpoints.

It speaks the real wire format: checks the ``xi-api-key`` header, the JSON
body and ``output_format``, and answers with base64 raw PCM (a sine tone,
``MS_PER_CHAR`` per character) and a per-character alignment. Tests script
faults (quota, 429, 5xx, ...) by pushing onto ``server.plan``.

Voices: ``POST /v1/voices/add`` takes multipart form data (``name``, optional
``description``, ``remove_background_noise``, ``labels``, one ``files`` part per
sample) and answers ``{"voice_id", "requires_verification"}``; the new voice
can then speak. ``DELETE /v1/voices/{id}`` answers ``{"status": "ok"}`` or 404.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import itertools
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
_VOICE = re.compile(r"^/v1/voices/([^/]+)$")


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
    cloned: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Voices created through /v1/voices/add and not deleted, by voice id."""
    deleted: list[str] = field(default_factory=list)
    """Voice ids deleted through DELETE /v1/voices/{id}, in order."""
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def known(self, voice_id: str) -> bool:
        with self.lock:
            return voice_id in KNOWN_VOICES or voice_id in self.cloned

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

        def _record(self, path: str, body: dict[str, Any]) -> None:
            with state.lock:
                state.requests.append(
                    Recorded(path, {}, {k.lower(): v for k, v in self.headers.items()}, body)
                )

        def _add_voice(self, raw: bytes) -> None:
            form = _multipart(self.headers.get("Content-Type", ""), raw)
            self._record("/v1/voices/add", form or {})
            if self.headers.get("xi-api-key") != API_KEY:
                self._send(401, _error("invalid_api_key", "Invalid API key"))
                return
            fault = state.next_fault()
            if fault == "quota":
                self._send(401, _error("quota_exceeded", "You have no voice slots left."))
                return
            if fault == "500":
                self._send(500, _error("internal_error", "Something went wrong."))
                return
            if form is None:
                self._send(400, _error("invalid_content_type", "Expected multipart/form-data."))
                return
            if not form.get("name") or not form.get("files"):
                self._send(422, {"detail": [{"msg": "name and at least one file are required"}]})
                return
            with state.lock:
                voice_id = f"cloned-{next(state._ids)}"
                state.cloned[voice_id] = form
            self._send(200, {"voice_id": voice_id, "requires_verification": False})

        def do_DELETE(self) -> None:
            path = urlsplit(self.path).path
            self._record(path, {})
            match = _VOICE.match(path)
            if match is None:
                self._send(404, {"detail": "Not Found"})
                return
            if self.headers.get("xi-api-key") != API_KEY:
                self._send(401, _error("invalid_api_key", "Invalid API key"))
                return
            if state.next_fault() == "500":
                self._send(500, _error("internal_error", "Something went wrong."))
                return
            with state.lock:
                found = state.cloned.pop(match.group(1), None)
                if found is not None:
                    state.deleted.append(match.group(1))
            if found is None:
                self._send(
                    404,
                    _error("voice_not_found", f"A voice with id {match.group(1)} was not found."),
                )
                return
            self._send(200, {"status": "ok"})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            if url.path == "/v1/voices/add":
                self._add_voice(raw)
                return
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
            if not state.known(match.group(1)):
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


def _multipart(content_type: str, raw: bytes) -> dict[str, Any] | None:
    """The form of a multipart/form-data body: text fields, and ``files`` as name/type/size."""
    if not content_type.startswith("multipart/form-data"):
        return None
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    form: dict[str, Any] = {"files": []}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        if name == "files":
            form["files"].append(
                {
                    "filename": part.get_filename(),
                    "content_type": part.get_content_type(),
                    "size": len(payload),
                    "head": payload[:4],
                }
            )
        elif isinstance(name, str):
            form[name] = payload.decode()
    return form


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
