"""Each option's effect against its dimension's average, from the joint model."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from agent.strategy.dimensions import DIMENSIONS
from agent.strategy.model import EffectModel


@dataclass(frozen=True)
class Estimate:
    """One option's effect from the joint model, as a multiplier of the agent's average post
    along its dimension (1.0 = average).

    ``n`` is the weighted posts that used the option; ``log_mean`` and ``log_sd`` describe the
    effect on log engagement. ``posterior()`` gives the multiplier's median and its sd, and
    ``interval()`` its 90% interval, which always contains the median.
    """

    n: float
    log_mean: float
    log_sd: float

    def posterior(self) -> tuple[float, float]:
        median = math.exp(self.log_mean)
        return median, median * self.log_sd

    def interval(self, z: float = 1.64) -> tuple[float, float]:
        return (
            math.exp(self.log_mean - z * self.log_sd),
            math.exp(self.log_mean + z * self.log_sd),
        )


def estimates(model: EffectModel) -> dict[str, dict[str, Estimate]]:
    """Every tried option's effect against the post-weighted average of its dimension.

    Unlike per-option averages, these are adjusted for everything else the posts used: a topic
    posted once at a bad hour is not blamed for the hour.
    """
    result: dict[str, dict[str, Estimate]] = {}
    for dim in DIMENSIONS:
        cols = [
            (opt, col) for (d, opt), col in model.columns.items() if d == dim and "@" not in opt
        ]
        total = float(sum(model.seen[col] for _, col in cols))
        if total <= 0:
            continue
        average = np.zeros(len(model.mean))
        for _, col in cols:
            average[col + 1] = model.seen[col] / total
        for option, col in cols:
            if model.seen[col] <= 0:
                continue
            contrast = -average
            contrast[col + 1] += 1.0
            result.setdefault(dim, {})[option] = Estimate(
                float(model.seen[col]),
                float(contrast @ model.mean),
                math.sqrt(max(float(contrast @ model.cov @ contrast), 0.0)),
            )
    return result


__all__ = ["Estimate", "estimates"]
