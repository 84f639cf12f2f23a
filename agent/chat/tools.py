"""Every tool the chat agent may call, in the order the model sees them."""

from __future__ import annotations

from langchain_core.tools import BaseTool

from agent.chat.tools_act import (
    add_directive,
    approve_reels,
    edit_reel,
    pause_schedule,
    reject_reels,
    remove_directive,
    resume_schedule,
    run_now,
)
from agent.chat.tools_read import (
    get_status,
    last_report,
    list_directives,
    pending_approvals,
    search_memory,
    show_calendar,
)

TOOLS: list[BaseTool] = [
    get_status,
    show_calendar,
    pending_approvals,
    approve_reels,
    reject_reels,
    edit_reel,
    add_directive,
    list_directives,
    remove_directive,
    run_now,
    pause_schedule,
    resume_schedule,
    last_report,
    search_memory,
]
"""The chat agent's tools."""
