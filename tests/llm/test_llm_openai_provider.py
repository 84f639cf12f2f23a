"""The openai provider (ChatOpenAI) against a local OpenAI-compatible server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import tool
from pydantic import SecretStr

from agent.llm import (
    LLMSettings,
    ProviderAuthError,
    ProviderUnavailableError,
    StructuredMethod,
    StructuredOutputError,
    UsageCounter,
    build_chat_model,
    invoke_structured,
)
from tests.llm.conftest import TEST_KEY
from tests.llm.llm_schemas import Captions, Script, WeekPlan
from tests.llm.openai_server import FakeOpenAIServer

PROMPT = "Plan reels about trail running in the Alps: gear, pacing and altitude."


@tool
def schedule_post(platform: str, hour: int) -> str:
    """Schedule a post.

    Args:
        platform: Target platform.
        hour: Hour of day (0-23).
    """
    return f"{platform}@{hour}"


@tool
def get_weather(city: str) -> str:
    """Weather for a city.

    Args:
        city: City name.
    """
    return city


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_structured_output_through_chat_openai(
    openai_model: BaseChatModel, openai_server: FakeOpenAIServer, method: StructuredMethod
) -> None:
    usage: list[tuple[int, int]] = []
    plan = invoke_structured(
        openai_model,
        WeekPlan,
        [SystemMessage("You are a content planner."), HumanMessage(PROMPT)],
        method=method,
        on_usage=lambda i, o: usage.append((i, o)),
    )
    assert isinstance(plan, WeekPlan)
    assert {"trail", "running", "alps", "gear", "pacing", "altitude"} & set(
        plan.model_dump_json().lower().replace('"', " ").split()
    )
    (request,) = openai_server.chat_requests
    assert request["model"] == "local-model"
    if method == "json_schema":
        assert request["response_format"]["type"] == "json_schema"
        assert request["response_format"]["json_schema"]["name"] == "WeekPlan"
        assert "tools" not in request
    else:
        assert request["tools"][0]["function"]["name"] == "WeekPlan"
        assert request["tool_choice"]["function"]["name"] == "WeekPlan"
    assert len(usage) == 1 and usage[0][0] > 10 and usage[0][1] > 10


def test_usage_comes_from_the_response_usage_field(
    openai_model: BaseChatModel, openai_server: FakeOpenAIServer
) -> None:
    counter = UsageCounter()
    config: RunnableConfig = {"callbacks": [counter]}
    message = openai_model.invoke(PROMPT, config=config)
    openai_model.invoke("second question about pacing", config=config)
    body = openai_server.chat_requests[0]
    expected = openai_server.completion(body, None)["usage"]
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == expected["prompt_tokens"]
    assert message.usage_metadata["output_tokens"] == expected["completion_tokens"]
    assert counter.calls == 2
    assert counter.input_tokens > expected["prompt_tokens"]


def test_tool_calls_use_the_policy(
    openai_model: BaseChatModel, openai_server: FakeOpenAIServer
) -> None:
    def policy(messages: list[dict[str, Any]], tools: list[dict[str, Any]], choice: Any) -> Any:
        assert [t["function"]["name"] for t in tools] == ["schedule_post", "get_weather"]
        return (
            ("schedule_post", {"platform": "tiktok", "hour": 18})
            if "post" in str(messages).lower()
            else None
        )

    openai_server.tool_policy = policy
    bound = openai_model.bind_tools([schedule_post, get_weather])
    message = bound.invoke("Post the reel at six pm")
    assert message.tool_calls[0]["name"] == "schedule_post"
    assert message.tool_calls[0]["args"] == {"platform": "tiktok", "hour": 18}
    assert schedule_post.invoke(message.tool_calls[0]["args"]) == "tiktok@18"
    text = bound.invoke("How are you?")
    assert text.tool_calls == [] and text.content


def test_forced_tool_args_are_filled_from_the_schema(
    openai_model: BaseChatModel, openai_server: FakeOpenAIServer
) -> None:
    bound = openai_model.bind_tools([get_weather], tool_choice="get_weather")
    message = bound.invoke("weather in Lisbon")
    assert message.tool_calls[0]["name"] == "get_weather"
    assert isinstance(message.tool_calls[0]["args"]["city"], str)
    assert openai_server.chat_requests[0]["tool_choice"]["function"]["name"] == "get_weather"


def test_streaming_text(openai_model: BaseChatModel, openai_server: FakeOpenAIServer) -> None:
    chunks = list(openai_model.stream("Ideas for a cozy autumn baking reel"))
    text = "".join(str(c.content) for c in chunks)
    assert len([c for c in chunks if c.content]) > 3
    assert openai_server.chat_requests[0]["stream"] is True
    expected = openai_server.completion(openai_server.chat_requests[0], None)
    assert text == expected["choices"][0]["message"]["content"]
    total: Any = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.usage_metadata["output_tokens"] == expected["usage"]["completion_tokens"]


def test_bad_key_gives_a_clear_error(openai_server: FakeOpenAIServer) -> None:
    wrong = "sk-wrong-key-9876543210"
    model = build_chat_model(
        LLMSettings(
            provider="openai",
            model="m",
            base_url=openai_server.base_url,
            api_key=SecretStr(wrong),
            max_retries=0,
        )
    )
    with pytest.raises(ProviderAuthError) as info:
        invoke_structured(model, Captions, "caption")
    message = str(info.value)
    assert "rejected the API key" in message and openai_server.base_url in message
    assert wrong not in message and TEST_KEY not in message
    assert openai_server.requests[0].status == 401 and not openai_server.requests[0].authorized


def test_invalid_output_is_retried_with_the_validation_error(
    openai_model: BaseChatModel, openai_server: FakeOpenAIServer
) -> None:
    openai_server.inject("invalid_output", count=1)
    script = invoke_structured(openai_model, Script, PROMPT, method="function_calling")
    assert isinstance(script, Script)
    first, second = openai_server.chat_requests
    repair = second["messages"][-1]
    assert repair["role"] == "user"
    assert "Script" in repair["content"] and "Field required" in repair["content"]
    assert "hook" in repair["content"]
    assert second["messages"][: len(first["messages"])] == first["messages"]


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_invalid_output_gives_up_after_two_retries(
    openai_model: BaseChatModel, openai_server: FakeOpenAIServer, method: StructuredMethod
) -> None:
    openai_server.inject("invalid_output", count=5)
    with pytest.raises(StructuredOutputError, match="valid Script after 3 attempt") as info:
        invoke_structured(openai_model, Script, PROMPT, max_retries=2, method=method)
    assert "Field required" in info.value.last_error
    assert len(openai_server.chat_requests) == 3


def test_server_errors_and_rate_limits_are_retried_by_the_client(
    openai_model: BaseChatModel, openai_server: FakeOpenAIServer
) -> None:
    openai_server.inject("rate_limit", retry_after=0.05)
    openai_server.inject("server_error")
    captions = invoke_structured(openai_model, Captions, "Caption the Alps reel")
    assert isinstance(captions, Captions)
    assert [r.status for r in openai_server.requests] == [429, 500, 200]


def test_persistent_server_errors_raise_provider_unavailable(
    openai_model: BaseChatModel, openai_server: FakeOpenAIServer
) -> None:
    openai_server.inject("server_error", count=3)
    with pytest.raises(ProviderUnavailableError, match="HTTP 500"):
        invoke_structured(openai_model, Captions, "Caption the Alps reel")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_base_url_fails_fast() -> None:
    base_url = f"http://127.0.0.1:{_closed_port()}/v1"
    model = build_chat_model(
        LLMSettings(provider="openai", model="m", base_url=base_url, timeout=2, max_retries=0)
    )
    started = time.monotonic()
    with pytest.raises(ProviderUnavailableError) as info:
        invoke_structured(model, Captions, "caption")
    assert time.monotonic() - started < 3
    assert base_url in str(info.value) and "Cannot reach" in str(info.value)
    assert info.value.provider == "openai"


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    sock.close()


def test_timeout_raises_provider_unavailable(silent_server: str) -> None:
    model = build_chat_model(
        LLMSettings(
            provider="openai", model="m", base_url=silent_server, timeout=0.5, max_retries=0
        )
    )
    started = time.monotonic()
    with pytest.raises(ProviderUnavailableError, match="Timeout"):
        invoke_structured(model, Captions, "caption")
    assert time.monotonic() - started < 3


def test_models_endpoint_and_auth(openai_server: FakeOpenAIServer) -> None:
    ok = httpx.get(
        f"{openai_server.base_url}/models", headers={"Authorization": f"Bearer {TEST_KEY}"}
    )
    assert ok.status_code == 200 and ok.json()["data"][0]["id"] == "local-model"
    denied = httpx.get(f"{openai_server.base_url}/models")
    assert denied.status_code == 401
    assert denied.json()["error"]["code"] == "invalid_api_key"
    assert "authorization" not in json.dumps([r.headers for r in openai_server.requests]).lower()
