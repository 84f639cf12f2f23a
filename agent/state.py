"""Graph state: a narrow input and the full state, all JSON-serialisable ids and flags.

Rows live in the database; the state carries only what routes the graph and what a
resumed run needs to find its rows again.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

from typing_extensions import TypedDict  # pydantic (server /schemas) needs it before 3.12


class CycleInput(TypedDict, total=False):
    """What starts a weekly run; ``{}`` means the only agent and the current week."""

    run_id: str
    """The AgentRun id; also the LangGraph thread id (the thread id when left out)."""
    agent_id: str
    """The agent whose week this is (the only agent when left out)."""
    week: str
    """ISO week planned, e.g. ``2026-W48`` (the current week when left out)."""
    auto_approve: bool
    """Approve every reel for this run regardless of the agent's approval mode."""
    spike_topic: str
    """A ``trend_spike`` run: one extra reel on this topic, always reviewed by a person."""


class CycleState(CycleInput, total=False):
    """Everything the cycle's nodes pass to each other."""

    calendar_id: str
    """The ContentCalendar written by planning."""
    item_ids: list[str]
    """CalendarItems of the plan, in slot order."""
    revise: dict[str, str]
    """Calendar item id -> reviewer feedback, for items sent back to creating."""
    revisions: dict[str, int]
    """Calendar item id -> how many times review sent it back (at most 2)."""
    reel_ids: list[str]
    """The current reel of every item that has one."""
    review_round: int
    """How many review rounds have happened."""
    undecided: int
    """Reels the last review answer left without a decision (they are asked again)."""
    post_ids: list[str]
    """Posts created by publishing."""
    outcomes: dict[str, Any]
    """The analysed week's scored outcomes (``agent.strategy.WeekOutcomes`` as JSON)."""
    engagement: dict[str, Any]
    """What the engagement sync after analyzing did (comments, drafted replies, sent ones)."""
    report_id: str
    """The WeeklyReport written by adapting."""
    strategy_id: str
    """The StrategyUpdate written by adapting."""
    failures: Annotated[list[str], operator.add]
    """One line per item or step that failed; the run goes on without it."""
