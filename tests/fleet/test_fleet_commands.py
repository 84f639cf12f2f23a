"""The fleet's commands as a user meets them: users, agents, and enqueue's one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.errors import ExitCode

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = {"TWIN_DATA_DIR": str(tmp_path / "data")}
    assert runner.invoke(app, ["init"], env=env).exit_code == 0
    return env


def test_a_new_creator_gets_an_agent_with_its_niche_and_the_list_shows_both(
    env: dict[str, str],
) -> None:
    added = runner.invoke(app, ["users", "add", "Ana@Example.com"], env=env)
    assert added.exit_code == 0, added.output
    assert "Added user ana@example.com" in added.stdout and "sandbox account" in added.stdout
    agent = runner.invoke(
        app,
        ["agents", "add", "Ana Tech", "--user", "ana@example.com", "--niche", "ai-tools", "--json"],
        env=env,
    )
    assert agent.exit_code == 0, agent.output
    assert json.loads(agent.stdout)["user"] == "ana@example.com"
    listed = runner.invoke(app, ["agents", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert set(rows) == {"AI Twin Content Agent", "Ana Tech"}
    assert (rows["Ana Tech"]["user"], rows["Ana Tech"]["niche"], rows["Ana Tech"]["runs"]) == (
        "ana@example.com",
        "ai-tools",
        0,
    )
    assert rows["AI Twin Content Agent"]["user"] == "creator@localhost"
    table = runner.invoke(app, ["agents", "list"], env=env)
    assert "Ana Tech" in table.stdout and "ai-tools" in table.stdout
    # the new creator can run a week: it has a twin, a voice and an account of its own
    policy = runner.invoke(app, ["policy", "show", "--agent", "Ana Tech", "--json"], env=env)
    assert json.loads(policy.stdout)["niche"] == "ai-tools"


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (
            ["users", "add", "not-an-address"],
            ExitCode.FAILED,
            "'not-an-address' is not an email address",
        ),
        (
            ["users", "add", "creator@localhost"],
            ExitCode.FAILED,
            "a user with email creator@localhost exists",
        ),
        (
            ["agents", "add", "AI Twin Content Agent"],
            ExitCode.FAILED,
            "exists already: choose another name",
        ),
        (
            ["agents", "add", "Bob", "--user", "bob@example.com"],
            ExitCode.NOT_FOUND,
            "no user with email",
        ),
        (
            ["agents", "add", "Bob", "--niche", " "],
            ExitCode.FAILED,
            "--niche: the niche cannot be empty",
        ),
    ],
)
def test_refusals_are_one_line_with_their_exit_code(
    env: dict[str, str], args: list[str], exit_code: int, message: str
) -> None:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == exit_code, result.output
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr


def test_enqueue_without_a_broker_says_how_to_set_one(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["enqueue", "--all-agents", "--fast-forward"], env=env)
    assert result.exit_code == ExitCode.CONFIG, result.output
    assert result.stderr.count("\n") == 1
    assert "no broker configured: set TWIN_BROKER_URL" in result.stderr


def test_enqueue_to_a_broker_that_does_not_answer_names_it_without_its_password(
    env: dict[str, str], closed_port: int
) -> None:
    url = f"amqp://guest:s3cret@127.0.0.1:{closed_port}//"
    result = runner.invoke(
        app,
        ["enqueue", "--agent", "AI Twin Content Agent", "--week", "2030-W11"],
        env={**env, "TWIN_BROKER_URL": url},
    )
    assert result.exit_code == ExitCode.UNREACHABLE, result.output
    assert result.stderr.count("\n") == 1
    assert f"cannot reach the broker at amqp://guest:***@127.0.0.1:{closed_port}//" in result.stderr
    assert "s3cret" not in result.output


def test_enqueue_needs_exactly_one_of_all_agents_and_agent(env: dict[str, str]) -> None:
    for args in ([], ["--all-agents", "--agent", "AI Twin Content Agent"]):
        result = runner.invoke(
            app, ["enqueue", *args], env={**env, "TWIN_BROKER_URL": "amqp://127.0.0.1//"}
        )
        assert result.exit_code == ExitCode.USAGE, result.output
        assert "give either --all-agents or --agent NAME" in result.stderr


def test_worker_refuses_an_unknown_queue_on_one_line(env: dict[str, str], closed_port: int) -> None:
    broker = {"TWIN_BROKER_URL": f"amqp://guest:guest@127.0.0.1:{closed_port}//"}
    result = runner.invoke(app, ["worker", "--queues", "weeks,videos"], env={**env, **broker})
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "unknown queue 'videos': use weeks, render, publish" in result.stderr
    bad = runner.invoke(app, ["worker", "--concurrency", "render=0"], env={**env, **broker})
    assert bad.exit_code == ExitCode.USAGE and "out of range" in bad.stderr
    down = runner.invoke(app, ["worker", "--once"], env={**env, **broker})
    assert down.exit_code == ExitCode.UNREACHABLE and "cannot reach the broker" in down.stderr


def test_config_show_masks_the_broker_password(env: dict[str, str]) -> None:
    url = "amqp://twin:hunter2@127.0.0.1:5672//"
    result = runner.invoke(app, ["config", "show", "--json"], env={**env, "TWIN_BROKER_URL": url})
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["TWIN_BROKER_URL"]["value"] == "amqp://twin:***@127.0.0.1:5672//"
    assert "hunter2" not in result.output
