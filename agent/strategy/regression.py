"""Bayesian linear regression with empirical-Bayes variances, the effect model's engine."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from agent.strategy import priors


@dataclass
class Fit:
    """Posterior mean and covariance of the coefficients, and the fitted variances."""

    mean: np.ndarray
    cov: np.ndarray
    tau: dict[tuple[int, str], float]
    noise: list[float]


Block = tuple[int, str]
"""A group of coefficients sharing a prior variance: (factor, dimension name)."""


def log_floor(value: float) -> float:
    """``log(value)``, with values below ``priors.FLOOR`` counted as the floor."""
    return math.log(max(value, priors.FLOOR))


def _clock(option: str) -> float | None:
    try:
        hh, mm = option.split(":")
        return int(hh) + int(mm) / 60
    except ValueError:
        return None


def prior_correlation(dim: str, options: list[str]) -> np.ndarray:
    """Prior correlation of the options' effects: independent, except hours close on the clock."""
    corr = np.eye(len(options))
    if dim != "hour":
        return corr
    clock = [_clock(o) for o in options]
    for i, a in enumerate(clock):
        for j, b in enumerate(clock):
            if i != j and a is not None and b is not None:
                d = min(abs(a - b), 24 - abs(a - b))
                corr[i, j] = math.exp(-(d**2) / (2 * priors.HOUR_SCALE**2))
    return corr + np.eye(len(options)) * 1e-3


def fit(
    design: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    kind: np.ndarray,
    blocks: dict[Block, list[int]],
    inverse_corr: dict[Block, np.ndarray],
    prior_precision: np.ndarray,
    *,
    tau_centre: dict[Block, float] | float,
    noise_centre: list[float],
    fixed_tau: dict[Block, float] | None = None,
) -> Fit:
    """Fit by EM: coefficients in the E-step, block and noise variances in the M-step.

    ``blocks`` are the coefficient groups sharing a prior variance, with correlation
    ``inverse_corr``; columns outside every block have a fixed Gaussian prior of mean 0 and
    precision ``prior_precision``. ``kind`` is a row's factor (its noise), -1 for a row of the
    sum of all factors. Variances are fitted at their posterior mode under inverse-gamma
    hyperpriors of shape ``priors.HYPER_SHAPE`` centred on ``tau_centre`` (one value, or one
    per block) and ``noise_centre``; ``fixed_tau`` blocks keep their variance.
    """
    centre = dict(tau_centre) if isinstance(tau_centre, dict) else dict.fromkeys(blocks, tau_centre)
    tau = {**centre, **(fixed_tau or {})}
    noise = list(noise_centre)
    shape = priors.HYPER_SHAPE
    width = design.shape[1]
    mean, cov = np.zeros(width), np.eye(width)
    for _ in range(priors.EM_STEPS if len(y) else 1):
        var = np.where(kind >= 0, np.array(noise)[np.maximum(kind, 0)], sum(noise))
        prec_w = w / var
        precision = (design.T * prec_w) @ design + np.diag(prior_precision)
        for block, idx in blocks.items():
            precision[np.ix_(idx, idx)] += inverse_corr[block] / tau[block]
        cov = np.linalg.inv(precision)
        mean = cov @ ((design.T * prec_w) @ y)
        if not len(y):
            break
        for block, idx in blocks.items():
            if fixed_tau and block in fixed_tau:
                continue
            second = cov[np.ix_(idx, idx)] + np.outer(mean[idx], mean[idx])
            q = float(np.sum(inverse_corr[block] * second))
            tau[block] = ((shape + 1) * centre[block] + q / 2) / (shape + 1 + len(idx) / 2)
        resid2 = (y - design @ mean) ** 2 + np.einsum("ij,jk,ik->i", design, cov, design)
        for f in range(len(noise)):
            mine = (kind == f) | ((kind == -1) & (len(noise) == 1))  # sum rows: one factor
            noise[f] = ((shape + 1) * noise_centre[f] + float(w[mine] @ resid2[mine]) / 2) / (
                shape + 1 + float(w[mine].sum()) / 2
            )
    return Fit(mean, cov, tau, noise)


__all__ = ["Block", "Fit", "fit", "log_floor", "prior_correlation"]
