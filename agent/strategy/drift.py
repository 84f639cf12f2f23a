"""Forgetting: has the audience's taste changed along one dimension?

Decayed evidence forgets slowly and evenly: after a change it keeps recommending what used to
work for weeks, and on a stable audience it throws information away. Instead, each week the
latest week's posts are compared with what the model fitted on the weeks before predicted for
them. For each dimension, the posts are grouped by option and each group's summed residual is
standardised by its predictive sd (model uncertainty and noise); the squares add up to a
chi-square statistic with one degree of freedom per option. A dimension whose statistic is
beyond the ``priors.CHANGE_ALPHA`` quantile, and whose options differ from each other beyond
what one shift of every post would explain (``priors.CHANGE_BEYOND_LEVEL``), is declared
changed from that week on (one per week: the strongest). The effect model then adds drift terms for that dimension's options on
the posts from then on (:class:`agent.strategy.model.EffectModel`), so it relearns that
dimension within a week or two and keeps every other dimension's evidence whole. A shift that
moves every post alike is the audience's overall level, not a taste, and changes nothing.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from agent.strategy import priors
from agent.strategy.dimensions import CONTENT_DIMENSIONS
from agent.strategy.evidence import ChangeRecord
from agent.strategy.model import EffectModel
from agent.strategy.observation import Observation
from agent.strategy.regression import log_floor

TESTED = (*CONTENT_DIMENSIONS, "hour")


def chi2_sf(statistic: float, dof: int) -> float:
    """P(X > statistic) for X ~ chi-square(dof), by the Wilson-Hilferty approximation."""
    if dof <= 0:
        return 1.0
    k = float(dof)
    z = ((statistic / k) ** (1 / 3) - (1 - 2 / (9 * k))) / math.sqrt(2 / (9 * k))
    return 0.5 * math.erfc(z / math.sqrt(2))


def detect_change(
    observations: Sequence[Observation],
    changes: Sequence[ChangeRecord],
    *,
    latest_start: date,
) -> ChangeRecord | None:
    """The change of taste the latest week's posts show, if any.

    A change that one week of posts could not show yet is looked for again over the last two
    weeks (dated from the first of them), unless a change was recorded since.
    """
    found = _test(observations, changes, since=latest_start)
    earlier = latest_start - timedelta(days=7)
    if found is None and not any(c.since >= earlier for c in changes):
        found = _test(observations, changes, since=earlier)
    return found


def _test(
    observations: Sequence[Observation], changes: Sequence[ChangeRecord], *, since: date
) -> ChangeRecord | None:
    """The strongest changed dimension of the posts from ``since`` on, against the model of before."""
    latest_start = since
    past = [o for o in observations if o.at is not None and o.at < latest_start]
    recent = [o for o in observations if o.at is not None and o.at >= latest_start]
    if not past or sum(o.weight for o in recent) < priors.MIN_CHANGE_POSTS:
        return None
    if any(c.since >= latest_start for c in changes):
        return None  # this week's change is already recorded (a re-run)
    model = EffectModel(past, changes=[c.change() for c in changes])
    residuals: list[tuple[Observation, float, float]] = []
    for obs in recent:
        expected, sd = model.predict(obs.features)
        residuals.append((obs, log_floor(obs.score) - expected, sd))
    level = _statistic({"all": [(o.weight, r, sd) for o, r, sd in residuals]})
    best: ChangeRecord | None = None
    best_p = priors.CHANGE_ALPHA
    for dim in TESTED:
        groups: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
        for obs, r, sd in residuals:
            option = obs.features.get(dim)
            if option:
                groups[option].append((obs.weight, r, sd))
        statistic = _statistic(groups)
        p = chi2_sf(statistic, len(groups))
        beyond_level = chi2_sf(statistic - level, len(groups) - 1)
        if p < best_p and beyond_level < priors.CHANGE_BEYOND_LEVEL:
            best, best_p = (
                ChangeRecord(dimension=dim, since=latest_start, statistic=round(statistic, 3)),
                p,
            )
    return best


def _statistic(groups: dict[str, list[tuple[float, float, float]]]) -> float:
    """Sum over groups of (weighted residual sum / its sd) squared."""
    statistic = 0.0
    for members in groups.values():
        summed = sum(w * r for w, r, _ in members)
        spread = math.sqrt(sum((w * sd) ** 2 for w, _, sd in members))
        statistic += (summed / spread) ** 2 if spread > 0 else 0.0
    return statistic


def keep_recent(changes: Sequence[ChangeRecord]) -> list[ChangeRecord]:
    """The latest ``priors.MAX_CHANGES`` changes, oldest first."""
    ordered = sorted(changes, key=lambda c: c.since)
    return ordered[-int(priors.MAX_CHANGES) :] if priors.MAX_CHANGES > 0 else []


__all__ = ["chi2_sf", "detect_change", "keep_recent"]
