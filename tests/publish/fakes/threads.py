"""Fake Threads API: VIDEO containers from a public URL, threads_publish, publishing limit."""

from __future__ import annotations

from typing import Any

from tests.publish.fakes.base import Reply, Request
from tests.publish.fakes.comments import CommentStore, ThreadsComments
from tests.publish.fakes.meta_common import MetaFake


class ThreadsFake(ThreadsComments, MetaFake):
    """Follows developers.facebook.com/docs/threads posts + publishing limit docs."""

    name = "threads"
    version = "v1.0"
    user = "27000000000000001"
    commit_target = r"POST /v1\.0/\d+/threads_publish$"
    upload_target = r"POST /v1\.0/\d+/threads$"

    def __init__(self) -> None:
        super().__init__()
        self.comments = CommentStore()
        self.containers: dict[str, dict[str, Any]] = {}
        self.quota_total = 250
        self.quota_usage = 0
        self.next_id = 7000

    def exhaust_quota(self) -> None:
        self.quota_usage = self.quota_total

    def route(self, req: Request) -> Reply:
        if (answer := self.comment_route(req)) is not None:
            return answer
        if (reply := self.token_endpoint(req)) is not None:
            return reply
        path = req.path.strip("/").split("/")[1:]
        form = req.form
        if path == ["me"]:
            return Reply(200, {"id": self.user, "username": "twin_threads"})
        if path == [self.user, "threads"] and req.method == "POST":
            if form.get("media_type") != "VIDEO" or not form.get("video_url", "").startswith(
                "http"
            ):
                return Reply(
                    400, {"error": {"message": "video_url required for VIDEO", "code": 100}}
                )
            if len(form.get("text", "")) > 500:
                return Reply(400, {"error": {"message": "text too long", "code": 100}})
            cid = str(self.next_id)
            self.next_id += 1
            self.containers[cid] = {
                "text": form.get("text", ""),
                "video_url": form["video_url"],
                "status": "IN_PROGRESS",
                "polls": 0,
            }
            return Reply(200, {"id": cid})
        if path == [self.user, "threads"] and req.method == "GET":
            return Reply(
                200,
                {
                    "data": [
                        {"id": p["id"], "text": p["text"], "permalink": p["url"]}
                        for p in reversed(self.posts)
                    ]
                },
            )
        if path == [self.user, "threads_publish"]:
            c = self.containers[form["creation_id"]]
            if c["status"] != "FINISHED":
                return Reply(400, {"error": {"message": "container not ready", "code": 24}})
            pid = str(self.next_id)
            self.next_id += 1
            c["status"] = "PUBLISHED"
            self.quota_usage += 1
            self.posts.append(
                {
                    "id": pid,
                    "text": c["text"],
                    "url": f"https://www.threads.net/@me/post/{pid}",
                    "video_url": c["video_url"],
                }
            )
            return Reply(200, {"id": pid})
        if path == [self.user, "threads_publishing_limit"]:
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
                        {"name": "views", "period": "lifetime", "values": [{"value": 300}]},
                        {"name": "likes", "period": "lifetime", "values": [{"value": 12}]},
                        {"name": "replies", "period": "lifetime", "values": [{"value": 3}]},
                    ]
                },
            )
        if len(path) == 1 and path[0] in self.containers:
            c = self.containers[path[0]]
            if c["status"] == "IN_PROGRESS":
                c["polls"] += 1
                if c["polls"] >= 2:
                    c["status"] = "FINISHED"
            return Reply(200, {"id": path[0], "status": c["status"]})
        if len(path) == 1:
            post = next(p for p in self.posts if p["id"] == path[0])
            return Reply(200, {"id": post["id"], "permalink": post["url"]})
        return Reply(404, {"error": {"message": "Unknown path", "code": 803}})
