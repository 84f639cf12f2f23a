"""Reels of one week render in parallel worker processes, each keeping its job row current."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from sqlalchemy import select

from agent.creating.render_pool import render_in_processes
from db.engine import build_engine, session_factory, transaction
from db.enums import Aspect, StylePreset
from db.migrate import upgrade
from db.models import RenderJob, Script
from db.repo import identity
from tools.render.base import RenderRequest
from tools.tts import VoiceSpec, synthesize

pytestmark = pytest.mark.slow


def test_two_reels_render_in_two_processes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = build_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    jobs = []
    with transaction(sessions) as session:
        user = identity.create_user(session=session, name="A", email="a@example.com")
        twin = identity.create_twin(
            session=session, user_id=user.id, name="T", style_preset=StylePreset.space
        )
        for n in range(2):
            script = Script(user_id=user.id, title=f"Reel {n}", body_text="Short words for a test.")
            session.add(script)
            session.flush()
            job = RenderJob(
                user_id=user.id,
                ai_twin_id=twin.id,
                script_id=script.id,
                target_aspect=Aspect.portrait,
            )
            session.add(job)
            session.flush()
            speech = synthesize(
                f"Reel number {n} says hello to everyone.",
                language="en",
                voice=VoiceSpec(),
                out_path=tmp_path / f"s{n}.wav",
            )
            jobs.append(
                (
                    job.id,
                    RenderRequest(
                        title=f"Reel {n}",
                        script_text="Reel says hello.",
                        speech=speech,
                        out_path=tmp_path / f"r{n}.mp4",
                        thumbnail_path=tmp_path / f"t{n}.jpg",
                        target_duration_sec=10,
                        quality="draft",
                    ),
                )
            )
    results = render_in_processes(jobs, db_url=url, workers=2)
    assert set(results) == {j for j, _ in jobs}
    for job_id, _ in jobs:
        result = results[job_id]
        assert not isinstance(result, Exception), result
        with av.open(str(result.video_path)) as container:
            assert container.streams.video[0].codec_context.name == "h264"
    with sessions() as session:
        progress = [j.progress_pct for j in session.scalars(select(RenderJob))]
    assert progress == [100.0, 100.0], "each worker wrote its own job's progress"
