"""YouTube comments: ``commentThreads.list`` by video and ``comments.insert`` as a reply.

Per the YouTube Data API v3 discovery document:

- ``GET youtube/v3/commentThreads?part=snippet,replies&videoId=&textFormat=plainText
  &maxResults=100&order=time&pageToken=`` -> ``items[].snippet.topLevelComment`` (a Comment) and
  ``items[].replies.comments`` (a subset when ``snippet.totalReplyCount`` is larger, in which case
  ``GET youtube/v3/comments?part=snippet&parentId=`` lists them all).
- ``POST youtube/v3/comments?part=snippet`` with ``{"snippet": {"parentId", "textOriginal"}}``
  (quota cost 50). YouTube has one level of replies, so ``parentId`` is always the thread's
  top-level comment.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from tools.publish.base import AccountRef, Credentials
from tools.publish.comments import (
    Comment,
    ReplyResult,
    keep_since,
    parse_time,
    reply_once,
    same_text,
)
from tools.publish.http import ApiClient
from tools.publish.options import HttpOptions
from tools.publish.redact import redact

__all__ = ["YouTubeComments"]

MAX_PAGES = 20


class YouTubeComments:
    """The comment side of :class:`~tools.publish.youtube.YouTubeShortsPublisher`."""

    api: ApiClient
    options: HttpOptions

    def _pages(
        self, path: str, params: dict[str, str], credentials: Credentials
    ) -> Iterator[dict[str, Any]]:
        token: str | None = None
        for _ in range(MAX_PAGES):
            query = {**params, **({"pageToken": token} if token else {})}
            body = self.api.json(
                "GET",
                path,
                params=query,
                headers={"Authorization": f"Bearer {credentials.access_token}"},
                secrets=[credentials.access_token],
            )
            for item in body.get("items") or []:
                if isinstance(item, dict):
                    yield item
            token = body.get("nextPageToken")
            if not token:
                return

    @staticmethod
    def _comment(
        item: dict[str, Any], video_id: str, account: AccountRef, top_id: str | None
    ) -> Comment:
        snippet = item.get("snippet") or {}
        author_id = (snippet.get("authorChannelId") or {}).get("value")
        comment_id = str(item["id"])
        likes = snippet.get("likeCount")
        return Comment(
            comment_id=comment_id,
            platform_post_id=video_id,
            text=str(snippet.get("textOriginal") or snippet.get("textDisplay") or ""),
            author=str(snippet.get("authorDisplayName") or ""),
            author_id=str(author_id) if author_id else None,
            created_at=parse_time(snippet.get("publishedAt")),
            parent_id=snippet.get("parentId") or top_id,
            reply_target=top_id or comment_id,
            by_account=bool(author_id) and author_id == account.external_id,
            like_count=likes if isinstance(likes, int) else None,
            url=f"https://www.youtube.com/watch?v={video_id}&lc={comment_id}",
        )

    def fetch_comments(
        self,
        platform_post_id: str,
        *,
        account: AccountRef,
        credentials: Credentials,
        since: datetime | None = None,
    ) -> list[Comment]:
        """Every thread of the video with all of its replies."""
        out: list[Comment] = []
        params = {
            "part": "snippet,replies",
            "videoId": platform_post_id,
            "textFormat": "plainText",
            "maxResults": "100",
            "order": "time",
        }
        for thread in self._pages("commentThreads", params, credentials):
            snippet = thread.get("snippet") or {}
            top_raw = snippet.get("topLevelComment")
            if not isinstance(top_raw, dict):
                continue
            top = self._comment(top_raw, platform_post_id, account, None)
            out.append(top)
            replies = [r for r in (thread.get("replies") or {}).get("comments") or [] if r]
            if int(snippet.get("totalReplyCount") or 0) > len(replies):
                replies = list(self._replies(top.comment_id, credentials))
            out.extend(self._comment(r, platform_post_id, account, top.comment_id) for r in replies)
        return keep_since(out, since)

    def _replies(self, parent_id: str, credentials: Credentials) -> Iterator[dict[str, Any]]:
        params = {
            "part": "snippet",
            "parentId": parent_id,
            "textFormat": "plainText",
            "maxResults": "100",
        }
        yield from self._pages("comments", params, credentials)

    def reply(
        self,
        comment: Comment,
        text: str,
        *,
        account: AccountRef,
        credentials: Credentials,
        idempotency_key: str,
    ) -> ReplyResult:
        """``comments.insert`` with ``snippet.parentId`` = the top-level comment, once."""
        parent = comment.reply_target
        video = comment.platform_post_id

        def existing() -> ReplyResult | None:
            for item in self._replies(parent, credentials):
                found = self._comment(item, video, account, parent)
                if found.by_account and same_text(found.text, text):
                    return ReplyResult(
                        reply_id=found.comment_id, comment_id=comment.comment_id, url=found.url
                    )
            return None

        def post() -> ReplyResult:
            body = self.api.json(
                "POST",
                "comments",
                params={"part": "snippet"},
                json={"snippet": {"parentId": parent, "textOriginal": text}},
                headers={"Authorization": f"Bearer {credentials.access_token}"},
                idempotent=False,
                secrets=[credentials.access_token],
            )
            reply_id = str(body["id"])
            return ReplyResult(
                reply_id=reply_id,
                comment_id=comment.comment_id,
                url=f"https://www.youtube.com/watch?v={video}&lc={reply_id}",
                raw=redact({"id": reply_id, "snippet": body.get("snippet") or {}}),
            )

        return reply_once(comment, text, post=post, existing=existing, sleep=self.options.sleep)
