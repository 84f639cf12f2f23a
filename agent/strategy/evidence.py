"""The hand-off between weeks: what a StrategyUpdate's ``evidence_json`` holds, typed and versioned.

Adapting writes a :class:`StrategyEvidence`; planning reads it back with
:meth:`StrategyEvidence.from_update`, which also reads older rows: version-1 evidence (learned
observations without dates) and strategies written by hand (adjustments with no posts behind
them), which are converted into a few pseudo-observations so that one learner serves all.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from agent.strategy.dimensions import HOURS, TONES, WEEKDAYS, hour_bucket
from agent.strategy.observation import Change, Observation
from agent.strategy.slots import parse_timing

VERSION = 2
HAND_WEIGHT = 3.0
"""How many posts' worth of evidence one line of a hand-written strategy is."""
HAND_RAISE = 1.4
HAND_LOWER = 0.6


class ObservationRecord(BaseModel):
    """One observation as stored (short keys keep a year of posts small)."""

    f: dict[str, str]
    y: float
    w: float = 1.0
    v: float | None = None
    r: float | None = None
    t: date | None = None

    @classmethod
    def of(cls, observation: Observation) -> ObservationRecord:
        return cls.model_validate(observation.to_json())

    def observation(self) -> Observation:
        return Observation(dict(self.f), self.y, self.w, self.v, self.r, self.t)


class ChangeRecord(BaseModel):
    """A detected change of taste along one dimension (see :mod:`agent.strategy.drift`)."""

    dimension: str
    since: date
    statistic: float = 0.0
    """The change test's chi-square statistic when it was detected."""

    def change(self) -> Change:
        return Change(self.dimension, self.since)


class OptionEstimate(BaseModel):
    """One option's estimated effect: weighted posts, median multiplier and 90% interval."""

    n: float
    estimate: float
    low: float
    high: float


class StrategyEvidence(BaseModel):
    """Everything adapting learned, as planning needs it next week."""

    version: Literal[2] = 2
    source: Literal["learned", "converted"] = "learned"
    observations: list[ObservationRecord] = Field(default_factory=list)
    changes: list[ChangeRecord] = Field(default_factory=list)
    estimates: dict[str, dict[str, OptionEstimate]] = Field(default_factory=dict)
    """Dimension -> option -> its effect (all platforms), as the report shows it."""
    reasons: dict[str, Any] = Field(default_factory=dict)
    """Per adjustment, the estimates behind it."""
    summary: str = ""
    """The model's plain-words narration of the adjustments."""
    posts_considered: int = 0

    def learner_observations(self) -> list[Observation]:
        return [o.observation() for o in self.observations]

    def learner_changes(self) -> list[Change]:
        return [c.change() for c in self.changes]

    @classmethod
    def from_update(
        cls, adjustments: dict[str, Any] | None, evidence: dict[str, Any] | None
    ) -> StrategyEvidence:
        """The evidence of a StrategyUpdate row, whichever version wrote it."""
        raw = dict(evidence or {})
        if raw.get("version") == VERSION:
            try:
                return cls.model_validate(raw)
            except ValidationError:
                pass
        if raw.get("observations"):
            records = []
            for item in raw["observations"]:
                try:
                    records.append(ObservationRecord.model_validate(item))
                except ValidationError:
                    continue
            return cls(
                observations=records,
                summary=str(raw.get("summary", "")),
                posts_considered=int(raw.get("posts_considered", 0) or 0),
            )
        return cls(source="converted", observations=_hand_written(adjustments or {}))


def _hand_written(adjustments: dict[str, Any]) -> list[ObservationRecord]:
    """A strategy without posts behind it, as pseudo-observations of what it asks for."""
    records: list[ObservationRecord] = []

    def add(features: dict[str, str], score: float) -> None:
        records.append(ObservationRecord(f=features, y=score, w=HAND_WEIGHT))

    for topic in adjustments.get("topics_to_increase") or []:
        add({"topic": str(topic)}, HAND_RAISE)
    for topic in adjustments.get("topics_to_reduce") or []:
        add({"topic": str(topic)}, HAND_LOWER)
    # A preference says "this rather than the others": the others are written down as worse.
    for platform, tone in (adjustments.get("tone_adjustments") or {}).items():
        if tone in TONES:
            add({"platform": str(platform), "tone": str(tone)}, HAND_RAISE)
            for other in TONES:
                if other != tone:
                    add({"platform": str(platform), "tone": other}, HAND_LOWER)
    for platform, entries in (adjustments.get("platform_timing_updates") or {}).items():
        named = [p for p in (parse_timing(str(e)) for e in entries or []) if p is not None]
        for day, at in named:
            add(
                {"platform": str(platform), "weekday": WEEKDAYS[day], "hour": hour_bucket(at.hour)},
                HAND_RAISE,
            )
        for hour in HOURS:
            if named and hour not in {hour_bucket(at.hour) for _, at in named}:
                add({"platform": str(platform), "hour": hour}, HAND_LOWER)
    rotation = [str(t) for t in adjustments.get("twin_rotation") or []]
    if len(rotation) > 1:
        add({"twin": rotation[0]}, HAND_RAISE)
        for twin in rotation[1:]:
            add({"twin": twin}, 1.0)
    return records


__all__ = ["ChangeRecord", "ObservationRecord", "OptionEstimate", "StrategyEvidence"]
