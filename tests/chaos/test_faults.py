"""A randomised schedule of platform faults over many posts on every adapter, on both databases.

``CHAOS_FAULTS`` (default 100) sets how many faults are injected; ``bench/chaos.py`` injects 1,000.
The scripted cases pin the faults the random schedule found: a failing read right after the
creating call, and a failing lookup after an unconfirmed one, must never publish twice.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from db.enums import PublishStatus
from db.models import Post
from tests.chaos.conftest import Report
from tests.chaos.faults import (
    ALL_PLATFORMS,
    KINDS,
    ScriptedPlan,
    Storm,
    fault_storm,
    new_post,
    open_storm,
    settle,
)

FAULTS = int(os.environ.get("CHAOS_FAULTS", "100"))
SEED = os.environ.get("CHAOS_SEED", "23")


@pytest.mark.slow
def test_random_platform_faults_never_publish_twice_and_every_post_ends(
    tmp_path: Path, db_url: str, chaos_report: Report
) -> None:
    database = "postgres" if db_url.startswith("postgresql") else "sqlite"
    with open_storm(tmp_path, db_url, rng=random.Random(f"{SEED}:faults:{database}")) as storm:
        figures = fault_storm(storm, faults=FAULTS)
        fired, where = dict(storm.plan.fired), dict(storm.plan.where)
        ends = set(_statuses(storm))
    chaos_report(figures)
    assert figures.faults >= FAULTS
    if FAULTS >= 100:  # enough draws for every kind and every platform
        assert set(fired) == set(KINDS), fired
        assert set(where) == set(ALL_PLATFORMS), where
    assert (figures.duplicates, figures.lost, figures.stuck) == (0, 0, 0), figures.notes
    assert ends <= {PublishStatus.published, PublishStatus.failed, PublishStatus.unconfirmed}
    assert figures.posts >= 0.8 * figures.commands, "most posts get out once the faults pass"


def _statuses(storm: Storm) -> list[PublishStatus]:
    with storm.system.sessions() as session:
        return list(session.scalars(select(Post.publish_status)))


# The creating call lands, then the read of the new post fails (adapters that read it back);
# or the creating call's answer is lost and the lookup that follows fails (every adapter).
# Either way the post is out exactly once.
READ_BACK = ["instagram", "facebook", "threads", "tiktok"]
TIKTOK_GAP = pytest.mark.xfail(
    strict=True,
    reason="known gap: TikTok's last chunk unconfirmed and its status probe failing leaves only "
    "a marker lookup of published videos, which misses an upload still processing; the next "
    "attempt uploads again (the attempt would need to keep the publish_id it had)",
)


def _case(platform: str, *script: str, marks: Any = ()) -> Any:
    return pytest.param(platform, list(script), marks=marks, id=f"{platform}-{'+'.join(script)}")


CASES = [
    *[_case(p, "pass", kind) for p in READ_BACK for kind in ("expired_token", "rate_limit")],
    *[_case(p, "unknown", "rate_limit") for p in ["instagram", "facebook", "threads"]],
    _case("linkedin", "unknown", "rate_limit"),
    _case("youtube_shorts", "unknown", "rate_limit"),
    _case("tiktok", "unknown", "rate_limit", marks=TIKTOK_GAP),
]
COMMIT_SKIP = {"facebook": 1, "youtube_shorts": 1}  # an upload start; the first of two chunks


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where an initialised SQLite data dir is made once for the scripted cases."""
    return tmp_path_factory.mktemp("chaos-faults") / "template"


@pytest.mark.parametrize(("platform", "script"), CASES)
def test_a_failing_call_after_the_creating_call_never_publishes_twice(
    tmp_path: Path, template: Path, platform: str, script: list[str]
) -> None:
    plan = ScriptedPlan(script, skip=COMMIT_SKIP.get(platform, 0))
    with open_storm(
        tmp_path, "", rng=random.Random(0), platforms=(platform,), plan=plan, template=template
    ) as storm:
        lane = storm.lanes[platform]
        post_id = new_post(storm, lane)
        outcome = settle(storm, post_id, rounds=20)
        assert plan.kinds == [], f"not every scripted fault was used: {plan.kinds}"
        assert outcome.status == PublishStatus.published, outcome.message
        with storm.system.sessions() as session:
            post = session.get(Post, post_id)
            assert post is not None
            assert lane.live(post.idempotency_key) == 1
            assert post.platform_post_id
