"""A comment platform whose comments are written by the test, and a model that writes what it's told."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tools.publish.base import AccountRef, Credentials, PublishError
from tools.publish.comments import Comment, ReplyResult, same_text


class ScriptedComments:
    """Comments by post id as the test lists them; replies are recorded as a platform would.

    ``dedupe=False`` posts every call (like a platform without idempotency), so only the caller's
    own bookkeeping can keep a reply from going out twice. ``failures`` are raised, in order, by
    the next ``reply`` calls.
    """

    platform = "sandbox"

    def __init__(self, *, delay: float = 0.0, dedupe: bool = False) -> None:
        self.comments: dict[str, list[Comment]] = {}
        self.replies: list[dict[str, Any]] = []
        self.failures: list[PublishError] = []
        self.delay = delay
        self.dedupe = dedupe
        self.fetches = 0
        self.lock = threading.Lock()

    def add(
        self,
        post_id: str,
        comment_id: str,
        text: str,
        *,
        author: str = "@reader",
        created_at: datetime | None = None,
        by_account: bool = False,
    ) -> Comment:
        comment = Comment(
            comment_id=comment_id,
            platform_post_id=post_id,
            text=text,
            author=author,
            created_at=created_at,
            by_account=by_account,
        )
        self.comments.setdefault(post_id, []).append(comment)
        return comment

    def fetch_comments(
        self,
        platform_post_id: str,
        *,
        account: AccountRef,
        credentials: Credentials,
        since: datetime | None = None,
    ) -> list[Comment]:
        self.fetches += 1
        found = list(self.comments.get(platform_post_id, []))
        return [c for c in found if since is None or c.created_at is None or c.created_at >= since]

    def reply(
        self,
        comment: Comment,
        text: str,
        *,
        account: AccountRef,
        credentials: Credentials,
        idempotency_key: str,
    ) -> ReplyResult:
        with self.lock:
            if self.failures:
                raise self.failures.pop(0)
            if self.dedupe:
                for earlier in self.replies:
                    if earlier["comment_id"] == comment.comment_id and same_text(
                        earlier["text"], text
                    ):
                        return ReplyResult(
                            reply_id=earlier["id"], comment_id=comment.comment_id, adopted=True
                        )
        time.sleep(self.delay)  # wide enough for a second sender to race this one
        with self.lock:
            reply_id = f"r{len(self.replies) + 1}"
            self.replies.append(
                {
                    "id": reply_id,
                    "comment_id": comment.comment_id,
                    "text": text,
                    "key": idempotency_key,
                }
            )
        return ReplyResult(reply_id=reply_id, comment_id=comment.comment_id)

    def refresh_token(self, credentials: Credentials) -> Credentials:
        return credentials


def answering(words: Callable[[dict[str, Any]], str]) -> Callable[..., dict[str, Any]]:
    """A ReplyDraft responder that answers ``words(inputs)`` (a scripted stand-in model)."""
    from agent.llm.offline.replies import read_inputs

    def respond(messages: list[Any], schema: Any, rng: Any) -> dict[str, Any]:
        return {"text": words(read_inputs(messages))}

    return respond
