"""Where a week is decided: evidence, directives and policy -> the week's skeleton, in code.

For every slot the skeleton fixes its time, platforms, topic, twin, pillar, tone, hook
category (and template) and target length. The chat model then writes only the words inside
it (hook wording, rationale, scripts, captions); whatever it answers, the saved plan equals
the skeleton (see :mod:`agent.strategy.enforce`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from agent.strategy.dimensions import HOURS, LENGTH_BUCKETS, PILLARS, TONES, WEEKDAYS
from agent.strategy.directives import DirectiveSet, mentions
from agent.strategy.draws import SlotOptions, balanced_design, draw_content, draw_hours, generator
from agent.strategy.evidence import StrategyEvidence
from agent.strategy.model import EffectModel
from agent.strategy.slots import Slot, plan_slots
from agent.strategy.weeks import parse_week
from db.schemas import AgentPolicy

MIN_DIRECTIVE_SLOTS = 2
"""Slots a "more X" directive gets at least."""
MIN_NEWS_SLOTS = 2
"""Slots planned on a news item (a feed, YouTube or Google Trends signal with a link) when any
was collected, so a creator who configured feeds sees them in the week."""


class TrendCandidate(BaseModel):
    """A topic planning may use, with what a script can cite of it."""

    topic: str
    score: float = 0.0
    tags: list[str] = Field(default_factory=list)
    link: str | None = None
    summary: str = ""
    points: list[str] = Field(default_factory=list)
    """Concrete facts or tips about the topic, when its source gives them."""
    source: str = ""
    news: bool = False
    """A live item (feed entry, chart video, trending search) a script can cite by its link."""


class HookChoice(BaseModel):
    """A hook template planning may open a video with."""

    category: str
    template: str
    effectiveness: float = 0.5


class SlotDecision(BaseModel):
    """Everything decided about one slot; the model writes words inside it."""

    slot: int
    day: date
    """The agent's local date of the slot."""
    at: datetime
    """When it is published (UTC)."""
    local: str
    """The agent's local weekday and time, e.g. ``Tue 18:00``."""
    platforms: list[str]
    topic: str
    twin: str
    pillar: str
    tone: str
    hook_category: str
    hook_template: str
    target_length_sec: int
    reason: str
    """Why, in plain words (the code's reason, not the model's)."""
    trend: TrendCandidate | None = None

    def default_hook(self) -> str:
        """The hook template filled with the topic (the words used when the model's are unfit)."""
        return self.hook_template.replace("{topic}", self.topic)[:200]


class WeekSkeleton(BaseModel):
    """The decided week."""

    week: str
    slots: list[SlotDecision] = Field(default_factory=list)
    mode: Literal["learning", "fixed"] = "learning"
    posts_behind: float = 0.0
    """Weighted posts the draws learned from (0 in a first week or with learning off)."""


@dataclass(frozen=True)
class WeekInputs:
    """Everything ``decide_week`` decides from."""

    week: str
    policy: AgentPolicy
    platforms: list[str]
    trends: list[TrendCandidate]
    twins: list[str]
    hooks: list[HookChoice]
    seed: str
    directives: DirectiveSet = field(default_factory=DirectiveSet)
    evidence: StrategyEvidence | None = None
    mode: Literal["learning", "fixed"] = "learning"
    not_before: datetime | None = None
    topic_label: Callable[[str], str] = field(default=lambda t: t)
    """Candidate topic -> the cluster label its evidence is kept under."""
    campaign: str = ""
    """The campaign the week belongs to (its name), if any."""
    campaign_topics: list[str] = field(default_factory=list)
    """Topics that campaign wants covered: each gets MIN_DIRECTIVE_SLOTS slots, after directives."""


class Decide(Protocol):
    """A week policy: the learner by default; evaluations plug in others (e.g. an oracle)."""

    def __call__(self, inputs: WeekInputs) -> WeekSkeleton: ...


def decide_week(inputs: WeekInputs) -> WeekSkeleton:
    """The learner's week: Thompson draws from the effect model within the creator's directives."""
    learning = inputs.mode == "learning"
    observations = inputs.evidence.learner_observations() if learning and inputs.evidence else []
    changes = inputs.evidence.learner_changes() if learning and inputs.evidence else []
    days = [d for d in range(7) if d not in inputs.directives.avoid_weekdays]
    timing: dict[str, list[str]] = {}
    if learning and inputs.platforms:
        mine = [o for o in observations if o.features.get("platform") in inputs.platforms]
        hour_model = EffectModel(mine or observations, {"hour": list(HOURS)}, changes=changes)
        hours = draw_hours(hour_model, days, generator(f"hours:{inputs.seed}"))
        timing = {inputs.platforms[0]: [f"{WEEKDAYS[d]} {h}" for d, h in sorted(hours.items())]}
    slots = plan_slots(
        monday=parse_week(inputs.week),
        policy=inputs.policy,
        platforms=inputs.platforms,
        timing=timing,
        avoid_weekdays=inputs.directives.avoid_weekdays,
        not_before=inputs.not_before,
    )
    options = [_slot_options(slot, inputs) for slot in slots]
    rng = generator(inputs.seed)
    if observations:
        universe = {dim: list(o) for dim, o in _universe(options).items()}
        model = EffectModel(observations, universe, inputs.topic_label, changes=changes)
        choices = draw_content(model, options, rng, inputs.topic_label)
        reason = f"drawn from what {model.n:.0f} weighted posts taught (Thompson sampling)"
        behind = model.n
    else:
        choices = balanced_design(options, rng, inputs.topic_label)
        reason = (
            "first week: a balanced design to learn from"
            if learning
            else "fixed rotation (learning is off)"
        )
        behind = 0.0
    reasons = [reason] * len(slots)
    _honour_more_of(choices, reasons, inputs)
    _honour_campaign(choices, reasons, inputs)
    _honour_news(choices, reasons, inputs)
    by_topic = {t.topic: t for t in inputs.trends}
    decisions = [
        SlotDecision(
            slot=slot.index,
            day=slot.day,
            at=slot.at_utc,
            local=slot.label,
            platforms=list(slot.platforms),
            topic=choice["topic"],
            twin=choice["twin"],
            pillar=choice["pillar"],
            tone=choice["tone"],
            hook_category=choice["hook_category"],
            hook_template=_template(inputs.hooks, choice["hook_category"]),
            target_length_sec=LENGTH_BUCKETS[choice["length_bucket"]],
            reason=why,
            trend=by_topic.get(choice["topic"]),
        )
        for slot, choice, why in zip(slots, choices, reasons, strict=True)
    ]
    return WeekSkeleton(week=inputs.week, slots=decisions, mode=inputs.mode, posts_behind=behind)


def spike_week(skeleton: WeekSkeleton, topic: str, inputs: WeekInputs) -> WeekSkeleton:
    """A trend spike's extra reel: the week's first open slot, on the spiking topic.

    Everything else in that slot (twin, pillar, tone, hook, length) stays as the learner drew it.
    """
    if not skeleton.slots:
        return skeleton
    trend = next((t for t in inputs.trends if t.topic == topic), None)
    first = skeleton.slots[0].model_copy(
        update={
            "slot": 0,
            "topic": topic,
            "trend": trend,
            "reason": f"trend spike: {topic} is far above the niche's usual signals",
        }
    )
    return skeleton.model_copy(update={"slots": [first]})


def _slot_options(slot: Slot, inputs: WeekInputs) -> SlotOptions:
    """What one slot may use: the creator's directives narrow it, nothing else does."""
    d = inputs.directives
    topics = [t.topic for t in inputs.trends if not d.is_reduced(t.topic)]
    twin = next((d.twin_for_platform[p] for p in slot.platforms if p in d.twin_for_platform), None)
    tone = next((d.tone_for_platform[p] for p in slot.platforms if p in d.tone_for_platform), None)
    categories = list(dict.fromkeys(h.category for h in inputs.hooks))
    return SlotOptions(
        day=slot.day,
        at=slot.local_time,
        allowed={
            "topic": topics or [t.topic for t in inputs.trends] or [inputs.policy.niche],
            "twin": [twin] if twin in inputs.twins else list(inputs.twins),
            "pillar": list(PILLARS),
            "tone": [tone] if tone in TONES else list(TONES),
            "hook_category": categories,
            "length_bucket": list(LENGTH_BUCKETS),
        },
    )


def _universe(options: Sequence[SlotOptions]) -> dict[str, list[str]]:
    universe: dict[str, list[str]] = {}
    for slot in options:
        for dim, values in slot.allowed.items():
            for value in values:
                if value not in universe.setdefault(dim, []):
                    universe[dim].append(value)
    return universe


def _template(hooks: Sequence[HookChoice], category: str) -> str:
    ranked = sorted((h for h in hooks if h.category == category), key=lambda h: -h.effectiveness)
    return ranked[0].template if ranked else "{topic}"


def _honour_more_of(choices: list[dict[str, str]], reasons: list[str], inputs: WeekInputs) -> None:
    """Give each "more X" directive at least MIN_DIRECTIVE_SLOTS slots, from the week's end,
    taking slots no directive asked for."""
    d = inputs.directives
    for phrase in d.more_topics:
        have = sum(1 for c in choices if mentions(c["topic"], phrase))
        topic = next(
            (t.topic for t in inputs.trends if mentions(t.topic, phrase)),
            phrase[:1].upper() + phrase[1:],
        )
        for index in range(len(choices) - 1, -1, -1):
            if have >= min(MIN_DIRECTIVE_SLOTS, len(choices)):
                break
            if d.wants(choices[index]["topic"]):
                continue
            choices[index]["topic"] = topic
            reasons[index] = f"the creator asked for more {phrase}"
            have += 1


def _honour_campaign(choices: list[dict[str, str]], reasons: list[str], inputs: WeekInputs) -> None:
    """Give each campaign topic MIN_DIRECTIVE_SLOTS slots, from the week's end, after directives.

    Slots a directive asked for are kept; so are the ones an earlier campaign topic took.
    """
    d = inputs.directives
    taken: set[int] = set()
    for phrase in inputs.campaign_topics:
        if d.is_reduced(phrase):
            continue  # the creator's "less X" beats the campaign's plan
        topic = next(
            (t.topic for t in inputs.trends if mentions(t.topic, phrase)),
            phrase[:1].upper() + phrase[1:],
        )
        have = sum(1 for c in choices if mentions(c["topic"], phrase))
        for index in range(len(choices) - 1, -1, -1):
            if have >= min(MIN_DIRECTIVE_SLOTS, len(choices)):
                break
            if index in taken or d.wants(choices[index]["topic"]):
                continue
            if mentions(choices[index]["topic"], phrase):
                continue
            choices[index]["topic"] = topic
            reasons[index] = f"campaign {inputs.campaign}: {phrase}"
            taken.add(index)
            have += 1


def _honour_news(choices: list[dict[str, str]], reasons: list[str], inputs: WeekInputs) -> None:
    """Plan at least MIN_NEWS_SLOTS slots on collected news items, best score first.

    Slots a directive asked for keep their topic; the others are taken from the week's end.
    """
    d = inputs.directives
    news = sorted(
        (t for t in inputs.trends if t.news and not d.is_reduced(t.topic)),
        key=lambda t: -t.score,
    )
    if not news:
        return
    on_news = {t.topic for t in news}
    have = sum(1 for c in choices if c["topic"] in on_news)
    unused = [t for t in news if t.topic not in {c["topic"] for c in choices}]
    for index in range(len(choices) - 1, -1, -1):
        if have >= min(MIN_NEWS_SLOTS, len(choices)) or not unused:
            break
        if choices[index]["topic"] in on_news or d.wants(choices[index]["topic"]):
            continue
        if reasons[index].startswith("campaign "):
            continue
        item = unused.pop(0)
        choices[index]["topic"] = item.topic
        reasons[index] = f"news from {item.source or 'a feed'}: {item.link}"
        have += 1


__all__ = [
    "MIN_DIRECTIVE_SLOTS",
    "MIN_NEWS_SLOTS",
    "Decide",
    "HookChoice",
    "SlotDecision",
    "TrendCandidate",
    "WeekInputs",
    "WeekSkeleton",
    "decide_week",
    "spike_week",
]
