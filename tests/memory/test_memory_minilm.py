"""The NumPy all-MiniLM-L6-v2: reference values, semantics, shapes, integrity checks."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from memory import MiniLMEmbedder, ModelIntegrityError, ModelNotFoundError
from memory.bert import erf, gelu
from memory.model_files import EXPECTED_SHA256, default_model_dir, sha256_file


def cosine_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a @ b.T


def test_matches_published_sentence_transformers_scores(minilm: MiniLMEmbedder) -> None:
    # Values printed in the sentence-transformers documentation for all-MiniLM-L6-v2
    # (usage page and semantic textual similarity page), to 4 decimals.
    weather = minilm.embed(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    np.testing.assert_allclose(
        cosine_matrix(weather, weather),
        [[1.0, 0.6660, 0.1046], [0.6660, 1.0, 0.1411], [0.1046, 0.1411, 1.0]],
        atol=6e-4,
    )
    left = minilm.embed(
        ["The new movie is awesome", "The cat sits outside", "A man is playing guitar"]
    )
    right = minilm.embed(
        ["The dog plays in the garden", "The new movie is so great", "A woman watches TV"]
    )
    np.testing.assert_allclose(
        cosine_matrix(left, right),
        [[0.0543, 0.8939, -0.0502], [0.2838, -0.0029, 0.1310], [0.2277, -0.0136, -0.0327]],
        atol=6e-4,
    )


PARAPHRASES = [
    ("How do I grow my TikTok audience?", "Ways to get more followers on TikTok"),
    ("Morning routine tips for busy founders", "How startup founders should start their day"),
    ("This reel about budget travel went viral", "The cheap travel video got huge views"),
    ("Quick healthy breakfast recipes", "Fast and nutritious meals to eat in the morning"),
    ("The creator wants fewer posts about politics", "Avoid political topics in content"),
]
UNRELATED = [
    "The stock market closed lower on Friday",
    "Photosynthesis converts light into chemical energy",
    "My car needs new winter tyres",
]


@pytest.mark.parametrize(("first", "second"), PARAPHRASES)
def test_paraphrases_score_clearly_closer_than_unrelated(
    minilm: MiniLMEmbedder, first: str, second: str
) -> None:
    vectors = minilm.embed([first, second, *UNRELATED])
    sims = vectors @ vectors[0]
    paraphrase, unrelated = sims[1], sims[2:]
    assert paraphrase > 0.45
    assert paraphrase - unrelated.max() > 0.3


def test_output_is_384_dims_unit_norm_float32(minilm: MiniLMEmbedder) -> None:
    vectors = minilm.embed(["one", "two words", "", "a much longer sentence " * 10])
    assert vectors.shape == (4, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert minilm.embed([]).shape == (0, 384)
    assert minilm.name == "twin-minilm-l6-v2"


def test_batching_and_padding_do_not_change_embeddings(minilm: MiniLMEmbedder) -> None:
    texts = ["short", "a somewhat longer sentence about posting reels at noon", "mid length text"]
    together = minilm.embed(texts)
    alone = np.vstack([minilm.embed([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=2e-5)


def test_inputs_are_truncated_at_max_seq_length(minilm: MiniLMEmbedder) -> None:
    assert minilm.max_seq_length == 256
    base = "creators plan weekly content calendars " * 60  # well over 256 word pieces
    changed_tail = base + "completely different ending about volcanoes and submarines"
    a, b = minilm.embed([base, changed_tail])
    np.testing.assert_allclose(a, b, atol=1e-6)
    short_a, short_b = minilm.embed(["plan content", "plan content about volcanoes"])
    assert float(short_a @ short_b) < 0.99  # below the limit the tail does matter


def test_single_string_is_rejected(minilm: MiniLMEmbedder) -> None:
    with pytest.raises(TypeError, match="list of strings"):
        minilm.embed("not a list")  # type: ignore[arg-type]


def test_erf_and_gelu_match_the_exact_functions() -> None:
    x = np.linspace(-8, 8, 40001, dtype=np.float32)
    exact_erf = np.array([math.erf(float(v)) for v in x])
    assert np.abs(erf(x) - exact_erf).max() < 1e-6
    exact_gelu = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(float)])
    assert np.abs(gelu(x) - exact_gelu).max() < 5e-6


def test_recorded_hashes_match_installed_files() -> None:
    model_dir = default_model_dir()
    for name, digest in EXPECTED_SHA256.items():
        assert sha256_file(model_dir / name) == digest


def _copy_model(target: Path) -> Path:
    shutil.copytree(default_model_dir(), target)
    return target


def test_tampered_weights_are_refused(tmp_path: Path) -> None:
    copy = _copy_model(tmp_path / "model")
    with (copy / "model.safetensors").open("r+b") as handle:
        handle.seek(-16, 2)
        last = handle.read(16)
        handle.seek(-16, 2)
        handle.write(bytes(b ^ 0xFF for b in last))
    with pytest.raises(ModelIntegrityError, match=r"model\.safetensors has SHA-256"):
        MiniLMEmbedder(copy)


def test_tampered_tokenizer_is_refused(tmp_path: Path) -> None:
    copy = _copy_model(tmp_path / "model")
    tokenizer = copy / "tokenizer.json"
    tokenizer.write_text(tokenizer.read_text(encoding="utf-8") + " ", encoding="utf-8")
    with pytest.raises(ModelIntegrityError, match="reinstall"):
        MiniLMEmbedder(copy)


def test_untampered_copy_loads_and_agrees(tmp_path: Path, minilm: MiniLMEmbedder) -> None:
    copy = MiniLMEmbedder(_copy_model(tmp_path / "model"))
    np.testing.assert_allclose(copy.embed(["same text"]), minilm.embed(["same text"]), atol=1e-6)


def test_missing_files_give_a_clear_error(tmp_path: Path) -> None:
    copy = _copy_model(tmp_path / "model")
    (copy / "tokenizer.json").unlink()
    with pytest.raises(ModelNotFoundError, match=r"lacks tokenizer\.json"):
        MiniLMEmbedder(copy)
