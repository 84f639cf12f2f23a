"""Settings and the factory that turns them into a LangChain chat model."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field, SecretStr

from agent.llm.capabilities import StructuredMethod
from agent.llm.errors import LLMConfigError
from agent.llm.offline import OfflineChatModel, cycle_registry

if TYPE_CHECKING:
    from agent.settings import Settings

__all__ = ["LLMSettings", "build_chat_model"]

# Local OpenAI-compatible servers (Ollama, vLLM, llama.cpp, LM Studio) ignore the
# key, but the OpenAI client refuses to start without one.
_LOCAL_SERVER_KEY = "not-needed"
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]", "0.0.0.0", "host.docker.internal")


class LLMSettings(BaseModel):
    """Which chat model to use and how to reach it.

    Attributes:
        provider: "offline" (deterministic, local, the default) or "openai"
            (any OpenAI-compatible server).
        model: Model name sent to the server (ignored by the offline provider).
        base_url: Server URL, e.g. ``http://localhost:11434/v1``; None means OpenAI.
        api_key: API key; None falls back to the OPENAI_API_KEY environment variable.
        timeout: Seconds before a request times out.
        max_retries: Retries of failed requests (connection errors, 429, 5xx).
        temperature: Sampling temperature.
        seed: Seed of the offline model's answers.
        structured_method: How typed answers are asked for first: "json_schema",
            "function_calling" or "json_mode" (the schema in the prompt). A server that
            refuses it is downgraded one step at a time and the working method remembered.
        strict: Ask the server to enforce the schema exactly (dropped when refused).
    """

    provider: Literal["offline", "openai"] = "offline"
    model: str = "gpt-4o-mini"
    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=2, ge=0)
    temperature: float = Field(default=0.2, ge=0, le=2)
    seed: int = 0
    structured_method: StructuredMethod = "json_schema"
    strict: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LLMSettings:
        """Read TWIN_LLM_PROVIDER, _MODEL, _BASE_URL, _API_KEY, _STRUCTURED_METHOD and _STRICT.

        Args:
            environ: Variables to read (``os.environ`` when None).

        Returns:
            Settings with defaults for every unset variable.
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field, var in (
            ("provider", "TWIN_LLM_PROVIDER"),
            ("model", "TWIN_LLM_MODEL"),
            ("base_url", "TWIN_LLM_BASE_URL"),
            ("api_key", "TWIN_LLM_API_KEY"),
            ("structured_method", "TWIN_LLM_STRUCTURED_METHOD"),
            ("strict", "TWIN_LLM_STRICT"),
        ):
            if env.get(var):
                values[field] = env[var].strip()
        return cls.model_validate(values)

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMSettings:
        """The chat-model part of the application settings (every ``TWIN_LLM_*`` field).

        Args:
            settings: The application settings.

        Returns:
            The LLM settings they describe.
        """
        return cls(
            provider=settings.llm_provider,
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
            temperature=settings.llm_temperature,
            structured_method=settings.llm_structured_method,
            strict=settings.llm_strict,
            seed=settings.planning_seed,
        )


def build_chat_model(settings: LLMSettings) -> BaseChatModel:
    """Build the chat model the settings describe.

    Args:
        settings: Provider, model, endpoint and limits.

    Returns:
        An :class:`OfflineChatModel` answering the cycle's own prompts, or a langchain-openai ``ChatOpenAI``
        (:class:`~agent.llm.openai_chat.CompatibleChatOpenAI`, which carries the
        structured-output method and strictness).

    Raises:
        LLMConfigError: The openai provider has no API key for a hosted endpoint.
    """
    if settings.provider == "offline":
        return OfflineChatModel(seed=settings.seed, registry=cycle_registry())
    # imported lazily: langchain-openai is heavy, and unused offline
    from agent.llm.openai_chat import CompatibleChatOpenAI

    return CompatibleChatOpenAI(
        model=settings.model,
        base_url=settings.base_url,
        api_key=_api_key(settings),
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        temperature=settings.temperature,
        stream_usage=True,
        structured_method=settings.structured_method,
        structured_strict=settings.strict,
    )


def _api_key(settings: LLMSettings) -> SecretStr:
    if settings.api_key is not None and settings.api_key.get_secret_value():
        return settings.api_key
    from_env = os.environ.get("OPENAI_API_KEY")
    if from_env:
        return SecretStr(from_env)
    if settings.base_url and any(h in settings.base_url for h in _LOCAL_HOSTS):
        return SecretStr(_LOCAL_SERVER_KEY)
    raise LLMConfigError(
        "The openai provider needs an API key for "
        f"{settings.base_url or 'https://api.openai.com/v1'}. "
        "Set TWIN_LLM_API_KEY (or OPENAI_API_KEY), or use TWIN_LLM_PROVIDER=offline."
    )
