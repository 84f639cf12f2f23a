"""Review in LangChain's human-in-the-loop format, the one agent-chat-ui and Agent Inbox render.

The review node interrupts with a :class:`HITLRequest`: one ``action_request`` per reel
(``publish_reel`` with the caption, hashtags, script and a signed media URL in ``args``) and
a ``review_config`` saying which decisions are allowed. It resumes with ``{"decisions": [...]}``,
one decision per action in the same order: ``approve``, ``edit`` (``edited_action.args``
carries the new caption and hashtags) or ``reject`` (with a ``message``). Two decisions of our
own extend it for the CLI and web inbox: ``regenerate`` (send the reel back for a new take,
also said as a reject whose message asks for a new take) and ``defer`` (decide later; asked
again). An answer that does not fit is never fatal: :func:`parse_answer` raises ValueError with
a message, and the node asks again with that message in the request.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from agent.schemas import ReelDecision, ReelForReview

ACTION = "publish_reel"
STANDARD_DECISIONS = ["approve", "edit", "reject"]
"""The decisions agent-chat-ui and Agent Inbox offer."""
NEW_TAKE = re.compile(r"^\s*(regenerate|new take|try again|redo)\b", re.I)
"""A reject message that asks for a new take instead of dropping the reel."""


class ActionRequest(BaseModel):
    name: str
    args: dict[str, Any]
    description: str = ""


class ReviewConfig(BaseModel):
    action_name: str
    allowed_decisions: list[str]
    args_schema: dict[str, Any] | None = None


class HITLRequest(BaseModel):
    """The interrupt value: what waits for a decision."""

    action_requests: list[ActionRequest]
    review_configs: list[ReviewConfig]


class EditedAction(BaseModel):
    name: str = ACTION
    args: dict[str, Any] = Field(default_factory=dict)


class Decision(BaseModel):
    """One decision, as the HITL protocol spells it (plus ``regenerate`` and ``defer``)."""

    type: Literal["approve", "edit", "reject", "regenerate", "defer"]
    message: str = ""
    edited_action: EditedAction | None = None


class HITLResponse(BaseModel):
    """The resume value. ``reviewer`` is ours: who decided (the audit log and review notes)."""

    decisions: list[Decision]
    reviewer: str = "creator"


def request_for(
    reels: list[ReelForReview], *, media_url: Any = None, error: str = ""
) -> HITLRequest:
    """The interrupt value for ``reels``; ``media_url(path)`` turns a file into a signed link.

    ``error`` (why the last answer was refused) leads every description, so a UI shows it.
    """
    actions = []
    for reel in reels:
        args = reel.model_dump(mode="json")
        link = media_url(reel.video_path) if media_url else None
        thumb = media_url(reel.thumbnail_path) if media_url and reel.thumbnail_path else None
        args.update({"media_url": link, "thumbnail_url": thumb})
        for local in ("video_path", "thumbnail_path"):
            args.pop(local, None)  # a UI on another machine cannot open a local path
        caption = next(iter(reel.captions.values()), "")
        lines = [
            f"Publish '{reel.title}' on {', '.join(reel.platforms)} at {reel.planned_at}.",
            f"Caption: {caption}",
            f"Hashtags: {' '.join(reel.hashtags)}",
            f"Quality {reel.quality_score:.2f}"
            + (f"; issues: {'; '.join(reel.quality_issues)}" if reel.quality_issues else ""),
        ]
        if reel.flags:
            lines.append("Flagged, so not auto-approved: " + "; ".join(reel.flags))
        if link:
            lines.append(f"Watch: {link}")
        if error:
            lines.insert(0, f"Your last answer could not be used: {error}. Answer again.")
        actions.append(ActionRequest(name=ACTION, args=args, description="\n".join(lines)))
    return HITLRequest(
        action_requests=actions,
        review_configs=[
            ReviewConfig(action_name=ACTION, allowed_decisions=list(STANDARD_DECISIONS))
        ],
    )


def reels_of(request: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The reels a stored interrupt asks about (each action's ``args``), for inboxes to show."""
    if not request:
        return []
    return [dict(a.get("args") or {}) for a in request.get("action_requests") or []]


def parse_answer(answer: Any, request: dict[str, Any]) -> tuple[list[ReelDecision], str]:
    """The reel decisions an answer makes, and who made them.

    Raises:
        ValueError: The answer is not a HITL response for this request (one decision per
            action, in order, each allowed); the message says what is wrong.
    """
    try:
        response = HITLResponse.model_validate(answer)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        raise ValueError(f"{where}: {first['msg']} (expected {{'decisions': [...]}})") from None
    reels = reels_of(request)
    if len(response.decisions) != len(reels):
        raise ValueError(
            f"{len(response.decisions)} decisions for {len(reels)} reels; give one per reel, in order"
        )
    decisions: list[ReelDecision] = []
    for reel, decision in zip(reels, response.decisions, strict=True):
        reel_id = str(reel.get("reel_id", ""))
        if decision.type == "defer":
            continue
        if decision.type == "approve":
            decisions.append(ReelDecision(reel_id=reel_id, action="approve"))
        elif decision.type == "edit":
            args = decision.edited_action.args if decision.edited_action else {}
            caption, hashtags = args.get("caption"), args.get("hashtags")
            if caption is not None and not isinstance(caption, str):
                raise ValueError(f"edit of {reel_id[:8]}: caption must be text")
            if hashtags is not None and not (
                isinstance(hashtags, list) and all(isinstance(t, str) for t in hashtags)
            ):
                raise ValueError(f"edit of {reel_id[:8]}: hashtags must be a list of text")
            decisions.append(
                ReelDecision(reel_id=reel_id, action="edit", caption=caption, hashtags=hashtags)
            )
        elif decision.type == "regenerate" or NEW_TAKE.match(decision.message):
            decisions.append(
                ReelDecision(reel_id=reel_id, action="regenerate", reason=decision.message)
            )
        else:
            decisions.append(
                ReelDecision(reel_id=reel_id, action="reject", reason=decision.message)
            )
    return decisions, response.reviewer


def resume_value(
    request: dict[str, Any] | None, decisions: list[ReelDecision], reviewer: str
) -> dict[str, Any]:
    """The HITL resume value for reel-keyed decisions; reels without one are deferred."""
    by_reel = {d.reel_id: d for d in decisions}
    ordered: list[dict[str, Any]] = []
    for reel in reels_of(request):
        decision = by_reel.get(str(reel.get("reel_id")))
        if decision is None:
            ordered.append({"type": "defer"})
        elif decision.action == "approve":
            ordered.append({"type": "approve"})
        elif decision.action == "edit":
            args = {
                k: v
                for k, v in {"caption": decision.caption, "hashtags": decision.hashtags}.items()
                if v is not None
            }
            ordered.append({"type": "edit", "edited_action": {"name": ACTION, "args": args}})
        elif decision.action == "regenerate":
            ordered.append({"type": "regenerate", "message": decision.reason})
        else:
            ordered.append({"type": "reject", "message": decision.reason})
    return {"decisions": ordered, "reviewer": reviewer}


__all__ = [
    "ACTION",
    "STANDARD_DECISIONS",
    "ActionRequest",
    "Decision",
    "HITLRequest",
    "HITLResponse",
    "ReviewConfig",
    "parse_answer",
    "reels_of",
    "request_for",
    "resume_value",
]
