"""Set-up fixtures: an initialised data dir (copied from one template), media files, ElevenLabs."""

from __future__ import annotations

import shutil
import wave
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner, Result

from agent.cli import app
from tests.tts.elevenlabs_fake import API_KEY, FakeElevenLabs, start_server

runner = CliRunner()


def twin(data: Path, *args: str) -> Result:
    """Run ``twin ARGS --data-dir DATA``."""
    return runner.invoke(app, [*args, "--data-dir", str(data)])


def ok(data: Path, *args: str) -> str:
    result = twin(data, *args)
    assert result.exit_code == 0, result.output
    return result.output


def refused(data: Path, *args: str, code: int = 1) -> str:
    """The one error line of a refused command (no traceback; exit code 1, 4 for not found)."""
    result = twin(data, *args)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0].removeprefix("error: ")


@pytest.fixture(scope="session")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("setup-template") / "data"
    result = runner.invoke(app, ["init", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    return data


@pytest.fixture
def data(initialised: Path, tmp_path: Path) -> Path:
    """A fresh copy of an initialised data dir (one agent, the Space Twin, a sandbox account)."""
    target = tmp_path / "data"
    shutil.copytree(initialised, target)
    return target


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "me.jpg"
    pixels = np.zeros((240, 180, 3), dtype=np.uint8)
    pixels[:, :, 0] = np.linspace(0, 255, 180, dtype=np.uint8)
    Image.fromarray(pixels).save(path, quality=90)
    return path


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    """A 1 s, 64x64 H.264 clip."""
    path = tmp_path / "me.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(
                np.full((64, 64, 3), i * 20, dtype=np.uint8), format="rgb24"
            )
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """One second of speech-like tone as a WAV."""
    path = tmp_path / "sample.wav"
    t = np.arange(16000) / 16000
    pcm = (8000 * np.sin(2 * np.pi * 180 * t)).astype("<i2").tobytes()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(pcm)
    return path


@pytest.fixture
def not_media(tmp_path: Path) -> Path:
    path = tmp_path / "notes.jpg"
    path.write_text("just some text pretending to be a photo\n")
    return path


@pytest.fixture
def elevenlabs(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeElevenLabs]:
    """A fake ElevenLabs on 127.0.0.1, and the settings that point the CLI at it."""
    state, server, thread = start_server()
    monkeypatch.setenv("TWIN_ELEVENLABS_API_KEY", API_KEY)
    monkeypatch.setenv("TWIN_ELEVENLABS_BASE_URL", state.base_url)
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
