"""The strategy update, computed: the effect model's estimates -> adjustments_json (seed 003
s13.1) with the evidence behind every entry. The chat model only narrates the result."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from agent.strategy.dimensions import LENGTH_BUCKETS, WEEKDAYS
from agent.strategy.drift import detect_change, keep_recent
from agent.strategy.estimates import Estimate, estimates
from agent.strategy.evidence import (
    ChangeRecord,
    ObservationRecord,
    OptionEstimate,
    StrategyEvidence,
)
from agent.strategy.model import EffectModel
from agent.strategy.observation import Observation

Estimates = Mapping[str, Mapping[str, Estimate]]

MIN_EVIDENCE = 1.0
"""Weighted posts before an option can be promoted."""
RAISE_ABOVE = 1.05
REDUCE_BELOW = 0.85
MIN_REDUCE_EVIDENCE = 2.0
"""Weighted posts before a low estimate alone can reduce a topic (one weak post is not a
pattern); with fewer, a topic is reduced only when its whole 90% interval is below the average."""


def option_summary(stats: Estimate) -> OptionEstimate:
    """Weighted posts, median multiplier and 90% interval of one option."""
    low, high = stats.interval()
    median, _ = stats.posterior()
    return OptionEstimate(
        n=round(stats.n, 2), estimate=round(median, 3), low=round(low, 3), high=round(high, 3)
    )


def _ranked(stats: Mapping[str, Estimate]) -> list[tuple[str, Estimate]]:
    return sorted(stats.items(), key=lambda kv: (-kv[1].posterior()[0], kv[0]))


def _best(stats: Mapping[str, Estimate]) -> str | None:
    ranked = _ranked(stats)
    if ranked and ranked[0][1].n >= MIN_EVIDENCE and ranked[0][1].posterior()[0] > RAISE_ABOVE:
        return ranked[0][0]
    return None


def _timing(ev: Estimates) -> list[str]:
    """Best hour on the two best weekdays, e.g. ["Tue 18:00", "Thu 18:00"]; empty without enough evidence."""
    hours = [
        (h, s)
        for h, s in _ranked(ev.get("hour", {}))
        if s.n >= MIN_EVIDENCE and s.posterior()[0] > 1.0
    ]
    if not hours:
        return []
    days = [d for d, s in _ranked(ev.get("weekday", {})) if s.n >= MIN_EVIDENCE][:2]
    return sorted((f"{d} {hours[0][0]}" for d in days), key=lambda e: WEEKDAYS.index(e[:3]))


def derive_adjustments(
    overall: Estimates, per_platform: Mapping[str, Estimates]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The seed-003 13.1 shape (plus ``length_adjustments``), and the evidence behind each entry.

    Args:
        overall: The joint model's estimates over all posts, per dimension and option.
        per_platform: The same, per platform (timing, tone and length are set per platform).

    Returns:
        ``(adjustments, reasons)``: adjustments_json, and per entry the estimates behind it.
    """
    topics = overall.get("topic", {})
    increase = [
        t for t, s in _ranked(topics) if s.n >= MIN_EVIDENCE and s.posterior()[0] > RAISE_ABOVE
    ][:3]
    reduce = [
        t
        for t, s in _ranked(topics)[::-1]
        if s.n >= MIN_EVIDENCE
        and (
            s.interval()[1] < 1.0
            or (s.n >= MIN_REDUCE_EVIDENCE and s.posterior()[0] < REDUCE_BELOW)
        )
        and t not in increase
    ][:3]
    timing: dict[str, list[str]] = {}
    tones: dict[str, str] = {}
    lengths: dict[str, int] = {}
    for platform, ev in sorted(per_platform.items()):
        entries = _timing(ev)
        if entries:
            timing[platform] = entries
        tone = _best(ev.get("tone", {}))
        if tone:
            tones[platform] = tone
        bucket = _best(ev.get("length_bucket", {}))
        if bucket in LENGTH_BUCKETS:
            lengths[platform] = LENGTH_BUCKETS[bucket]
    twins = [name for name, _ in _ranked(overall.get("twin", {}))]
    adjustments = {
        "topics_to_increase": increase,
        "topics_to_reduce": reduce,
        "platform_timing_updates": timing,
        "tone_adjustments": tones,
        "twin_rotation": twins,
        "length_adjustments": lengths,
    }
    reasons = {
        "topics": {t: option_summary(topics[t]).model_dump() for t in [*increase, *reduce]},
        "timing": {
            p: {
                "hour": {
                    e.split()[1]: option_summary(per_platform[p]["hour"][e.split()[1]]).model_dump()
                    for e in entries
                },
                "weekday": {
                    e.split()[0]: option_summary(
                        per_platform[p]["weekday"][e.split()[0]]
                    ).model_dump()
                    for e in entries
                },
            }
            for p, entries in timing.items()
        },
        "tones": {
            p: option_summary(per_platform[p]["tone"][t]).model_dump() for p, t in tones.items()
        },
        "lengths": {
            p: option_summary(
                per_platform[p]["length_bucket"][
                    next(b for b, s in LENGTH_BUCKETS.items() if s == sec)
                ]
            ).model_dump()
            for p, sec in lengths.items()
        },
        "twins": {t: option_summary(overall["twin"][t]).model_dump() for t in twins},
    }
    return adjustments, reasons


@dataclass(frozen=True)
class Learned:
    """What a week's evidence teaches: the adjustments and the evidence to hand on."""

    adjustments: dict[str, Any]
    evidence: StrategyEvidence
    change: ChangeRecord | None
    """The change of taste detected this week, if any."""


def learn(
    observations: Sequence[Observation],
    *,
    previous: StrategyEvidence | None,
    latest_start: date | None,
    posts_considered: int,
) -> Learned:
    """Fit the effect model on every observation and compute the strategy from its estimates.

    Args:
        observations: Matured posts (and ratings) as the learner's observations.
        previous: Last week's evidence (its detected changes carry over).
        latest_start: First day of the week just read, to test for a change of taste; None skips it.
        posts_considered: Matured posts behind the observations.
    """
    changes = list(previous.changes) if previous else []
    change = (
        detect_change(observations, changes, latest_start=latest_start)
        if latest_start is not None
        else None
    )
    if change is not None:
        changes.append(change)
    changes = keep_recent(changes)
    learner_changes = [c.change() for c in changes]
    adjustments: dict[str, Any] = {}
    reasons: dict[str, Any] = {}
    overall: dict[str, dict[str, Estimate]] = {}
    if observations:
        overall = estimates(EffectModel(observations, changes=learner_changes))
        grouped: dict[str, list[Observation]] = defaultdict(list)
        for o in observations:  # ratings carry no platform and stay out of the per-platform fits
            if o.features.get("platform"):
                grouped[o.features["platform"]].append(o)
        per_platform = {  # one platform holding every observation is the overall fit
            platform: overall
            if len(mine) == len(observations)
            else estimates(EffectModel(mine, changes=learner_changes))
            for platform, mine in grouped.items()
        }
        adjustments, reasons = derive_adjustments(overall, per_platform)
    else:
        adjustments, reasons = derive_adjustments({}, {})
    evidence = StrategyEvidence(
        observations=[ObservationRecord.of(o) for o in observations],
        changes=changes,
        estimates={
            dim: {option: option_summary(s) for option, s in options.items()}
            for dim, options in overall.items()
        },
        reasons=reasons,
        posts_considered=posts_considered,
    )
    return Learned(adjustments=adjustments, evidence=evidence, change=change)


__all__ = ["Learned", "derive_adjustments", "learn", "option_summary"]
