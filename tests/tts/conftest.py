"""Fixtures for the speech tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.tts.elevenlabs_fake import FakeElevenLabs, start_server


@pytest.fixture
def elevenlabs_server() -> Iterator[FakeElevenLabs]:
    """A fake ElevenLabs API on 127.0.0.1, stopped after the test."""
    state, server, thread = start_server()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
