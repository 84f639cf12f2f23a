"""Asking the chat model for a reply's words, inside the choice the code made.

The prompt carries the post (topic, caption, script), the twin's voice and the comment as quoted,
sanitised data; no tool is bound and no secret is in it. Whatever comes back is checked by
:func:`~agent.engagement.untrusted.check_draft` before it is stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from sqlalchemy.orm import Session

from agent.engagement.triage import Triage
from agent.engagement.untrusted import quote_comment, reply_limit
from agent.llm import invoke_structured
from agent.schemas import ReplyDraft
from db.models import AITwin, CalendarItem, Post, Script, VideoReel
from db.schemas import TwinConfig
from prompts import load_prompt
from tools.publish.comments import Comment

__all__ = ["PROMPT", "PostContext", "draft_reply", "post_context", "reply_inputs"]

PROMPT = "reply"
SCRIPT_CHARS = 900


@dataclass(frozen=True)
class PostContext:
    """What a reply may draw on: the post's topic, caption and script, and the twin's voice."""

    platform: str
    topic: str
    caption: str
    script: str
    twin: dict[str, Any]
    language: str = "en"


def post_context(session: Session, post: Post) -> PostContext:
    """The context of a published post, read from its reel, calendar item, script and twin."""
    reel = session.get(VideoReel, post.reel_id)
    item = (
        session.get(CalendarItem, reel.calendar_item_id) if reel and reel.calendar_item_id else None
    )
    script = session.get(Script, item.script_id) if item and item.script_id else None
    twin = session.get(AITwin, item.ai_twin_id) if item and item.ai_twin_id else None
    voice: dict[str, Any] = {"name": twin.name if twin else "the creator"}
    if twin is not None:
        personality = TwinConfig.model_validate(twin.config_json or {}).personality
        voice |= {
            "traits": personality.traits,
            "humor": personality.humor,
            "formality": personality.formality,
        }
    body = script.body_text if script else ""
    return PostContext(
        platform=post.platform.value,
        topic=(item.topic if item else (reel.title if reel else "")),
        caption=post.caption,
        script=body[:SCRIPT_CHARS],
        twin=voice,
        language=script.language if script else "en",
    )


def reply_inputs(
    comment: Comment, triage: Triage, task: Literal["answer", "thanks"], context: PostContext
) -> dict[str, Any]:
    """The prompt's ``<inputs>``: the comment only as sanitised, length-capped quoted text."""
    return {
        "task": task,
        "platform": context.platform,
        "language": context.language,
        "max_chars": reply_limit(context.platform),
        "twin": context.twin,
        "post": {"topic": context.topic, "caption": context.caption, "script": context.script},
        "comment": {
            "author": quote_comment(comment.author, max_chars=60),
            "kind": triage.kind,
            "text": quote_comment(comment.text),
        },
    }


def draft_reply(
    model: BaseChatModel,
    inputs: dict[str, Any],
    *,
    on_usage: Callable[[int, int], None] | None = None,
    config: RunnableConfig | None = None,
) -> str:
    """The model's words for one reply (validated as :class:`ReplyDraft`); no tool is bound."""
    prompt = load_prompt(PROMPT)
    messages = prompt.messages(inputs=json.dumps(inputs, ensure_ascii=False, indent=1))
    draft = invoke_structured(model, ReplyDraft, messages, on_usage=on_usage, config=config)
    return " ".join(draft.text.split())
