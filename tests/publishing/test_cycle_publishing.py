"""The weekly cycle publishes through every connected account, real-platform adapters included."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from agent.app.resources import open_resources
from agent.app.runs import start_run
from agent.app.wiring import Wiring, no_memory
from agent.cli import app
from agent.settings import load_settings
from db.enums import PublishStatus, RunStatus
from db.models import AnalyticsSnapshot, Post
from tests.cycle.conftest import set_policy
from tests.cycle.fakes import FakeRender
from tests.publish.fakes.base import ACCESS_TOKEN, REFRESH_TOKEN
from tests.publishing.test_cli import platform_env, start


def test_a_week_goes_out_on_the_sandbox_and_on_instagram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fakes: dict = {}
    fake, base = start(fakes, "instagram")
    try:
        env = {
            "TWIN_DATA_DIR": str(tmp_path / "data"),
            "TWIN_PUBLISH_POLL_INTERVAL": "0.01",
            "TWIN_PUBLISH_TIMEOUT": "5",
            "TEST_TOKEN": ACCESS_TOKEN,
            "TEST_REFRESH": REFRESH_TOKEN,
            **platform_env("instagram", base),
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        runner = CliRunner()
        assert runner.invoke(app, ["init"]).exit_code == 0
        connected = runner.invoke(
            app,
            [
                "accounts",
                "connect",
                "instagram",
                "--token-env",
                "TEST_TOKEN",
                "--refresh-token-env",
                "TEST_REFRESH",
            ],
        )
        assert connected.exit_code == 0, connected.output
        system = open_resources(load_settings())
        set_policy(system, posts_per_week=2, max_posts_per_day=2)
        outcome = start_run(
            system,
            auto_approve=True,
            fast_forward=True,
            week="2026-W48",
            wiring=Wiring(render=FakeRender(), memory=no_memory),
        )
        assert outcome.status == RunStatus.finished, outcome.error
        with system.sessions() as session:
            posts = list(session.scalars(select(Post)))
            snapshots = list(session.scalars(select(AnalyticsSnapshot)))
        assert sorted(p.platform.value for p in posts) == [
            "instagram",
            "instagram",
            "sandbox",
            "sandbox",
        ]
        assert all(p.publish_status == PublishStatus.published for p in posts)
        live = [p for p in fake.posts if p.get("live", True)]
        assert len(live) == 2, "exactly one Instagram post per reel"
        insta = {str(p.id) for p in posts if p.platform.value == "instagram"}
        metrics = [s.metrics_json for s in snapshots if str(s.post_id) in insta]
        assert len(metrics) == 2 and all(
            set(m)
            <= {
                "views",
                "impressions",
                "likes",
                "comments",
                "shares",
                "saves",
                "watch_time_sec",
                "ctr",
                "followers_delta",
            }
            for m in metrics
        )
        system.dispose()
    finally:
        for f in fakes.values():
            f.stop()
