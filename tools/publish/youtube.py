"""YouTube Shorts: videos.insert with the resumable upload protocol; YouTube Analytics metrics."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from tools.publish.base import (
    AccountRef,
    Credentials,
    PublishError,
    PublishRequest,
    PublishResult,
    RateLimitState,
)
from tools.publish.commit import still_unconfirmed
from tools.publish.errors import classify_youtube
from tools.publish.http import UNCONFIRMED
from tools.publish.idempotency import caption_with_marker, has_marker, marker_for
from tools.publish.identity import AccountIdentity
from tools.publish.options import HttpOptions
from tools.publish.redact import redact
from tools.publish.tokens import refresh_token_grant, require
from tools.publish.youtube_comments import YouTubeComments

__all__ = ["YouTubeShortsPublisher", "discovery_has_synthetic_media"]

UPLOAD_CHUNK = 256 * 1024  # the resumable protocol wants multiples of 256 KiB
DESCRIPTION_MAX = 5000
ANALYTICS_METRICS = "views,likes,comments,shares,estimatedMinutesWatched"


def discovery_has_synthetic_media(path: Path) -> bool:
    """Whether a YouTube Data API discovery document defines ``VideoStatus.containsSyntheticMedia``."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    props = doc.get("schemas", {}).get("VideoStatus", {}).get("properties", {})
    return "containsSyntheticMedia" in props


class YouTubeShortsPublisher(YouTubeComments):
    """Uploads Shorts to the authorized channel.

    Args:
        api_base_url: Data API base (``.../youtube/v3``).
        upload_url: Resumable upload endpoint for videos.insert.
        analytics_base_url: YouTube Analytics API base (``.../v2``).
        token_url: Google OAuth token endpoint.
        client_id: OAuth client id (refresh).
        client_secret: OAuth client secret (refresh).
        privacy_status: ``public``, ``unlisted`` or ``private``.
        category_id: snippet.categoryId.
        chunk_size: Upload chunk in bytes (rounded down to a multiple of 256 KiB).
        synthetic_media_field: Send ``status.containsSyntheticMedia``. None decides from
            ``discovery_path`` when given, else True (field added to the API on 2024-10-30).
        discovery_path: A videos discovery document to check for the field.
        **http: :class:`HttpOptions` fields.
    """

    platform = "youtube_shorts"

    def __init__(
        self,
        *,
        api_base_url: str = "https://www.googleapis.com/youtube/v3",
        upload_url: str = "https://www.googleapis.com/upload/youtube/v3/videos",
        analytics_base_url: str = "https://youtubeanalytics.googleapis.com/v2",
        token_url: str = "https://oauth2.googleapis.com/token",
        client_id: str | None = None,
        client_secret: str | None = None,
        privacy_status: str = "public",
        category_id: str = "22",
        chunk_size: int = 8 * 1024 * 1024,
        synthetic_media_field: bool | None = None,
        discovery_path: Path | None = None,
        **http: Any,
    ) -> None:
        if privacy_status not in ("public", "unlisted", "private"):
            raise ValueError("privacy_status must be public, unlisted or private")
        self.options = HttpOptions(**http)
        self.upload_url = upload_url
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.privacy_status = privacy_status
        self.category_id = category_id
        self.chunk_size = max(UPLOAD_CHUNK, chunk_size // UPLOAD_CHUNK * UPLOAD_CHUNK)
        if synthetic_media_field is None:
            synthetic_media_field = (
                discovery_has_synthetic_media(discovery_path) if discovery_path else True
            )
        self.synthetic_media_field = synthetic_media_field

        # quotaExceeded waits until midnight Pacific time as the adapter's clock sees it
        def classify(response: httpx.Response) -> PublishError:
            return classify_youtube(response, now=self.options.now())

        self.api = self.options.api(api_base_url, classify, "YouTube")
        self.analytics = self.options.api(analytics_base_url, classify, "YouTube Analytics")

    @staticmethod
    def _auth(credentials: Credentials) -> dict[str, str]:
        return {"Authorization": f"Bearer {credentials.access_token}"}

    def metadata(self, request: PublishRequest) -> dict[str, Any]:
        """The videos.insert body: snippet (title, #Shorts description, tags) and status."""
        tags = [t.lstrip("#") for t in request.hashtags if t.strip("#")]
        hashtags = list(request.hashtags)
        if not any(t.lower().lstrip("#") == "shorts" for t in hashtags):
            hashtags.append("#Shorts")
        title = (request.title or request.caption or "Short").strip().splitlines()[0][:100]
        status: dict[str, Any] = {
            "privacyStatus": self.privacy_status,
            "selfDeclaredMadeForKids": False,
        }
        if self.synthetic_media_field:
            status["containsSyntheticMedia"] = request.synthetic_media
        return {
            "snippet": {
                "title": title,
                "description": caption_with_marker(
                    request.caption, hashtags, request.idempotency_key, max_len=DESCRIPTION_MAX
                ),
                "tags": tags,
                "categoryId": self.category_id,
            },
            "status": status,
        }

    def publish(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        """Open a resumable session, send chunks, resume from the server's offset after errors."""
        data = request.media_path.read_bytes()
        body = self.metadata(request)
        start = self.api.request(
            "POST",
            self.upload_url,
            params={"uploadType": "resumable", "part": "snippet,status"},
            json=body,
            headers={
                **self._auth(credentials),
                "X-Upload-Content-Type": "video/mp4",
                "X-Upload-Content-Length": str(len(data)),
            },
            secrets=[credentials.access_token],
        )
        session = start.headers.get("Location")
        if not session:
            raise PublishError(
                "YouTube: the upload session answer had no Location header; publish again",
                retryable=True,
                code="no_session",
            )
        video = self._send(session, data, credentials)
        result = self._video_result(video)
        result.raw["marker"] = marker_for(request.idempotency_key)
        if not self.synthetic_media_field:
            result.raw["note"] = (
                "containsSyntheticMedia not sent: the configured discovery document lacks it"
            )
        upload_status = video.get("status", {}).get("uploadStatus")
        if upload_status in ("rejected", "failed"):
            status = video.get("status", {})
            reason = status.get("rejectionReason") or status.get("failureReason") or upload_status
            raise PublishError(
                f"YouTube: video {video.get('id')} was {upload_status} ({reason}); "
                "not retried — change the video before publishing again",
                code="duplicate" if reason == "duplicate" else str(reason),
            )
        return result

    def _send(self, session: str, data: bytes, credentials: Credentials) -> dict[str, Any]:
        total = len(data)
        offset = 0
        failures = 0
        while True:
            end = min(offset + self.chunk_size, total) - 1
            try:
                response = self.api.request(
                    "PUT",
                    session,
                    content=data[offset : end + 1],
                    headers={
                        **self._auth(credentials),
                        "Content-Range": f"bytes {offset}-{end}/{total}",
                    },
                    idempotent=False,
                    ok_statuses=(308,),
                    secrets=[credentials.access_token],
                )
            except PublishError as exc:
                failures += 1
                if exc.code != UNCONFIRMED or failures > self.options.retry.max_attempts:
                    raise
                self.options.sleep(self.api.backoff(failures, exc.retry_after))
                try:
                    response = self._probe(session, total, credentials)
                except PublishError as probe:
                    raise still_unconfirmed(exc, probe) from None
            if response.status_code in (200, 201):
                return dict(response.json())
            offset = _next_offset(response)

    def _probe(self, session: str, total: int, credentials: Credentials) -> httpx.Response:
        """Ask how much the server has: ``Content-Range: bytes */total`` -> 308 + Range, or done."""
        return self.api.request(
            "PUT",
            session,
            content=b"",
            headers={**self._auth(credentials), "Content-Range": f"bytes */{total}"},
            ok_statuses=(308,),
            secrets=[credentials.access_token],
        )

    @staticmethod
    def _video_result(video: dict[str, Any]) -> PublishResult:
        video_id = str(video.get("id"))
        status = video.get("status") or {}
        upload = status.get("uploadStatus")
        state: Any = "published" if upload == "processed" else "processing"
        if upload in ("failed", "rejected", "deleted"):
            state = "failed"
        return PublishResult(
            platform_post_id=video_id,
            url=f"https://www.youtube.com/shorts/{video_id}",
            state=state,
            raw=redact({"id": video_id, "status": status}),
        )

    def status(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        """videos.list status: processed -> published, uploaded -> processing."""
        body = self.api.json(
            "GET",
            "videos",
            params={"part": "status", "id": platform_post_id},
            headers=self._auth(credentials),
            secrets=[credentials.access_token],
        )
        items = body.get("items") or []
        if not items:
            return PublishResult(
                platform_post_id=platform_post_id, state="failed", raw={"missing": True}
            )
        return self._video_result(items[0])

    def find_existing(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult | None:
        """Scan the channel's uploads playlist for the marker in a description."""
        auth = self._auth(credentials)
        secrets = [credentials.access_token]
        channels = self.api.json(
            "GET",
            "channels",
            params={"part": "contentDetails", "mine": "true"},
            headers=auth,
            secrets=secrets,
        )
        items = channels.get("items") or []
        if not items:
            return None
        uploads = items[0].get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
        if not uploads:
            return None
        listing = self.api.json(
            "GET",
            "playlistItems",
            params={"part": "snippet", "playlistId": uploads, "maxResults": "50"},
            headers=auth,
            secrets=secrets,
        )
        for item in listing.get("items") or []:
            snippet = item.get("snippet") or {}
            if has_marker(snippet.get("description"), request.idempotency_key):
                video_id = str((snippet.get("resourceId") or {}).get("videoId"))
                result = self.status(video_id, account=account, credentials=credentials)
                result.raw["adopted"] = True
                return result
        return None

    def fetch_metrics(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> dict[str, float]:
        """YouTube Analytics reports.query for one video; no rows -> no metrics (not zeros)."""
        today = self.options.now().date()
        body = self.analytics.json(
            "GET",
            "reports",
            params={
                "ids": "channel==MINE",
                "startDate": (today - timedelta(days=365)).isoformat(),
                "endDate": today.isoformat(),
                "metrics": ANALYTICS_METRICS,
                "filters": f"video=={platform_post_id}",
            },
            headers=self._auth(credentials),
            secrets=[credentials.access_token],
        )
        rows = body.get("rows") or []
        if not rows:
            return {}
        names = [str(h.get("name")) for h in body.get("columnHeaders") or []]
        row = dict(zip(names, rows[0], strict=False))
        out: dict[str, float] = {
            k: float(row[k]) for k in ("views", "likes", "comments", "shares") if k in row
        }
        if "estimatedMinutesWatched" in row:
            out["watch_time_sec"] = float(row["estimatedMinutesWatched"]) * 60.0
        return out

    def identities(self, credentials: Credentials) -> list[AccountIdentity]:
        """The channel of the token (``channels.list mine=true``)."""
        body = self.api.json(
            "GET",
            "channels",
            params={"part": "snippet", "mine": "true"},
            headers=self._auth(credentials),
            secrets=[credentials.access_token],
        )
        out = []
        for item in body.get("items") or []:
            snippet = item.get("snippet") or {}
            handle = snippet.get("customUrl") or snippet.get("title") or item["id"]
            out.append(AccountIdentity(handle=str(handle), external_id=str(item["id"])))
        return out

    def refresh_token(self, credentials: Credentials) -> Credentials:
        """Google OAuth refresh_token grant (Google keeps the same refresh token)."""
        return refresh_token_grant(
            self.api,
            self.token_url,
            credentials,
            client_id_field="client_id",
            client_id=require(self.client_id, "client_id", "YouTube"),
            client_secret=require(self.client_secret, "client_secret", "YouTube"),
            now=self.options.now,
        )

    def limits(self, *, account: AccountRef, credentials: Credentials) -> RateLimitState:
        """The Data API exposes no remaining quota; quotaExceeded errors carry the wait instead."""
        return RateLimitState()


def _next_offset(response: httpx.Response) -> int:
    """Offset after a 308: ``Range: bytes=0-N`` -> N + 1; no Range -> nothing stored yet."""
    header = response.headers.get("Range")
    if not header or "-" not in header:
        return 0
    return int(header.rsplit("-", 1)[1]) + 1
