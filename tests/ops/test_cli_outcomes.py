"""A script can tell how a run ended from the exit status alone, and retries behave as documented."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.errors import ExitCode
from tools.retry import Retry, RetryPolicy, call_with_retries

runner = CliRunner()


@pytest.mark.slow
def test_a_run_waiting_for_review_exits_10_and_finishing_exits_0(tmp_path: Path) -> None:
    env = {"TWIN_DATA_DIR": str(tmp_path / "data"), "TWIN_RENDER_QUALITY": "draft"}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    waiting = runner.invoke(app, ["run", "--fast-forward", "--week", "2026-W48", "--json"], env=env)
    assert waiting.exit_code == ExitCode.WAITING_FOR_REVIEW == 10, waiting.output
    outcome = json.loads(waiting.stdout[waiting.stdout.index("{") :])
    assert outcome["status"] == "waiting_review" and outcome["error"] is None
    done = runner.invoke(app, ["approve", outcome["run_id"][:8], "--all"], env=env)
    assert done.exit_code == 0, done.output
    again = runner.invoke(app, ["approve", outcome["run_id"][:8], "--all", "--json"], env=env)
    assert again.exit_code == ExitCode.FAILED
    assert json.loads(again.stdout) == {
        "error": {
            "code": "run_failed",
            "message": f"run {outcome['run_id'][:8]} is not waiting for review",
        }
    }


def test_retries_wait_as_asked_then_give_up_with_the_last_error() -> None:
    calls: list[int] = []
    sleeps: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise Retry(
                ValueError(f"busy {len(calls)}"), retry_after=2.0 if len(calls) == 1 else None
            )
        return "ok"

    policy = RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=8.0)
    assert (
        call_with_retries(flaky, policy=policy, sleep=sleeps.append, rng=random.Random(3)) == "ok"
    )
    assert sleeps[0] == 2.0 and 1.0 <= sleeps[1] <= 2.0  # Retry-After, then jittered backoff

    def always() -> str:
        raise Retry(ValueError("still busy"))

    sleeps.clear()
    with pytest.raises(ValueError, match="still busy"):
        call_with_retries(always, policy=policy, sleep=sleeps.append)
    assert len(sleeps) == 3  # four attempts


def test_a_wait_longer_than_allowed_gives_up_at_once() -> None:
    sleeps: list[float] = []

    def slow_down() -> str:
        raise Retry(ValueError("429"), retry_after=600)

    with pytest.raises(TimeoutError, match="asked for 600 s"):
        call_with_retries(
            slow_down,
            policy=RetryPolicy(max_retry_after=60),
            sleep=sleeps.append,
            too_long=lambda error, wait: TimeoutError(f"asked for {wait:.0f} s"),
        )
    assert sleeps == []


def test_an_error_that_is_not_a_retry_ends_at_once() -> None:
    calls: list[int] = []

    def refused() -> str:
        calls.append(1)
        raise PermissionError("bad token")

    with pytest.raises(PermissionError):
        call_with_retries(refused, policy=RetryPolicy(), sleep=lambda s: None)
    assert calls == [1]
