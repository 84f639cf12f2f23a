"""Comment endpoints of the platform fakes, speaking each platform's documented format.

Each mixin keeps a :class:`CommentStore` and answers the comment routes before the fake's own
routing (``comment_route``). Lists come back in small pages so clients must follow the paging.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlencode

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


def _page(items: list[Any], after: str | None) -> tuple[list[Any], str | None]:
    start = int(after or 0)
    chunk = items[start : start + PAGE]
    return chunk, (str(start + PAGE) if start + PAGE < len(items) else None)


def _graph_list(base: str, path: str, query: dict[str, str], items: list[dict[str, Any]]) -> Reply:
    chunk, after = _page(items, query.get("after"))
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


class YouTubeComments:
    """``commentThreads.list`` (videoId) and ``comments.list`` / ``comments.insert`` (parentId)."""

    channel = "UC1"
    comments: CommentStore

    def _yt(self, c: Stored) -> dict[str, Any]:
        snippet: dict[str, Any] = {
            "videoId": c.post_id,
            "textDisplay": c.text,
            "textOriginal": c.text,
            "authorDisplayName": c.author,
            "authorChannelId": {"value": c.author_id},
            "likeCount": 0,
            "publishedAt": c.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updatedAt": c.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if c.parent_id:
            snippet["parentId"] = c.parent_id
        return {"kind": "youtube#comment", "id": c.id, "snippet": snippet}

    def comment_route(self, req: Request) -> Reply | None:
        if req.path == "/youtube/v3/commentThreads" and req.method == "GET":
            if "snippet" not in req.query.get("part", "").split(","):
                return Reply(400, {"error": {"code": 400, "message": "part required"}})
            threads = []
            for top in self.comments.of_post(req.query["videoId"], top_only=True):
                children = self.comments.children(top.id)
                thread: dict[str, Any] = {
                    "kind": "youtube#commentThread",
                    "id": top.id,
                    "snippet": {
                        "videoId": top.post_id,
                        "topLevelComment": self._yt(top),
                        "canReply": True,
                        "totalReplyCount": len(children),
                        "isPublic": True,
                    },
                }
                if children and "replies" in req.query.get("part", ""):
                    thread["replies"] = {"comments": [self._yt(children[0])]}  # a subset
                threads.append(thread)
            return self._yt_page(req, threads, "youtube#commentThreadListResponse")
        if req.path == "/youtube/v3/comments" and req.method == "GET":
            items = [self._yt(c) for c in self.comments.children(req.query["parentId"])]
            return self._yt_page(req, items, "youtube#commentListResponse")
        if req.path == "/youtube/v3/comments" and req.method == "POST":
            if req.query.get("part") != "snippet":
                return Reply(400, {"error": {"code": 400, "message": "part=snippet required"}})
            snippet = (req.json or {}).get("snippet") or {}
            parent = self.comments.get(str(snippet.get("parentId")))
            if parent is None or parent.parent_id:
                return Reply(
                    400,
                    {
                        "error": {
                            "code": 400,
                            "message": "parentId must name a top-level comment",
                            "errors": [{"reason": "invalidParentId"}],
                        }
                    },
                )
            reply = self.comments.add(
                f"Ugz{len(self.comments.items):08d}.r",
                parent.post_id,
                str(snippet.get("textOriginal") or ""),
                author="Twin Channel",
                author_id=self.channel,
                parent_id=parent.id,
                own=True,
            )
            return Reply(200, self._yt(reply))
        return None

    @staticmethod
    def _yt_page(req: Request, items: list[Any], kind: str) -> Reply:
        chunk, after = _page(items, req.query.get("pageToken"))
        body: dict[str, Any] = {
            "kind": kind,
            "items": chunk,
            "pageInfo": {"totalResults": len(items)},
        }
        if after is not None:
            body["nextPageToken"] = after
        return Reply(200, body)


class LinkedInComments:
    """``/rest/socialActions/{urn}/comments`` list and create (nested via ``parentComment``)."""

    person: str
    comments: CommentStore

    def _li(self, c: Stored) -> dict[str, Any]:
        item: dict[str, Any] = {
            "actor": c.author_id,
            "commentUrn": c.id,
            "$URN": c.id,
            "id": c.id.rsplit(",", 1)[-1].rstrip(")"),
            "created": {"actor": c.author_id, "time": int(c.created.timestamp() * 1000)},
            "lastModified": {"actor": c.author_id, "time": int(c.created.timestamp() * 1000)},
            "message": {"text": c.text, "attributes": []},
            "object": c.post_id,
            "commentsSummary": {
                "totalFirstLevelComments": len(self.comments.children(c.id)),
                "aggregatedTotalComments": len(self.comments.children(c.id)),
            },
        }
        if c.parent_id:
            item["parentComment"] = c.parent_id
        return item

    def comment_route(self, req: Request) -> Reply | None:
        if not (req.path.startswith("/rest/socialActions/") and req.path.endswith("/comments")):
            return None
        urn = unquote(req.path[len("/rest/socialActions/") : -len("/comments")])
        parent = self.comments.get(urn)
        if req.method == "GET":
            items = (
                self.comments.children(parent.id)
                if parent
                else self.comments.of_post(urn, top_only=True)
            )
            start, count = (
                int(req.query.get("start", 0)),
                min(int(req.query.get("count", 10)), PAGE),
            )
            chunk = [self._li(c) for c in items[start : start + count]]
            return Reply(
                200,
                {
                    "elements": chunk,
                    "paging": {"start": start, "count": count, "total": len(items)},
                },
            )
        body = req.json or {}
        if parent is None or body.get("parentComment") != parent.id:
            return Reply(
                400, {"message": "parentComment must be the comment in the path", "status": 400}
            )
        if body.get("actor") != self.person or body.get("object") != parent.post_id:
            return Reply(403, {"message": "actor or object does not match", "status": 403})
        text = (body.get("message") or {}).get("text")
        if not text:
            return Reply(422, {"message": "message.text is required", "status": 422})
        activity = parent.id.split("(", 1)[1].split(",", 1)[0]
        reply = self.comments.add(
            f"urn:li:comment:({activity},{7000 + len(self.comments.items)})",
            parent.post_id,
            text,
            author="Twin Creator",
            author_id=self.person,
            parent_id=parent.id,
            own=True,
        )
        return Reply(201, self._li(reply), {"x-restli-id": reply.id})
