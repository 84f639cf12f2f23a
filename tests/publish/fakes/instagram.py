"""Fake Instagram Graph API: REELS containers, rupload, media_publish, insights, quota."""

from __future__ import annotations

from typing import Any

from tests.publish.fakes.base import Reply, Request
from tests.publish.fakes.comments import CommentStore, InstagramComments
from tests.publish.fakes.meta_common import MetaFake


class InstagramFake(InstagramComments, MetaFake):
    """Follows developers.facebook.com content-publishing + resumable upload docs."""

    name = "instagram"
    ig_user = "17841400000000001"
    commit_target = r"POST /v21\.0/\d+/media_publish$"
    upload_target = r"POST /ig-api-upload/"

    def __init__(self) -> None:
        super().__init__()
        self.comments = CommentStore()
        self.containers: dict[str, dict[str, Any]] = {}
        self.quota_total = 50
        self.quota_usage = 0
        self.next_id = 9000

    def exhaust_quota(self) -> None:
        self.quota_usage = self.quota_total

    def _id(self) -> str:
        with self.lock:
            self.next_id += 1
            return str(self.next_id)

    def on_partial(self, req: Request, received: bytes) -> None:
        return  # a broken rupload POST stores nothing; the client sends again at offset 0

    def route(self, req: Request) -> Reply:
        if (answer := self.comment_route(req)) is not None:
            return answer
        if (reply := self.token_endpoint(req)) is not None:
            return reply
        parts = req.path.strip("/").split("/")
        form = req.form
        if parts[0] == "ig-api-upload":
            container = self.containers[parts[-1]]
            offset, size = int(req.headers["offset"]), int(req.headers["file_size"])
            if not req.headers.get("authorization", "").startswith("OAuth "):
                return Reply(400, {"debug_info": {"type": "AuthError", "message": "OAuth header"}})
            container["data"] = container["data"][:offset] + req.body
            container["size"] = size
            if len(container["data"]) == size:
                container["polls"] = 0
            return Reply(200, {"success": True, "message": "Upload successful."})
        path = parts[1:]
        if path == ["me", "accounts"]:
            ig = {"id": self.ig_user, "username": "twin_ig"}
            return Reply(
                200, {"data": [{"id": "104", "name": "Twin", "instagram_business_account": ig}]}
            )
        if path == [self.ig_user, "media"] and req.method == "POST":
            if form.get("media_type") != "REELS" or form.get("upload_type") != "resumable":
                return Reply(
                    400,
                    {"error": {"message": "media_type REELS + resumable expected", "code": 100}},
                )
            cid = self._id()
            self.containers[cid] = {
                "caption": form.get("caption", ""),
                "data": b"",
                "size": -1,
                "status": "IN_PROGRESS",
                "polls": None,
            }
            return Reply(200, {"id": cid})
        if path == [self.ig_user, "media"] and req.method == "GET":
            items = [
                {
                    "id": p["id"],
                    "caption": p["text"],
                    "permalink": p["url"],
                    "timestamp": "2025-01-01T00:00:00+0000",
                }
                for p in reversed(self.posts)
            ]
            return Reply(200, {"data": items})
        if path == [self.ig_user, "media_publish"]:
            container = self.containers[form["creation_id"]]
            if container["status"] != "FINISHED":
                return Reply(400, {"error": {"message": "Media ID is not available", "code": 9007}})
            if self.quota_usage >= self.quota_total:
                return Reply(
                    400, {"error": {"message": "Application request limit reached", "code": 9}}
                )
            mid = self._id()
            container["status"] = "PUBLISHED"
            self.quota_usage += 1
            self.posts.append(
                {
                    "id": mid,
                    "text": container["caption"],
                    "url": f"https://www.instagram.com/reel/{mid}/",
                    "data": container["data"],
                }
            )
            return Reply(200, {"id": mid})
        if path == [self.ig_user, "content_publishing_limit"]:
            return Reply(
                200,
                {
                    "data": [
                        {
                            "quota_usage": self.quota_usage,
                            "config": {"quota_total": self.quota_total, "quota_duration": 86400},
                        }
                    ]
                },
            )
        if len(path) == 2 and path[1] == "insights":
            return Reply(
                200,
                {
                    "data": [
                        {"name": "views", "period": "lifetime", "values": [{"value": 1200}]},
                        {"name": "likes", "period": "lifetime", "values": [{"value": 80}]},
                        {"name": "comments", "period": "lifetime", "values": [{"value": 0}]},
                        {"name": "saved", "period": "lifetime", "values": [{"value": 7}]},
                        {
                            "name": "ig_reels_video_view_total_time",
                            "period": "lifetime",
                            "values": [{"value": 45000}],
                        },
                    ]
                },
            )
        if len(path) == 1 and path[0] in self.containers:
            c = self.containers[path[0]]
            if c["status"] == "IN_PROGRESS" and c["polls"] is not None:
                c["polls"] += 1
                if c["polls"] >= 2:
                    c["status"] = "ERROR" if c.get("fail") else "FINISHED"
            body: dict[str, Any] = {"id": path[0], "status_code": c["status"]}
            if c["status"] == "ERROR":
                body["status"] = "Error: 2207026 unsupported video format"
            return Reply(200, body)
        if len(path) == 1:
            post = next(p for p in self.posts if p["id"] == path[0])
            return Reply(
                200,
                {
                    "id": post["id"],
                    "permalink": post["url"],
                    "timestamp": "2025-01-01T00:00:00+0000",
                },
            )
        return Reply(404, {"error": {"message": "Unknown path", "code": 803}})
