"""Spot signals far above a niche's usual score: a robust z-score over its trailing history.

z = (score - median(history)) / max(1.4826 * MAD(history), MIN_SCALE)

MAD is the median absolute deviation, so a few past spikes do not move the baseline, and
1.4826 makes it comparable to a standard deviation. A signal is a spike when z reaches the
threshold (``TWIN_TRENDS_SPIKE_Z``, default 3.5) and its own score is at least ``min_score``.
With fewer than ``min_history`` past scores there is no usual yet, and nothing is a spike.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

from pydantic import BaseModel

from tools.trends.models import ScoredSignal

__all__ = ["DEFAULT_SPIKE_Z", "MIN_SCALE", "Spike", "detect_spikes"]

DEFAULT_SPIKE_Z = 3.5
MIN_SCALE = 0.05
"""Floor of the spread, so a niche whose scores never varied does not call every wobble a spike."""


class Spike(BaseModel):
    """A signal well above the niche's usual score."""

    signal: ScoredSignal
    z: float
    baseline: float
    """Median of the niche's trailing scores."""
    ratio: float
    """score / baseline (the baseline floored at 0.01)."""


def detect_spikes(
    signals: Sequence[ScoredSignal],
    history: Sequence[float],
    *,
    threshold: float = DEFAULT_SPIKE_Z,
    min_history: int = 10,
    min_score: float = 0.5,
) -> list[Spike]:
    """The signals of today that stand far above the niche's score history, strongest first.

    Args:
        signals: Today's scored signals.
        history: The niche's past scores (``db.repo.trends.score_history``), today excluded.
        threshold: Robust z-score a signal must reach.
        min_history: Fewest past scores needed to judge.
        min_score: Lowest score that may count as a spike.
    """
    if len(history) < min_history:
        return []
    base = median(history)
    spread = max(1.4826 * median(abs(x - base) for x in history), MIN_SCALE)
    spikes = []
    for signal in signals:
        z = (signal.score - base) / spread
        if z >= threshold and signal.score >= min_score:
            ratio = signal.score / max(base, 0.01)
            spikes.append(
                Spike(signal=signal, z=round(z, 3), baseline=round(base, 4), ratio=round(ratio, 3))
            )
    spikes.sort(key=lambda s: -s.z)
    return spikes
