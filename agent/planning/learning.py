"""What the agent has learned, and how it decides: Thompson sampling over decision dimensions.

Each decision dimension (pillar, topic, hook category, tone, length bucket, twin, weekday, hour)
keeps, per option, the count, sum and sum of squares of normalised engagement (1.0 = the
agent's average); the weekly report's lifts are written from these. Planning draws from the
joint effect model over the post-level observations (:mod:`agent.planning.model`), and the
strategy's adjustments are read from the same model's estimates. Strategy updates written
before observations were kept have only the per-option stats; for them, planning samples a
plausible mean per option from a normal posterior (prior mean 1.0 with the weight of
``PRIOR_WEIGHT`` posts) and picks the best sample per slot.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.planning.slots import WEEKDAYS

DIMENSIONS = (
    "pillar",
    "topic",
    "hook_category",
    "tone",
    "length_bucket",
    "twin",
    "weekday",
    "hour",
)
CONTENT_DIMENSIONS = ("pillar", "hook_category", "tone", "length_bucket", "twin", "topic")
HOURS = ("08:00", "10:00", "12:00", "14:00", "16:00", "18:00", "20:00", "22:00")
"""The posting times planning chooses between (local time of the agent)."""
PRIOR_MEAN = 1.0
PRIOR_WEIGHT = 2.0
PRIOR_SD = 0.5
MAX_TOPIC_REPEATS = 2
LENGTH_BUCKETS = {"short": 15, "medium": 22, "long": 30}


def hour_bucket(hour: int) -> str:
    """The two-hour bucket a local hour falls in, named like ``HOURS`` ("18:00")."""
    return f"{hour // 2 * 2:02d}:00"


def length_bucket(seconds: float) -> str:
    if seconds <= 17:
        return "short"
    if seconds <= 25:
        return "medium"
    return "long"


@dataclass
class OptionStats:
    n: float = 0.0
    total: float = 0.0
    total_sq: float = 0.0

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    def posterior(self) -> tuple[float, float]:
        """Posterior mean and sd of this option's normalised engagement."""
        weight = PRIOR_WEIGHT + self.n
        mean = (PRIOR_MEAN * PRIOR_WEIGHT + self.total) / weight
        if self.n >= 2:
            var = max(self.total_sq / self.n - self.mean**2, 1e-4)
            sd = math.sqrt((PRIOR_SD**2 * PRIOR_WEIGHT + var * self.n) / weight) / math.sqrt(weight)
        else:
            sd = PRIOR_SD / math.sqrt(weight)
        return mean, sd

    def interval(self, z: float = 1.64) -> tuple[float, float]:
        mean, sd = self.posterior()
        return mean - z * sd, mean + z * sd

    def to_json(self) -> dict[str, float]:
        return {
            "n": round(self.n, 4),
            "sum": round(self.total, 6),
            "sumsq": round(self.total_sq, 6),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> OptionStats:
        return cls(float(raw.get("n", 0)), float(raw.get("sum", 0)), float(raw.get("sumsq", 0)))


Evidence = dict[str, dict[str, OptionStats]]


def _parse(stats: dict[str, Any]) -> Evidence:
    return {
        dim: {opt: OptionStats.from_json(v) for opt, v in options.items()}
        for dim, options in stats.items()
    }


def _dump(evidence: Evidence) -> dict[str, Any]:
    return {dim: {opt: s.to_json() for opt, s in opts.items()} for dim, opts in evidence.items()}


def evidence_from_json(raw: dict[str, Any]) -> Evidence:
    """All-platform evidence from a StrategyUpdate's evidence_json."""
    return _parse(raw.get("stats", {}) if raw else {})


def platform_evidence_from_json(raw: dict[str, Any]) -> dict[str, Evidence]:
    """Per-platform evidence (timing differs by platform) from a StrategyUpdate's evidence_json."""
    return {p: _parse(stats) for p, stats in ((raw or {}).get("per_platform") or {}).items()}


def evidence_to_json(
    evidence: Evidence, per_platform: dict[str, Evidence] | None = None
) -> dict[str, Any]:
    """The JSON form kept in StrategyUpdate.evidence_json (counts, sums, sums of squares)."""
    result: dict[str, Any] = {"stats": _dump(evidence)}
    if per_platform:
        result["per_platform"] = {p: _dump(ev) for p, ev in per_platform.items()}
    return result


def accumulate(observations: list[tuple[dict[str, str], float, float]]) -> Evidence:
    """Build evidence from (features, normalised score, weight) observations."""
    evidence: Evidence = {dim: {} for dim in DIMENSIONS}
    for features, score, weight in observations:
        for dim in DIMENSIONS:
            option = features.get(dim)
            if not option:
                continue
            stats = evidence[dim].setdefault(option, OptionStats())
            stats.n += weight
            stats.total += weight * score
            stats.total_sq += weight * score * score
    return evidence


def _rng(seed: str) -> random.Random:
    return random.Random(int(hashlib.sha256(seed.encode()).hexdigest()[:16], 16))


def thompson_pick(stats: dict[str, OptionStats], options: list[str], rng: random.Random) -> str:
    """The option whose sampled mean is highest; unseen options sample from the prior."""
    best, best_value = options[0], -math.inf
    for option in options:
        mean, sd = (stats.get(option) or OptionStats()).posterior()
        value = rng.gauss(mean, sd)
        if value > best_value:
            best, best_value = option, value
    return best


def choose_hours(
    *,
    days: list[int],
    platforms: list[str],
    evidence: dict[str, Any],
    seed: str,
    preferred: dict[int, str] | None = None,
    explore: bool = False,
) -> dict[int, str]:
    """A posting time per weekday: the strategy's preferred time where it names one, else a Thompson draw.

    Hour evidence of the first platform that has any is used (timing differs by platform).
    Without any evidence, ``explore`` spreads the week over different hours (a first week
    designed to learn from); otherwise no time is chosen and the default schedule applies.
    Each day's choice is imagined as observed before the next is drawn (see ``EffectModel.imagine``).
    """
    chosen = dict(preferred or {})
    observations = (evidence or {}).get("observations") or []
    if observations or (explore and not _has_stats(evidence)):
        from agent.planning.model import EffectModel, Observation, generator, pick

        obs = [Observation.from_json(o) for o in observations]
        mine = [o for o in obs if o.features.get("platform") in platforms] or obs
        model = EffectModel(mine, {"hour": list(HOURS)})
        rng = generator(f"hours:{seed}")
        if not model.n:  # nothing known: a balanced design, a different hour each day
            order = list(rng.permutation(len(HOURS)))
            for i, day in enumerate(d for d in days if d not in chosen):
                chosen[day] = HOURS[order[i % len(HOURS)]]
            return chosen
        for day in days:
            if day not in chosen:
                chosen[day] = pick(model.sample(rng), "hour", list(HOURS), rng)
            model.imagine({"hour": chosen[day]})
        return chosen
    per_platform = platform_evidence_from_json(evidence)
    stats = next(
        (per_platform[p]["hour"] for p in platforms if per_platform.get(p, {}).get("hour")), None
    )
    stats = stats or evidence_from_json(evidence).get("hour", {})
    if not stats:
        return chosen
    draws = _rng(f"hours:{seed}")
    for day in days:
        if day not in chosen:
            chosen[day] = thompson_pick(stats, list(HOURS), draws)
    return chosen


def suggestions_for(
    *,
    slots: list[Any],
    evidence: dict[str, Any],
    seed: str,
    options: dict[str, list[str]] | None = None,
    topic_label: Callable[[str], str] | None = None,
    explore: bool = False,
) -> list[dict[str, Any]]:
    """One suggestion per slot for each decision dimension the agent has evidence on.

    Without any evidence, ``explore`` asks for a first week designed to learn from: a balanced
    design in which each dimension cycles through a seeded shuffle of its options, so every
    option is tried once before any is tried twice. Without it, suggestions are empty and the
    model (or the offline planner) picks on its own. With evidence, each slot gets a Thompson
    draw and is imagined as observed before the next slot is drawn.
    ``topic_label`` maps a candidate topic to the label its evidence is kept under (topics are
    clustered by meaning).
    """
    parsed = evidence_from_json(evidence)
    choices = options or {}
    label = topic_label or (lambda t: t)
    if (evidence or {}).get("observations") or (explore and not _has_stats(evidence)):
        return _model_suggestions(
            slots, (evidence or {}).get("observations") or [], choices, label, seed
        )
    rng = _rng(seed)
    result: list[dict[str, Any]] = []
    topic_uses: dict[str, int] = {}
    for slot in slots:
        suggestion: dict[str, Any] = {"slot": slot.index}
        for dim in CONTENT_DIMENSIONS:
            stats = parsed.get(dim, {})
            if dim == "topic":
                suggestion_topic = _pick_topic(
                    stats, choices.get("topic", []), label, topic_uses, rng
                )
                if suggestion_topic:
                    suggestion["topic"] = suggestion_topic
                    topic_uses[label(suggestion_topic)] = (
                        topic_uses.get(label(suggestion_topic), 0) + 1
                    )
                continue
            universe = sorted(set(choices.get(dim, [])) | set(stats))
            if not stats or not universe:
                continue
            suggestion[dim] = thompson_pick(stats, universe, rng)
        result.append(_with_target_length(suggestion))
    return result


def _model_suggestions(
    slots: list[Any],
    raw: list[dict[str, Any]],
    choices: dict[str, list[str]],
    label: Callable[[str], str],
    seed: str,
) -> list[dict[str, Any]]:
    """One joint draw of every option's effect per slot, and the best option per dimension under it."""
    from agent.planning.model import EffectModel, Observation, generator, pick

    model = EffectModel([Observation.from_json(o) for o in raw], choices, label)
    rng = generator(seed)
    uses: dict[str, int] = {}
    result: list[dict[str, Any]] = []
    if not model.n:
        return _balanced_design(slots, choices, rng)
    for slot in slots:
        draw = model.sample(rng)
        suggestion: dict[str, Any] = {"slot": slot.index}
        for dim in CONTENT_DIMENSIONS:
            universe = (
                [t for t in choices.get(dim, []) if uses.get(label(t), 0) < MAX_TOPIC_REPEATS]
                if dim == "topic"
                else sorted(
                    set(choices.get(dim, [])) | {opt for d, opt in model.columns if d == dim}
                )
            )
            if universe:
                suggestion[dim] = pick(draw, dim, universe, rng, label)
        if "topic" in suggestion:
            uses[label(suggestion["topic"])] = uses.get(label(suggestion["topic"]), 0) + 1
        planned = {d: suggestion[d] for d in CONTENT_DIMENSIONS if d in suggestion}
        if "topic" in planned:
            planned["topic"] = label(planned["topic"])
        model.imagine({**planned, **_timing_of(slot)})
        result.append(_with_target_length(suggestion))
    return result


def _balanced_design(
    slots: list[Any], choices: dict[str, list[str]], rng: Any
) -> list[dict[str, Any]]:
    """With no evidence at all, every option is as good a guess as any: a balanced first week.

    Each dimension cycles through a seeded shuffle of its options, so every option is tried
    once before any is tried twice (the first week is an experiment designed to learn from).
    """
    orders = {
        dim: [choices[dim][i] for i in rng.permutation(len(choices[dim]))]
        for dim in CONTENT_DIMENSIONS
        if choices.get(dim)
    }
    result: list[dict[str, Any]] = []
    for n, slot in enumerate(slots):
        suggestion: dict[str, Any] = {"slot": slot.index}
        for dim, order in orders.items():
            suggestion[dim] = order[n % len(order)]
        result.append(_with_target_length(suggestion))
    return result


def _with_target_length(suggestion: dict[str, Any]) -> dict[str, Any]:
    """The suggestion with its length bucket given as the seconds the script should aim for."""
    if "length_bucket" in suggestion:
        suggestion["target_length_sec"] = LENGTH_BUCKETS[suggestion.pop("length_bucket")]
    return suggestion


def _timing_of(slot: Any) -> dict[str, str]:
    """The weekday and hour bucket of a planned slot (as analysis records them), when it has them."""
    day, at = getattr(slot, "day", None), getattr(slot, "local_time", None)
    if day is None or at is None:
        return {}
    return {"weekday": WEEKDAYS[day.weekday()], "hour": hour_bucket(at.hour)}


def _has_stats(evidence: dict[str, Any] | None) -> bool:
    """Whether evidence carries per-option stats (older strategy updates have no observations)."""
    return any(evidence_from_json(evidence or {}).values())


def _pick_topic(
    stats: dict[str, OptionStats],
    candidates: list[str],
    label: Callable[[str], str],
    uses: dict[str, int],
    rng: random.Random,
) -> str | None:
    """A candidate topic by Thompson sampling over its cluster's evidence, at most MAX_TOPIC_REPEATS a week."""
    if not stats or not candidates:
        return None
    allowed = [t for t in candidates if uses.get(label(t), 0) < MAX_TOPIC_REPEATS]
    if not allowed:
        return None
    best, best_value = allowed[0], -math.inf
    for topic in allowed:
        mean, sd = (stats.get(label(topic)) or OptionStats()).posterior()
        value = rng.gauss(mean, sd)
        if value > best_value:
            best, best_value = topic, value
    return best
