"""Hook templates learn (seed 001): usage counts, and effectiveness from the effect model.

The adapting step passes the effect model's per-category estimates of the hook dimension (the
effect on log engagement against the average hook, and how many posts it rests on); each
template of a category gets ``effectiveness_score = sigmoid(log effect)``, i.e. ``lift / (1 +
lift)``: 0.5 for an average hook, above for a hook that beats the average, below for one that
trails it. The planner reads templates best first (``db.repo.planning.hook_templates``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import HookTemplate

__all__ = [
    "HookEstimate",
    "bump_usage",
    "bump_usage_by_category",
    "effectiveness_from",
    "set_effectiveness",
]


class HookEstimate(NamedTuple):
    """One hook category's effect as the effect model estimates it.

    Attributes:
        log_mean: Posterior mean effect on log engagement against the average hook category.
        n: Weighted posts that used the category (0 leaves the stored score unchanged).
    """

    log_mean: float
    n: float


def effectiveness_from(log_mean: float) -> float:
    """The 0–1 score of a log effect: ``lift / (1 + lift)``, 0.5 for the average hook."""
    clipped = max(-20.0, min(20.0, log_mean))
    return 1.0 / (1.0 + math.exp(-clipped))


def bump_usage(*, session: Session, slugs: Iterable[str]) -> dict[str, int]:
    """Add one use per occurrence of a template's slug; unknown slugs are ignored.

    Returns:
        slug -> the template's new usage count, for the slugs that exist.
    """
    counts = Counter(slugs)
    out: dict[str, int] = {}
    for slug, times in counts.items():
        session.execute(
            update(HookTemplate)
            .where(HookTemplate.slug == slug)
            .values(usage_count=HookTemplate.usage_count + times)
            .execution_options(synchronize_session=False)
        )
        value = session.scalar(select(HookTemplate.usage_count).where(HookTemplate.slug == slug))
        if value is not None:
            out[slug] = int(value)
    session.expire_all()
    return out


def bump_usage_by_category(*, session: Session, categories: Iterable[str]) -> dict[str, int]:
    """Count a use of each category's best template, when only the category of a hook is known.

    Returns:
        slug -> new usage count of each template that was counted.
    """
    slugs = []
    for category in categories:
        best = session.scalar(
            select(HookTemplate.slug)
            .where(HookTemplate.category == category)
            .order_by(HookTemplate.effectiveness_score.desc(), HookTemplate.slug)
            .limit(1)
        )
        if best is not None:
            slugs.append(best)
    return bump_usage(session=session, slugs=slugs)


def set_effectiveness(
    *, session: Session, estimates: Mapping[str, HookEstimate]
) -> dict[str, float]:
    """Set every template's score from its category's estimate (categories without posts keep theirs).

    Returns:
        category -> the score written to its templates.
    """
    written: dict[str, float] = {}
    for category, estimate in estimates.items():
        if estimate.n <= 0 or not math.isfinite(estimate.log_mean):
            continue
        score = round(effectiveness_from(estimate.log_mean), 4)
        session.execute(
            update(HookTemplate)
            .where(HookTemplate.category == category)
            .values(effectiveness_score=score)
            .execution_options(synchronize_session=False)
        )
        written[category] = score
    session.expire_all()
    return written
