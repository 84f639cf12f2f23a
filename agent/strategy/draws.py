"""Thompson draws from the effect model: a posting hour per day and a content choice per slot.

Each draw samples every option's effect jointly (``EffectModel.sample``) and takes the best
option per dimension under that draw; after each choice the model imagines it observed
(``EffectModel.imagine``), so a week spreads its bets. With no evidence at all a week is a
balanced design instead: each dimension cycles through a seeded shuffle of its options, so
every option is tried once before any is tried twice.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, time

import numpy as np

from agent.strategy import priors
from agent.strategy.dimensions import (
    CONTENT_DIMENSIONS,
    HOURS,
    MAX_TOPIC_REPEATS,
    WEEKDAYS,
    hour_bucket,
)
from agent.strategy.model import EffectModel


def generator(seed: str) -> np.random.Generator:
    """A numpy generator seeded from any string (the same string gives the same draws)."""
    return np.random.default_rng(int(hashlib.sha256(seed.encode()).hexdigest()[:16], 16))


def pick(
    draw: dict[tuple[str, str], float],
    dim: str,
    options: Sequence[str],
    rng: np.random.Generator,
    label: Callable[[str], str] | None = None,
) -> str:
    """The option with the highest drawn effect; options the model does not know draw from the prior."""
    to_key = label or (lambda o: o)
    best, best_value = options[0], -math.inf
    for option in options:
        key = (dim, to_key(option) if dim == "topic" else option)
        value = draw[key] if key in draw else float(rng.normal(0.0, priors.PRIOR_SD))
        if value > best_value:
            best, best_value = option, value
    return best


def draw_hours(model: EffectModel, days: Sequence[int], rng: np.random.Generator) -> dict[int, str]:
    """A posting time per weekday, each day's choice imagined observed before the next is drawn.

    Without any evidence the week tries a different hour each day (a balanced design).
    """
    if not model.n:
        order = list(rng.permutation(len(HOURS)))
        return {day: HOURS[order[i % len(HOURS)]] for i, day in enumerate(days)}
    chosen: dict[int, str] = {}
    for day in days:
        chosen[day] = pick(model.sample(rng), "hour", HOURS, rng)
        model.imagine({"hour": chosen[day]})
    return chosen


@dataclass
class SlotOptions:
    """What one slot may choose from, per content dimension (after directives and limits)."""

    day: date
    at: time
    allowed: dict[str, list[str]] = field(default_factory=dict)
    """Dimension -> options this slot may use; a single option is a forced choice."""


def draw_content(
    model: EffectModel,
    slots: Sequence[SlotOptions],
    rng: np.random.Generator,
    label: Callable[[str], str],
) -> list[dict[str, str]]:
    """One joint draw per slot and the best option of each dimension under it.

    A topic (cluster) is used at most ``MAX_TOPIC_REPEATS`` times a week while others remain.
    """
    uses: dict[str, int] = {}
    result: list[dict[str, str]] = []
    for slot in slots:
        draw = model.sample(rng)
        choice: dict[str, str] = {}
        for dim in CONTENT_DIMENSIONS:
            options = slot.allowed.get(dim) or []
            if dim == "topic":
                fresh = [t for t in options if uses.get(label(t), 0) < MAX_TOPIC_REPEATS]
                options = fresh or options
            if options:
                choice[dim] = pick(draw, dim, options, rng, label)
        if "topic" in choice:
            uses[label(choice["topic"])] = uses.get(label(choice["topic"]), 0) + 1
        planned = {
            **choice,
            "weekday": WEEKDAYS[slot.day.weekday()],
            "hour": hour_bucket(slot.at.hour),
        }
        if "topic" in planned:
            planned["topic"] = label(planned["topic"])
        model.imagine(planned)
        result.append(choice)
    return result


def balanced_design(
    slots: Sequence[SlotOptions], rng: np.random.Generator, label: Callable[[str], str]
) -> list[dict[str, str]]:
    """With nothing learned yet, every option is as good a guess as any: a balanced week.

    Each dimension cycles through a seeded shuffle of the options the slots allow, so every
    option is tried once before any is tried twice; a slot whose option is forced keeps it.
    """
    universe: dict[str, list[str]] = {}
    for slot in slots:
        for dim, options in slot.allowed.items():
            for option in options:
                if option not in universe.setdefault(dim, []):
                    universe[dim].append(option)
    orders = {
        dim: [options[i] for i in rng.permutation(len(options))]
        for dim, options in universe.items()
    }
    cursor = dict.fromkeys(orders, 0)
    uses: dict[str, int] = {}
    result: list[dict[str, str]] = []
    for slot in slots:
        choice: dict[str, str] = {}
        for dim in CONTENT_DIMENSIONS:
            allowed = slot.allowed.get(dim) or []
            if not allowed:
                continue
            order = orders[dim]
            for step in range(len(order)):
                option = order[(cursor[dim] + step) % len(order)]
                over = dim == "topic" and uses.get(label(option), 0) >= MAX_TOPIC_REPEATS
                if option in allowed and not over:
                    choice[dim] = option
                    cursor[dim] = (cursor[dim] + step + 1) % len(order)
                    break
            else:
                choice[dim] = allowed[0]
        if "topic" in choice:
            uses[label(choice["topic"])] = uses.get(label(choice["topic"]), 0) + 1
        result.append(choice)
    return result


__all__ = ["SlotOptions", "balanced_design", "draw_content", "draw_hours", "generator", "pick"]
