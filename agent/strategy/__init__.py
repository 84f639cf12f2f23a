"""Where a week is decided: the learner, the creator's directives and the week's skeleton.

``decide_week`` turns the learner's draws, the directives and the policy into a
:class:`WeekSkeleton` (every slot's time, platforms, topic, twin, pillar, tone, hook category
and length); ``conform`` makes the saved plan equal it whatever the model wrote; ``learn``
computes the next strategy from the week's outcomes. The chat model only writes words.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.strategy.adjust import Learned, derive_adjustments, learn
    from agent.strategy.decide import (
        Decide,
        HookChoice,
        SlotDecision,
        TrendCandidate,
        WeekInputs,
        WeekSkeleton,
        decide_week,
    )
    from agent.strategy.directives import (
        DirectiveSet,
        build_directive_set,
        mentions,
        parse_directive,
    )
    from agent.strategy.enforce import Conformed, PlannedItem, conform
    from agent.strategy.evidence import StrategyEvidence
    from agent.strategy.outcomes import PostOutcome, WeekOutcomes, outcomes_of
    from agent.strategy.topics import TopicClusters

# Names load on first use: the CLI parses directives without loading the learner (numpy).
_LAZY = {
    "Conformed": "agent.strategy.enforce",
    "Decide": "agent.strategy.decide",
    "DirectiveSet": "agent.strategy.directives",
    "HookChoice": "agent.strategy.decide",
    "Learned": "agent.strategy.adjust",
    "PlannedItem": "agent.strategy.enforce",
    "PostOutcome": "agent.strategy.outcomes",
    "SlotDecision": "agent.strategy.decide",
    "StrategyEvidence": "agent.strategy.evidence",
    "TopicClusters": "agent.strategy.topics",
    "TrendCandidate": "agent.strategy.decide",
    "WeekInputs": "agent.strategy.decide",
    "WeekOutcomes": "agent.strategy.outcomes",
    "WeekSkeleton": "agent.strategy.decide",
    "build_directive_set": "agent.strategy.directives",
    "conform": "agent.strategy.enforce",
    "decide_week": "agent.strategy.decide",
    "derive_adjustments": "agent.strategy.adjust",
    "learn": "agent.strategy.adjust",
    "mentions": "agent.strategy.directives",
    "outcomes_of": "agent.strategy.outcomes",
    "parse_directive": "agent.strategy.directives",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
