"""Where a week is decided: the learner, the creator's directives and the week's skeleton.

``decide_week`` turns the learner's draws, the directives and the policy into a
:class:`WeekSkeleton` (every slot's time, platforms, topic, twin, pillar, tone, hook category
and length); ``conform`` makes the saved plan equal it whatever the model wrote; ``learn``
computes the next strategy from the week's outcomes. The chat model only writes words.
"""

from agent.strategy.adjust import Learned, derive_adjustments, learn
from agent.strategy.conform import Conformed, PlannedItem, conform
from agent.strategy.decide import (
    Decide,
    HookChoice,
    SlotDecision,
    TrendCandidate,
    WeekInputs,
    WeekSkeleton,
    decide_week,
)
from agent.strategy.directives import DirectiveSet, build_directive_set, mentions, parse_directive
from agent.strategy.evidence import StrategyEvidence
from agent.strategy.outcomes import PostOutcome, WeekOutcomes, outcomes_of
from agent.strategy.topics import TopicClusters

__all__ = [
    "Conformed",
    "Decide",
    "DirectiveSet",
    "HookChoice",
    "Learned",
    "PlannedItem",
    "PostOutcome",
    "SlotDecision",
    "StrategyEvidence",
    "TopicClusters",
    "TrendCandidate",
    "WeekInputs",
    "WeekOutcomes",
    "WeekSkeleton",
    "build_directive_set",
    "conform",
    "decide_week",
    "derive_adjustments",
    "learn",
    "mentions",
    "outcomes_of",
    "parse_directive",
]
