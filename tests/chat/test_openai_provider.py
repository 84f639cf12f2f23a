"""With an ``openai`` provider the model chooses the tools (a local OpenAI-compatible server)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from agent.chat import TOOLS
from db.enums import ApprovalStatus
from db.models import Directive, VideoReel
from tests.chat.conftest import agreed, make_system, saying, waiting_run
from tests.llm.openai_server import FakeOpenAIServer


def policy(
    messages: list[dict[str, Any]], tools: list[dict[str, Any]], tool_choice: Any
) -> tuple[str, dict[str, Any] | None] | None:
    """Pick a tool from the user's words the way a real model would; answer in text after a tool result."""
    last = messages[-1]
    if last.get("role") != "user":
        return None
    text = str(last.get("content", "")).lower()
    if "sunday" in text:
        return "add_directive", {"text": "nothing on Sundays"}
    if "publish everything" in text:
        return "approve_reels", {"all_waiting": True}
    return None


def chat_turns(server: FakeOpenAIServer) -> list[dict[str, Any]]:
    """Requests from the chat agent (the resumed cycle also asks the model, without tools)."""
    return [
        r
        for r in server.chat_requests
        if any(t["function"]["name"] == "get_status" for t in r.get("tools", []))
    ]


def test_the_model_chooses_the_tool_and_words_the_answer(tmp_path: Path) -> None:
    with FakeOpenAIServer(api_key="sk-test", tool_policy=policy) as server:
        system = make_system(
            tmp_path / "data",
            f"sqlite:///{tmp_path / 'twin.db'}",
            llm_provider="openai",
            llm_base_url=server.base_url,
            llm_api_key="sk-test",
            llm_model="test-model",
        )
        say = saying(system)
        reply = agreed(say, "Please keep my Sundays free of posts")
        assert reply.tool_calls == ["add_directive"]
        with system.sessions() as session:
            [row] = session.scalars(select(Directive)).all()
        assert (row.kind, row.value_json) == ("avoid_weekday", {"weekday": 6})

        first, second = server.chat_requests[-2:]
        names = [t["function"]["name"] for t in first["tools"]]
        assert names == [t.name for t in TOOLS]
        for tool in first["tools"]:
            assert "runtime" not in tool["function"]["parameters"].get("properties", {})
        assert (
            first["messages"][0]["role"] == "system"
            and "AI twin content agent" in first["messages"][0]["content"]
        )
        assert (
            second["messages"][-1]["role"] == "tool"
            and "no posts on Sunday" in second["messages"][-1]["content"]
        )
        assert reply.text  # worded by the model from the tool result
        system.dispose()


def test_confirmation_works_the_same_with_a_real_model(tmp_path: Path) -> None:
    with FakeOpenAIServer(api_key="sk-test", tool_policy=policy, seed=2) as server:
        system = make_system(
            tmp_path / "data",
            f"sqlite:///{tmp_path / 'twin.db'}",
            llm_provider="openai",
            llm_base_url=server.base_url,
            llm_api_key="sk-test",
            llm_model="test-model",
        )
        say = saying(system)
        waiting_run(system)
        reply = say("publish everything that is waiting")
        assert reply.needs_confirmation and reply.tool_calls == ["approve_reels"]
        asked = len(chat_turns(server))
        reply = say("yes", confirm=True)
        assert reply.tool_calls == ["approve_reels"]
        # The held call is replayed as it was; the model only words the result.
        assert len(chat_turns(server)) == asked + 1
        assert chat_turns(server)[-1]["messages"][-1]["role"] == "tool"
        with system.sessions() as session:
            assert {r.approval_status for r in session.scalars(select(VideoReel))} == {
                ApprovalStatus.creator_approved
            }
        system.dispose()
