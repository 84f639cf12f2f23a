"""TikTok Content Posting API (Direct Post): creator_info, init, chunked PUT, status fetch.

Comments: this adapter does not implement ``CommentsCapable``. TikTok's APIs for a creator's app
(Login Kit, Display API, Content Posting API) have no endpoint that lists the comments of the
creator's videos or posts a reply; the only comment endpoint, the Research API's
``/v2/research/video/comment/list/``, is read-only and reserved for approved research clients.
"""

from __future__ import annotations

from typing import Any

from tools.publish.base import (
    AccountRef,
    Credentials,
    PublishError,
    PublishRequest,
    PublishResult,
    RateLimitState,
)
from tools.publish.commit import created, still_unconfirmed
from tools.publish.errors import classify_tiktok
from tools.publish.http import UNCONFIRMED
from tools.publish.idempotency import caption_with_marker, has_marker, marker_for
from tools.publish.identity import AccountIdentity
from tools.publish.options import HttpOptions
from tools.publish.redact import redact
from tools.publish.tokens import refresh_token_grant, require

__all__ = ["TikTokPublisher", "chunk_plan"]

MB = 1024 * 1024
MIN_CHUNK = 5 * MB
MAX_CHUNK = 64 * MB
TITLE_MAX = 2200
JSON_HEADERS = {"Content-Type": "application/json; charset=UTF-8"}


def chunk_plan(size: int, chunk_size: int) -> tuple[int, int]:
    """(chunk_size, total_chunk_count) per the media transfer guide.

    Files under 5 MB go whole; otherwise chunks of 5–64 MB, count = floor(size / chunk_size),
    and the last chunk takes the remainder.
    """
    if size <= 0:
        raise PublishError("TikTok: the video file is empty; render it again", code="invalid_file")
    if size < MIN_CHUNK:
        return size, 1
    chunk = min(MAX_CHUNK, max(MIN_CHUNK, chunk_size), size)
    return chunk, max(1, size // chunk)


def chunk_range(index: int, chunk: int, count: int, size: int) -> tuple[int, int]:
    """Inclusive byte range of chunk ``index`` (the last one runs to the end of the file)."""
    first = index * chunk
    last = size - 1 if index == count - 1 else first + chunk - 1
    return first, last


class TikTokPublisher:
    """Posts videos to TikTok with Direct Post.

    Args:
        api_base_url: Open API host.
        token_url: OAuth v2 token endpoint.
        client_key: App client key (refresh).
        client_secret: App client secret (refresh).
        audited: False for an unaudited app: TikTok only allows SELF_ONLY (private) posts then.
        privacy_level: Privacy used by an audited app (must be in creator_info options).
        chunk_size: Preferred chunk size in bytes (clamped to 5–64 MB).
        **http: :class:`HttpOptions` fields.
    """

    platform = "tiktok"

    def __init__(
        self,
        *,
        api_base_url: str = "https://open.tiktokapis.com",
        token_url: str = "https://open.tiktokapis.com/v2/oauth/token/",
        client_key: str | None = None,
        client_secret: str | None = None,
        audited: bool = False,
        privacy_level: str = "PUBLIC_TO_EVERYONE",
        chunk_size: int = 10 * MB,
        **http: Any,
    ) -> None:
        self.options = HttpOptions(**http)
        self.token_url = token_url
        self.client_key = client_key
        self.client_secret = client_secret
        self.audited = audited
        self.privacy_level = privacy_level
        self.chunk_size = chunk_size
        self.api = self.options.api(api_base_url, classify_tiktok, "TikTok")

    @staticmethod
    def _auth(credentials: Credentials) -> dict[str, str]:
        return {"Authorization": f"Bearer {credentials.access_token}", **JSON_HEADERS}

    def _post(self, path: str, credentials: Credentials, body: Any, **kw: Any) -> dict[str, Any]:
        answer = self.api.json(
            "POST",
            path,
            json=body,
            headers=self._auth(credentials),
            secrets=[credentials.access_token],
            **kw,
        )
        data = answer.get("data")
        return data if isinstance(data, dict) else {}

    def choose_privacy(self, options: list[str]) -> tuple[str, str | None]:
        """The privacy level to post with, and a note when the unaudited rule forced it."""
        if not self.audited:
            if options and "SELF_ONLY" not in options:
                raise PublishError(
                    "TikTok: this app is unaudited, so it may only post SELF_ONLY, and the "
                    "creator's account does not offer it; make the account private or audit the app",
                    code="privacy_level_option_mismatch",
                )
            return "SELF_ONLY", (
                "app not audited: posted as SELF_ONLY (visible only to the creator); "
                "set audited=true after TikTok's audit to post publicly"
            )
        if self.privacy_level not in options:
            raise PublishError(
                f"TikTok: privacy level {self.privacy_level} is not offered for this creator "
                f"(offered: {', '.join(options) or 'none'}); change the privacy_level setting",
                code="privacy_level_option_mismatch",
            )
        return self.privacy_level, None

    def publish(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        """Query creator info, init a FILE_UPLOAD post, PUT the chunks, poll until terminal."""
        data = request.media_path.read_bytes()
        creator = self._post("v2/post/publish/creator_info/query/", credentials, {})
        privacy, note = self.choose_privacy(list(creator.get("privacy_level_options") or []))
        chunk, count = chunk_plan(len(data), self.chunk_size)
        init = self._post(
            "v2/post/publish/video/init/",
            credentials,
            {
                "post_info": {
                    "title": caption_with_marker(
                        request.caption,
                        request.hashtags,
                        request.idempotency_key,
                        max_len=TITLE_MAX,
                    ),
                    "privacy_level": privacy,
                    "disable_duet": False,
                    "disable_comment": False,
                    "disable_stitch": False,
                    "is_aigc": request.synthetic_media,
                },
                "source_info": {
                    "source": "FILE_UPLOAD",
                    "video_size": len(data),
                    "chunk_size": chunk,
                    "total_chunk_count": count,
                },
            },
        )
        publish_id = str(init["publish_id"])
        self._upload(str(init["upload_url"]), publish_id, data, chunk, count, credentials)
        # Every chunk is in, so the post is made: a failing status read cannot undo that.
        result = created(publish_id, lambda: self._poll(publish_id, credentials))
        result.raw["marker"] = marker_for(request.idempotency_key)
        result.raw["privacy_level"] = privacy
        if note:
            result.raw["note"] = note
        return result

    def _upload(
        self,
        url: str,
        publish_id: str,
        data: bytes,
        chunk: int,
        count: int,
        credentials: Credentials,
    ) -> None:
        index = 0
        failures = 0
        while index < count:
            first, last = chunk_range(index, chunk, count, len(data))
            try:
                self.api.request(
                    "PUT",
                    url,
                    content=data[first : last + 1],
                    headers={
                        "Content-Type": "video/mp4",
                        "Content-Range": f"bytes {first}-{last}/{len(data)}",
                    },
                    idempotent=False,
                    secrets=[credentials.access_token],
                )
                index += 1
            except PublishError as exc:
                failures += 1
                if exc.code != UNCONFIRMED or failures > self.options.retry.max_attempts:
                    raise
                self.options.sleep(self.api.backoff(failures, None))
                try:
                    status = self._status(publish_id, credentials)
                except PublishError as probe:
                    raise still_unconfirmed(exc, probe) from None
                received = int(status.get("uploaded_bytes") or 0)
                index = count if received >= len(data) else min(received // chunk, count - 1)

    def _status(self, publish_id: str, credentials: Credentials) -> dict[str, Any]:
        return self._post("v2/post/publish/status/fetch/", credentials, {"publish_id": publish_id})

    def _to_result(self, publish_id: str, status: dict[str, Any]) -> PublishResult:
        state_name = status.get("status")
        post_ids = status.get("publicaly_available_post_id") or []
        raw: dict[str, object] = redact({"publish_id": publish_id, "status": status})
        if state_name == "FAILED":
            raise PublishError(
                f"TikTok: publish {publish_id} failed ({status.get('fail_reason') or 'no reason'}); "
                "fix the cause and publish again",
                code=str(status.get("fail_reason") or "failed"),
            )
        state: Any = (
            "published"
            if state_name in ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX")
            else "processing"
        )
        post_id = str(post_ids[0]) if post_ids else publish_id
        return PublishResult(
            platform_post_id=post_id,
            url=None,
            state=state,
            raw=raw,
        )

    def _poll(self, publish_id: str, credentials: Credentials) -> PublishResult:
        result = self._to_result(publish_id, self._status(publish_id, credentials))
        for _ in range(self.options.max_polls):
            if result.state != "processing":
                return result
            self.options.sleep(self.options.poll_interval)
            result = self._to_result(publish_id, self._status(publish_id, credentials))
        return result

    def status(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        """State of a publish id (``v_pub_...``) or of a posted video id."""
        if not platform_post_id.isdigit():
            return self._to_result(platform_post_id, self._status(platform_post_id, credentials))
        videos = self._query([platform_post_id], credentials, "id,share_url")
        if not videos:
            return PublishResult(
                platform_post_id=platform_post_id, state="failed", raw={"missing": True}
            )
        return PublishResult(
            platform_post_id=platform_post_id, url=videos[0].get("share_url"), raw=redact(videos[0])
        )

    def _query(self, ids: list[str], credentials: Credentials, fields: str) -> list[dict[str, Any]]:
        data = self._post(
            "v2/video/query/",
            credentials,
            {"filters": {"video_ids": ids}},
            params={"fields": fields},
        )
        return [v for v in data.get("videos") or [] if isinstance(v, dict)]

    def find_existing(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult | None:
        """Match the marker against the creator's recent videos (Display API video/list)."""
        data = self._post(
            "v2/video/list/",
            credentials,
            {"max_count": 20},
            params={"fields": "id,title,video_description,share_url,create_time"},
        )
        for video in data.get("videos") or []:
            text = f"{video.get('title') or ''}\n{video.get('video_description') or ''}"
            if has_marker(text, request.idempotency_key):
                return PublishResult(
                    platform_post_id=str(video["id"]),
                    url=video.get("share_url"),
                    raw=redact({"video": video, "adopted": True}),
                )
        return None

    def fetch_metrics(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> dict[str, float]:
        """view/like/comment/share counts from video/query."""
        videos = self._query(
            [platform_post_id], credentials, "id,view_count,like_count,comment_count,share_count"
        )
        if not videos:
            return {}
        names = {"view_count": "views", "like_count": "likes"}
        names |= {"comment_count": "comments", "share_count": "shares"}
        return {
            key: float(videos[0][name])
            for name, key in names.items()
            if isinstance(videos[0].get(name), int | float)
        }

    def identities(self, credentials: Credentials) -> list[AccountIdentity]:
        """The creator of the token (``GET /v2/user/info/``)."""
        body = self.api.json(
            "GET",
            "v2/user/info/",
            params={"fields": "open_id,display_name,username"},
            headers=self._auth(credentials),
            secrets=[credentials.access_token],
        )
        user = (body.get("data") or {}).get("user") or {}
        name = user.get("username") or user.get("display_name") or user["open_id"]
        return [AccountIdentity(handle=f"@{name}", external_id=str(user["open_id"]))]

    def refresh_token(self, credentials: Credentials) -> Credentials:
        """OAuth v2 refresh_token grant (client_key + client_secret)."""
        return refresh_token_grant(
            self.api,
            self.token_url,
            credentials,
            client_id_field="client_key",
            client_id=require(self.client_key, "client_key", "TikTok"),
            client_secret=require(self.client_secret, "client_secret", "TikTok"),
            now=self.options.now,
        )

    def limits(self, *, account: AccountRef, credentials: Credentials) -> RateLimitState:
        """TikTok reports no remaining post count; a posting cap shows as spam_risk_too_many_posts."""
        return RateLimitState()
