"""SIGKILL a real `twin run` during creating and during publishing; resume; nothing is duplicated."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import av
import pytest
from sqlalchemy import func, select, text

from agent.app.resources import Resources
from db.enums import PublishStatus, TaskStatus
from db.models import AgentRun, CalendarItem, Post, PublisherTask, RenderJob, Script, VideoReel
from tests.cycle.conftest import make_system, set_policy

pytestmark = pytest.mark.slow


def _twin(
    system: Resources, *args: str, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "TWIN_DATA_DIR": str(system.settings.data_dir),
        "TWIN_RENDER_QUALITY": "draft",
        "TWIN_DATABASE_URL": system.settings.resolved_database_url,
        **(extra_env or {}),
    }
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "twin"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(
    condition: Callable[[], bool], proc: subprocess.Popen[str], what: str, timeout: float = 300
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if proc.poll() is not None:
            raise AssertionError(
                f"run ended before {what}: {proc.stderr.read() if proc.stderr else ''}"
            )
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"timed out waiting for {what}")


def _count(system: Resources, model: object, *where: object) -> int:
    with system.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def _resume(system: Resources, extra_env: dict[str, str] | None = None) -> dict[str, object]:
    with system.sessions() as session:
        run_id = str(session.scalar(select(AgentRun.id)))
    proc = _twin(system, "run", "--resume", run_id, "--json", extra_env=extra_env)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return dict(json.loads(out))


def _assert_no_duplicates(system: Resources, items: int) -> None:
    assert _count(system, CalendarItem) == items
    with system.sessions() as session:
        dup_scripts = session.execute(
            text(
                "SELECT calendar_item_id, revision, count(*) FROM scripts GROUP BY calendar_item_id, revision HAVING count(*) > 1"
            )
        ).all()
        assert dup_scripts == []
    assert _count(system, RenderJob) == items
    assert _count(system, VideoReel) == items
    assert _count(system, Post) == items
    assert _count(system, Post, Post.publish_status == PublishStatus.published) == items
    on_platform = list((system.settings.data_dir / "sandbox").rglob("*.json"))
    assert len(on_platform) == items, "exactly one post per (reel, account) on the platform"


@pytest.fixture
def crash_system(tmp_path: Path, db_url: str) -> Resources:
    system = make_system(tmp_path, db_url)
    set_policy(system, posts_per_week=2)
    return system


def test_killed_while_creating_then_resumed(crash_system: Resources) -> None:
    proc = _twin(crash_system, "run", "--auto-approve", "--fast-forward", "--week", "2026-W48")
    _wait_for(
        lambda: _count(crash_system, RenderJob, RenderJob.status == "processing") > 0,
        proc,
        "a render in progress",
    )
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _count(crash_system, Post) == 0
    scripts_before = _count(crash_system, Script)
    summary = _resume(crash_system)
    assert summary["status"] == "finished"
    assert _count(crash_system, Script) == scripts_before + (2 - scripts_before)
    _assert_no_duplicates(crash_system, 2)
    with crash_system.sessions() as session:
        paths = [r.storage_uri for r in session.scalars(select(VideoReel))]
    for path in paths:  # the reels the resumed week made are real, playable videos
        with av.open(path) as container:
            video, audio = container.streams.video[0], container.streams.audio[0]
            assert (
                video.codec_context.name,
                video.codec_context.width,
                video.codec_context.height,
            ) == ("h264", 1080, 1920)
            assert audio.codec_context.name == "aac" and audio.codec_context.sample_rate == 48000


def test_killed_while_publishing_then_resumed(crash_system: Resources) -> None:
    slow = {"TWIN_SANDBOX_LATENCY_MS": "4000"}
    proc = _twin(
        crash_system,
        "run",
        "--auto-approve",
        "--fast-forward",
        "--week",
        "2026-W48",
        extra_env=slow,
    )
    _wait_for(
        lambda: (
            _count(crash_system, PublisherTask, PublisherTask.status == TaskStatus.in_progress) > 0
        ),
        proc,
        "a publish in flight",
        timeout=600,
    )
    time.sleep(1.0)  # the post has landed on the platform; the client has not recorded it
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(list((crash_system.settings.data_dir / "sandbox").rglob("*.json"))) == 1
    summary = _resume(crash_system)
    assert summary["status"] == "finished"
    _assert_no_duplicates(crash_system, 2)
    with crash_system.sessions() as session:
        tasks = list(session.scalars(select(PublisherTask).order_by(PublisherTask.created_at)))
    first = [t for t in tasks if t.status == TaskStatus.unconfirmed]
    assert len(first) == 1, "the killed attempt is marked unconfirmed"
    adopted = [t for t in tasks if t.response_json.get("adopted")]
    assert len(adopted) == 1, "the post found on the platform was adopted, not published again"
