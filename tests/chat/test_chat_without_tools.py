"""A model whose server refuses tool calling: the chat answers through intent parsing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from agent.cli import app
from db.enums import ApprovalStatus
from db.models import Directive, VideoReel
from tests.chat.conftest import agreed, make_system, saying, waiting_run
from tests.llm.openai_server import REFUSALS, FakeOpenAIServer


def tool_requests(server: FakeOpenAIServer) -> list[int]:
    """Statuses of the chat requests that carried tools."""
    return [r.status for r in server.requests if (r.body or {}).get("tools")]


@pytest.mark.parametrize("refusal", ["ollama_tools", "vllm_auto_tools", "openai_tools"])
def test_a_directive_is_understood_without_tools(tmp_path: Path, refusal: str) -> None:
    with FakeOpenAIServer(api_key="sk-test", refusals=(REFUSALS[refusal],)) as server:
        system = make_system(
            tmp_path / "data",
            f"sqlite:///{tmp_path / 'twin.db'}",
            llm_provider="openai",
            llm_base_url=server.base_url,
            llm_api_key="sk-test",
            llm_model="no-tools-model",
        )
        say = saying(system)
        reply = agreed(say, "nothing on Sundays please")
        assert reply.tool_calls == ["add_directive"]
        assert "Sunday" in reply.text
        with system.sessions() as session:
            [row] = session.scalars(select(Directive)).all()
        assert (row.kind, row.value_json) == ("avoid_weekday", {"weekday": 6})
        assert tool_requests(server) == [400]
        # The refusal is remembered: the next turn does not offer tools again.
        status = say("how are things?")
        assert status.tool_calls == ["get_status"] and status.text
        assert tool_requests(server) == [400]
        system.dispose()


def test_confirmation_still_holds_publishing_without_tools(tmp_path: Path) -> None:
    with FakeOpenAIServer(api_key="sk-test", refusals=(REFUSALS["ollama_tools"],)) as server:
        system = make_system(
            tmp_path / "data",
            f"sqlite:///{tmp_path / 'twin.db'}",
            llm_provider="openai",
            llm_base_url=server.base_url,
            llm_api_key="sk-test",
            llm_model="no-tools-model",
        )
        say = saying(system)
        waiting_run(
            system
        )  # the cycle's structured calls use json_schema, which this server accepts
        reply = say("approve all the reels")
        assert reply.needs_confirmation and reply.tool_calls == ["approve_reels"]
        with system.sessions() as session:
            assert ApprovalStatus.creator_approved not in {
                r.approval_status for r in session.scalars(select(VideoReel))
            }
        done = say("yes", confirm=True)
        assert done.tool_calls == ["approve_reels"]
        with system.sessions() as session:
            assert {r.approval_status for r in session.scalars(select(VideoReel))} == {
                ApprovalStatus.creator_approved
            }
        system.dispose()


def test_twin_chat_answers_without_a_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    data = str(tmp_path / "data")
    with FakeOpenAIServer(api_key="sk-test", refusals=(REFUSALS["ollama_tools"],)) as server:
        env = {
            "TWIN_LLM_PROVIDER": "openai",
            "TWIN_LLM_BASE_URL": server.base_url,
            "TWIN_LLM_API_KEY": "sk-test",
            "TWIN_LLM_MODEL": "gemma3:4b",
        }
        assert runner.invoke(app, ["init", "--data-dir", data], env=env).exit_code == 0
        result = runner.invoke(app, ["chat", "--data-dir", data, "-m", "status"], env=env)
        refused = tool_requests(server)
    assert result.exit_code == 0, result.output
    assert refused == [400]
    assert "Traceback" not in result.output and "does not support tools" not in result.output
    assert "get_status" in result.output
