"""Structured output against OpenAI-compatible servers that lack features, through ChatOpenAI.

Every server here is a real HTTP server on 127.0.0.1 answering with the error bodies the
named servers send (``tests/llm/server_refusals.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from pydantic import SecretStr

from agent.llm import (
    Capabilities,
    LLMEvent,
    LLMSettings,
    StructuredMethod,
    StructuredMethodError,
    StructuredOutputError,
    UsageCounter,
    build_chat_model,
    invoke_structured,
    structured_plan_for,
)
from prompts import load_prompt
from tests.llm.conftest import TEST_KEY
from tests.llm.llm_schemas import Script, WeekPlan
from tests.llm.openai_server import REFUSALS, FakeOpenAIServer, Fault, Refusal

PROMPT = "Plan reels about trail running in the Alps: gear, pacing and altitude."


@contextmanager
def serving(*refusals: str, fenced_json: bool = False) -> Iterator[FakeOpenAIServer]:
    """A local server refusing the named features the way those servers do."""
    with FakeOpenAIServer(
        api_key=TEST_KEY,
        refusals=tuple(REFUSALS[name] for name in refusals),
        fenced_json=fenced_json,
    ) as server:
        yield server


def model_for(
    server: FakeOpenAIServer, method: StructuredMethod = "json_schema", strict: bool = True
) -> BaseChatModel:
    return build_chat_model(
        LLMSettings(
            provider="openai",
            model="local-model",
            base_url=server.base_url,
            api_key=SecretStr(TEST_KEY),
            timeout=10,
            max_retries=0,
            structured_method=method,
            strict=strict,
        )
    )


def kind_of(request: dict[str, Any]) -> str:
    """What a request asked for: the response_format type, 'tools', or 'text'."""
    if request.get("response_format"):
        return str(request["response_format"]["type"])
    return "tools" if request.get("tools") else "text"


@pytest.mark.parametrize(
    "refusal", ["openai_json_schema", "deepseek_json_schema", "llama_cpp_json_schema"]
)
def test_a_refused_json_schema_moves_to_function_calling_once(refusal: str) -> None:
    events: list[LLMEvent] = []
    memory = Capabilities()
    with serving(refusal) as server:
        base_url = server.base_url
        model = model_for(server)
        plan = invoke_structured(
            model, WeekPlan, PROMPT, on_event=events.append, capabilities=memory
        )
        assert isinstance(plan, WeekPlan)
        assert [kind_of(r) for r in server.chat_requests] == ["json_schema", "tools"]
        assert [r.status for r in server.requests] == [REFUSALS[refusal].status, 200]
        assert server.chat_requests[1]["tool_choice"]["function"]["name"] == "WeekPlan"
        # Later calls start where the last one ended: no refused request, no new event.
        invoke_structured(model, Script, PROMPT, on_event=events.append, capabilities=memory)
        assert [kind_of(r) for r in server.chat_requests][2:] == ["tools"]
    (event,) = events
    assert event.kind == "structured_output_downgraded"
    assert (event.detail["from"], event.detail["to"]) == (
        "json_schema (strict)",
        "function_calling (strict)",
    )
    assert event.detail["refused"] == "response_format" and event.detail["endpoint"] == base_url
    assert "TWIN_LLM_STRUCTURED_METHOD=function_calling" in event.message
    assert "\n" not in event.message
    assert structured_plan_for(model, memory) is not None
    assert structured_plan_for(model, memory).method == "function_calling"  # type: ignore[union-attr]


@pytest.mark.parametrize("tools_refusal", ["openai_tools", "ollama_tools", "llama_cpp_tools"])
def test_refused_tools_too_end_in_json_mode_with_the_schema_in_the_prompt(
    tools_refusal: str,
) -> None:
    events: list[LLMEvent] = []
    hashes: dict[str, str] = {}
    with serving("openai_json_schema", tools_refusal) as server:
        script = invoke_structured(
            model_for(server), Script, PROMPT, on_event=events.append, prompt_hashes=hashes,
            capabilities=Capabilities(),
        )  # fmt: skip
    assert isinstance(script, Script)
    assert [kind_of(r) for r in server.chat_requests] == ["json_schema", "tools", "json_object"]
    last = server.chat_requests[-1]
    system = last["messages"][0]
    assert (
        system["role"] == "system"
        and '"hook"' in system["content"]
        and "Script" in system["content"]
    )
    assert [e.detail["to"] for e in events] == ["function_calling (strict)", "json_mode"]
    assert hashes == {"structured_json_mode": load_prompt("structured_json_mode").sha256}


def test_a_server_refusing_json_object_is_asked_with_the_schema_in_the_prompt_only() -> None:
    with serving(
        "openai_json_schema", "ollama_tools", "lm_studio_json_object", fenced_json=True
    ) as server:
        plan = invoke_structured(model_for(server), WeekPlan, PROMPT, capabilities=Capabilities())
    assert isinstance(plan, WeekPlan) and len(plan.entries) >= 3
    assert [kind_of(r) for r in server.chat_requests] == [
        "json_schema",
        "tools",
        "json_object",
        "text",
    ]
    # The answer came as prose around a fenced block, as chatty models write it.
    assert [r.status for r in server.requests] == [400, 400, 400, 200]


def test_json_mode_from_the_settings_parses_the_content() -> None:
    with serving() as server:
        usage: list[tuple[int, int]] = []
        script = invoke_structured(
            model_for(server, method="json_mode"),
            Script,
            PROMPT,
            on_usage=lambda i, o: usage.append((i, o)),
        )
    assert isinstance(script, Script)
    (request,) = server.chat_requests
    assert request["response_format"] == {"type": "json_object"} and "tools" not in request
    assert "JSON" in request["messages"][0]["content"] and len(usage) == 1


def test_a_refused_strict_flag_is_dropped_before_the_method_changes() -> None:
    events: list[LLMEvent] = []
    with serving("gateway_tool_strict") as server:
        script = invoke_structured(
            model_for(server, method="function_calling"), Script, PROMPT, on_event=events.append,
            capabilities=Capabilities(),
        )  # fmt: skip
    assert isinstance(script, Script)
    first, second = server.chat_requests
    assert first["tools"][0]["function"]["strict"] is True
    assert "strict" not in second["tools"][0]["function"]
    assert [(e.detail["from"], e.detail["to"], e.detail["refused"]) for e in events] == [
        ("function_calling (strict)", "function_calling", "strict")
    ]
    assert "TWIN_LLM_STRICT=false" in events[0].message


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_strict_false_is_what_the_server_receives(method: StructuredMethod) -> None:
    with serving() as server:
        invoke_structured(model_for(server, method=method, strict=False), Script, PROMPT)
    (request,) = server.chat_requests
    if method == "json_schema":
        sent = request["response_format"]["json_schema"]
        assert sent["strict"] is False and sent["name"] == "Script"
        assert sent["schema"]["required"] == [
            "hook",
            "body",
            "call_to_action",
            "duration_sec",
            "tone",
        ]
    else:
        assert "strict" not in request["tools"][0]["function"]


def test_the_default_is_json_schema_strict() -> None:
    with serving() as server:
        invoke_structured(model_for(server), Script, PROMPT)
    sent = server.chat_requests[0]["response_format"]["json_schema"]
    assert sent["strict"] is True and sent["schema"]["additionalProperties"] is False


def test_a_prose_answer_is_repaired_with_the_schema_in_the_message() -> None:
    hashes: dict[str, str] = {}
    with serving() as server:
        server.inject("prose")
        script = invoke_structured(model_for(server), Script, PROMPT, prompt_hashes=hashes)
    assert isinstance(script, Script)
    repair = server.chat_requests[1]["messages"][-1]
    assert repair["role"] == "user" and "not a valid Script" in repair["content"]
    assert '"properties"' in repair["content"] and '"hook"' in repair["content"]
    assert set(hashes) == {"structured_repair", "structured_json_mode"}
    assert hashes["structured_repair"] == load_prompt("structured_repair").sha256


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_a_model_that_only_writes_prose_fails_with_one_line(method: StructuredMethod) -> None:
    with serving() as server:
        server.inject("prose", count=5)
        with pytest.raises(StructuredOutputError) as info:
            invoke_structured(model_for(server, method=method), Script, PROMPT, max_retries=2)
    assert len(server.chat_requests) == 3
    message = str(info.value)
    assert "\n" not in message and "TWIN_LLM_STRUCTURED_METHOD" in message and method in message


def test_a_server_refusing_every_method_fails_with_one_line_naming_the_setting() -> None:
    with serving("gateway_everything") as server, pytest.raises(StructuredMethodError) as info:
        base_url = server.base_url
        invoke_structured(model_for(server), Script, PROMPT, capabilities=Capabilities())
    assert [kind_of(r) for r in server.chat_requests] == [
        "json_schema",
        "tools",
        "json_object",
        "text",
    ]
    message = str(info.value)
    assert "\n" not in message and "TWIN_LLM_STRUCTURED_METHOD" in message
    assert base_url in message and "Extra inputs are not permitted" in message
    assert info.value.tried == [
        "json_schema (strict)",
        "function_calling (strict)",
        "json_mode",
        "json_mode (schema in the prompt only)",
    ]
    assert TEST_KEY not in message


def _billed(server: FakeOpenAIServer, faults: list[Fault | None]) -> tuple[int, int]:
    """Tokens the server reported for each answered request (recomputed, it is deterministic)."""
    answered = [r for r in server.requests if r.status == 200]
    usages = [
        server.completion(r.body or {}, f)["usage"] for r, f in zip(answered, faults, strict=True)
    ]
    return sum(u["prompt_tokens"] for u in usages), sum(u["completion_tokens"] for u in usages)


@pytest.mark.parametrize(
    ("method", "strict"),
    [
        ("json_schema", True),
        ("json_schema", False),
        ("function_calling", True),
        ("json_mode", True),
    ],
)
def test_an_invalid_then_valid_answer_counts_as_two_calls(
    method: StructuredMethod, strict: bool
) -> None:
    counter = UsageCounter()
    reported: list[tuple[int, int]] = []
    config: RunnableConfig = {"callbacks": [counter]}
    with serving() as server:
        server.inject("invalid_output")
        invoke_structured(
            model_for(server, method=method, strict=strict), Script, PROMPT, config=config,
            on_usage=lambda i, o: reported.append((i, o)),
        )  # fmt: skip
        expected = _billed(server, [Fault("invalid_output"), None])
    assert counter.calls == 2 and len(reported) == 2
    assert (counter.input_tokens, counter.output_tokens) == expected
    assert (sum(i for i, _ in reported), sum(o for _, o in reported)) == expected
    assert all(o > 0 for _, o in reported)


def test_refused_requests_count_only_when_the_server_reports_usage() -> None:
    billing = Refusal(
        "json_schema",
        400,
        {
            "error": {"message": "This response_format type is unavailable now",
                      "type": "invalid_request_error", "param": None, "code": None},
            "usage": {"prompt_tokens": 31, "completion_tokens": 0, "total_tokens": 31},
        },
    )  # fmt: skip
    counter = UsageCounter()
    with FakeOpenAIServer(api_key=TEST_KEY, refusals=(billing,)) as server:
        invoke_structured(model_for(server), Script, PROMPT, config={"callbacks": [counter]},
                          capabilities=Capabilities())  # fmt: skip
        answered = _billed(server, [None])
    assert counter.calls == 2
    assert (counter.input_tokens, counter.output_tokens) == (answered[0] + 31, answered[1])
    with serving("openai_json_schema") as server:
        plain = UsageCounter()
        invoke_structured(model_for(server), Script, PROMPT, config={"callbacks": [plain]},
                          capabilities=Capabilities())  # fmt: skip
    assert plain.calls == 1  # OpenAI's refusal reports no usage: nothing was billed


def test_offline_models_keep_their_own_structured_output() -> None:
    from agent.llm import OfflineChatModel

    hashes: dict[str, str] = {}
    plan = invoke_structured(OfflineChatModel(), WeekPlan, PROMPT, prompt_hashes=hashes)
    assert isinstance(plan, WeekPlan) and hashes == {}
    assert structured_plan_for(OfflineChatModel()) is None
