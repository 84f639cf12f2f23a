"""LangGraph's own server (``langgraph dev``) runs both graphs, driven with ``langgraph-sdk``.

A week runs to the HITL review interrupt, a malformed answer leaves the thread waiting, approving
all finishes it (posts out, the ``agent_runs`` row finished); the chat graph answers and confirms
an action through its interrupt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from agent.app.resources import Resources
from db.enums import PublishStatus, RunStatus
from db.models import Agent, AgentRun, Post
from tests.cycle.conftest import make_system, set_policy
from tests.net import free_port

pytestmark = [pytest.mark.slow, pytest.mark.server]
ROOT = Path(__file__).resolve().parents[2]
LANGGRAPH = Path(sys.executable).parent / "langgraph"


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Resources, dict[str, float]]]:
    if not LANGGRAPH.exists() or shutil.which(str(LANGGRAPH)) is None:
        pytest.fail("langgraph-cli is not installed: pip install -e '.[server]' (make setup does)")
    tmp = tmp_path_factory.mktemp("served")
    system = make_system(tmp, f"sqlite:///{tmp / 'twin.db'}")
    set_policy(system, posts_per_week=2)
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TWIN_", "LANGSMITH", "LANGCHAIN"))
    }
    env.update(
        TWIN_DATA_DIR=str(system.settings.data_dir),
        TWIN_DATABASE_URL=system.settings.resolved_database_url,
        TWIN_RENDER_QUALITY="draft",
        TWIN_EMBEDDINGS_PROVIDER="lexical",
        LANGSMITH_TRACING="false",
        LANGGRAPH_NO_VERSION_CHECK="true",
    )
    log = (tmp / "server.log").open("w")
    started = time.monotonic()
    proc = subprocess.Popen(
        [
            str(LANGGRAPH),
            "dev",
            "--port",
            str(port),
            "--no-browser",
            "--no-reload",
            "--allow-blocking",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(
                    "langgraph dev did not start:\n" + (tmp / "server.log").read_text()[-3000:]
                )
            time.sleep(0.5)
        yield url, system, {"started": started}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        system.dispose()


def _assistant(client: Any, graph_id: str) -> str:
    (found,) = [a for a in client.assistants.search(graph_id=graph_id) if a["graph_id"] == graph_id]
    return str(found["assistant_id"])


def _interrupt(client: Any, thread_id: str) -> dict[str, Any]:
    state = client.threads.get_state(thread_id)
    (pending,) = state["interrupts"]
    return dict(pending["value"])


def test_a_week_runs_to_review_survives_a_bad_answer_and_finishes(
    served: tuple[str, Resources, dict[str, float]],
) -> None:
    from langgraph_sdk import get_sync_client

    url, system, times = served
    client: Any = get_sync_client(url=url)  # its TypedDict unions say little here
    cycle = _assistant(client, "weekly_cycle")
    schemas = client.assistants.get_schemas(cycle)
    assert "fast_forward" in schemas["context_schema"]["properties"]
    assert schemas["input_schema"]["properties"].keys() >= {"agent_id", "week"}

    thread = client.threads.create()["thread_id"]
    result = client.runs.wait(thread, cycle, input={}, context={"fast_forward": True})
    times["review"] = time.monotonic() - times["started"]
    assert "__interrupt__" in result, {
        k: result.get(k) for k in ("failures", "reel_ids", "post_ids", "review_round")
    }
    request = _interrupt(client, thread)
    assert [a["name"] for a in request["action_requests"]] == ["publish_reel", "publish_reel"]
    assert request["review_configs"][0]["allowed_decisions"] == ["approve", "edit", "reject"]
    assert request["action_requests"][0]["args"]["media_url"].startswith("http")
    with system.sessions() as session:
        run = session.get(AgentRun, uuid.UUID(thread))
        assert run is not None and run.status == RunStatus.waiting_review and run.lease_owner

    client.runs.wait(
        thread, cycle, command={"resume": {"approve": "all"}}, context={"fast_forward": True}
    )
    again = _interrupt(client, thread)  # still waiting, and says why
    assert again["action_requests"][0]["description"].startswith(
        "Your last answer could not be used"
    )

    final = client.runs.wait(
        thread,
        cycle,
        command={"resume": {"decisions": [{"type": "approve"}, {"type": "approve"}]}},
        context={"fast_forward": True},
    )
    times["finished"] = time.monotonic() - times["started"]
    assert "__interrupt__" not in final and final.get("report_id")
    with system.sessions() as session:
        run = session.get(AgentRun, uuid.UUID(thread))
        assert run is not None
        posts = list(session.scalars(select(Post)))
    assert run.status == RunStatus.finished and run.summary and run.finished_at is not None
    assert run.llm_calls > 0 and run.input_tokens > 0
    assert len(posts) == 2 and {p.publish_status for p in posts} == {PublishStatus.published}
    print(
        f"\nlanggraph dev start -> review interrupt {times['review']:.1f} s, "
        f"-> finished week {times['finished']:.1f} s"
    )


def test_the_chat_graph_answers_and_confirms_through_its_interrupt(
    served: tuple[str, Resources, dict[str, float]],
) -> None:
    from langgraph_sdk import get_sync_client

    url, system, _ = served
    client: Any = get_sync_client(url=url)  # its TypedDict unions say little here
    chat = _assistant(client, "chat")
    thread = client.threads.create()["thread_id"]
    answer = client.runs.wait(
        thread, chat, input={"messages": [{"role": "user", "content": "status"}]}
    )
    assert answer["messages"][-1]["type"] == "ai" and answer["messages"][-1]["content"]

    client.runs.wait(
        thread, chat, input={"messages": [{"role": "user", "content": "pause the schedule"}]}
    )
    request = _interrupt(client, thread)
    assert request["action_requests"][0]["name"] == "pause_schedule"
    assert request["review_configs"] == [
        {
            "action_name": "pause_schedule",
            "allowed_decisions": ["approve", "reject"],
            "args_schema": None,
        }
    ]
    with system.sessions() as session:
        assert not (session.scalars(select(Agent)).one().schedule_json or {}).get("paused")
    done = client.runs.wait(thread, chat, command={"resume": {"decisions": [{"type": "approve"}]}})
    assert "paused" in done["messages"][-1]["content"].lower()
    with system.sessions() as session:
        assert session.scalars(select(Agent)).one().schedule_json["paused"] is True
