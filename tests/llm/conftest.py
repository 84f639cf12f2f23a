"""Fixtures: a local OpenAI-compatible server and a ChatOpenAI model pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from agent.llm import LLMSettings, build_chat_model
from tests.llm.openai_server import FakeOpenAIServer

TEST_KEY = "sk-local-test-key-0123456789"


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAIServer]:
    """A running local server that requires ``TEST_KEY``."""
    with FakeOpenAIServer(api_key=TEST_KEY, models=("local-model",)) as server:
        yield server


@pytest.fixture
def openai_model(openai_server: FakeOpenAIServer) -> BaseChatModel:
    """``ChatOpenAI`` built by the factory, pointed at the local server."""
    settings = LLMSettings(
        provider="openai",
        model="local-model",
        base_url=openai_server.base_url,
        api_key=SecretStr(TEST_KEY),
        timeout=10,
        max_retries=2,
    )
    return build_chat_model(settings)
