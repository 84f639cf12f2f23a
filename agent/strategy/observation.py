"""What the learner learns from: one observed post (or rating), and a detected change of taste."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from agent.strategy.dimensions import DIMENSIONS


@dataclass
class Observation:
    """One post (or rating): the options it used, its normalised score and its weight.

    ``reach`` is the post's views relative to the average (None when unknown, as for ratings);
    ``retention`` the average share of the reel a view watched (None when unknown); ``at`` the
    day it was published (None for ratings and for evidence kept before dates were).
    """

    features: dict[str, str]
    score: float
    weight: float = 1.0
    reach: float | None = None
    retention: float | None = None
    at: date | None = None

    def __post_init__(self) -> None:
        if self.retention is not None and self.retention <= 0:
            self.retention = None  # nothing watched is a missing reading, not a retention

    def to_json(self) -> dict[str, Any]:
        raw: dict[str, Any] = {
            "f": {d: self.features[d] for d in DIMENSIONS if self.features.get(d)},
            "y": round(self.score, 5),
            "w": round(self.weight, 4),
        }
        if self.reach is not None:
            raw["v"] = round(self.reach, 5)
        if self.retention is not None:
            raw["r"] = round(self.retention, 5)
        if self.at is not None:
            raw["t"] = self.at.isoformat()
        return raw

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Observation:
        reach, retention, at = raw.get("v"), raw.get("r"), raw.get("t")
        return cls(
            dict(raw.get("f", {})),
            float(raw.get("y", 1.0)),
            float(raw.get("w", 1.0)),
            None if reach is None else float(reach),
            None if retention is None else float(retention),
            None if at is None else date.fromisoformat(str(at)),
        )


@dataclass(frozen=True)
class Change:
    """A change of the audience's taste along one dimension, from ``since`` on.

    Posts before ``since`` keep options of their own era for that dimension (see
    :class:`agent.strategy.model.EffectModel`), so the model relearns it from the new posts
    without forgetting the other dimensions.
    """

    dimension: str
    since: date

    def applies_to(self, observation: Observation) -> bool:
        return observation.at is not None and observation.at >= self.since


__all__ = ["Change", "Observation"]
