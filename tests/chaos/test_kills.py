"""SIGKILLs and concurrent drivers against real ``twin`` processes, on SQLite and PostgreSQL.

Each scenario prints one summary line (see ``conftest.py``); the zeros are asserted. ``CHAOS_KILLS``
(default 3) and ``CHAOS_SEED`` change the random kills; ``bench/chaos.py`` runs 100 of them.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.enums import RunStatus
from tests.chaos.conftest import Report
from tests.chaos.driver import (
    Invocation,
    Site,
    all_runs,
    concurrent_resumes,
    concurrent_runs,
    drive_weeks,
    kill_before_first_checkpoint,
    open_site,
)

pytestmark = pytest.mark.slow

KILLS = int(os.environ.get("CHAOS_KILLS", "3"))
SEED = os.environ.get("CHAOS_SEED", "23")


@pytest.fixture
def site(tmp_path: Path, db_url: str) -> Iterator[Site]:
    site = open_site(tmp_path, db_url, posts_per_week=1)
    yield site
    site.close()


def _rng(site: Site, scenario: str) -> random.Random:
    return random.Random(f"{SEED}:{scenario}:{site.database}")


def _said(inv: Invocation) -> list[str]:
    """What a command wrote to stderr besides notices (the memory fallback note)."""
    return [
        line for line in inv.stderr.splitlines() if line.strip() and not line.startswith("note:")
    ]


def _assert_clean(inv: Invocation) -> None:
    text = inv.stdout + inv.stderr
    assert "Traceback" not in text and "IntegrityError" not in text, text[-2000:]


def test_random_kills_across_the_cycle_and_the_approve_path(
    site: Site, chaos_report: Report
) -> None:
    figures = drive_weeks(site, kills=KILLS, rng=_rng(site, "kills"))
    chaos_report(figures)
    assert figures.kills == KILLS, figures.notes
    if KILLS > 1:
        assert figures.killed["approve"] >= 1, "no kill landed on the approve path"
    assert figures.notes == [], "a command was refused or a run went wrong"
    assert (figures.duplicates, figures.lost, figures.stuck, figures.extra_runs) == (0, 0, 0, 0)
    runs = all_runs(site)
    assert figures.weeks >= 1 and len(runs) == figures.weeks, "exactly one run per week"
    assert {r.status for r in runs} == {RunStatus.finished}
    assert all(r.owner is None for r in runs), "a finished run still holds its lease"
    assert figures.posts == figures.weeks, "one post a week, each out once"


def test_a_run_killed_before_its_first_checkpoint_resumes_from_its_recorded_input(
    site: Site, chaos_report: Report
) -> None:
    scene = kill_before_first_checkpoint(site)
    chaos_report(scene.figures)
    assert scene.run is not None and scene.checkpoints_at_kill == 0, "killed after a checkpoint"
    resumed = scene.invocations[-1]
    _assert_clean(resumed)
    assert resumed.code == 0, _said(resumed)
    outcome = resumed.outcome()
    assert (outcome["run_id"], outcome["week"]) == (str(scene.run.id), scene.run.week)
    assert outcome["status"] == "finished" and outcome["summary"]["posts"] == {"published": 1}
    assert scene.figures.clean(), scene.figures.notes
    [run] = all_runs(site)
    assert run.status == RunStatus.finished


def test_two_drivers_of_one_run_one_refuses_naming_the_owner(
    site: Site, chaos_report: Report
) -> None:
    scene = concurrent_resumes(site, _rng(site, "resume"))
    chaos_report(scene.figures)
    _killed, *pair = scene.invocations
    for inv in pair:
        _assert_clean(inv)
    winner, loser = sorted(pair, key=lambda inv: inv.code or 0)
    assert (winner.code, loser.code) == (0, 1), [_said(inv) for inv in pair]
    run = scene.run
    assert run is not None and run.status == RunStatus.finished, "the run was marked error"
    [line] = _said(loser)
    owner = re.escape(winner.owner)
    assert re.fullmatch(
        rf"error: run {run.short} is being driven by {owner}, last heartbeat \d+ s ago", line
    ), line
    assert scene.figures.clean(), scene.figures.notes
    assert len(all_runs(site)) == 1


def test_two_plain_runs_at_once_only_one_runs_the_week(site: Site, chaos_report: Report) -> None:
    scene = concurrent_runs(site)
    chaos_report(scene.figures)
    for inv in scene.invocations:
        _assert_clean(inv)
    winner, loser = sorted(scene.invocations, key=lambda inv: inv.code or 0)
    assert (winner.code, loser.code) == (0, 1), [_said(inv) for inv in scene.invocations]
    [run] = all_runs(site)
    assert run.status == RunStatus.finished
    [line] = _said(loser)
    owner = re.escape(winner.owner)
    pattern = rf"error: run {run.short} of {run.week} is being driven by {owner}, last heartbeat \d+ s ago"
    assert re.fullmatch(pattern, line), line
    assert scene.figures.clean(), scene.figures.notes
