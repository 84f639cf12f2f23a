"""Chroma embedding functions: registration, config round trips, the OpenAI-compatible client."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chromadb.utils.embedding_functions import known_embedding_functions

from memory import (
    AgentMemoryStore,
    EmbeddingServiceError,
    LocalMiniLMEmbeddingFunction,
    MiniLMEmbedder,
    OpenAICompatibleEmbeddingFunction,
    build_embedding_function,
)

ENV = "TWIN_TEST_EMBEDDINGS_KEY"


def as_array(vectors: Any) -> np.ndarray:
    return np.vstack([np.asarray(v, dtype=np.float32) for v in vectors])


def test_both_functions_are_registered_by_name() -> None:
    assert known_embedding_functions["twin-minilm-l6-v2"] is LocalMiniLMEmbeddingFunction
    assert known_embedding_functions["twin-openai-compatible"] is OpenAICompatibleEmbeddingFunction


def test_local_function_embeds_like_the_model(minilm: MiniLMEmbedder) -> None:
    ef = LocalMiniLMEmbeddingFunction(batch_size=2)
    texts = ["reels about coffee", "short videos on espresso", "tax law reform", "a b c"]
    np.testing.assert_allclose(as_array(ef(texts)), minilm.embed(texts), atol=1e-5)
    rebuilt = LocalMiniLMEmbeddingFunction.build_from_config(ef.get_config())
    assert rebuilt.get_config() == {"batch_size": 2}
    assert ef.default_space() == "cosine"


def test_openai_function_calls_the_server_and_keeps_order(
    embedding_server: Any, minilm: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "sk-test-123")
    embedding_server.required_key = "sk-test-123"
    embedding_server.reverse_order = True
    ef = OpenAICompatibleEmbeddingFunction(
        base_url=embedding_server.base_url + "/",
        model="text-embedding-3-small",
        api_key_env_var=ENV,
        batch_size=2,
    )
    texts = ["first text", "second text", "third one"]
    vectors = as_array(ef(texts))
    np.testing.assert_allclose(vectors, minilm.embed(texts), atol=1e-5)
    assert [r["input"] for r in embedding_server.requests] == [texts[:2], texts[2:]]
    assert embedding_server.requests[0]["model"] == "text-embedding-3-small"
    assert embedding_server.requests[0]["encoding_format"] == "float"
    assert embedding_server.auth_headers == ["Bearer sk-test-123"] * 2


def test_openai_function_decodes_base64_and_sends_dimensions(embedding_server: Any) -> None:
    embedding_server.force_base64 = True
    ef = OpenAICompatibleEmbeddingFunction(
        base_url=embedding_server.base_url, model="m", dimensions=64
    )
    vectors = as_array(ef(["hello there"]))
    assert vectors.shape == (1, 64)
    assert embedding_server.requests[0]["dimensions"] == 64
    assert embedding_server.auth_headers == [None]  # no key configured: no header


def test_config_names_the_env_var_and_never_holds_the_key(embedding_server: Any) -> None:
    ef = OpenAICompatibleEmbeddingFunction(
        base_url=embedding_server.base_url, model="m", api_key_env_var=ENV, api_key="sk-secret"
    )
    config = ef.get_config()
    assert config["api_key_env_var"] == ENV
    assert "sk-secret" not in repr(config)
    rebuilt = OpenAICompatibleEmbeddingFunction.build_from_config(config)
    assert rebuilt.get_config() == config
    with pytest.raises(ValueError, match="api_key_env_var"):
        OpenAICompatibleEmbeddingFunction.validate_config({**config, "api_key": "x"})


def test_rejected_key_gives_a_clear_error_without_the_key(
    embedding_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedding_server.required_key = "the-right-key"
    monkeypatch.setenv(ENV, "sk-wrong-key-999")
    ef = OpenAICompatibleEmbeddingFunction(
        base_url=embedding_server.base_url, model="m", api_key_env_var=ENV
    )
    with pytest.raises(EmbeddingServiceError, match=r"HTTP 401.*\$TWIN_TEST_EMBEDDINGS_KEY") as e:
        ef(["x"])
    assert "sk-wrong-key-999" not in str(e.value)


def test_server_error_is_reported_with_its_message(embedding_server: Any) -> None:
    embedding_server.fail_status = 503
    ef = OpenAICompatibleEmbeddingFunction(base_url=embedding_server.base_url, model="m")
    with pytest.raises(EmbeddingServiceError, match="HTTP 503: model overloaded"):
        ef(["x"])


def test_unreachable_server_says_what_to_check() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ef = OpenAICompatibleEmbeddingFunction(base_url=f"http://127.0.0.1:{port}/v1", model="m")
    with pytest.raises(EmbeddingServiceError, match=r"Could not reach.*base_url"):
        ef(["x"])


def test_factory_validates_provider_settings() -> None:
    assert isinstance(build_embedding_function("local"), LocalMiniLMEmbeddingFunction)
    with pytest.raises(ValueError, match="base_url"):
        build_embedding_function("openai", model="m")
    with pytest.raises(ValueError, match="Unknown embedding provider"):
        build_embedding_function("cohere")  # type: ignore[arg-type]


def test_store_with_openai_embeddings_reopens_from_stored_config(
    embedding_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "sk-live")
    embedding_server.required_key = "sk-live"
    ef = build_embedding_function(
        "openai", base_url=embedding_server.base_url, model="emb-model", api_key_env_var=ENV
    )
    store = AgentMemoryStore("openai-agent", data_dir=tmp_path, embedding_function=ef)
    store.add(kind="insight", text="Cooking reels do well on Sunday evenings", metadata={})
    store.add(kind="insight", text="Finance explainers underperform on TikTok", metadata={})

    stored = store.collection.configuration_json["embedding_function"]
    assert stored["name"] == "twin-openai-compatible"
    assert stored["config"]["api_key_env_var"] == ENV
    assert "sk-live" not in repr(stored)

    # The collection rebuilds the function from its stored config (key from the env var).
    reopened = store._chroma().get_collection(store.collection_name)
    result = reopened.query(query_texts=["when to post food videos"], n_results=1)
    assert result["documents"] == [["Cooking reels do well on Sunday evenings"]]
    assert embedding_server.auth_headers[-1] == "Bearer sk-live"
