"""Comment endpoints of the YouTube and LinkedIn fakes (see :mod:`tests.publish.fakes.comments`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from tests.publish.fakes.base import Reply, Request
from tests.publish.fakes.comments import PAGE, CommentStore, Stored, page_of


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
            return self._yt_list(req, threads, "youtube#commentThreadListResponse")
        if req.path == "/youtube/v3/comments" and req.method == "GET":
            items = [self._yt(c) for c in self.comments.children(req.query["parentId"])]
            return self._yt_list(req, items, "youtube#commentListResponse")
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
    def _yt_list(req: Request, items: list[Any], kind: str) -> Reply:
        chunk, after = page_of(items, req.query.get("pageToken"))
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
