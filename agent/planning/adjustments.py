"""From evidence to the StrategyUpdate's adjustments_json (seed 003 s13.1), with the evidence per change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class Summary(Protocol):
    """What ranking needs of an option: its weighted posts, posterior mean (1.0 = average), interval.

    Per-option stats (``OptionStats``) and the joint model's ``Estimate`` both provide it.
    """

    @property
    def n(self) -> float: ...

    def posterior(self) -> tuple[float, float]: ...

    def interval(self, z: float = 1.64) -> tuple[float, float]: ...


Summaries = Mapping[str, Mapping[str, Summary]]

MIN_EVIDENCE = 1.0  # weighted posts before an option can be promoted
RAISE_ABOVE = 1.05
REDUCE_BELOW = 0.85
MIN_REDUCE_EVIDENCE = 2.0
"""Weighted posts before a low mean alone can reduce a topic (one weak post is not a pattern);
with fewer, a topic is reduced only when its whole 90% interval is below the average."""
WEEKDAY_ORDER = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def option_summary(stats: Summary) -> dict[str, float]:
    """Count, posterior mean and 90% interval of one option, for the evidence behind a change."""
    low, high = stats.interval()
    mean, _ = stats.posterior()
    return {
        "n": round(stats.n, 2),
        "posterior_mean": round(mean, 3),
        "low": round(low, 3),
        "high": round(high, 3),
    }


def _ranked(stats: Mapping[str, Summary]) -> list[tuple[str, Summary]]:
    return sorted(stats.items(), key=lambda kv: (-kv[1].posterior()[0], kv[0]))


def _timing(ev: Summaries) -> list[str]:
    """Best hour on the two best weekdays, e.g. ["Tue 18:00", "Thu 18:00"]; empty without enough evidence."""
    hours = [
        (h, s)
        for h, s in _ranked(ev.get("hour", {}))
        if s.n >= MIN_EVIDENCE and s.posterior()[0] > 1.0
    ]
    if not hours:
        return []
    days = [d for d, s in _ranked(ev.get("weekday", {})) if s.n >= MIN_EVIDENCE][:2]
    return sorted((f"{d} {hours[0][0]}" for d in days), key=lambda e: WEEKDAY_ORDER.index(e[:3]))


def derive_adjustments(
    evidence: Summaries, per_platform: Mapping[str, Summaries]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The seed-003 13.1 shape, plus the evidence behind each entry.

    Args:
        evidence: All-platform summaries per dimension and option: the joint model's
            estimates (``model.estimates``) when there are posts, per-option stats otherwise.
        per_platform: The same, per platform (timing and tone are set per platform).

    Returns:
        ``(adjustments, reasons)``: adjustments_json, and per entry the counts and intervals behind it.
    """
    topics = evidence.get("topic", {})
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
    ][:3]
    timing: dict[str, list[str]] = {}
    tones: dict[str, str] = {}
    for platform, ev in sorted(per_platform.items()):
        entries = _timing(ev)
        if entries:
            timing[platform] = entries
        ranked_tones = _ranked(ev.get("tone", {}))
        if (
            ranked_tones
            and ranked_tones[0][1].n >= MIN_EVIDENCE
            and ranked_tones[0][1].posterior()[0] > RAISE_ABOVE
        ):
            tones[platform] = ranked_tones[0][0]
    twins = [name for name, _ in _ranked(evidence.get("twin", {}))]
    adjustments = {
        "topics_to_increase": increase,
        "topics_to_reduce": [t for t in reduce if t not in increase],
        "platform_timing_updates": timing,
        "tone_adjustments": tones,
        "twin_rotation": twins,
    }
    reasons = {
        "topics": {t: option_summary(topics[t]) for t in [*increase, *reduce]},
        "timing": {
            p: {
                "hour": {
                    e.split()[1]: option_summary(per_platform[p]["hour"][e.split()[1]])
                    for e in entries
                },
                "weekday": {
                    e.split()[0]: option_summary(per_platform[p]["weekday"][e.split()[0]])
                    for e in entries
                },
            }
            for p, entries in timing.items()
        },
        "tones": {p: option_summary(per_platform[p]["tone"][t]) for p, t in tones.items()},
        "twins": {t: option_summary(evidence["twin"][t]) for t in twins},
    }
    return adjustments, reasons
