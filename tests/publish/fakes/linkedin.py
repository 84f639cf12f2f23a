"""Fake LinkedIn REST API: Videos (initialize/PUT parts/finalize), Posts, socialActions, OAuth."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import unquote

from tests.publish.fakes.base import CLIENT_SECRET, REFRESH_TOKEN, FakePlatform, Reply, Request
from tests.publish.fakes.comments import CommentStore
from tests.publish.fakes.comments_rest import LinkedInComments

ERRORS = {
    "rate_limit": (
        429,
        {
            "message": "Resource level throttle limit for calls to this resource is reached.",
            "status": 429,
        },
    ),
    "quota": (429, {"message": "Daily application throttle limit reached.", "status": 429}),
    "server_error": (500, {"message": "Internal Server Error", "status": 500}),
    "expired_token": (
        401,
        {
            "serviceErrorCode": 65601,
            "message": "The token used in the request has expired",
            "status": 401,
        },
    ),
    "duplicate": (422, {"message": "Content is a duplicate of urn:li:share:1", "status": 422}),
}


class LinkedInFake(LinkedInComments, FakePlatform):
    """Follows learn.microsoft.com videos-api and posts-api."""

    name = "linkedin"
    person = "urn:li:person:abc123"
    commit_target = r"POST /rest/posts$"
    upload_target = r"PUT /upload/"

    def __init__(self, part_size: int = 100_000) -> None:
        super().__init__()
        self.comments = CommentStore()
        self.part_size = part_size
        self.videos: dict[str, dict[str, Any]] = {}
        self.refresh_tokens = {REFRESH_TOKEN}

    def exhaust_quota(self) -> None:
        self.inject("quota", target=self.commit_target, times=None)

    def make_duplicate(self) -> None:
        self.inject("duplicate", target=self.commit_target, times=1)

    def error(self, kind: str, req: Request) -> Reply:
        status, body = ERRORS[kind]
        return Reply(status, body, {"Retry-After": "2"} if kind == "rate_limit" else {})

    def public(self, req: Request) -> bool:
        return req.path == "/oauth/v2/accessToken"

    def route(self, req: Request) -> Reply:
        if (answer := self.comment_route(req)) is not None:
            return answer
        if req.path == "/oauth/v2/accessToken":
            form = req.form
            if (
                form.get("grant_type") != "refresh_token"
                or form.get("refresh_token") not in self.refresh_tokens
            ):
                return Reply(
                    400, {"error": "invalid_grant", "error_description": "refresh token invalid"}
                )
            if form.get("client_secret") != CLIENT_SECRET:
                return Reply(401, {"error": "invalid_client"})
            return Reply(
                200,
                {
                    "access_token": self.new_token(),
                    "expires_in": 5184000,
                    "refresh_token": REFRESH_TOKEN,
                    "refresh_token_expires_in": 31536000,
                },
            )
        if req.path == "/v2/userinfo":
            return Reply(200, {"sub": self.person.rsplit(":", 1)[1], "name": "Twin Creator"})
        if req.path.startswith("/rest/") and (
            not req.headers.get("linkedin-version")
            or req.headers.get("x-restli-protocol-version") != "2.0.0"
        ):
            return Reply(
                400,
                {
                    "message": "LinkedIn-Version and X-Restli-Protocol-Version headers required",
                    "status": 400,
                },
            )
        if req.path.startswith("/upload/"):
            _, _, vid, index = req.path.split("/")
            video = self.videos[unquote(vid)]
            part = video["parts"][int(index)]
            if len(req.body) != part["lastByte"] - part["firstByte"] + 1:
                return Reply(400, {"message": "wrong part length", "status": 400})
            video["received"][int(index)] = req.body
            return Reply(200, None, {"ETag": hashlib.md5(req.body).hexdigest()})
        if req.path == "/rest/videos" and req.query.get("action") == "initializeUpload":
            spec = req.json["initializeUploadRequest"]
            size = int(spec["fileSizeBytes"])
            urn = f"urn:li:video:C{len(self.videos) + 1:04d}"
            parts = [
                {
                    "firstByte": s,
                    "lastByte": min(s + self.part_size, size) - 1,
                    "uploadUrl": f"{self.base_url}/upload/{urn}/{i}",
                }
                for i, s in enumerate(range(0, size, self.part_size))
            ]
            self.videos[urn] = {
                "owner": spec["owner"],
                "size": size,
                "parts": parts,
                "received": {},
                "status": "WAITING_UPLOAD",
                "polls": 0,
            }
            return Reply(
                200, {"value": {"video": urn, "uploadToken": "", "uploadInstructions": parts}}
            )
        if req.path == "/rest/videos" and req.query.get("action") == "finalizeUpload":
            spec = req.json["finalizeUploadRequest"]
            video = self.videos[spec["video"]]
            data = [video["received"].get(i, b"") for i in range(len(video["parts"]))]
            expected = [hashlib.md5(d).hexdigest() for d in data]
            if spec["uploadedPartIds"] != expected or sum(map(len, data)) != video["size"]:
                return Reply(
                    400,
                    {"message": "uploadedPartIds do not match the uploaded parts", "status": 400},
                )
            video["data"] = b"".join(data)
            video["status"] = "PROCESSING"
            return Reply(200, None)
        if req.path.startswith("/rest/videos/"):
            video = self.videos[unquote(req.path.split("/")[-1])]
            if video["status"] == "PROCESSING":
                video["polls"] += 1
                if video["polls"] >= 2:
                    video["status"] = "AVAILABLE"
            return Reply(200, {"id": unquote(req.path.split("/")[-1]), "status": video["status"]})
        if req.path == "/rest/posts" and req.method == "POST":
            post = req.json
            media = post["content"]["media"]["id"]
            if self.videos[media]["status"] != "AVAILABLE":
                return Reply(400, {"message": "video not available", "status": 400})
            urn = f"urn:li:share:{7000 + len(self.posts)}"
            self.posts.append(
                {
                    "id": urn,
                    "text": post["commentary"],
                    "author": post["author"],
                    "data": self.videos[media]["data"],
                }
            )
            return Reply(201, None, {"x-restli-id": urn})
        if req.path == "/rest/posts" and req.query.get("q") == "author":
            return Reply(
                200,
                {
                    "elements": [
                        {"id": p["id"], "commentary": p["text"], "lifecycleState": "PUBLISHED"}
                        for p in reversed(self.posts)
                        if p["author"] == req.query["author"]
                    ]
                },
            )
        if req.path.startswith("/rest/posts/"):
            urn = unquote(req.path.split("/")[-1])
            next(p for p in self.posts if p["id"] == urn)
            return Reply(200, {"id": urn, "lifecycleState": "PUBLISHED"})
        if req.path.startswith("/rest/socialActions/"):
            return Reply(
                200,
                {
                    "likesSummary": {"totalLikes": 14},
                    "commentsSummary": {"aggregatedTotalComments": 2},
                },
            )
        return Reply(404, {"message": "not found", "status": 404})
