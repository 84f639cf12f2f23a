"""Thompson sampling with a Bayesian linear model of log engagement over all decision dimensions.

Effects of pillar, topic, hook, tone, length, twin, weekday and hour multiply, so the model is
additive in log(score): ``log score = b0 + sum of one coefficient per chosen option``. Fitting all
dimensions jointly separates them (a good hour is not credited to the topic posted at that hour).
Each draw samples the coefficients from their Gaussian posterior; an option never tried has its
prior, so it still gets picked now and then, and one lucky post moves its coefficient only a little.

Four refinements make the most of few, noisy posts:

* Reach and rate. Interactions = views x interactions-per-view, and the two factors have
  different causes and different noise (who gets shown the post vs what they do once they see
  it). When a post's relative views are known, the model fits ``log views`` and
  ``log(interactions / views)`` as two linked regressions over the same options, and an
  option's effect on engagement is the sum of its two effects. An option that only moves the
  rate (say a tone) is then judged against the rate's smaller noise instead of the whole
  post's. Posts without views (e.g. creator ratings) still count, as observations of the sum.
* Empirical Bayes. How much options of a dimension differ (the prior sd of its effects, per
  factor) and the noise of each factor are estimated from the data by EM, under weak
  inverse-gamma hyperpriors centred on ``PRIOR_SD`` and ``NOISE_SD``. A dimension whose options
  hardly differ is shrunk hard (no chasing noise); one that matters is allowed to move.
* Retention. Where platforms report watch time, each post's retention (the average share of
  the reel a view watched) is known, and it is measured on every view, so it is far less noisy
  than interactions. Its own regression over the options (with EB as below) tells which options
  keep people watching, and each factor gets a coefficient on the post's log retention: how
  much watching moves engagement, learned from every post. An option's effect on engagement is
  then its direct effect plus its effect on retention times that coefficient. Length is taken
  to act through retention (its direct effect has a tight fixed prior, ``LENGTH_DIRECT_SD``),
  so which length keeps an audience watching is learned from a few posts' retention instead of
  from their noisy interactions alone.
* Smooth hours. Posting hours get a Gaussian-process prior (a squared-exponential kernel on
  the circular clock, length scale ``HOUR_SCALE`` hours), so 20:00 doing well raises 18:00 and
  22:00 a little too, and the good part of the day is found with fewer posts.

How draws explore:

* Annealed Thompson sampling. While the agent has fewer than ``EXPLORE_POSTS`` weighted posts
  (about two weeks of daily posts) it draws from the full posterior. After that the
  covariance of a draw is scaled by
  ``(EXPLORE_POSTS / n) ** ANNEAL_POWER`` (floor ``MIN_EXPLORATION``): still posterior
  sampling, but tempered towards the posterior mean as evidence accumulates, so once the
  options are roughly known the agent mostly uses the best of them. Annealing narrows what the
  posts have taught; an option that was never tried has been taught nothing, so its draw keeps
  its whole posterior spread (its prior, or for an hour, what its neighbours imply). Otherwise
  an option left out of the first weeks would never get its chance.
* A week is a batch. After each slot is drawn, the model is conditioned on that slot as if it
  had been observed at its expected value (``imagine``, a hallucinated observation as in
  GP-BUCB): the mean does not move, the variance of what was just planned shrinks, so the next
  draw leans to other options. This matters most for hours (a day's hour is one coefficient);
  for content, one post informs a sum of several coefficients and the nudge is small.
* With no evidence at all (a learning agent's first week), planning uses a balanced design
  instead of draws: each dimension cycles through a seeded shuffle of its options, so every
  option is tried once before any is tried twice (see ``learning._balanced_design``).
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
"""Prior sd of one option's effect on log engagement (0.4 ~ x0.67 to x1.5), before EB."""
NOISE_SD = 0.35
"""Assumed per-post noise of log engagement, before EB."""
EXPLORE_POSTS = 14.0
"""Weighted posts (about two weeks of daily posts) before draws start to anneal."""
ANNEAL_POWER = 4.0
"""How fast draws narrow once past EXPLORE_POSTS: covariance x (EXPLORE_POSTS / n) ** power."""
MIN_EXPLORATION = 0.02
"""Draws never narrow below this share of the posterior covariance (exploration never stops)."""
FLOOR = 0.05
HOUR_SCALE = 3.0
"""Length scale (hours) of the smoothness prior over posting hours."""
HYPER_SHAPE = 2.0
"""Shape of the inverse-gamma hyperpriors on the variances: how firmly EB holds to the defaults."""
EM_STEPS = 30
FACTORS = ("reach", "rate")
RETENTION_SD = 0.15
"""Prior sd of one option's effect on log retention (the share of a reel watched), before EB."""
RETENTION_NOISE_SD = 0.1
"""Assumed per-post noise of log retention, before EB."""
MEDIATOR_SD = 1.0
"""Prior sd (mean 0) of the change in log engagement per unit of log retention, over both
factors; 0 leaves retention out of the model."""
LENGTH_DIRECT_SD = 0.03
"""Prior sd of a length bucket's effect on log engagement other than through retention, when
retention is known (fixed, not fitted: length acts through how much of the reel is watched)."""


def exploration(n: float) -> float:
    """Share of the posterior covariance a draw uses after ``n`` weighted posts (annealed Thompson sampling)."""
    if n <= EXPLORE_POSTS:
        return 1.0
    return max(MIN_EXPLORATION, (EXPLORE_POSTS / n) ** ANNEAL_POWER)


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
                corr[i, j] = math.exp(-(d**2) / (2 * HOUR_SCALE**2))
    return corr + np.eye(len(options)) * 1e-3


@dataclass
class Observation:
    """One post (or rating): the options it used, its normalised score and its weight.

    ``reach`` is the post's views relative to the average (None when unknown, as for ratings);
    ``retention`` the average share of the reel a view watched (None when unknown).
    """

    features: dict[str, str]
    score: float
    weight: float = 1.0
    reach: float | None = None
    retention: float | None = None

    def __post_init__(self) -> None:
        if self.retention is not None and self.retention <= 0:
            self.retention = None  # nothing watched is a missing reading, not a retention

    def to_json(self) -> dict[str, Any]:
        raw = {
            "f": {d: self.features[d] for d in DIMENSIONS if self.features.get(d)},
            "y": round(self.score, 5),
            "w": round(self.weight, 4),
        }
        if self.reach is not None:
            raw["v"] = round(self.reach, 5)
        if self.retention is not None:
            raw["r"] = round(self.retention, 5)
        return raw

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Observation:
        reach, retention = raw.get("v"), raw.get("r")
        return cls(
            dict(raw.get("f", {})),
            float(raw.get("y", 1.0)),
            float(raw.get("w", 1.0)),
            None if reach is None else float(reach),
            None if retention is None else float(retention),
        )


def _log(value: float) -> float:
    return math.log(max(value, FLOOR))


@dataclass
class _Fit:
    mean: np.ndarray
    cov: np.ndarray
    tau: dict[tuple[int, str], float]
    noise: list[float]


def _fit(
    design: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    kind: np.ndarray,
    blocks: dict[tuple[int, str], list[int]],
    inverse_corr: dict[tuple[int, str], np.ndarray],
    prior_precision: np.ndarray,
    *,
    tau_centre: float,
    noise_centre: list[float],
    fixed_tau: dict[tuple[int, str], float] | None = None,
) -> _Fit:
    """Bayesian linear regression with empirical-Bayes variances (EM).

    ``blocks`` are the coefficient groups (factor, dimension) sharing a prior variance, with
    correlation ``inverse_corr``; columns outside every block have a fixed Gaussian prior of
    mean 0 and precision ``prior_precision``. ``kind`` is a row's factor (its noise), -1 for a
    row of the sum of all factors. Variances are fitted at their posterior mode under inverse-gamma
    hyperpriors of shape ``HYPER_SHAPE`` centred on ``tau_centre`` and ``noise_centre``.
    """
    tau = {**dict.fromkeys(blocks, tau_centre), **(fixed_tau or {})}
    noise = list(noise_centre)
    factors = range(len(noise))
    width = design.shape[1]
    mean, cov = np.zeros(width), np.eye(width)
    for _ in range(EM_STEPS if len(y) else 1):
        var = np.where(kind >= 0, np.array(noise)[np.maximum(kind, 0)], sum(noise))
        prec_w = w / var
        precision = (design.T * prec_w) @ design + np.diag(prior_precision)
        for block, idx in blocks.items():
            precision[np.ix_(idx, idx)] += inverse_corr[block] / tau[block]
        cov = np.linalg.inv(precision)
        mean = cov @ ((design.T * prec_w) @ y)
        if not len(y):
            break
        # M-step: variances at the posterior mode under inverse-gamma hyperpriors.
        for block, idx in blocks.items():
            if fixed_tau and block in fixed_tau:
                continue
            second = cov[np.ix_(idx, idx)] + np.outer(mean[idx], mean[idx])
            q = float(np.sum(inverse_corr[block] * second))
            tau[block] = ((HYPER_SHAPE + 1) * tau_centre + q / 2) / (HYPER_SHAPE + 1 + len(idx) / 2)
        resid2 = (y - design @ mean) ** 2 + np.einsum("ij,jk,ik->i", design, cov, design)
        for f in factors:
            mine = (kind == f) | ((kind == -1) & (len(noise) == 1))  # sum rows: one factor
            noise[f] = ((HYPER_SHAPE + 1) * noise_centre[f] + float(w[mine] @ resid2[mine]) / 2) / (
                HYPER_SHAPE + 1 + float(w[mine].sum()) / 2
            )
    return _Fit(mean, cov, tau, noise)


class EffectModel:
    """Posterior over per-option effects, fitted from observations.

    Args:
        observations: Past posts and ratings.
        options: Options to keep a coefficient for even if never used (dimension -> options;
            topics are mapped through ``topic_label``).
        topic_label: Candidate topic -> the label its evidence is kept under.
    """

    def __init__(
        self,
        observations: Sequence[Observation],
        options: dict[str, list[str]] | None = None,
        topic_label: Callable[[str], str] | None = None,
    ) -> None:
        self.label = topic_label or (lambda t: t)
        universe: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
        for dim, values in (options or {}).items():
            for value in values if dim in universe else []:
                name = self.label(value) if dim == "topic" else value
                if name not in universe[dim]:
                    universe[dim].append(name)
        for obs in observations:
            for dim in DIMENSIONS:
                seen = obs.features.get(dim)
                if seen and seen not in universe[dim]:
                    universe[dim].append(seen)
        self.columns: dict[tuple[str, str], int] = {}
        for dim in DIMENSIONS:
            for value in universe[dim]:
                self.columns[(dim, value)] = len(self.columns)
        k = len(self.columns)
        split = any(o.reach is not None for o in observations)
        self.factors = FACTORS if split else FACTORS[:1]
        nf = len(self.factors)
        blocks: dict[tuple[int, str], list[int]] = {}
        for (dim, _), col in self.columns.items():
            for f in range(nf):
                blocks.setdefault((f, dim), []).append(f * (k + 1) + col + 1)
        inverse_corr = {
            (f, dim): np.linalg.inv(prior_correlation(dim, universe[dim])) for f, dim in blocks
        }
        self.seen = np.zeros(k)  # weighted posts per option (planned ones count once imagined)
        indicators = [self._indicator(o.features) for o in observations]
        for obs, x in zip(observations, indicators, strict=True):
            self.seen += x[1:] * obs.weight

        # Retention (how much of the reel is watched), when known, mediates: its own regression
        # over the options, and a coefficient per factor on the post's log retention.
        retention = self._fit_retention(
            observations,
            indicators,
            {key: idx for key, idx in blocks.items() if key[0] == 0},
            inverse_corr,
        )
        mediated = retention is not None
        base = (k + 1) * nf  # the mediator coefficients sit after every factor's block
        width = base + (nf if mediated else 0)
        covariate = np.zeros(len(observations))
        centre = 0.0
        if retention is not None:
            known = [
                _log(o.retention)
                if o.retention is not None
                else float(x @ retention)  # unknown: as the options predict it
                for o, x in zip(observations, indicators, strict=True)
            ]
            centre = float(np.mean(known))
            covariate = np.array(known) - centre

        # One row per factor for posts with known reach, one row of the sum for the others.
        rows: list[np.ndarray] = []
        targets: list[float] = []
        weights: list[float] = []
        kinds: list[int] = []  # factor index, or -1 for a row of the sum
        for i, (obs, x) in enumerate(zip(observations, indicators, strict=True)):
            if split and obs.reach is not None:
                for f, target in enumerate((_log(obs.reach), _log(obs.score) - _log(obs.reach))):
                    row = np.zeros(width)
                    row[f * (k + 1) : (f + 1) * (k + 1)] = x
                    if mediated:
                        row[base + f] = covariate[i]
                    rows.append(row)
                    targets.append(target)
                    weights.append(obs.weight)
                    kinds.append(f)
            else:
                row = np.zeros(width)
                row[:base] = np.tile(x, nf)
                if mediated:
                    row[base:] = covariate[i]
                rows.append(row)
                targets.append(_log(obs.score))
                weights.append(obs.weight)
                kinds.append(-1)
        share = 1.0 / nf  # the defaults split evenly between the factors
        prior_precision = np.zeros(width)
        for f in range(nf):
            prior_precision[f * (k + 1)] = 1.0  # intercepts loosely near 0
        if mediated:
            prior_precision[base:] = 1.0 / (MEDIATOR_SD**2 * share)
        fit = _fit(
            np.array(rows).reshape(len(rows), width),
            np.array(targets),
            np.array(weights),
            np.array(kinds, dtype=int),
            blocks,
            inverse_corr,
            prior_precision,
            tau_centre=PRIOR_SD**2 * share,
            noise_centre=[NOISE_SD**2 * share] * nf,
            fixed_tau={(f, "length_bucket"): LENGTH_DIRECT_SD**2 * share for f in range(nf)}
            if mediated
            else None,
        )
        self.tau, self.noise = fit.tau, fit.noise
        # Effects on engagement: the sum over factors of each option's coefficient, plus (when
        # retention mediates) the option's effect on log retention times each factor's mediator.
        total = np.zeros((k + 1, width))
        for f in range(nf):
            total[:, f * (k + 1) : (f + 1) * (k + 1)] = np.eye(k + 1)
        if retention is not None:
            through = retention.copy()
            through[0] -= centre
            total[:, base:] = through[:, None]
        self.mediator = fit.mean[base:].copy() if mediated else np.zeros(0)
        self.mean = total @ fit.mean
        self.cov = total @ fit.cov @ total.T
        self.cov = (self.cov + self.cov.T) / 2
        self.n = float(sum(o.weight for o in observations))

    def _fit_retention(
        self,
        observations: Sequence[Observation],
        indicators: list[np.ndarray],
        blocks: dict[tuple[int, str], list[int]],
        inverse_corr: dict[tuple[int, str], np.ndarray],
    ) -> np.ndarray | None:
        """Posterior mean of log retention's intercept and per-option effects (None if unknown).

        Retention is a view's share of the reel watched: length, hook and pacing move it, and
        it is measured on every view, so it is far less noisy than interactions. Knowing which
        options keep people watching, and how much watching moves engagement, an option is
        judged on both (a length bucket is learned from a few posts' retention).
        """
        rows = [
            (x, _log(o.retention), o.weight)
            for o, x in zip(observations, indicators, strict=True)
            if o.retention is not None
        ]
        if not rows or MEDIATOR_SD <= 0:
            return None
        prior_precision = np.zeros(len(self.columns) + 1)
        prior_precision[0] = 1.0
        fit = _fit(
            np.array([x for x, _, _ in rows]),
            np.array([t for _, t, _ in rows]),
            np.array([w for _, _, w in rows]),
            np.zeros(len(rows), dtype=int),
            blocks,  # the first factor's blocks: its columns are the options' own
            inverse_corr,
            prior_precision,
            tau_centre=RETENTION_SD**2,
            noise_centre=[RETENTION_NOISE_SD**2],
        )
        return fit.mean

    def _indicator(self, features: dict[str, str]) -> np.ndarray:
        """The intercept and a 1 for each known option in ``features`` (one design row)."""
        x = np.zeros(len(self.columns) + 1)
        x[0] = 1.0
        for dim in DIMENSIONS:
            col = self.columns.get((dim, features.get(dim, "")))
            if col is not None:
                x[col + 1] = 1.0
        return x

    def sample(
        self, rng: np.random.Generator, scale: float | None = None
    ) -> dict[tuple[str, str], float]:
        """One draw of every known option's effect (covariance times ``scale``, default annealed)."""
        if not self.columns:
            return {}
        factor = exploration(self.n) if scale is None else scale
        draw = rng.multivariate_normal(self.mean, self.cov * factor, method="cholesky")
        if factor < 1.0:  # never-tried options keep their whole spread (see the module doc)
            fresh = np.flatnonzero(self.seen <= 0) + 1
            spread = np.sqrt(np.diag(self.cov)[fresh])
            draw[fresh] = self.mean[fresh] + spread * rng.standard_normal(len(fresh))
        return {key: float(draw[col + 1]) for key, col in self.columns.items()}

    def imagine(self, features: dict[str, str], weight: float = 1.0) -> None:
        """Condition on a planned post as if it had scored exactly as expected (batch exploration).

        The mean stays; the covariance shrinks as one more post with these options would shrink
        it, so the next slot's draw is less likely to spend itself on the same untested options
        (a hallucinated observation, as in GP-BUCB).
        """
        x = self._indicator(features)
        self.seen = self.seen + x[1:] * weight
        shared = self.cov @ x
        self.cov = self.cov - np.outer(shared, shared) / (
            float(x @ shared) + sum(self.noise) / weight
        )
        self.cov = (self.cov + self.cov.T) / 2

    def effect(self, dim: str, option: str) -> tuple[float, float]:
        """Posterior mean and sd of one option's effect (0, PRIOR_SD for an unseen option)."""
        col = self.columns.get((dim, option))
        if col is None:
            return 0.0, PRIOR_SD
        return float(self.mean[col + 1]), math.sqrt(float(self.cov[col + 1, col + 1]))


@dataclass(frozen=True)
class Estimate:
    """One option's effect from the joint model, as a multiplier of the agent's average post
    along its dimension (1.0 = average), with the same interface as ``OptionStats``.

    ``n`` is the weighted posts that used the option; ``log_mean`` and ``log_sd`` describe the
    effect on log engagement.
    """

    n: float
    log_mean: float
    log_sd: float

    def posterior(self) -> tuple[float, float]:
        mean = math.exp(self.log_mean)
        return mean, mean * self.log_sd

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
        cols = [(opt, col) for (d, opt), col in model.columns.items() if d == dim]
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


def generator(seed: str) -> np.random.Generator:
    return np.random.default_rng(int(hashlib.sha256(seed.encode()).hexdigest()[:16], 16))


def pick(
    draw: dict[tuple[str, str], float],
    dim: str,
    options: list[str],
    rng: np.random.Generator,
    label: Callable[[str], str] | None = None,
) -> str:
    """The option with the highest drawn effect; options the model does not know draw from the prior."""
    to_key = label or (lambda o: o)
    best, best_value = options[0], -math.inf
    for option in options:
        key = (dim, to_key(option) if dim == "topic" else option)
        value = draw[key] if key in draw else float(rng.normal(0.0, PRIOR_SD))
        if value > best_value:
            best, best_value = option, value
    return best
