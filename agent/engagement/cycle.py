"""What the weekly cycle runs after analyzing: pull comments, draft replies, send auto-approved ones.

Safe to run again when the node re-executes: actions are created once per comment and each reply
is sent at most once. Platform problems are reported in the summary, never raised.
"""

from __future__ import annotations

import uuid
from typing import Any

from agent.context import Context
from agent.engagement.drafting import PROMPT
from agent.engagement.sending import send_approved
from agent.engagement.sync import LOOKBACK, sync
from prompts import load_prompt

__all__ = ["engage_after_analyzing"]


def engage_after_analyzing(ctx: Context, agent_id: uuid.UUID) -> dict[str, Any]:
    """Sync engagement for the agent with the run's clock, model, adapters and usage counter.

    Returns:
        A JSON-ready summary: the sync line, counts, replies posted and any warnings.
    """
    found = sync(
        sessions=ctx.sessions,
        cipher=ctx.cipher,
        clock=ctx.clock,
        publisher_for=ctx.tools.publisher_for,
        chat_model=ctx.chat_model,
        agent_id=agent_id,
        lookback=LOOKBACK,
        config={"callbacks": [ctx.usage]},
    )
    ctx.prompt_hashes[PROMPT] = load_prompt(PROMPT).sha256
    sent = send_approved(
        sessions=ctx.sessions,
        cipher=ctx.cipher,
        clock=ctx.clock,
        publisher_for=ctx.tools.publisher_for,
        agent_id=agent_id,
    )
    return {
        "summary": found.summary(),
        "new_comments": found.comments,
        "drafted": found.drafted,
        "waiting_for_approval": found.drafted - found.auto_approved,
        "flagged": found.flagged,
        "replies_sent": len(sent.sent),
        "warnings": [*found.errors, *found.unsupported.values(), *sent.failed.values()],
    }
