"""LinkedIn comments through the socialActions comments API (Community Management).

- ``GET /rest/socialActions/{post-urn}/comments?start=&count=`` -> ``elements[]`` with ``actor``,
  ``commentUrn``, ``created.time`` (epoch ms), ``message.text``, ``parentComment`` and
  ``commentsSummary``; ``GET /rest/socialActions/{comment-urn}/comments`` lists a comment's replies.
- A reply: ``POST /rest/socialActions/{comment-urn}/comments`` with ``{"actor", "object": post-urn,
  "parentComment": comment-urn, "message": {"text"}}``; the new comment comes back in the body
  (``commentUrn``) or the ``x-restli-id`` header. LinkedIn nests two levels, so a reply to a reply
  names the top-level comment.

Reading comments needs ``r_member_social`` (restricted to approved partners) for a member, or
``r_organization_social`` for an organization page; writing needs ``w_member_social`` /
``w_organization_social``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

from tools.publish.base import AccountRef, Credentials, PublishError
from tools.publish.comments import (
    Comment,
    ReplyResult,
    keep_since,
    parse_time,
    reply_once,
    same_text,
)
from tools.publish.http import UNCONFIRMED, ApiClient
from tools.publish.options import HttpOptions
from tools.publish.redact import redact

__all__ = ["LinkedInComments"]

PAGE = 100
MAX_PAGES = 20


class LinkedInComments(ABC):
    """The comment side of :class:`~tools.publish.linkedin.LinkedInPublisher`."""

    api: ApiClient
    options: HttpOptions

    @abstractmethod
    def _headers(self, credentials: Credentials) -> dict[str, str]:
        """Authorization, LinkedIn-Version and Rest.li headers (the publisher's)."""

    @staticmethod
    @abstractmethod
    def owner(account: AccountRef) -> str:
        """The author URN of the account (the publisher's)."""

    def _elements(self, urn: str, credentials: Credentials) -> Iterator[dict[str, Any]]:
        start = 0
        for _ in range(MAX_PAGES):
            body = self.api.json(
                "GET",
                f"rest/socialActions/{quote(urn, safe='')}/comments",
                params={"start": str(start), "count": str(PAGE)},
                headers=self._headers(credentials),
                secrets=[credentials.access_token],
            )
            elements = [e for e in body.get("elements") or [] if isinstance(e, dict)]
            yield from elements
            paging = body.get("paging") or {}
            total = paging.get("total")
            start += len(elements)
            if not elements or total is None or start >= int(total):
                return

    def _comment(
        self, item: dict[str, Any], post_urn: str, account: AccountRef, top: str | None
    ) -> Comment:
        urn = str(item.get("commentUrn") or item.get("$URN") or item.get("id"))
        actor = str(item.get("actor") or (item.get("created") or {}).get("actor") or "")
        parent = item.get("parentComment") or top
        return Comment(
            comment_id=urn,
            platform_post_id=post_urn,
            text=str((item.get("message") or {}).get("text") or ""),
            author=actor,
            author_id=actor or None,
            created_at=parse_time((item.get("created") or {}).get("time")),
            parent_id=str(parent) if parent else None,
            reply_target=str(top or parent or urn),
            by_account=actor == self.owner(account),
        )

    def fetch_comments(
        self,
        platform_post_id: str,
        *,
        account: AccountRef,
        credentials: Credentials,
        since: datetime | None = None,
    ) -> list[Comment]:
        """The post's comments and, for those that have any, their replies."""
        out: list[Comment] = []
        for item in self._elements(platform_post_id, credentials):
            top = self._comment(item, platform_post_id, account, None)
            out.append(top)
            summary = item.get("commentsSummary") or {}
            nested = summary.get("totalFirstLevelComments") or summary.get(
                "aggregatedTotalComments"
            )
            if nested:
                out.extend(
                    self._comment(child, platform_post_id, account, top.comment_id)
                    for child in self._elements(top.comment_id, credentials)
                )
        return keep_since(out, since)

    def reply(
        self,
        comment: Comment,
        text: str,
        *,
        account: AccountRef,
        credentials: Credentials,
        idempotency_key: str,
    ) -> ReplyResult:
        """A nested comment under the top-level comment, once."""
        target = comment.reply_target
        owner = self.owner(account)

        def existing() -> ReplyResult | None:
            for item in self._elements(target, credentials):
                found = self._comment(item, comment.platform_post_id, account, target)
                if found.by_account and same_text(found.text, text):
                    return ReplyResult(reply_id=found.comment_id, comment_id=comment.comment_id)
            return None

        def post() -> ReplyResult:
            response = self.api.request(
                "POST",
                f"rest/socialActions/{quote(target, safe='')}/comments",
                json={
                    "actor": owner,
                    "object": comment.platform_post_id,
                    "parentComment": target,
                    "message": {"text": text},
                },
                headers=self._headers(credentials),
                idempotent=False,
                secrets=[credentials.access_token],
            )
            body: dict[str, Any] = {}
            if response.content:
                try:
                    decoded = response.json()
                except ValueError:
                    decoded = {}
                body = decoded if isinstance(decoded, dict) else {}
            urn = body.get("commentUrn") or body.get("$URN") or response.headers.get("x-restli-id")
            reply_id = str(urn or body.get("id") or "")
            if not reply_id:
                raise PublishError(
                    "LinkedIn: the reply was accepted without an id; looking it up",
                    retryable=True,
                    code=UNCONFIRMED,
                )
            return ReplyResult(
                reply_id=reply_id, comment_id=comment.comment_id, raw=redact({"comment": body})
            )

        return reply_once(comment, text, post=post, existing=existing, sleep=self.options.sleep)
