"""Comments and replies on Instagram, Facebook Pages and Threads (Graph API).

- Instagram: ``GET /{ig-media-id}/comments`` with the ``replies`` edge expanded, and a reply is
  ``POST /{ig-comment-id}/replies`` with ``message``. Instagram threads one level deep: a reply to
  a reply is posted under the top-level comment.
- Facebook Pages: ``GET /{video-id}/comments?filter=stream`` returns comments and replies flat,
  each reply with its ``parent``; a reply is ``POST /{comment-id}/comments`` with ``message``.
- Threads: ``GET /{media-id}/conversation`` returns every reply at any depth; a reply is a TEXT
  container (``POST /{user-id}/threads`` with ``reply_to_id``) published with ``threads_publish``,
  within the 1,000 replies per 24 h that ``threads_publishing_limit`` reports.

These mixins are the comment side of the publisher classes; the Publisher protocol is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from tools.publish.base import AccountRef, Credentials, PublishError, RateLimitState
from tools.publish.comments import (
    Comment,
    ReplyResult,
    keep_since,
    parse_time,
    reply_once,
    same_text,
)
from tools.publish.http import ApiClient
from tools.publish.meta import bearer
from tools.publish.options import HttpOptions
from tools.publish.redact import redact

__all__ = ["FacebookComments", "InstagramComments", "ThreadsComments", "graph_pages"]

MAX_PAGES = 20
IG_FIELDS = "id,text,timestamp,username,from,like_count,parent_id"


def graph_pages(
    api: ApiClient, path: str, credentials: Credentials, params: dict[str, str]
) -> Iterator[dict[str, Any]]:
    """Every item of a Graph API list, following ``paging.next`` (at most ``MAX_PAGES`` pages)."""
    url: str | None = path
    query: dict[str, str] | None = params
    for _ in range(MAX_PAGES):
        if url is None:
            return
        body = api.json(
            "GET",
            url,
            params=query,
            headers=bearer(credentials),
            secrets=[credentials.access_token],
        )
        for item in body.get("data") or []:
            if isinstance(item, dict):
                yield item
        paging = body.get("paging") or {}
        url = paging.get("next") if isinstance(paging, dict) else None
        query = None  # the next link carries the query


def _from(item: dict[str, Any]) -> tuple[str, str | None]:
    raw = item.get("from")
    author: dict[str, Any] = raw if isinstance(raw, dict) else {}
    name = str(item.get("username") or author.get("username") or author.get("name") or "")
    ident = author.get("id") or (item.get("user") or {}).get("id")
    return name, str(ident) if ident else None


def _mine(account: AccountRef, name: str, ident: str | None) -> bool:
    return ident == account.external_id or (
        bool(name) and name.lstrip("@").casefold() == account.handle.lstrip("@").casefold()
    )


class InstagramComments:
    """The comment side of :class:`~tools.publish.instagram.InstagramPublisher`."""

    api: ApiClient
    options: HttpOptions

    def _ig_comment(
        self, item: dict[str, Any], post_id: str, account: AccountRef, top: str | None
    ) -> Comment:
        name, ident = _from(item)
        return Comment(
            comment_id=str(item["id"]),
            platform_post_id=post_id,
            text=str(item.get("text") or ""),
            author=name,
            author_id=ident,
            created_at=parse_time(item.get("timestamp")),
            parent_id=top or (str(item["parent_id"]) if item.get("parent_id") else None),
            reply_target=top or str(item["id"]),
            by_account=_mine(account, name, ident),
            like_count=item.get("like_count") if isinstance(item.get("like_count"), int) else None,
        )

    def fetch_comments(
        self,
        platform_post_id: str,
        *,
        account: AccountRef,
        credentials: Credentials,
        since: datetime | None = None,
    ) -> list[Comment]:
        """Top-level comments of a media object and their replies."""
        out: list[Comment] = []
        params = {"fields": f"{IG_FIELDS},replies{{{IG_FIELDS}}}", "limit": "50"}
        for item in graph_pages(self.api, f"{platform_post_id}/comments", credentials, params):
            top = self._ig_comment(item, platform_post_id, account, None)
            out.append(top)
            for child in (item.get("replies") or {}).get("data") or []:
                if isinstance(child, dict):
                    out.append(self._ig_comment(child, platform_post_id, account, top.comment_id))
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
        """``POST /{ig-comment-id}/replies`` under the top-level comment, once."""
        target = comment.reply_target

        def existing() -> ReplyResult | None:
            params = {"fields": IG_FIELDS, "limit": "50"}
            for item in graph_pages(self.api, f"{target}/replies", credentials, params):
                name, ident = _from(item)
                if _mine(account, name, ident) and same_text(item.get("text"), text):
                    return ReplyResult(reply_id=str(item["id"]), comment_id=comment.comment_id)
            return None

        def post() -> ReplyResult:
            body = self.api.json(
                "POST",
                f"{target}/replies",
                data={"message": text},
                headers=bearer(credentials),
                idempotent=False,
                secrets=[credentials.access_token],
            )
            return ReplyResult(
                reply_id=str(body["id"]),
                comment_id=comment.comment_id,
                raw=redact(body, [credentials.access_token]),
            )

        return reply_once(comment, text, post=post, existing=existing, sleep=self.options.sleep)


class FacebookComments:
    """The comment side of :class:`~tools.publish.facebook.FacebookPublisher` (Page token)."""

    api: ApiClient
    options: HttpOptions

    def fetch_comments(
        self,
        platform_post_id: str,
        *,
        account: AccountRef,
        credentials: Credentials,
        since: datetime | None = None,
    ) -> list[Comment]:
        """Every comment and reply on the reel (``filter=stream``, oldest first)."""
        params = {
            "fields": "id,message,created_time,from,parent{id},like_count,permalink_url",
            "filter": "stream",
            "order": "chronological",
            "limit": "100",
        }
        out = []
        for item in graph_pages(self.api, f"{platform_post_id}/comments", credentials, params):
            name, ident = _from(item)
            raw_parent = item.get("parent")
            parent: dict[str, Any] = raw_parent if isinstance(raw_parent, dict) else {}
            out.append(
                Comment(
                    comment_id=str(item["id"]),
                    platform_post_id=platform_post_id,
                    text=str(item.get("message") or ""),
                    author=name,
                    author_id=ident,
                    created_at=parse_time(item.get("created_time")),
                    parent_id=str(parent["id"]) if parent.get("id") else None,
                    by_account=ident == account.external_id,
                    like_count=item.get("like_count")
                    if isinstance(item.get("like_count"), int)
                    else None,
                    url=item.get("permalink_url"),
                )
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
        """A comment on the comment (``POST /{comment-id}/comments``), once."""
        target = comment.reply_target

        def existing() -> ReplyResult | None:
            params = {"fields": "id,message,from", "limit": "100"}
            for item in graph_pages(self.api, f"{target}/comments", credentials, params):
                _, ident = _from(item)
                if ident == account.external_id and same_text(item.get("message"), text):
                    return ReplyResult(reply_id=str(item["id"]), comment_id=comment.comment_id)
            return None

        def post() -> ReplyResult:
            body = self.api.json(
                "POST",
                f"{target}/comments",
                data={"message": text},
                headers=bearer(credentials),
                idempotent=False,
                secrets=[credentials.access_token],
            )
            return ReplyResult(
                reply_id=str(body["id"]),
                comment_id=comment.comment_id,
                raw=redact(body, [credentials.access_token]),
            )

        return reply_once(comment, text, post=post, existing=existing, sleep=self.options.sleep)


class ThreadsComments:
    """The reply side of :class:`~tools.publish.threads.ThreadsPublisher`."""

    api: ApiClient
    options: HttpOptions

    def fetch_comments(
        self,
        platform_post_id: str,
        *,
        account: AccountRef,
        credentials: Credentials,
        since: datetime | None = None,
    ) -> list[Comment]:
        """Every reply in the thread's conversation, any depth, oldest first."""
        params = {
            "fields": "id,text,username,timestamp,permalink,replied_to,is_reply_owned_by_me",
            "reverse": "false",
        }
        out = []
        for item in graph_pages(self.api, f"{platform_post_id}/conversation", credentials, params):
            raw_replied = item.get("replied_to")
            replied: dict[str, Any] = raw_replied if isinstance(raw_replied, dict) else {}
            parent = str(replied.get("id") or "")
            name = str(item.get("username") or "")
            out.append(
                Comment(
                    comment_id=str(item["id"]),
                    platform_post_id=platform_post_id,
                    text=str(item.get("text") or ""),
                    author=name,
                    created_at=parse_time(item.get("timestamp")),
                    parent_id=parent if parent and parent != platform_post_id else None,
                    by_account=bool(item.get("is_reply_owned_by_me")) or _mine(account, name, None),
                    url=item.get("permalink"),
                )
            )
        return keep_since(out, since)

    def reply_limits(self, *, account: AccountRef, credentials: Credentials) -> RateLimitState:
        """The 24 h reply quota (``reply_quota_usage`` / ``reply_config``)."""
        body = self.api.json(
            "GET",
            f"{account.external_id}/threads_publishing_limit",
            params={"fields": "reply_quota_usage,reply_config"},
            headers=bearer(credentials),
            secrets=[credentials.access_token],
        )
        entry = (body.get("data") or [{}])[0]
        config = entry.get("reply_config") or {}
        total, used = config.get("quota_total"), entry.get("reply_quota_usage")
        remaining = int(total) - int(used) if total is not None and used is not None else None
        return RateLimitState(remaining=remaining, limit=int(total) if total else None)

    def _wait_reply_container(self, container_id: str, credentials: Credentials) -> None:
        for _ in range(self.options.max_polls):
            state = self.api.json(
                "GET",
                container_id,
                params={"fields": "status,error_message"},
                headers=bearer(credentials),
                secrets=[credentials.access_token],
            )
            status = state.get("status")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                raise PublishError(
                    f"Threads: reply container {container_id} ended {status} "
                    f"({redact(str(state.get('error_message') or 'no reason given'))})",
                    code=f"container_{str(status).lower()}",
                )
            self.options.sleep(self.options.poll_interval)
        raise PublishError(
            f"Threads: reply container {container_id} still processing; try again later",
            retryable=True,
            retry_after=60.0,
            code="processing_timeout",
        )

    def reply(
        self,
        comment: Comment,
        text: str,
        *,
        account: AccountRef,
        credentials: Credentials,
        idempotency_key: str,
    ) -> ReplyResult:
        """A TEXT container with ``reply_to_id``, then ``threads_publish``, once."""
        auth = bearer(credentials)
        secrets = [credentials.access_token]

        def existing() -> ReplyResult | None:
            for found in self.fetch_comments(
                comment.platform_post_id, account=account, credentials=credentials
            ):
                if (
                    found.by_account
                    and found.parent_id == comment.comment_id
                    and same_text(found.text, text)
                ):
                    return ReplyResult(
                        reply_id=found.comment_id, comment_id=comment.comment_id, url=found.url
                    )
            return None

        def post() -> ReplyResult:
            quota = self.reply_limits(account=account, credentials=credentials)
            if quota.remaining is not None and quota.remaining <= 0:
                raise PublishError(
                    f"Threads: reply quota used ({quota.limit} replies per rolling 24 h); "
                    "the reply was not sent and is tried again later",
                    retryable=True,
                    retry_after=3600.0,
                    code="quota_exhausted",
                )
            container = self.api.json(
                "POST",
                f"{account.external_id}/threads",
                data={"media_type": "TEXT", "text": text, "reply_to_id": comment.reply_target},
                headers=auth,
                secrets=secrets,
            )
            container_id = str(container["id"])
            self._wait_reply_container(container_id, credentials)
            body = self.api.json(
                "POST",
                f"{account.external_id}/threads_publish",
                data={"creation_id": container_id},
                headers=auth,
                idempotent=False,
                secrets=secrets,
            )
            return ReplyResult(
                reply_id=str(body["id"]),
                comment_id=comment.comment_id,
                raw={"container_id": container_id},
            )

        return reply_once(comment, text, post=post, existing=existing, sleep=self.options.sleep)
