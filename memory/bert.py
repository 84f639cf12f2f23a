"""A BERT encoder forward pass in NumPy (float32), enough to run MiniLM without PyTorch.

Weights are read with ``safetensors.numpy`` under the Hugging Face ``BertModel``
names. Linear weights are stored ``(out, in)`` in the file and transposed once at
load time so every projection is a plain ``x @ w + b``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from safetensors.numpy import load_file

__all__ = ["BertConfig", "BertEncoder", "erf", "gelu"]

Array = NDArray[np.float32]

# Abramowitz & Stegun 7.1.26 for erfc on z >= 0: absolute error at most 1.5e-7 in exact
# arithmetic (about 5e-7 once evaluated in float32), below what float32 activations
# resolve. NumPy has no erf and SciPy is not a dependency.
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(
    np.float32(a) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
)
_INV_SQRT2 = np.float32(1.0 / np.sqrt(2.0))


def _erfc_nonneg(z: Array) -> Array:
    """erfc(z) for z >= 0 (A&S 7.1.26), computed in place on fresh temporaries."""
    a1, a2, a3, a4, a5 = _ERF_A
    t = z * _ERF_P
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * a5
    for coefficient in (a4, a3, a2, a1):
        poly += coefficient
        poly *= t
    gauss = z * z
    np.negative(gauss, out=gauss)
    np.exp(gauss, out=gauss)
    poly *= gauss
    return poly


def erf(x: Array) -> Array:
    """Error function, vectorised, float32 (A&S 7.1.26, absolute error < 1e-6)."""
    x = np.asarray(x, dtype=np.float32)
    result = _erfc_nonneg(np.abs(x))
    np.subtract(np.float32(1.0), result, out=result)
    result *= np.sign(x)
    return result


def gelu(x: Array) -> Array:
    """Exact (erf-based) GELU, as used by BERT's ``hidden_act="gelu"``.

    Uses ``0.5 * x * (1 + erf(x / sqrt 2))``, rewritten with ``erfc(|x| / sqrt 2)``
    so one polynomial serves both signs.
    """
    half_x_erfc = _erfc_nonneg(np.abs(x) * _INV_SQRT2)
    half_x_erfc *= x
    half_x_erfc *= np.float32(0.5)
    # x >= 0: x * (1 - erfc/2);  x < 0: x * erfc/2.
    return np.where(x >= 0, x - half_x_erfc, half_x_erfc)


def _layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    centered = x - mean
    var = np.mean(centered * centered, axis=-1, keepdims=True)
    return centered / np.sqrt(var + np.float32(eps)) * weight + bias


def _softmax(x: Array) -> Array:
    x = x - x.max(axis=-1, keepdims=True)
    np.exp(x, out=x)
    x /= x.sum(axis=-1, keepdims=True)
    return x


@dataclass(frozen=True, kw_only=True)
class BertConfig:
    """The subset of a Hugging Face BERT ``config.json`` the forward pass needs."""

    hidden_size: int
    num_attention_heads: int
    num_hidden_layers: int
    intermediate_size: int
    layer_norm_eps: float
    max_position_embeddings: int

    @classmethod
    def from_dict(cls, config: dict[str, Any]) -> BertConfig:
        """Build from a parsed ``config.json``; rejects activations other than GELU."""
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"Unsupported hidden_act {config.get('hidden_act')!r}; need 'gelu'.")
        if config.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError("Only absolute position embeddings are supported.")
        return cls(
            hidden_size=int(config["hidden_size"]),
            num_attention_heads=int(config["num_attention_heads"]),
            num_hidden_layers=int(config["num_hidden_layers"]),
            intermediate_size=int(config["intermediate_size"]),
            layer_norm_eps=float(config["layer_norm_eps"]),
            max_position_embeddings=int(config["max_position_embeddings"]),
        )


@dataclass(frozen=True, kw_only=True)
class _Layer:
    qkv_w: Array  # (hidden, 3 * hidden): query, key, value fused
    qkv_b: Array
    out_w: Array
    out_b: Array
    ln1_w: Array
    ln1_b: Array
    ffn_in_w: Array
    ffn_in_b: Array
    ffn_out_w: Array
    ffn_out_b: Array
    ln2_w: Array
    ln2_b: Array


class BertEncoder:
    """BERT encoder producing the last hidden state for a padded batch of token ids."""

    def __init__(self, weights_path: Path, config: BertConfig) -> None:
        """Load and arrange the weights.

        Args:
            weights_path: A ``model.safetensors`` file with ``BertModel`` tensor names.
            config: The model dimensions and layer norm epsilon.
        """
        self.config = config
        tensors = load_file(str(weights_path))

        def get(name: str) -> Array:
            if name not in tensors:
                raise KeyError(f"{weights_path} has no tensor {name!r}; not a BERT model.")
            return np.ascontiguousarray(tensors[name], dtype=np.float32)

        def linear(prefix: str) -> tuple[Array, Array]:
            return np.ascontiguousarray(get(f"{prefix}.weight").T), get(f"{prefix}.bias")

        self._word = get("embeddings.word_embeddings.weight")
        self._position = get("embeddings.position_embeddings.weight")
        self._token_type = get("embeddings.token_type_embeddings.weight")
        self._emb_ln = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self._layers: list[_Layer] = []
        for i in range(config.num_hidden_layers):
            p = f"encoder.layer.{i}"
            q_w, q_b = linear(f"{p}.attention.self.query")
            k_w, k_b = linear(f"{p}.attention.self.key")
            v_w, v_b = linear(f"{p}.attention.self.value")
            out_w, out_b = linear(f"{p}.attention.output.dense")
            in_w, in_b = linear(f"{p}.intermediate.dense")
            ffo_w, ffo_b = linear(f"{p}.output.dense")
            self._layers.append(
                _Layer(
                    qkv_w=np.ascontiguousarray(np.concatenate([q_w, k_w, v_w], axis=1)),
                    qkv_b=np.concatenate([q_b, k_b, v_b]),
                    out_w=out_w,
                    out_b=out_b,
                    ln1_w=get(f"{p}.attention.output.LayerNorm.weight"),
                    ln1_b=get(f"{p}.attention.output.LayerNorm.bias"),
                    ffn_in_w=in_w,
                    ffn_in_b=in_b,
                    ffn_out_w=ffo_w,
                    ffn_out_b=ffo_b,
                    ln2_w=get(f"{p}.output.LayerNorm.weight"),
                    ln2_b=get(f"{p}.output.LayerNorm.bias"),
                )
            )

    def forward(
        self,
        input_ids: NDArray[np.int64],
        attention_mask: NDArray[np.int64],
        token_type_ids: NDArray[np.int64] | None = None,
    ) -> Array:
        """Run the encoder.

        Args:
            input_ids: Token ids, shape ``(batch, seq)``.
            attention_mask: 1 for real tokens, 0 for padding, shape ``(batch, seq)``.
            token_type_ids: Segment ids; zeros when omitted.

        Returns:
            The last hidden state, shape ``(batch, seq, hidden)``, float32.
        """
        cfg = self.config
        batch, seq = input_ids.shape
        if seq > cfg.max_position_embeddings:
            raise ValueError(
                f"Sequence length {seq} exceeds {cfg.max_position_embeddings}; truncate first."
            )
        if token_type_ids is None:
            token_type_ids = np.zeros_like(input_ids)
        hidden = self._word[input_ids] + self._position[:seq][None, :, :]
        hidden = hidden + self._token_type[token_type_ids]
        hidden = _layer_norm(hidden, *self._emb_ln, cfg.layer_norm_eps)

        heads = cfg.num_attention_heads
        head_dim = cfg.hidden_size // heads
        scale = np.float32(1.0 / np.sqrt(head_dim))
        # Additive mask: padded keys get a large negative score before the softmax.
        mask_bias = ((1.0 - attention_mask.astype(np.float32)) * np.float32(-1e9))[:, None, None, :]
        x = hidden.reshape(batch * seq, cfg.hidden_size)
        for layer in self._layers:
            qkv = x @ layer.qkv_w + layer.qkv_b
            qkv = qkv.reshape(batch, seq, 3, heads, head_dim).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q * scale) @ k.transpose(0, 1, 3, 2) + mask_bias
            context = _softmax(scores) @ v
            context = context.transpose(0, 2, 1, 3).reshape(batch * seq, cfg.hidden_size)
            attn_out = context @ layer.out_w + layer.out_b
            x = _layer_norm(attn_out + x, layer.ln1_w, layer.ln1_b, cfg.layer_norm_eps)
            inner = gelu(x @ layer.ffn_in_w + layer.ffn_in_b)
            ffn_out = inner @ layer.ffn_out_w + layer.ffn_out_b
            x = _layer_norm(ffn_out + x, layer.ln2_w, layer.ln2_b, cfg.layer_norm_eps)
        return x.reshape(batch, seq, cfg.hidden_size).astype(np.float32, copy=False)
