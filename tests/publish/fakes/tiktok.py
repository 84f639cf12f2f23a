"""Fake TikTok Content Posting API: creator_info, init, chunked PUT, status fetch, video list."""

from __future__ import annotations

from typing import Any

from tests.publish.fakes.base import CLIENT_SECRET, REFRESH_TOKEN, FakePlatform, Reply, Request

MB = 1024 * 1024
ERRORS = {
    "rate_limit": (429, "rate_limit_exceeded", "Too many requests"),
    "server_error": (500, "internal_error", "Internal error"),
    "expired_token": (
        401,
        "access_token_invalid",
        "The access token is invalid or not found in the request.",
    ),
    "quota": (403, "spam_risk_too_many_posts", "The daily post cap from the API is reached."),
}


def ok(data: dict[str, Any]) -> Reply:
    return Reply(200, {"data": data, "error": {"code": "ok", "message": "", "log_id": "L1"}})


class TikTokFake(FakePlatform):
    """Follows developers.tiktok.com direct-post, media-transfer and get-video-status docs."""

    name = "tiktok"
    commit_target = r"PUT /upload/"
    upload_target = r"PUT /upload/"

    def __init__(self) -> None:
        super().__init__()
        self.publishes: dict[str, dict[str, Any]] = {}
        self.privacy_options = ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
        self.put_ranges: list[str] = []

    def exhaust_quota(self) -> None:
        self.inject("quota", target=r"POST /v2/post/publish/video/init/", times=None)

    def error(self, kind: str, req: Request) -> Reply:
        status, code, message = ERRORS[kind]
        headers = {"Retry-After": "2"} if kind == "rate_limit" else {}
        return Reply(
            status,
            {"data": {}, "error": {"code": code, "message": message, "log_id": "L1"}},
            headers,
        )

    def public(self, req: Request) -> bool:
        return req.path in ("/v2/oauth/token/",) or req.path.startswith("/upload/")

    def route(self, req: Request) -> Reply:
        if req.path == "/v2/oauth/token/":
            form = req.form
            if (
                form.get("refresh_token") != REFRESH_TOKEN
                or form.get("client_secret") != CLIENT_SECRET
            ):
                return Reply(400, {"error": "invalid_grant", "error_description": "bad refresh"})
            if not form.get("client_key"):
                return Reply(
                    400, {"error": "invalid_request", "error_description": "client_key missing"}
                )
            return Reply(
                200,
                {
                    "access_token": self.new_token(),
                    "expires_in": 86400,
                    "open_id": "o1",
                    "refresh_token": REFRESH_TOKEN,
                    "refresh_expires_in": 31536000,
                    "scope": "video.publish,video.list",
                    "token_type": "Bearer",
                },
            )
        if req.path == "/v2/user/info/":
            return ok({"user": {"open_id": "o1", "display_name": "Twin", "username": "twin_tt"}})
        if req.path == "/v2/post/publish/creator_info/query/":
            return ok(
                {
                    "creator_username": "twin",
                    "creator_nickname": "Twin",
                    "privacy_level_options": self.privacy_options,
                    "max_video_post_duration_sec": 600,
                }
            )
        if req.path == "/v2/post/publish/video/init/":
            body = req.json
            src, info = body["source_info"], body["post_info"]
            size, chunk, count = src["video_size"], src["chunk_size"], src["total_chunk_count"]
            valid = (
                (chunk == size and count == 1)
                if size < 5 * MB
                else (5 * MB <= chunk <= 64 * MB and count == size // chunk and 1 <= count <= 1000)
            )
            if src.get("source") != "FILE_UPLOAD" or not valid:
                return Reply(
                    400,
                    {
                        "data": {},
                        "error": {
                            "code": "invalid_params",
                            "message": "chunk rules",
                            "log_id": "L",
                        },
                    },
                )
            if info["privacy_level"] not in self.privacy_options:
                return Reply(
                    400,
                    {
                        "data": {},
                        "error": {
                            "code": "privacy_level_option_mismatch",
                            "message": "",
                            "log_id": "L",
                        },
                    },
                )
            pid = f"v_pub_file~v2-1.{len(self.publishes) + 1}"
            self.publishes[pid] = {
                "info": info,
                "size": size,
                "chunk": chunk,
                "count": count,
                "data": b"",
                "status": "PROCESSING_UPLOAD",
                "post_id": None,
                "polls": 0,
            }
            return ok({"publish_id": pid, "upload_url": f"{self.base_url}/upload/?upload_id={pid}"})
        if req.path.startswith("/upload/"):
            pub = self.publishes[req.query["upload_id"]]
            rng = req.headers["content-range"].split(" ")[1]
            self.put_ranges.append(rng)
            first, last = (int(x) for x in rng.split("/")[0].split("-"))
            if first != len(pub["data"]) or last - first + 1 != len(req.body):
                return Reply(
                    416,
                    {
                        "data": {},
                        "error": {"code": "invalid_file_upload", "message": "range", "log_id": "L"},
                    },
                )
            pub["data"] += req.body
            if len(pub["data"]) < pub["size"]:
                return Reply(206, None)
            pub["status"] = "PROCESSING_DOWNLOAD"
            return Reply(201, None)
        if req.path == "/v2/post/publish/status/fetch/":
            pub = self.publishes[req.json["publish_id"]]
            if pub["status"] == "PROCESSING_DOWNLOAD":
                pub["polls"] += 1
                if pub["polls"] >= 2:
                    pub["status"] = "PUBLISH_COMPLETE"
                    pub["post_id"] = str(7300000000000000000 + len(self.posts))
                    self.posts.append(
                        {
                            "id": pub["post_id"],
                            "text": pub["info"]["title"],
                            "data": pub["data"],
                            "privacy": pub["info"]["privacy_level"],
                        }
                    )
            data: dict[str, Any] = {"status": pub["status"], "uploaded_bytes": len(pub["data"])}
            if pub["post_id"]:
                data["publicaly_available_post_id"] = [int(pub["post_id"])]
            return ok(data)
        if req.path == "/v2/video/list/":
            return ok(
                {
                    "videos": [
                        {
                            "id": p["id"],
                            "title": p["text"],
                            "share_url": f"https://www.tiktok.com/@twin/video/{p['id']}",
                        }
                        for p in reversed(self.posts)
                    ],
                    "has_more": False,
                    "cursor": 0,
                }
            )
        if req.path == "/v2/video/query/":
            ids = req.json["filters"]["video_ids"]
            return ok(
                {
                    "videos": [
                        {
                            "id": p["id"],
                            "view_count": 500,
                            "like_count": 40,
                            "comment_count": 0,
                            "share_count": 3,
                        }
                        for p in self.posts
                        if p["id"] in ids
                    ]
                }
            )
        return Reply(
            404, {"data": {}, "error": {"code": "not_found", "message": req.path, "log_id": "L"}}
        )
