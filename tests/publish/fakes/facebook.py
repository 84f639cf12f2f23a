"""Fake Facebook Page Reels API: video_reels start/finish, rupload with offsets, insights."""

from __future__ import annotations

from typing import Any

from tests.publish.fakes.base import Reply, Request
from tests.publish.fakes.comments import CommentStore, FacebookComments
from tests.publish.fakes.meta_common import MetaFake

PAGE_TOKEN = "EAAGsecretPAGE0123456789"


class FacebookFake(FacebookComments, MetaFake):
    """Follows developers.facebook.com/docs/video-api/guides/reels-publishing."""

    name = "facebook"
    page = "1040000000000001"
    commit_target = r"POST /v21\.0/\d+/video_reels$"
    commit_skip = 1  # the first POST video_reels is upload_phase=start
    upload_target = r"POST /video-upload/"

    def __init__(self) -> None:
        super().__init__()
        self.comments = CommentStore()
        self.videos: dict[str, dict[str, Any]] = {}
        self.next_id = 5000

    def on_partial(self, req: Request, received: bytes) -> None:
        vid = req.path.rstrip("/").split("/")[-1]
        video = self.videos.get(vid)
        if video is not None and int(req.headers.get("offset", 0)) == len(video["data"]):
            video["data"] += received  # Meta keeps what reached it; bytes_transferred says how much

    def route(self, req: Request) -> Reply:
        if (answer := self.comment_route(req)) is not None:
            return answer
        if (reply := self.token_endpoint(req)) is not None:
            return reply
        parts = req.path.strip("/").split("/")
        form = req.form
        if parts[0] == "video-upload":
            video = self.videos[parts[-1]]
            offset, size = int(req.headers["offset"]), int(req.headers["file_size"])
            if offset != len(video["data"]):
                return Reply(
                    400,
                    {
                        "debug_info": {
                            "type": "OffsetMismatch",
                            "message": f"expected offset {len(video['data'])}",
                        }
                    },
                )
            video["data"] += req.body
            video["size"] = size
            video["upload_offsets"].append(offset)
            return Reply(200, {"success": True})
        path = parts[1:]
        if path == ["me", "accounts"]:
            with self.lock:
                self.valid_tokens.add(PAGE_TOKEN)
                if PAGE_TOKEN not in self.issued_tokens:
                    self.issued_tokens.append(PAGE_TOKEN)
            page = {"id": self.page, "name": "Twin Page", "access_token": PAGE_TOKEN}
            return Reply(200, {"data": [page]})
        if path == [self.page, "video_reels"] and req.method == "POST":
            phase = form.get("upload_phase")
            if phase == "start":
                vid = str(self.next_id)
                self.next_id += 1
                self.videos[vid] = {
                    "data": b"",
                    "size": -1,
                    "published": False,
                    "upload_offsets": [],
                }
                return Reply(
                    200,
                    {
                        "video_id": vid,
                        "upload_url": f"{self.base_url}/video-upload/{self.version}/{vid}",
                    },
                )
            if phase == "finish":
                video = self.videos[form["video_id"]]
                if len(video["data"]) != video["size"]:
                    return Reply(
                        400, {"error": {"message": "Video upload is incomplete", "code": 6000}}
                    )
                if form.get("video_state") != "PUBLISHED":
                    return Reply(400, {"error": {"message": "video_state expected", "code": 100}})
                if not video["published"]:
                    video["published"] = True
                    self.posts.append(
                        {
                            "id": form["video_id"],
                            "text": form.get("description", ""),
                            "data": video["data"],
                        }
                    )
                return Reply(200, {"success": True})
        if path == [self.page, "video_reels"] and req.method == "GET":
            return Reply(
                200,
                {
                    "data": [
                        {
                            "id": p["id"],
                            "description": p["text"],
                            "created_time": "2099-01-01T00:00:00+0000",
                        }
                        for p in self.posts
                    ]
                },
            )
        if len(path) == 2 and path[1] == "video_insights":
            return Reply(
                200,
                {
                    "data": [
                        {
                            "name": "blue_reels_play_count",
                            "period": "lifetime",
                            "values": [{"value": 900}],
                        },
                        {
                            "name": "post_video_likes_by_reaction_type",
                            "period": "lifetime",
                            "values": [{"value": {"REACTION_LIKE": 30, "REACTION_LOVE": 5}}],
                        },
                        {
                            "name": "post_video_social_actions",
                            "period": "lifetime",
                            "values": [{"value": {"share": 4}}],
                        },
                    ]
                },
            )
        if len(path) == 1 and path[0] in self.videos:
            video = self.videos[path[0]]
            complete = len(video["data"]) == video["size"]
            status = {
                "video_status": "ready"
                if video["published"]
                else ("upload_complete" if complete else "processing"),
                "uploading_phase": {
                    "status": "complete" if complete else "in_progress",
                    "bytes_transferred": len(video["data"]),
                },
                "publishing_phase": {"status": "complete" if video["published"] else "not_started"},
            }
            return Reply(
                200, {"id": path[0], "status": status, "permalink_url": f"/reel/{path[0]}"}
            )
        return Reply(404, {"error": {"message": "Unknown path", "code": 803}})
