"""Facebook Page Reels: video_reels start -> rupload -> finish (video_state=PUBLISHED)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tools.publish.base import (
    AccountRef,
    Credentials,
    PublishError,
    PublishRequest,
    PublishResult,
    RateLimitState,
)
from tools.publish.commit import commit_once, created
from tools.publish.errors import classify_meta
from tools.publish.idempotency import caption_with_marker, has_marker, marker_for
from tools.publish.identity import AccountIdentity
from tools.publish.meta import bearer, fb_exchange_token, insights_values, rupload
from tools.publish.meta_comments import FacebookComments
from tools.publish.options import HttpOptions
from tools.publish.redact import redact
from tools.publish.tokens import require

__all__ = ["FacebookPublisher"]

REELS_PER_DAY = 30
INSIGHT_METRICS = (
    "blue_reels_play_count,post_video_likes_by_reaction_type,post_video_social_actions,"
    "post_video_view_time,post_impressions_unique"
)


class FacebookPublisher(FacebookComments):
    """Publishes Reels to a Facebook Page (``account.external_id`` = Page id, Page token).

    Args:
        graph_base_url: Graph host.
        api_version: Graph API version path segment.
        app_id: Meta app id (token exchange).
        app_secret: Meta app secret (token exchange).
        **http: :class:`HttpOptions` fields.
    """

    platform = "facebook"

    def __init__(
        self,
        *,
        graph_base_url: str = "https://graph.facebook.com",
        api_version: str = "v21.0",
        app_id: str | None = None,
        app_secret: str | None = None,
        **http: Any,
    ) -> None:
        self.options = HttpOptions(**http)
        self.app_id = app_id
        self.app_secret = app_secret
        base = f"{graph_base_url.rstrip('/')}/{api_version}"
        self.api = self.options.api(base, classify_meta, "Facebook")

    def _get(self, path: str, credentials: Credentials, **params: str) -> dict[str, Any]:
        return self.api.json(
            "GET",
            path,
            params=params,
            headers=bearer(credentials),
            secrets=[credentials.access_token],
        )

    def _video_status(self, video_id: str, credentials: Credentials) -> dict[str, Any]:
        body = self._get(video_id, credentials, fields="status,permalink_url,description")
        return body

    def publish(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        """Start an upload session, send the file, then finish with video_state=PUBLISHED."""
        data = request.media_path.read_bytes()
        auth = bearer(credentials)
        secrets = [credentials.access_token]
        start = self.api.json(
            "POST",
            f"{account.external_id}/video_reels",
            data={"upload_phase": "start"},
            headers=auth,
            secrets=secrets,
        )
        video_id = str(start["video_id"])
        upload_url = str(start["upload_url"])

        def received() -> int:
            status = self._video_status(video_id, credentials).get("status") or {}
            phase = status.get("uploading_phase") or {}
            return int(phase.get("bytes_transferred") or 0)

        rupload(self.api, upload_url, credentials, data, server_offset=received)
        description = caption_with_marker(
            request.caption, request.hashtags, request.idempotency_key
        )

        def create() -> PublishResult:
            body = self.api.json(
                "POST",
                f"{account.external_id}/video_reels",
                data={
                    "upload_phase": "finish",
                    "video_id": video_id,
                    "video_state": "PUBLISHED",
                    "description": description,
                },
                headers=auth,
                idempotent=False,
                secrets=secrets,
            )
            if not body.get("success", True):
                raise PublishError(
                    f"Facebook: finishing reel {video_id} was refused; publish again",
                    code="finish_refused",
                )
            # Finished: a failing status read below cannot undo that.
            return created(
                video_id, lambda: self.status(video_id, account=account, credentials=credentials)
            )

        def lookup() -> PublishResult | None:
            result = self.status(video_id, account=account, credentials=credentials)
            phase = (result.raw.get("status") or {}) if isinstance(result.raw, dict) else {}
            publishing = phase.get("publishing_phase") if isinstance(phase, dict) else None
            if isinstance(publishing, dict) and publishing.get("status") in (
                "complete",
                "in_progress",
            ):
                return result
            return None

        result = commit_once(create, lookup, sleep=self.options.sleep)
        result.raw["marker"] = marker_for(request.idempotency_key)
        return result

    def status(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        """Reel state from the video's ``status`` (video_status / publishing_phase)."""
        body = self._video_status(platform_post_id, credentials)
        status = body.get("status") or {}
        video_status = status.get("video_status")
        publishing = (status.get("publishing_phase") or {}).get("status")
        state: Any = "processing"
        if video_status == "error":
            state = "failed"
        elif publishing == "complete" or video_status in ("ready", "published"):
            state = "published"
        url = body.get("permalink_url")
        if url and str(url).startswith("/"):
            url = f"https://www.facebook.com{url}"
        return PublishResult(
            platform_post_id=platform_post_id,
            url=url,
            state=state,
            raw=redact(
                {"video_id": platform_post_id, "status": status}, [credentials.access_token]
            ),
        )

    def find_existing(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult | None:
        """Match the marker against the Page's recent reels."""
        body = self._get(
            f"{account.external_id}/video_reels",
            credentials,
            fields="id,description,permalink_url,created_time",
            limit="50",
        )
        for item in body.get("data") or []:
            if isinstance(item, dict) and has_marker(
                item.get("description"), request.idempotency_key
            ):
                result = self.status(str(item["id"]), account=account, credentials=credentials)
                result.raw["adopted"] = True
                return result
        return None

    def fetch_metrics(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> dict[str, float]:
        """Reel video_insights mapped to METRIC_KEYS (absent when Facebook has no value)."""
        body = self._get(f"{platform_post_id}/video_insights", credentials, metric=INSIGHT_METRICS)
        values = insights_values(body)
        out: dict[str, float] = {}
        if "blue_reels_play_count" in values:
            out["views"] = values["blue_reels_play_count"]
        if "post_video_likes_by_reaction_type" in values:
            out["likes"] = values["post_video_likes_by_reaction_type"]
        if "post_video_view_time" in values:
            out["watch_time_sec"] = values["post_video_view_time"] / 1000.0
        for item in body.get("data") or []:
            if isinstance(item, dict) and item.get("name") == "post_video_social_actions":
                values_list = item.get("values") or [{}]
                actions = values_list[-1].get("value") if values_list else None
                if isinstance(actions, dict):
                    if "comment" in actions:
                        out["comments"] = float(actions["comment"])
                    if "share" in actions:
                        out["shares"] = float(actions["share"])
        return out

    def identities(self, credentials: Credentials) -> list[AccountIdentity]:
        """Pages the user token manages, each with its Page access token."""
        body = self._get("me/accounts", credentials, fields="id,name,access_token")
        out = []
        for page in body.get("data") or []:
            if isinstance(page, dict) and page.get("id"):
                out.append(
                    AccountIdentity(
                        handle=str(page.get("name") or page["id"]),
                        external_id=str(page["id"]),
                        access_token=page.get("access_token"),
                    )
                )
        return out

    def refresh_token(self, credentials: Credentials) -> Credentials:
        """Exchange for a long-lived token (fb_exchange_token)."""
        return fb_exchange_token(
            self.api,
            "oauth/access_token",
            credentials,
            app_id=require(self.app_id, "app_id", "Facebook"),
            app_secret=require(self.app_secret, "app_secret", "Facebook"),
            now=self.options.now,
        )

    def limits(self, *, account: AccountRef, credentials: Credentials) -> RateLimitState:
        """Facebook has no quota endpoint for reels; the documented cap is 30 per rolling 24 h."""
        body = self._get(
            f"{account.external_id}/video_reels", credentials, fields="created_time", limit="50"
        )
        now = self.options.now()
        recent = 0
        for item in body.get("data") or []:
            created = item.get("created_time") if isinstance(item, dict) else None
            if created and _age_seconds(str(created), now) < 86400:
                recent += 1
        return RateLimitState(remaining=max(0, REELS_PER_DAY - recent), limit=REELS_PER_DAY)


def _age_seconds(stamp: str, now: datetime) -> float:
    try:
        when = datetime.fromisoformat(stamp.replace("+0000", "+00:00").replace("Z", "+00:00"))
    except ValueError:
        return float("inf")
    return float((now - when).total_seconds())
