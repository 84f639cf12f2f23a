"""The offline writer, wired in one place: its answers to every schema the cycle asks for."""

from __future__ import annotations

from agent.llm.offline.replies import reply_responder
from agent.llm.offline.report import insights, narrative
from agent.llm.offline.responders import ResponderRegistry
from agent.llm.offline.scripts import captions, plan_words, script
from agent.schemas import (
    CaptionDraft,
    InsightsDraft,
    PlanDraft,
    ReplyDraft,
    ScriptDraft,
    StrategyNarrative,
)


def cycle_registry() -> ResponderRegistry:
    """A registry answering the cycle's plan, script, caption, insight, strategy and reply schemas."""
    registry = ResponderRegistry()
    registry.register(PlanDraft, plan_words)
    registry.register(ScriptDraft, script)
    registry.register(CaptionDraft, captions)
    registry.register(InsightsDraft, insights)
    registry.register(StrategyNarrative, narrative)
    registry.register(ReplyDraft, reply_responder)
    return registry


__all__ = ["cycle_registry"]
