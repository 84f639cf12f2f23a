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
  inverse-gamma hyperpriors centred on ``priors.PRIOR_SD`` and ``priors.NOISE_SD``. A dimension whose options
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
* Changes of taste. Audiences drift. When the latest week's posts, along one dimension, sit
  far from what the model predicted for them (:mod:`agent.strategy.drift`), a :class:`Change`
  is recorded: the posts from before it keep their own, old-era options of that dimension
  (``topic@2030-02-04``), so the dimension is relearned from the new posts alone while every
  other dimension keeps all its evidence, and annealing restarts at the change (draws explore
  again where the model knows nothing new yet).
* With no evidence at all (a learning agent's first week), planning uses a balanced design
  instead of draws: each dimension cycles through a seeded shuffle of its options, so every
  option is tried once before any is tried twice (see :func:`agent.strategy.draws.balanced_design`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from agent.strategy import priors
from agent.strategy.dimensions import DIMENSIONS
from agent.strategy.observation import Change, Observation
from agent.strategy.regression import Block, fit, log_floor, prior_correlation

FACTORS = ("reach", "rate")


def exploration(n: float) -> float:
    """Share of the posterior covariance a draw uses after ``n`` weighted posts (annealed Thompson sampling)."""
    if n <= priors.EXPLORE_POSTS:
        return 1.0
    return max(priors.MIN_EXPLORATION, (priors.EXPLORE_POSTS / n) ** priors.ANNEAL_POWER)


class EffectModel:
    """Posterior over per-option effects, fitted from observations.

    Args:
        observations: Past posts and ratings.
        options: Options to keep a coefficient for even if never used (dimension -> options;
            topics are mapped through ``topic_label``).
        topic_label: Candidate topic -> the label its evidence is kept under.
        changes: Detected changes of taste (each starts a new era of its dimension).
    """

    def __init__(
        self,
        observations: Sequence[Observation],
        options: dict[str, list[str]] | None = None,
        topic_label: Callable[[str], str] | None = None,
        changes: Sequence[Change] = (),
    ) -> None:
        self.label = topic_label or (lambda t: t)
        self.changes = [c for c in changes if c.dimension in DIMENSIONS]
        observations = [self._in_era(o) for o in observations]
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
        blocks: dict[Block, list[int]] = {}
        for (dim, _), col in self.columns.items():
            for f in range(nf):
                blocks.setdefault((f, dim), []).append(f * (k + 1) + col + 1)
        inverse_corr = {
            (f, dim): np.linalg.inv(prior_correlation(dim, universe[dim])) for f, dim in blocks
        }
        indicators = [self._indicator(o.features) for o in observations]
        self.seen = sum(
            (x[1:] * o.weight for o, x in zip(observations, indicators, strict=True)), np.zeros(k)
        )
        self.n = float(sum(o.weight for o in observations))
        self.anneal = self._anneal(observations)

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
                log_floor(o.retention)
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
            per_row = (
                [
                    (f, t)
                    for f, t in enumerate(
                        (log_floor(obs.reach), log_floor(obs.score) - log_floor(obs.reach))
                    )
                ]
                if split and obs.reach is not None
                else [(-1, log_floor(obs.score))]
            )
            for f, target in per_row:
                factors = range(nf) if f < 0 else [f]
                row = np.zeros(width)
                for g in factors:
                    row[g * (k + 1) : (g + 1) * (k + 1)] = x
                    if mediated:
                        row[base + g] = covariate[i]
                rows.append(row)
                targets.append(target)
                weights.append(obs.weight)
                kinds.append(f)
        share = 1.0 / nf  # the defaults split evenly between the factors
        prior_precision = np.zeros(width)
        for f in range(nf):
            prior_precision[f * (k + 1)] = 1.0  # intercepts loosely near 0
        if mediated:
            prior_precision[base:] = 1.0 / (priors.MEDIATOR_SD**2 * share)
        result = fit(
            np.array(rows).reshape(len(rows), width),
            np.array(targets),
            np.array(weights),
            np.array(kinds, dtype=int),
            blocks,
            inverse_corr,
            prior_precision,
            tau_centre=priors.PRIOR_SD**2 * share,
            noise_centre=[priors.NOISE_SD**2 * share] * nf,
            fixed_tau={(f, "length_bucket"): priors.LENGTH_DIRECT_SD**2 * share for f in range(nf)}
            if mediated
            else None,
        )
        self.tau, self.noise = result.tau, result.noise
        # Effects on engagement: the sum over factors of each option's coefficient, plus (when
        # retention mediates) the option's effect on log retention times each factor's mediator.
        total = np.zeros((k + 1, width))
        for f in range(nf):
            total[:, f * (k + 1) : (f + 1) * (k + 1)] = np.eye(k + 1)
        if retention is not None:
            through = retention.copy()
            through[0] -= centre
            total[:, base:] = through[:, None]
        self.mediator = result.mean[base:].copy() if mediated else np.zeros(0)
        self.mean = total @ result.mean
        self.cov = total @ result.cov @ total.T
        self.cov = (self.cov + self.cov.T) / 2

    def _in_era(self, obs: Observation) -> Observation:
        """A post from before a change of taste: its option of the changed dimension becomes an
        option of that era (``topic@2030-02-04``), fitted apart from today's, so the old taste
        explains the old posts and tells nothing about the new one."""
        features = dict(obs.features)
        for change in sorted(self.changes, key=lambda c: c.since):
            option = features.get(change.dimension)
            if option and "@" not in option and obs.at is not None and obs.at < change.since:
                features[change.dimension] = f"{option}@{change.since.isoformat()}"
        if features == obs.features:
            return obs
        return Observation(features, obs.score, obs.weight, obs.reach, obs.retention, obs.at)

    def _anneal(self, observations: Sequence[Observation]) -> np.ndarray:
        """Per effect (intercept first), the share of its posterior spread a draw uses: annealed
        on every post, and for a dimension whose taste changed, on the posts since the change."""
        factors = np.full(len(self.columns) + 1, exploration(self.n))
        for change in sorted(self.changes, key=lambda c: c.since):
            since = sum(o.weight for o in observations if o.at is not None and o.at >= change.since)
            for (dim, _), col in self.columns.items():
                if dim == change.dimension:
                    factors[col + 1] = exploration(since)
        return factors

    def _fit_retention(
        self,
        observations: Sequence[Observation],
        indicators: list[np.ndarray],
        blocks: dict[Block, list[int]],
        inverse_corr: dict[Block, np.ndarray],
    ) -> np.ndarray | None:
        """Posterior mean of log retention's intercept and per-option effects (None if unknown).

        Retention is a view's share of the reel watched: length, hook and pacing move it, and
        it is measured on every view, so it is far less noisy than interactions. Knowing which
        options keep people watching, and how much watching moves engagement, an option is
        judged on both (a length bucket is learned from a few posts' retention).
        """
        rows = [
            (x, log_floor(o.retention), o.weight)
            for o, x in zip(observations, indicators, strict=True)
            if o.retention is not None
        ]
        if not rows or priors.MEDIATOR_SD <= 0:
            return None
        prior_precision = np.zeros(len(self.columns) + 1)
        prior_precision[0] = 1.0
        result = fit(
            np.array([x for x, _, _ in rows]),
            np.array([t for _, t, _ in rows]),
            np.array([w for _, _, w in rows]),
            np.zeros(len(rows), dtype=int),
            blocks,  # the first factor's blocks: its columns are the options' own
            inverse_corr,
            prior_precision,
            tau_centre=priors.RETENTION_SD**2,
            noise_centre=[priors.RETENTION_NOISE_SD**2],
        )
        return result.mean

    def _indicator(self, features: dict[str, str]) -> np.ndarray:
        """The intercept and a 1 for each known option in ``features`` (one design row)."""
        x = np.zeros(len(self.columns) + 1)
        x[0] = 1.0
        for dim in DIMENSIONS:
            col = self.columns.get((dim, features.get(dim, "")))
            if col is not None:
                x[col + 1] = 1.0
        return x

    def predict(self, features: dict[str, str]) -> tuple[float, float]:
        """Expected log engagement of a post with ``features`` and its sd (noise included)."""
        x = self._indicator(features)
        return float(x @ self.mean), math.sqrt(float(x @ self.cov @ x) + sum(self.noise))

    def sample(
        self, rng: np.random.Generator, scale: float | None = None
    ) -> dict[tuple[str, str], float]:
        """One draw of every known option's effect (covariance times ``scale``, default annealed)."""
        if not self.columns:
            return {}
        shares = self.anneal if scale is None else np.full(len(self.mean), scale)
        root = np.sqrt(shares)
        draw = rng.multivariate_normal(
            self.mean, self.cov * np.outer(root, root), method="cholesky"
        )
        if shares.min() < 1.0:  # never-tried options keep their whole spread (see the module doc)
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
            return 0.0, priors.PRIOR_SD
        return float(self.mean[col + 1]), math.sqrt(float(self.cov[col + 1, col + 1]))


__all__ = ["FACTORS", "Change", "EffectModel", "Observation", "exploration"]
