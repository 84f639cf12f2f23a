"""The cycle with imperfect chat models: invalid output, an unreachable provider, a real OpenAI client."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage
from pydantic import SecretStr
from sqlalchemy import select

from agent.app.resources import Resources, open_resources
from agent.app.runs import resume_run, start_run
from agent.llm import OfflineChatModel
from agent.llm.offline import cycle_registry
from agent.llm.offline.scripts import plan_words, script
from agent.schemas import PlanDraft, ScriptDraft
from agent.settings import load_settings
from db.enums import ErrorScope, PublishStatus, RunStatus
from db.models import AgentRun, ErrorLog, Post
from tests.cycle.conftest import Wire, make_system, set_policy
from tests.llm.openai_server import FakeOpenAIServer


def _model_with_script(fn: Any) -> OfflineChatModel:
    registry = cycle_registry()
    registry.register(ScriptDraft, fn)
    return OfflineChatModel(registry=registry)


def test_invalid_output_is_retried_with_the_error_then_the_item_fails(
    sqlite_system: Resources, wiring: Wire
) -> None:
    topics: list[str] = []  # the plan's topics in slot order, recorded as the plan is made
    seen: list[str] = []

    def invalid_for_two_topics(
        messages: list[BaseMessage], schema: Any, rng: random.Random
    ) -> dict[str, Any]:
        answer = script(messages, schema, rng)
        text = "\n".join(str(m.content) for m in messages)
        seen.append(text)
        if f'"topic": "{topics[0]}"' in text:
            answer["body"] = " ".join(["word"] * 200)  # over the 150-word limit, every time
        elif f'"topic": "{topics[1]}"' in text and "at most 150" not in text:
            answer["body"] = " ".join(["word"] * 160)  # wrong once, right after the repair message
        return answer

    model = _TopicAware(_model_with_script(invalid_for_two_topics), topics)
    outcome = start_run(
        sqlite_system,
        auto_approve=True,
        fast_forward=True,
        week="2026-W48",
        wiring=wiring(chat_model=model),
    )
    assert outcome.status == RunStatus.finished
    assert len(set(topics)) == 3, topics
    with sqlite_system.sessions() as session:
        errors = list(session.scalars(select(ErrorLog).where(ErrorLog.scope == ErrorScope.planner)))
        run = session.scalar(select(AgentRun))
    assert len(errors) == 1 and "ScriptDraft" in errors[0].message
    assert run is not None and run.result == "partial_success"
    assert sum(1 for t in seen if f'"topic": "{topics[0]}"' in t) == 3, "first ask + 2 repairs"
    assert any(f'"topic": "{topics[1]}"' in t and "at most 150" in t for t in seen)
    assert len(outcome.summary["reels"]) == 2


class _TopicAware:
    """Records the plan's topics in slot order before scripts are asked for."""

    def __new__(cls, model: OfflineChatModel, topics: list[str]) -> Any:
        def plan(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
            answer = plan_words(messages, schema, rng)
            topics.extend(i["topic"] for i in answer["items"])
            return answer

        assert model.registry is not None
        model.registry.register(PlanDraft, plan)
        return model


def test_unreachable_provider_stops_the_run_resumably(tmp_path: Path, wiring: Wire) -> None:
    url = f"sqlite:///{tmp_path / 'twin.db'}"
    broken = make_system(
        tmp_path,
        url,
        llm_provider="openai",
        llm_base_url="http://127.0.0.1:9/v1",
        llm_api_key=SecretStr("sk-test"),
        llm_timeout=2.0,
        llm_max_retries=0,
    )
    set_policy(broken, posts_per_week=2)
    outcome = start_run(
        broken, auto_approve=True, fast_forward=True, week="2026-W48", wiring=wiring()
    )
    assert outcome.status == RunStatus.error
    assert outcome.error and "\n" not in outcome.error and "sk-test" not in outcome.error
    assert "127.0.0.1:9" in outcome.error
    fixed = open_resources(load_settings(data_dir=tmp_path / "data", database_url=url))
    done = resume_run(fixed, outcome.run_id, wiring=wiring())
    assert done.status == RunStatus.finished
    with fixed.sessions() as session:
        assert (
            len(
                list(
                    session.scalars(
                        select(Post).where(Post.publish_status == PublishStatus.published)
                    )
                )
            )
            == 2
        )


def test_the_whole_cycle_through_an_openai_compatible_server(
    tmp_path: Path, db_url: str, wiring: Wire
) -> None:
    with FakeOpenAIServer(api_key="sk-local") as server:
        system = make_system(
            tmp_path,
            db_url,
            llm_provider="openai",
            llm_base_url=server.base_url,
            llm_api_key=SecretStr("sk-local"),
            llm_model="gpt-test",
            llm_max_retries=0,
        )
        set_policy(system, posts_per_week=2)
        outcome = start_run(
            system, auto_approve=True, fast_forward=True, week="2026-W48", wiring=wiring()
        )
        requests = server.chat_requests
    assert outcome.status == RunStatus.finished, outcome.error
    assert requests and all(r["model"] == "gpt-test" for r in requests)
    assert any("tools" in r or "response_format" in r for r in requests)
    with system.sessions() as session:
        run = session.scalar(select(AgentRun))
        assert run is not None
        assert run.llm_calls == len(requests)
        assert run.input_tokens > 0 and run.output_tokens > 0
        assert (
            session.scalar(select(Post).where(Post.publish_status == PublishStatus.published))
            is not None
        )
    system.dispose()


def test_an_unexpected_failure_marks_the_run_error_and_it_resumes(
    sqlite_system: Resources, wiring: Wire
) -> None:
    def broken(request: Any, progress: Any = None) -> Any:
        raise RuntimeError("disk on fire")

    outcome = start_run(
        sqlite_system,
        auto_approve=True,
        fast_forward=True,
        week="2026-W48",
        wiring=wiring(render=broken),
    )
    assert outcome.status == RunStatus.error
    assert (
        outcome.error
        and "RuntimeError: disk on fire" in outcome.error
        and "\n" not in outcome.error
    )
    with sqlite_system.sessions() as session:
        run = session.scalar(select(AgentRun))
        error = session.scalar(select(ErrorLog))
    assert run is not None and run.status == RunStatus.error and run.current_node == "creating"
    assert error is not None and error.stack_trace and "disk on fire" in error.stack_trace
    done = resume_run(sqlite_system, outcome.run_id, wiring=wiring())
    assert done.status == RunStatus.finished
    assert len(done.summary["reels"]) == 3
