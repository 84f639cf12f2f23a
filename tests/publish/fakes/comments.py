"""Comment endpoints of the platform fakes, speaking each platform's documented format.

Each mixin keeps a :class:`CommentStore` and answers the comment routes before the fake's own
routing (``comment_route``). Lists come back in small pages so clients must follow the paging.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.publish.fakes.base import Reply, Request

PAGE = 2
T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class Stored:
    """One comment or reply the fake holds."""

    id: str
    post_id: str
    text: str
    author: str
    author_id: str
    created: datetime
    parent_id: str | None = None
    own: bool = False


@dataclass
class CommentStore:
    """Comments by id, in the order written."""

    items: list[Stored] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    replies_posted: int = 0

    def add(
        self,
        comment_id: str,
        post_id: str,
        text: str,
        *,
        author: str = "reader",
        author_id: str = "u-reader",
        parent_id: str | None = None,
        own: bool = False,
    ) -> Stored:
        with self.lock:
            created = T0 + timedelta(minutes=10 * len(self.items))
            item = Stored(comment_id, post_id, text, author, author_id, created, parent_id, own)
            self.items.append(item)
            if own:
                self.replies_posted += 1
            return item

    def get(self, comment_id: str) -> Stored | None:
        return next((c for c in self.items if c.id == comment_id), None)

    def of_post(self, post_id: str, *, top_only: bool = False) -> list[Stored]:
        return [c for c in self.items if c.post_id == post_id and not (top_only and c.parent_id)]

    def children(self, comment_id: str) -> list[Stored]:
        return [c for c in self.items if c.parent_id == comment_id]

    def own_replies(self) -> list[Stored]:
        return [c for c in self.items if c.own]


def page_of(items: list[Any], after: str | None) -> tuple[list[Any], str | None]:
    start = int(after or 0)
    chunk = items[start : start + PAGE]
    return chunk, (str(start + PAGE) if start + PAGE < len(items) else None)


def _graph_list(base: str, path: str, query: dict[str, str], items: list[dict[str, Any]]) -> Reply:
    chunk, after = page_of(items, query.get("after"))
    body: dict[str, Any] = {"data": chunk, "paging": {"cursors": {"before": "0"}}}
    if after is not None:
        body["paging"]["cursors"]["after"] = after
        body["paging"]["next"] = f"{base}{path}?{urlencode({**query, 'after': after})}"
    return Reply(200, body)


class InstagramComments:
    """``/{ig-media-id}/comments`` (with the ``replies`` edge) and ``/{ig-comment-id}/replies``."""

    base_url: str
    ig_user: str
    comments: CommentStore

    def _ig(self, c: Stored) -> dict[str, Any]:
        return {
            "id": c.id,
            "text": c.text,
            "timestamp": c.created.strftime("%Y-%m-%dT%H:%M:%S+0000"),
            "username": c.author,
            "from": {"id": c.author_id, "username": c.author},
            "like_count": 0,
            **({"parent_id": c.parent_id} if c.parent_id else {}),
        }

    def comment_route(self, req: Request) -> Reply | None:
        parts = req.path.strip("/").split("/")[1:]
        if len(parts) != 2 or parts[1] not in ("comments", "replies"):
            return None
        target, edge = parts
        if edge == "comments" and req.method == "GET":
            items = []
            for c in self.comments.of_post(target, top_only=True):
                item = self._ig(c)
                if "replies{" in req.query.get("fields", ""):
                    item["replies"] = {"data": [self._ig(r) for r in self.comments.children(c.id)]}
                items.append(item)
            return _graph_list(self.base_url, req.path, req.query, items)
        parent = self.comments.get(target)
        if edge != "replies" or parent is None:
            return None
        if req.method == "GET":
            items = [self._ig(r) for r in self.comments.children(parent.id)]
            return _graph_list(self.base_url, req.path, req.query, items)
        if parent.parent_id:
            return Reply(
                400, {"error": {"message": "Replies to replies are not allowed", "code": 100}}
            )
        message = req.form.get("message", "")
        if not message:
            return Reply(400, {"error": {"message": "(#100) message is required", "code": 100}})
        reply = self.comments.add(
            f"1787{len(self.comments.items):011d}",
            parent.post_id,
            message,
            author="twin_ig",
            author_id=self.ig_user,
            parent_id=parent.id,
            own=True,
        )
        return Reply(200, {"id": reply.id})


class FacebookComments:
    """``/{video-id}/comments?filter=stream`` and ``POST /{comment-id}/comments``."""

    base_url: str
    page: str
    comments: CommentStore

    def _fb(self, c: Stored) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": c.id,
            "message": c.text,
            "created_time": c.created.strftime("%Y-%m-%dT%H:%M:%S+0000"),
            "from": {"id": c.author_id, "name": c.author},
            "like_count": 0,
            "permalink_url": f"https://www.facebook.com/reel/{c.post_id}?comment_id={c.id}",
        }
        if c.parent_id:
            item["parent"] = {"id": c.parent_id}
        return item

    def comment_route(self, req: Request) -> Reply | None:
        parts = req.path.strip("/").split("/")[1:]
        if len(parts) != 2 or parts[1] != "comments":
            return None
        target = parts[0]
        parent = self.comments.get(target)
        if req.method == "GET":
            if parent is not None:
                items = [self._fb(c) for c in self.comments.children(parent.id)]
            else:
                stream = req.query.get("filter") == "stream"
                items = [self._fb(c) for c in self.comments.of_post(target, top_only=not stream)]
            return _graph_list(self.base_url, req.path, req.query, items)
        if parent is None:
            return Reply(400, {"error": {"message": "Unsupported post request", "code": 100}})
        message = req.form.get("message", "")
        if not message:
            return Reply(400, {"error": {"message": "(#100) message is required", "code": 100}})
        reply = self.comments.add(
            f"{parent.post_id}_{9000 + len(self.comments.items)}",
            parent.post_id,
            message,
            author="Twin Page",
            author_id=self.page,
            parent_id=parent.id,
            own=True,
        )
        return Reply(200, {"id": reply.id})


class ThreadsComments:
    """``/{media-id}/conversation``, TEXT reply containers and ``threads_publish`` of them."""

    base_url: str
    user: str
    comments: CommentStore

    def _reply_containers(self) -> dict[str, dict[str, Any]]:
        if not hasattr(self, "_rc"):
            self._rc: dict[str, dict[str, Any]] = {}
        return self._rc

    def comment_route(self, req: Request) -> Reply | None:
        parts = req.path.strip("/").split("/")[1:]
        form = req.form
        containers = self._reply_containers()
        if len(parts) == 2 and parts[1] == "conversation" and req.method == "GET":
            items = [
                {
                    "id": c.id,
                    "text": c.text,
                    "username": c.author,
                    "timestamp": c.created.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                    "permalink": f"https://www.threads.net/@{c.author}/post/{c.id}",
                    "replied_to": {"id": c.parent_id or c.post_id},
                    "is_reply_owned_by_me": c.own,
                }
                for c in self.comments.of_post(parts[0])
            ]
            return _graph_list(self.base_url, req.path, req.query, items)
        if (
            parts == [self.user, "threads"]
            and req.method == "POST"
            and form.get("media_type") == "TEXT"
        ):
            target = form.get("reply_to_id", "")
            parent = self.comments.get(target)
            if parent is None:
                return Reply(400, {"error": {"message": "reply_to_id not found", "code": 100}})
            cid = f"rc{len(containers) + 1}"
            containers[cid] = {"text": form.get("text", ""), "parent": parent, "status": "FINISHED"}
            return Reply(200, {"id": cid})
        if parts == [self.user, "threads_publish"] and form.get("creation_id") in containers:
            container = containers[form["creation_id"]]
            if container["status"] == "PUBLISHED":
                return Reply(400, {"error": {"message": "already published", "code": 24}})
            container["status"] = "PUBLISHED"
            parent = container["parent"]
            reply = self.comments.add(
                f"18{len(self.comments.items):09d}",
                parent.post_id,
                container["text"],
                author="twin_threads",
                author_id=self.user,
                parent_id=parent.id,
                own=True,
            )
            return Reply(200, {"id": reply.id})
        if len(parts) == 1 and parts[0] in containers:
            return Reply(200, {"id": parts[0], "status": containers[parts[0]]["status"]})
        if parts == [
            self.user,
            "threads_publishing_limit",
        ] and "reply_quota_usage" in req.query.get("fields", ""):
            used = self.comments.replies_posted
            return Reply(
                200,
                {
                    "data": [
                        {
                            "reply_quota_usage": used,
                            "reply_config": {"quota_total": 1000, "quota_duration": 86400},
                        }
                    ]
                },
            )
        return None
