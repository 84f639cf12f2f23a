"""Fake YouTube Data API v3 resumable videos.insert, uploads playlist, Analytics reports.query."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urlencode

from tests.publish.fakes.base import CLIENT_SECRET, REFRESH_TOKEN, FakePlatform, Reply, Request
from tests.publish.fakes.comments import CommentStore
from tests.publish.fakes.comments_rest import YouTubeComments

ERRORS = {
    "rate_limit": (429, "rateLimitExceeded", "Too many requests"),
    "server_error": (503, "backendError", "Backend Error"),
    "expired_token": (401, "authError", "Invalid Credentials"),
    "quota": (
        403,
        "quotaExceeded",
        "The request cannot be completed because you have exceeded your quota.",
    ),
}


class YouTubeFake(YouTubeComments, FakePlatform):
    """Follows youtube.v3.json (videos.insert mediaUpload.resumable) and youtubeAnalytics.v2.json."""

    name = "youtube_shorts"
    upload_path = "/upload/youtube/v3/videos"
    commit_target = r"PUT /upload/youtube/v3/videos$"
    upload_target = r"PUT /upload/youtube/v3/videos$"

    def __init__(self) -> None:
        super().__init__()
        self.comments = CommentStore()
        self.sessions: dict[str, dict[str, Any]] = {}
        self.put_starts: list[int] = []
        self.reject_next_as_duplicate = False
        self.codes: dict[str, str] = {}  # authorization code -> PKCE challenge it was issued for
        self.redirects: list[str] = []  # redirect_uri of each authorize and code grant, in order

    def exhaust_quota(self) -> None:
        self.inject("quota", target=r"POST /upload/youtube/v3/videos$", times=None)

    def make_duplicate(self) -> None:
        self.reject_next_as_duplicate = True

    def error(self, kind: str, req: Request) -> Reply:
        status, reason, message = ERRORS[kind]
        headers = {"Retry-After": "2"} if kind == "rate_limit" else {}
        body = {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"message": message, "domain": "youtube.quota", "reason": reason}],
            }
        }
        return Reply(status, body, headers)

    def public(self, req: Request) -> bool:
        return req.path in ("/token", "/o/oauth2/v2/auth")

    def on_partial(self, req: Request, received: bytes) -> None:
        session = self.sessions.get(req.query.get("upload_id", ""))
        rng = req.headers.get("content-range", "")
        if session is not None and rng.startswith("bytes ") and "*" not in rng:
            first = int(rng.split(" ")[1].split("-")[0])
            if first == len(session["data"]):
                session["data"] += received  # the server keeps what arrived before the drop

    def _range(self, session: dict[str, Any]) -> dict[str, str]:
        n = len(session["data"])
        return {"Range": f"bytes=0-{n - 1}"} if n else {}

    def _complete(self, sid: str) -> Reply:
        session = self.sessions[sid]
        if session["video"] is None:
            vid = f"yt{len(self.posts) + 1:09d}"
            rejected = self.reject_next_as_duplicate
            self.reject_next_as_duplicate = False
            status = (
                {"uploadStatus": "rejected", "rejectionReason": "duplicate"}
                if rejected
                else {"uploadStatus": "uploaded"}
            )
            status |= {k: v for k, v in session["meta"]["status"].items()}
            video = {
                "kind": "youtube#video",
                "id": vid,
                "snippet": session["meta"]["snippet"],
                "status": status,
            }
            session["video"] = video
            self.posts.append(
                {
                    "id": vid,
                    "text": session["meta"]["snippet"]["description"],
                    "data": session["data"],
                    "live": not rejected,
                    "video": video,
                }
            )
        return Reply(200, session["video"])

    def _authorize(self, query: dict[str, str]) -> Reply:
        """The consent page, approved at once: redirect back with a code bound to the challenge."""
        if (
            query.get("response_type") != "code"
            or query.get("code_challenge_method") != "S256"
            or not query.get("code_challenge")
            or not query.get("redirect_uri", "").startswith("http://127.0.0.1:")
        ):
            return Reply(400, {"error": "invalid_request"})
        self.redirects.append(query["redirect_uri"])
        code = f"code-{len(self.codes) + 1}"
        self.codes[code] = query["code_challenge"]
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        return Reply(302, None, {"Location": target})

    def _code_grant(self, form: dict[str, str]) -> Reply:
        """Authorization-code grant with PKCE (S256) as Google's token endpoint checks it."""
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if form.get("code") not in self.codes or self.codes[form["code"]] != challenge:
            return Reply(400, {"error": "invalid_grant"})
        if form.get("client_secret") != CLIENT_SECRET or not form.get("redirect_uri"):
            return Reply(401, {"error": "invalid_client"})
        self.redirects.append(form["redirect_uri"])
        del self.codes[form["code"]]
        return Reply(
            200,
            {
                "access_token": self.new_token(),
                "refresh_token": REFRESH_TOKEN,
                "expires_in": 3599,
                "token_type": "Bearer",
                "scope": "https://www.googleapis.com/auth/youtube.upload",
            },
        )

    def route(self, req: Request) -> Reply:
        if (answer := self.comment_route(req)) is not None:
            return answer
        if req.path == "/o/oauth2/v2/auth":
            return self._authorize(req.query)
        if req.path == "/token" and req.form.get("grant_type") == "authorization_code":
            return self._code_grant(req.form)
        if req.path == "/token":
            form = req.form
            if (
                form.get("grant_type") != "refresh_token"
                or form.get("refresh_token") != REFRESH_TOKEN
            ):
                return Reply(400, {"error": "invalid_grant"})
            if form.get("client_secret") != CLIENT_SECRET:
                return Reply(401, {"error": "invalid_client"})
            return Reply(
                200,
                {
                    "access_token": self.new_token(),
                    "expires_in": 3599,
                    "token_type": "Bearer",
                    "scope": "https://www.googleapis.com/auth/youtube.upload",
                },
            )
        if req.path == self.upload_path and req.method == "POST":
            if req.query.get("uploadType") != "resumable" or "snippet" not in req.query.get(
                "part", ""
            ):
                return Reply(
                    400,
                    {"error": {"code": 400, "message": "uploadType=resumable and part required"}},
                )
            sid = f"S{len(self.sessions) + 1}"
            self.sessions[sid] = {
                "size": int(req.headers["x-upload-content-length"]),
                "data": b"",
                "meta": req.json,
                "video": None,
                "type": req.headers.get("x-upload-content-type"),
            }
            location = f"{self.base_url}{self.upload_path}?uploadType=resumable&upload_id={sid}"
            return Reply(200, None, {"Location": location})
        if req.path == self.upload_path and req.method == "PUT":
            sid = req.query["upload_id"]
            session = self.sessions[sid]
            rng = req.headers["content-range"]
            if rng.startswith("bytes */"):
                if session["video"] is not None:
                    return self._complete(sid)
                return Reply(308, None, self._range(session))
            first = int(rng.split(" ")[1].split("-")[0])
            self.put_starts.append(first)
            if first != len(session["data"]):
                return Reply(
                    400,
                    {
                        "error": {
                            "code": 400,
                            "message": "Content-Range does not continue the upload",
                        }
                    },
                )
            session["data"] += req.body
            if len(session["data"]) >= session["size"]:
                return self._complete(sid)
            return Reply(308, None, self._range(session))
        if req.path == "/youtube/v3/channels":
            return Reply(
                200,
                {
                    "items": [
                        {
                            "id": "UC1",
                            "snippet": {"title": "Twin", "customUrl": "@twin_yt"},
                            "contentDetails": {"relatedPlaylists": {"uploads": "UU1"}},
                        }
                    ]
                },
            )
        if req.path == "/youtube/v3/playlistItems":
            return Reply(
                200,
                {
                    "items": [
                        {"snippet": {"description": p["text"], "resourceId": {"videoId": p["id"]}}}
                        for p in reversed(self.posts)
                    ]
                },
            )
        if req.path == "/youtube/v3/videos":
            items = [
                {
                    "id": p["id"],
                    "status": {**p["video"]["status"], "uploadStatus": "processed"}
                    if p["live"]
                    else p["video"]["status"],
                }
                for p in self.posts
                if p["id"] == req.query["id"]
            ]
            return Reply(200, {"items": items})
        if req.path == "/v2/reports":
            q = req.query
            if q.get("ids") != "channel==MINE" or not q.get("filters", "").startswith("video=="):
                return Reply(400, {"error": {"code": 400, "message": "ids/filters"}})
            vid = q["filters"].split("==", 1)[1]
            metrics = q["metrics"].split(",")
            headers = [{"name": m, "columnType": "METRIC", "dataType": "INTEGER"} for m in metrics]
            if vid.startswith("nodata"):
                return Reply(
                    200, {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers}
                )
            values = {
                "views": 1500,
                "likes": 90,
                "comments": 4,
                "shares": 6,
                "estimatedMinutesWatched": 20,
            }
            return Reply(
                200,
                {
                    "kind": "youtubeAnalytics#resultTable",
                    "columnHeaders": headers,
                    "rows": [[values.get(m, 0) for m in metrics]],
                },
            )
        return Reply(404, {"error": {"code": 404, "message": "Not Found"}})
