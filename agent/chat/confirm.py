"""Holding back actions that change things until the creator confirms them.

A tool that acts asks first with a LangChain HITL interrupt (one ``action_request`` naming the
tool, its arguments and what it will do; ``approve`` or ``reject``), the request
agent-chat-ui renders. ``twin chat`` and the web chat answer the same interrupt: a yes is
``{"decisions": [{"type": "approve"}]}``, anything else a reject carrying the creator's words.
The tool runs again from its start when the answer comes (LangGraph re-executes an interrupted
node), so everything before the question only reads.
"""

from __future__ import annotations

import re
from typing import Any

from langgraph.types import interrupt
from pydantic import ValidationError

from agent.review.hitl import ActionRequest, HITLRequest, HITLResponse, ReviewConfig

CONFIRM_HINT = "Reply 'yes' to go ahead, or tell me what to change."
YES = re.compile(r"^\s*(y|yes|yep|yeah|ok|okay|sure|confirm|go ahead|do it)\s*[.!]*\s*$", re.I)
NO = re.compile(r"^\s*(n|no|nope|cancel|stop|don't|do not)\s*[.!]*\s*$", re.I)
DECISIONS = ["approve", "reject"]


def confirmation_request(
    tool: str, args: dict[str, Any], description: str, error: str = ""
) -> dict[str, Any]:
    """The interrupt value asking to confirm one action."""
    text = f"(your last answer could not be used: {error}) {description}" if error else description
    return HITLRequest(
        action_requests=[ActionRequest(name=tool, args=args, description=text)],
        review_configs=[ReviewConfig(action_name=tool, allowed_decisions=list(DECISIONS))],
    ).model_dump()


def _decision(answer: Any) -> tuple[bool, str]:
    """(approved, message) from a resume value.

    Raises:
        ValueError: It is not one approve or reject decision.
    """
    try:
        response = HITLResponse.model_validate(answer)
    except ValidationError as exc:
        raise ValueError(
            f"{exc.errors()[0]['msg']} (expected {{'decisions': [{{'type': 'approve'}}]}})"
        ) from None
    if len(response.decisions) != 1:
        raise ValueError(f"{len(response.decisions)} decisions for 1 action; give one")
    decision = response.decisions[0]
    if decision.type not in DECISIONS:
        raise ValueError(f"'{decision.type}' is not allowed here; approve or reject")
    return decision.type == "approve", decision.message


def confirmed(tool: str, args: dict[str, Any], description: str) -> str | None:
    """Ask the creator; None when they approved, else what to tell the model instead.

    An answer that does not fit asks again (with why), so the thread never breaks.
    """
    error = ""
    while True:
        answer = interrupt(confirmation_request(tool, args, description, error))
        try:
            approved, message = _decision(answer)
        except ValueError as exc:
            error = str(exc)
            continue
        if approved:
            return None
        said = f" They said: {message}" if message and not NO.match(message) else ""
        return f"Not done: the creator declined to {description}.{said}"


def answer_for(text: str, *, confirm: bool) -> dict[str, Any]:
    """The resume value for what the creator typed (or a confirm button)."""
    if confirm or YES.match(text):
        return {"decisions": [{"type": "approve"}]}
    return {"decisions": [{"type": "reject", "message": text.strip()}]}


__all__ = ["CONFIRM_HINT", "NO", "YES", "answer_for", "confirmation_request", "confirmed"]
