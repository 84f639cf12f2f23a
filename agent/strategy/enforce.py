"""Make the saved plan equal the decided skeleton, whatever the model answered, and count how
often the model disagreed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from agent.schemas import PlanDraft, PlanItemDraft
from agent.strategy.decide import SlotDecision, WeekSkeleton
from agent.strategy.directives import mentions

DECIDED_FIELDS = ("topic", "twin", "pillar", "tone", "hook_category", "target_length_sec")
"""The fields of a plan item that code decides; the model's values are overwritten."""


@dataclass(frozen=True)
class PlannedItem:
    """A slot's decision with the words the model wrote for it."""

    decision: SlotDecision
    hook: str
    rationale: str


@dataclass
class Conformed:
    """The plan to save, and how far the model's answer was from it."""

    items: list[PlannedItem]
    summary: str
    contradictions: Counter[str] = field(default_factory=Counter)
    """Decided field -> how many slots the model answered differently."""
    missing: int = 0
    """Slots the model wrote nothing for (code wrote their words)."""
    replaced_hooks: int = 0
    """Hooks written for another topic or category, replaced by the template's."""

    @property
    def disagreements(self) -> int:
        return sum(self.contradictions.values()) + self.missing


def _same_topic(a: str, b: str) -> bool:
    return " ".join(a.lower().split()) == " ".join(b.lower().split())


def _answer_for(
    draft: PlanDraft | None, decision: SlotDecision, index: int
) -> PlanItemDraft | None:
    if draft is None:
        return None
    by_slot = {item.slot: item for item in draft.items}
    if decision.slot in by_slot:
        return by_slot[decision.slot]
    return draft.items[index] if index < len(draft.items) else None


def conform(draft: PlanDraft | None, skeleton: WeekSkeleton) -> Conformed:
    """Pair each decided slot with the model's words for it; every decided field stays decided.

    A hook is the model's only when it was written for the decided topic and hook category
    (or names the topic); otherwise the category's template, filled with the topic, is used.
    """
    result = Conformed(items=[], summary=draft.strategy_summary if draft else "")
    for index, decision in enumerate(skeleton.slots):
        answer = _answer_for(draft, decision, index)
        if answer is None:
            result.missing += 1
            result.items.append(PlannedItem(decision, decision.default_hook(), decision.reason))
            continue
        for name in DECIDED_FIELDS:
            said, decided = getattr(answer, name), getattr(decision, name)
            same = _same_topic(said, decided) if name == "topic" else str(said) == str(decided)
            if not same:
                result.contradictions[name] += 1
        on_topic = _same_topic(answer.topic, decision.topic) or mentions(
            answer.hook, decision.topic
        )
        fits = on_topic and answer.hook_category == decision.hook_category
        hook = answer.hook.strip() if fits and answer.hook.strip() else decision.default_hook()
        if hook != answer.hook.strip():
            result.replaced_hooks += 1
        rationale = (
            answer.rationale.strip() if on_topic and answer.rationale.strip() else decision.reason
        )
        result.items.append(PlannedItem(decision, hook, rationale[:300]))
    return result


__all__ = ["DECIDED_FIELDS", "Conformed", "PlannedItem", "conform"]
