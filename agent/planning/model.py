"""Thompson sampling with a Bayesian linear model of log engagement over all decision dimensions.

Effects of pillar, topic, hook, tone, length, twin, weekday and hour multiply, so the model is
additive in log(score): ``log score = b0 + sum of one coefficient per chosen option``. Fitting all
dimensions jointly separates them (a good hour is not credited to the topic posted at that hour).
Each draw samples the coefficients from their Gaussian posterior; an option never tried has its
prior, so it still gets picked now and then, and one lucky post moves its coefficient only a little.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from agent.planning.learning import DIMENSIONS

PRIOR_SD = 0.4
"""Prior sd of one option's effect on log engagement (0.4 ~ x0.67 to x1.5)."""
NOISE_SD = 0.35
"""Assumed per-post noise of log engagement."""
EXPLORATION = 0.3
"""Scale of the posterior covariance when drawing: below 1 trades some exploration for exploitation."""
FLOOR = 0.05


@dataclass
class Observation:
    """One post (or rating): the options it used, its normalised score and its weight."""

    features: dict[str, str]
    score: float
    weight: float = 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "f": {d: self.features[d] for d in DIMENSIONS if self.features.get(d)},
            "y": round(self.score, 5),
            "w": round(self.weight, 4),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Observation:
        return cls(dict(raw.get("f", {})), float(raw.get("y", 1.0)), float(raw.get("w", 1.0)))


class EffectModel:
    """Posterior over per-option effects, fitted from observations."""

    def __init__(
        self,
        observations: Sequence[Observation],
        options: dict[str, list[str]] | None = None,
        topic_label: Callable[[str], str] | None = None,
    ) -> None:
        self.label = topic_label or (lambda t: t)
        columns: dict[tuple[str, str], int] = {}
        for obs in observations:
            for dim in DIMENSIONS:
                if obs.features.get(dim):
                    columns.setdefault((dim, obs.features[dim]), len(columns))
        self.columns = columns
        k = len(columns)
        x = np.zeros((len(observations), k + 1))
        x[:, 0] = 1.0
        y = np.array([math.log(max(o.score, FLOOR)) for o in observations])
        w = np.array([o.weight for o in observations])
        for row, obs in enumerate(observations):
            for dim in DIMENSIONS:
                col = columns.get((dim, obs.features.get(dim, "")))
                if col is not None:
                    x[row, col + 1] = 1.0
        prior = np.full(k + 1, 1 / PRIOR_SD**2)
        prior[0] = 1.0  # the intercept is loosely held near 0 (score 1.0 = average)
        noise_var = NOISE_SD**2
        precision = (x.T * w) @ x / noise_var + np.diag(prior)
        self.cov = np.linalg.inv(precision)
        self.mean = self.cov @ ((x.T * w) @ y) / noise_var
        self.cov = (self.cov + self.cov.T) / 2
        self.n = float(w.sum())

    def sample(self, rng: np.random.Generator) -> dict[tuple[str, str], float]:
        """One draw of every known option's effect."""
        if not self.columns:
            return {}
        draw = rng.multivariate_normal(self.mean, self.cov * EXPLORATION, method="cholesky")
        return {key: float(draw[col + 1]) for key, col in self.columns.items()}

    def effect(self, dim: str, option: str) -> tuple[float, float]:
        """Posterior mean and sd of one option's effect (0, PRIOR_SD for an unseen option)."""
        col = self.columns.get((dim, option))
        if col is None:
            return 0.0, PRIOR_SD
        return float(self.mean[col + 1]), math.sqrt(float(self.cov[col + 1, col + 1]))


def generator(seed: str) -> np.random.Generator:
    return np.random.default_rng(int(hashlib.sha256(seed.encode()).hexdigest()[:16], 16))


def pick(
    draw: dict[tuple[str, str], float],
    dim: str,
    options: list[str],
    rng: np.random.Generator,
    label: Callable[[str], str] | None = None,
) -> str:
    """The option with the highest drawn effect; unseen options draw from the prior."""
    to_key = label or (lambda o: o)
    best, best_value = options[0], -math.inf
    for option in options:
        key = (dim, to_key(option) if dim == "topic" else option)
        value = (
            draw[key] if key in draw else float(rng.normal(0.0, PRIOR_SD * math.sqrt(EXPLORATION)))
        )
        if value > best_value:
            best, best_value = option, value
    return best
