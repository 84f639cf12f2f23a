"""OfflineChatModel: structured output, tool calling, streaming, usage, determinism."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import tool
from pydantic import BaseModel

from agent.llm import (
    OfflineChatModel,
    ResponderRegistry,
    StructuredOutputError,
    ToolIntent,
    UsageCounter,
    count_tokens,
    invoke_structured,
)
from tests.llm.llm_schemas import Captions, Script, StrategyUpdate, WeekPlan

SOURDOUGH = "Plan next week's reels about sourdough starter care, scoring loaves and oven spring."
MARATHON = "Plan next week's reels about marathon tapering, race nutrition and recovery runs."


def _words(value: Any) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", str(value))}


@tool
def list_posts(platform: str, limit: int = 5) -> str:
    """List recent posts on a platform.

    Args:
        platform: Platform name.
        limit: How many posts.
    """
    return f"{limit} posts on {platform}"


@tool
def pause_publishing(reason: str) -> str:
    """Pause all publishing.

    Args:
        reason: Why publishing is paused.
    """
    return f"paused: {reason}"


@pytest.mark.parametrize("method", ["function_calling", "json_schema"])
@pytest.mark.parametrize("schema", [WeekPlan, Script, Captions, StrategyUpdate])
def test_structured_output_validates_and_is_grounded(schema: type[BaseModel], method: Any) -> None:
    model = OfflineChatModel(registry=ResponderRegistry())
    result = model.with_structured_output(schema, method=method).invoke(SOURDOUGH)
    assert isinstance(result, schema)
    assert _words(result.model_dump_json()) & {"sourdough", "starter", "scoring", "loaves", "oven"}


@pytest.mark.parametrize("method", ["function_calling", "json_schema"])
def test_include_raw_returns_message_with_usage(method: Any) -> None:
    model = OfflineChatModel(registry=ResponderRegistry())
    out: Any = model.with_structured_output(WeekPlan, method=method, include_raw=True).invoke(
        [SystemMessage("You plan content."), HumanMessage(SOURDOUGH)]
    )
    assert out["parsing_error"] is None
    assert isinstance(out["parsed"], WeekPlan)
    raw = out["raw"]
    assert isinstance(raw, AIMessage)
    assert raw.response_metadata["model_name"] == "offline"
    usage = raw.usage_metadata
    assert usage is not None
    assert usage["input_tokens"] >= count_tokens(SOURDOUGH)
    assert usage["output_tokens"] > 10
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    if method == "function_calling":
        assert raw.tool_calls[0]["name"] == "WeekPlan"
    else:
        assert WeekPlan.model_validate_json(str(raw.content)) == out["parsed"]


def test_deterministic_for_same_input_and_varies_with_prompt_and_seed() -> None:
    registry = ResponderRegistry()
    model = OfflineChatModel(registry=registry)
    first: Any = model.with_structured_output(WeekPlan).invoke(SOURDOUGH)
    assert (
        OfflineChatModel(registry=registry).with_structured_output(WeekPlan).invoke(SOURDOUGH)
        == first
    )
    assert model.with_structured_output(WeekPlan).invoke(MARATHON) != first
    reseeded = OfflineChatModel(seed=99, registry=registry).with_structured_output(WeekPlan)
    assert reseeded.invoke(SOURDOUGH) != first
    marathon: Any = model.with_structured_output(WeekPlan).invoke(MARATHON)
    assert _words(marathon.model_dump_json()) & {
        "marathon", "tapering", "nutrition", "recovery",
    }  # fmt: skip


def test_registered_responder_answers_its_schema() -> None:
    registry = ResponderRegistry()
    seen: list[Any] = []

    def captions(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
        seen.append(schema)
        topic = str(messages[-1].content).split(":")[-1].strip()
        return {"caption": f"All about {topic}", "hashtags": ["#a", "#b", "#c"]}

    registry.register(Captions, captions)
    model = OfflineChatModel(registry=registry)
    for method in ("function_calling", "json_schema"):
        result = model.with_structured_output(Captions, method=method).invoke("topic: tide pools")
        assert result == Captions(caption="All about tide pools", hashtags=["#a", "#b", "#c"])
    assert seen == [Captions, Captions]


def test_tool_call_forced_by_name_has_valid_grounded_args() -> None:
    model = OfflineChatModel(registry=ResponderRegistry())
    bound = model.bind_tools([list_posts, pause_publishing], tool_choice="pause_publishing")
    message = bound.invoke("Stop everything, the bakery is closed for renovation")
    assert message.response_metadata["finish_reason"] == "tool_calls"
    (call,) = message.tool_calls
    assert call["name"] == "pause_publishing"
    assert _words(call["args"]["reason"]) & {"bakery", "closed", "renovation", "stop"}
    assert pause_publishing.invoke(call["args"]).startswith("paused:")


def test_auto_tool_choice_calls_matching_tool_and_answers_text_otherwise() -> None:
    model = OfflineChatModel(registry=ResponderRegistry())
    bound = model.bind_tools([list_posts, pause_publishing])
    called = bound.invoke("Please list my posts from tiktok")
    assert [c["name"] for c in called.tool_calls] == ["list_posts"]
    assert called.tool_calls[0]["args"]["platform"] == "tiktok"  # not a word of the tool name
    list_posts.invoke(called.tool_calls[0]["args"])
    chat = bound.invoke("How did the sourdough video do?")
    assert chat.tool_calls == []
    assert _words(chat.content) & {"sourdough", "video"}
    after_tool = bound.invoke(
        [
            HumanMessage("Please list my posts from tiktok"),
            called,
            ToolMessage(
                "3 posts on tiktok", tool_call_id=called.tool_calls[0]["id"], name="list_posts"
            ),
        ]
    )
    assert after_tool.tool_calls == []
    assert "3 posts on tiktok" in str(after_tool.content)


def test_required_tool_choice_always_calls_a_tool() -> None:
    model = OfflineChatModel(registry=ResponderRegistry())
    message = model.bind_tools([list_posts, pause_publishing], tool_choice="any").invoke("hello")
    assert len(message.tool_calls) == 1
    assert message.tool_calls[0]["name"] in {"list_posts", "pause_publishing"}


def test_intent_responder_decides_tool_calls_and_text() -> None:
    registry = ResponderRegistry()

    def intents(
        messages: list[BaseMessage], tools: list[dict[str, Any]], rng: random.Random
    ) -> Any:
        text = str(messages[-1].content).lower()
        if "stop" in text:
            return ToolIntent("pause_publishing", {"reason": "creator asked"})
        if "thanks" in text:
            return "You're welcome."
        return None

    registry.register_intent(intents)
    bound = OfflineChatModel(registry=registry).bind_tools([list_posts, pause_publishing])
    assert bound.invoke("stop now").tool_calls[0]["args"] == {"reason": "creator asked"}
    assert bound.invoke("thanks!").content == "You're welcome."
    with pytest.raises(ValueError, match="not among the bound tools"):
        OfflineChatModel(registry=registry).bind_tools([list_posts]).invoke("stop now")


def test_streaming_text_matches_invoke_and_carries_usage() -> None:
    model = OfflineChatModel(registry=ResponderRegistry())
    prompt = "What should I film about balcony tomato gardening this week?"
    chunks = list(model.stream(prompt))
    assert len(chunks) > 3
    assert "".join(str(c.content) for c in chunks) == model.invoke(prompt).content
    total: Any = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.usage_metadata is not None and total.usage_metadata["output_tokens"] > 0
    assert total.response_metadata["model_name"] == "offline"


def test_streaming_tool_call_reassembles() -> None:
    bound = OfflineChatModel(registry=ResponderRegistry()).bind_tools(
        [list_posts], tool_choice="list_posts"
    )
    chunks = list(bound.stream("posts on youtube"))
    total: Any = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.tool_calls[0]["name"] == "list_posts"
    assert total.tool_calls[0]["args"] == bound.invoke("posts on youtube").tool_calls[0]["args"]


def test_usage_counter_counts_calls_and_tokens() -> None:
    counter = UsageCounter()
    model = OfflineChatModel(registry=ResponderRegistry())
    config: RunnableConfig = {"callbacks": [counter]}
    first = model.invoke(SOURDOUGH, config=config)
    model.with_structured_output(Script).invoke(MARATHON, config=config)
    list(model.stream("tell me about kayaks", config=config))
    totals = counter.totals()
    assert totals.calls == 3
    assert first.usage_metadata is not None
    assert totals.input_tokens > first.usage_metadata["input_tokens"]
    assert totals.total_tokens == totals.input_tokens + totals.output_tokens


def test_invoke_structured_repairs_with_the_validation_error() -> None:
    registry = ResponderRegistry()
    prompts: list[str] = []

    def flaky(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
        prompts.append(str(messages[-1].content))
        if "validation error" in prompts[-1]:
            return {"caption": "fixed", "hashtags": ["#a", "#b", "#c"]}
        return {"caption": "broken", "hashtags": ["#only-one"]}

    registry.register(Captions, flaky)
    usage: list[tuple[int, int]] = []
    result = invoke_structured(
        OfflineChatModel(registry=registry), Captions, "caption this",
        on_usage=lambda i, o: usage.append((i, o)),
    )  # fmt: skip
    assert result.caption == "fixed"
    assert len(prompts) == 2 and "hashtags" in prompts[1] and "Captions" in prompts[1]
    assert len(usage) == 2 and usage[1][0] > usage[0][0]


def test_invoke_structured_gives_up_after_max_retries() -> None:
    registry = ResponderRegistry()
    calls: list[int] = []

    def always_bad(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
        calls.append(1)
        return {"caption": "x" * 500, "hashtags": []}

    registry.register("Captions", always_bad)
    with pytest.raises(StructuredOutputError, match=r"valid Captions after 3 attempt") as info:
        invoke_structured(OfflineChatModel(registry=registry), Captions, "caption", max_retries=2)
    assert len(calls) == 3
    assert "caption" in info.value.last_error and "hashtags" in info.value.last_error


async def _ainvoke(model: OfflineChatModel) -> Any:
    return await model.with_structured_output(Script).ainvoke(SOURDOUGH)


def test_async_invoke_matches_sync() -> None:
    import asyncio

    model = OfflineChatModel(registry=ResponderRegistry())
    assert asyncio.run(_ainvoke(model)) == model.with_structured_output(Script).invoke(SOURDOUGH)
