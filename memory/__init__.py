"""Twin Agent's vector memory: offline MiniLM embeddings and per-agent Chroma stores."""

from memory.embeddings import (
    DEFAULT_API_KEY_ENV_VAR,
    EmbeddingServiceError,
    LocalMiniLMEmbeddingFunction,
    OpenAICompatibleEmbeddingFunction,
    build_embedding_function,
)
from memory.lexical import MINILM_INSTALL_HINT, LexicalEmbeddingFunction, minilm_installed
from memory.minilm import MiniLMEmbedder, load_minilm
from memory.model_files import ModelIntegrityError, ModelNotFoundError
from memory.models import (
    KIND_DIRECTIVE,
    KIND_FEEDBACK,
    KIND_INSIGHT,
    KIND_POST_OUTCOME,
    KIND_SUMMARY,
    CompactionReport,
    MemoryHit,
    MemoryRecord,
    RetentionPolicy,
)
from memory.store import AgentMemoryStore, MemoryConfigError, MemorySettings, chroma_settings

__all__ = [
    "DEFAULT_API_KEY_ENV_VAR",
    "KIND_DIRECTIVE",
    "KIND_FEEDBACK",
    "KIND_INSIGHT",
    "KIND_POST_OUTCOME",
    "KIND_SUMMARY",
    "MINILM_INSTALL_HINT",
    "AgentMemoryStore",
    "CompactionReport",
    "EmbeddingServiceError",
    "LexicalEmbeddingFunction",
    "LocalMiniLMEmbeddingFunction",
    "MemoryConfigError",
    "MemoryHit",
    "MemoryRecord",
    "MemorySettings",
    "MiniLMEmbedder",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "OpenAICompatibleEmbeddingFunction",
    "RetentionPolicy",
    "build_embedding_function",
    "chroma_settings",
    "load_minilm",
    "minilm_installed",
]
