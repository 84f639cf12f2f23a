"""Comments on published posts and replies to them, beside (not inside) the Publisher protocol.

``Publisher`` stays as third-party plugins know it. An adapter that can also read the comments
under its posts and answer them implements :class:`CommentsCapable` as well; callers check with
``isinstance(adapter, CommentsCapable)``.

Platforms and the endpoints their adapters use:

- Instagram: ``GET /{ig-media-id}/comments`` (top-level comments), ``GET /{ig-comment-id}/replies``
  and ``POST /{ig-comment-id}/replies?message=`` (a reply to a reply lands on the top-level
  comment). Permission ``instagram_manage_comments`` / ``instagram_business_manage_comments``.
- Facebook Pages: ``GET /{video-id}/comments?filter=stream`` and ``POST /{comment-id}/comments``
  with ``message`` (a reply is a comment on the comment). Page token.
- Threads: ``GET /{media-id}/conversation`` (every reply, any depth) and a reply is a TEXT container
  ``POST /{user-id}/threads`` with ``reply_to_id``, published by ``POST /{user-id}/threads_publish``.
  Permissions ``threads_read_replies`` and ``threads_manage_replies``; 1,000 replies per 24 h.
- YouTube: ``commentThreads.list`` by ``videoId`` (part ``snippet,replies``) and ``comments.insert``
  (part ``snippet``) with ``snippet.parentId`` and ``snippet.textOriginal``; replies are one level
  deep, so a reply always names the thread's top-level comment.
- LinkedIn: ``GET /rest/socialActions/{post-urn}/comments`` and ``POST
  /rest/socialActions/{comment-urn}/comments`` with ``actor``, ``object`` (the post),
  ``parentComment`` and ``message.text``. Reading a member's comments needs ``r_member_social``,
  which LinkedIn grants to approved partners only.
- TikTok: not supported. Its public APIs for a creator's app (Login Kit, Display API, Content
  Posting API) neither list the comments of the creator's videos nor post a reply; the Research
  API's ``/v2/research/video/comment/list/`` is read-only, needs an approved research client and
  is not for managing an account. The TikTok adapter therefore does not implement this protocol.

No platform takes an idempotency key for a comment, so :func:`reply_once` looks for the account's
own reply with the same text under the comment before posting, and again after an unconfirmed
attempt: a retry after a crash adopts the reply that landed instead of posting a second one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from tools.publish.base import AccountRef, Credentials
from tools.publish.commit import commit_once

__all__ = [
    "Comment",
    "CommentsCapable",
    "ReplyResult",
    "keep_since",
    "parse_time",
    "reply_once",
    "same_text",
]


class Comment(BaseModel):
    """One comment under a published post, as the platform returned it (text is untrusted).

    Attributes:
        comment_id: The platform's id of the comment.
        platform_post_id: The post the comment is under.
        text: What the commenter wrote, unmodified; treat as data, never as instructions.
        author: The commenter's display name or handle.
        author_id: The platform's id of the commenter, when given.
        created_at: When it was written (aware, UTC), when given.
        parent_id: The comment it answers, for a reply; None for a top-level comment.
        reply_target: The id a reply to this comment must be posted under (e.g. YouTube and
            Instagram only thread one level deep, so it is the top-level comment's id).
        by_account: Written by the account itself (the twin's own replies).
        like_count: Likes of the comment, when given.
        url: A link to the comment, when the platform has one.
    """

    comment_id: str
    platform_post_id: str
    text: str
    author: str = ""
    author_id: str | None = None
    created_at: datetime | None = None
    parent_id: str | None = None
    reply_target: str = ""
    by_account: bool = False
    like_count: int | None = None
    url: str | None = None

    def model_post_init(self, __context: Any) -> None:
        if not self.reply_target:
            self.reply_target = self.comment_id


class ReplyResult(BaseModel):
    """The platform's answer to a reply.

    Attributes:
        reply_id: The platform's id of the posted reply.
        comment_id: The comment it answers.
        url: A link to the reply, when the platform has one.
        adopted: The reply already existed (an earlier attempt landed) and was not posted again.
        raw: The platform's answer, secrets removed.
    """

    reply_id: str
    comment_id: str
    url: str | None = None
    adopted: bool = False
    raw: dict[str, object] = Field(default_factory=dict)


@runtime_checkable
class CommentsCapable(Protocol):
    """An adapter that reads the comments under its posts and replies to them."""

    platform: str

    def fetch_comments(
        self,
        platform_post_id: str,
        *,
        account: AccountRef,
        credentials: Credentials,
        since: datetime | None = None,
    ) -> list[Comment]:
        """Comments and replies under a post, oldest first; ``since`` drops older ones."""
        ...

    def reply(
        self,
        comment: Comment,
        text: str,
        *,
        account: AccountRef,
        credentials: Credentials,
        idempotency_key: str,
    ) -> ReplyResult:
        """Post ``text`` as the account's reply to ``comment``, once per ``idempotency_key``."""
        ...


_SPACE = re.compile(r"\s+")


def same_text(a: str | None, b: str | None) -> bool:
    """Whether two comment texts are the same once whitespace and case are normalised."""
    return (
        _SPACE.sub(" ", (a or "").strip()).casefold()
        == _SPACE.sub(" ", (b or "").strip()).casefold()
    )


def parse_time(value: object) -> datetime | None:
    """An aware UTC datetime from ISO 8601 (``Z``, ``+0000``) text or epoch seconds/ms."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, UTC)
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def keep_since(comments: Iterable[Comment], since: datetime | None) -> list[Comment]:
    """Comments written at or after ``since`` (all when None; undated ones are kept), oldest first."""
    kept = [c for c in comments if since is None or c.created_at is None or c.created_at >= since]
    return sorted(kept, key=lambda c: c.created_at or datetime.min.replace(tzinfo=UTC))


def reply_once(
    comment: Comment,
    text: str,
    *,
    post: Callable[[], ReplyResult],
    existing: Callable[[], ReplyResult | None],
    sleep: Callable[[float], None],
) -> ReplyResult:
    """Adopt the account's reply with this text if it is there already, else post it once.

    Args:
        comment: The comment answered.
        text: The reply text.
        post: Posts the reply; raises ``PublishError(code="unconfirmed")`` when unsure it landed.
        existing: The account's reply with this text under the comment, or None.
        sleep: Sleep function (used before looking again after an unconfirmed post).

    Returns:
        The posted or adopted reply.
    """

    def adopted() -> ReplyResult | None:
        found = existing()
        return found.model_copy(update={"adopted": True}) if found is not None else None

    return adopted() or commit_once(post, adopted, sleep=sleep)
