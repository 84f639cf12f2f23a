"""LLMSettings and build_chat_model."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_openai import ChatOpenAI
from pydantic import SecretStr, ValidationError

from agent.llm import LLMConfigError, LLMSettings, OfflineChatModel, build_chat_model
from agent.llm.openai_chat import CompatibleChatOpenAI
from agent.settings import Settings


def test_default_is_offline_and_needs_nothing() -> None:
    settings = LLMSettings.from_env({})
    assert settings.provider == "offline"
    model = build_chat_model(settings.model_copy(update={"seed": 5}))
    assert isinstance(model, OfflineChatModel) and model.seed == 5


def test_from_env_reads_twin_variables() -> None:
    settings = LLMSettings.from_env(
        {
            "TWIN_LLM_PROVIDER": "openai",
            "TWIN_LLM_MODEL": "llama3.1:8b",
            "TWIN_LLM_BASE_URL": "http://localhost:11434/v1",
            "TWIN_LLM_API_KEY": "sk-from-env-123",
        }
    )
    assert settings.provider == "openai" and settings.model == "llama3.1:8b"
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-from-env-123"
    assert "sk-from-env-123" not in repr(settings)
    with pytest.raises(ValidationError):
        LLMSettings.from_env({"TWIN_LLM_PROVIDER": "anthropic"})


def test_openai_provider_builds_chat_openai_with_settings() -> None:
    model = build_chat_model(
        LLMSettings(
            provider="openai",
            model="gpt-4o-mini",
            base_url="http://10.0.0.5:8000/v1",
            api_key=SecretStr("sk-abc"),
            timeout=7,
            max_retries=1,
            temperature=0.7,
        )
    )
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "gpt-4o-mini"
    assert model.openai_api_base == "http://10.0.0.5:8000/v1"
    assert isinstance(model.openai_api_key, SecretStr)
    assert model.openai_api_key.get_secret_value() == "sk-abc"
    assert model.request_timeout == 7 and model.max_retries == 1 and model.temperature == 0.7


def test_api_key_falls_back_to_openai_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-fallback")
    model = build_chat_model(LLMSettings(provider="openai"))
    assert isinstance(model, ChatOpenAI) and isinstance(model.openai_api_key, SecretStr)
    assert model.openai_api_key.get_secret_value() == "sk-env-fallback"


def test_missing_key_for_hosted_endpoint_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(LLMConfigError, match="TWIN_LLM_API_KEY"):
        build_chat_model(LLMSettings(provider="openai"))
    local = build_chat_model(
        LLMSettings(provider="openai", base_url="http://localhost:11434/v1", model="llama3")
    )
    assert isinstance(local, ChatOpenAI)


def test_structured_method_and_strict_come_from_the_settings(tmp_path: Path) -> None:
    env = {"TWIN_LLM_STRUCTURED_METHOD": "json_mode", "TWIN_LLM_STRICT": "false"}
    settings = LLMSettings.from_env({**env, "TWIN_LLM_PROVIDER": "openai"})
    assert (settings.structured_method, settings.strict) == ("json_mode", False)
    with pytest.raises(ValidationError):
        LLMSettings.from_env({"TWIN_LLM_STRUCTURED_METHOD": "xml"})
    app = Settings(data_dir=tmp_path, llm_structured_method="function_calling", llm_strict=False)
    model = build_chat_model(
        LLMSettings.from_settings(app).model_copy(
            update={"provider": "openai", "base_url": "http://localhost:8080/v1"}
        )
    )
    assert isinstance(model, CompatibleChatOpenAI)
    assert (model.structured_method, model.structured_strict) == ("function_calling", False)
    defaults = LLMSettings.from_settings(Settings(data_dir=tmp_path))
    assert (defaults.structured_method, defaults.strict) == ("json_schema", True)
