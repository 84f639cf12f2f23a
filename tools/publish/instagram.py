"""Instagram Reels through the Graph API: resumable container upload, then media_publish."""

from __future__ import annotations

from typing import Any, Literal

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
from tools.publish.meta import (
    bearer,
    ensure_quota,
    fb_exchange_token,
    insights_values,
    publishing_limit,
    refresh_long_lived,
    rupload,
)
from tools.publish.meta_comments import InstagramComments
from tools.publish.options import HttpOptions
from tools.publish.redact import redact
from tools.publish.tokens import require

__all__ = ["InstagramPublisher"]

CAPTION_MAX = 2200
INSIGHT_METRICS = "views,likes,comments,shares,saved,reach,ig_reels_video_view_total_time"


class InstagramPublisher(InstagramComments):
    """Publishes Reels to an Instagram professional account (``account.external_id`` = IG user id).

    Args:
        graph_base_url: Graph host (``https://graph.facebook.com``; ``https://graph.instagram.com``
            with Instagram Login).
        rupload_base_url: Upload host used when the container carries no ``uri``.
        api_version: Graph API version path segment.
        login: ``"facebook"`` (token refreshed by fb_exchange_token) or ``"instagram"``
            (``ig_refresh_token``).
        app_id: Meta app id (Facebook Login refresh).
        app_secret: Meta app secret (Facebook Login refresh).
        share_to_feed: Also show the reel in the feed.
        **http: :class:`HttpOptions` fields (client, transport, timeout, retry, sleep, ...).
    """

    platform = "instagram"

    def __init__(
        self,
        *,
        graph_base_url: str = "https://graph.facebook.com",
        rupload_base_url: str = "https://rupload.facebook.com",
        api_version: str = "v21.0",
        login: Literal["facebook", "instagram"] = "facebook",
        app_id: str | None = None,
        app_secret: str | None = None,
        share_to_feed: bool = True,
        **http: Any,
    ) -> None:
        self.options = HttpOptions(**http)
        self.api_version = api_version
        self.graph_base_url = graph_base_url.rstrip("/")
        self.rupload_base_url = rupload_base_url.rstrip("/")
        self.login = login
        self.app_id = app_id
        self.app_secret = app_secret
        self.share_to_feed = share_to_feed
        self.api = self.options.api(
            f"{self.graph_base_url}/{api_version}", classify_meta, "Instagram"
        )

    def publish(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        """Create a REELS container, upload the bytes, wait for FINISHED, then media_publish."""
        data = request.media_path.read_bytes()
        ensure_quota(self.limits(account=account, credentials=credentials), "Instagram")
        auth = bearer(credentials)
        secrets = [credentials.access_token]
        container = self.api.json(
            "POST",
            f"{account.external_id}/media",
            data={
                "media_type": "REELS",
                "upload_type": "resumable",
                "caption": caption_with_marker(
                    request.caption, request.hashtags, request.idempotency_key, max_len=CAPTION_MAX
                ),
                "share_to_feed": "true" if self.share_to_feed else "false",
            },
            headers=auth,
            secrets=secrets,
        )
        container_id = str(container["id"])
        upload_url = str(
            container.get("uri")
            or f"{self.rupload_base_url}/ig-api-upload/{self.api_version}/{container_id}"
        )
        rupload(self.api, upload_url, credentials, data)
        self._wait_finished(container_id, credentials)

        def create() -> PublishResult:
            body = self.api.json(
                "POST",
                f"{account.external_id}/media_publish",
                data={"creation_id": container_id},
                headers=auth,
                idempotent=False,
                secrets=secrets,
            )
            media_id = str(body["id"])  # it is out: a failing read below cannot undo that
            return created(
                media_id,
                lambda: self._result(media_id, credentials, {"container_id": container_id}),
            )

        def lookup() -> PublishResult | None:
            state = self._container(container_id, credentials)
            if state.get("status_code") != "PUBLISHED":
                return None
            return self.find_existing(request, account=account, credentials=credentials)

        result = commit_once(create, lookup, sleep=self.options.sleep)
        result.raw["marker"] = marker_for(request.idempotency_key)
        return result

    def _container(self, container_id: str, credentials: Credentials) -> dict[str, Any]:
        return self.api.json(
            "GET",
            container_id,
            params={"fields": "status_code,status"},
            headers=bearer(credentials),
            secrets=[credentials.access_token],
        )

    def _wait_finished(self, container_id: str, credentials: Credentials) -> None:
        for _ in range(self.options.max_polls):
            state = self._container(container_id, credentials)
            code = state.get("status_code")
            if code in ("FINISHED", "PUBLISHED"):
                return
            if code in ("ERROR", "EXPIRED"):
                raise PublishError(
                    f"Instagram: container {container_id} ended {code} "
                    f"({redact(str(state.get('status') or 'no reason given'))}); "
                    "check the video format (9:16 H.264/AAC mp4) and publish again",
                    code=f"container_{str(code).lower()}",
                )
            self.options.sleep(self.options.poll_interval)
        raise PublishError(
            f"Instagram: container {container_id} still processing after "
            f"{self.options.max_polls} checks; publish again later",
            retryable=True,
            retry_after=60.0,
            code="processing_timeout",
        )

    def _result(
        self, media_id: str, credentials: Credentials, extra: dict[str, object]
    ) -> PublishResult:
        info = self.api.json(
            "GET",
            media_id,
            params={"fields": "id,permalink,timestamp"},
            headers=bearer(credentials),
            secrets=[credentials.access_token],
        )
        raw = redact({**extra, "media": info}, [credentials.access_token])
        return PublishResult(
            platform_post_id=media_id, url=info.get("permalink"), state="published", raw=raw
        )

    def status(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        """A published media object's state and permalink."""
        return self._result(platform_post_id, credentials, {})

    def find_existing(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult | None:
        """Look through the account's recent media for the request's caption marker."""
        body = self.api.json(
            "GET",
            f"{account.external_id}/media",
            params={"fields": "id,caption,permalink,timestamp", "limit": "50"},
            headers=bearer(credentials),
            secrets=[credentials.access_token],
        )
        for item in body.get("data") or []:
            if isinstance(item, dict) and has_marker(item.get("caption"), request.idempotency_key):
                raw = redact({"media": item, "adopted": True}, [credentials.access_token])
                return PublishResult(
                    platform_post_id=str(item["id"]), url=item.get("permalink"), raw=raw
                )
        return None

    def fetch_metrics(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> dict[str, float]:
        """Reel insights mapped to METRIC_KEYS; what Instagram does not return stays absent."""
        body = self.api.json(
            "GET",
            f"{platform_post_id}/insights",
            params={"metric": INSIGHT_METRICS},
            headers=bearer(credentials),
            secrets=[credentials.access_token],
        )
        values = insights_values(body)
        mapping = {"views": "views", "likes": "likes", "comments": "comments"}
        mapping |= {"shares": "shares", "saved": "saves"}
        out = {key: values[name] for name, key in mapping.items() if name in values}
        if "ig_reels_video_view_total_time" in values:
            out["watch_time_sec"] = values["ig_reels_video_view_total_time"] / 1000.0
        return out

    def identities(self, credentials: Credentials) -> list[AccountIdentity]:
        """Instagram accounts the token can publish to (Page-linked with Facebook Login)."""
        secrets = [credentials.access_token]
        if self.login == "instagram":
            me = self.api.json(
                "GET",
                "me",
                params={"fields": "user_id,username"},
                headers=bearer(credentials),
                secrets=secrets,
            )
            user_id = me.get("user_id") or me.get("id")
            return [
                AccountIdentity(handle=f"@{me.get('username', user_id)}", external_id=str(user_id))
            ]
        body = self.api.json(
            "GET",
            "me/accounts",
            params={"fields": "id,name,instagram_business_account{id,username}"},
            headers=bearer(credentials),
            secrets=secrets,
        )
        out = []
        for page in body.get("data") or []:
            ig = page.get("instagram_business_account") if isinstance(page, dict) else None
            if isinstance(ig, dict) and ig.get("id"):
                name = ig.get("username") or ig["id"]
                out.append(AccountIdentity(handle=f"@{name}", external_id=str(ig["id"])))
        return out

    def refresh_token(self, credentials: Credentials) -> Credentials:
        """Instagram Login: ig_refresh_token; Facebook Login: fb_exchange_token."""
        if self.login == "instagram":
            return refresh_long_lived(
                self.api,
                f"{self.graph_base_url}/refresh_access_token",
                "ig_refresh_token",
                credentials,
                now=self.options.now,
            )
        return fb_exchange_token(
            self.api,
            "oauth/access_token",
            credentials,
            app_id=require(self.app_id, "app_id", "Instagram"),
            app_secret=require(self.app_secret, "app_secret", "Instagram"),
            now=self.options.now,
        )

    def limits(self, *, account: AccountRef, credentials: Credentials) -> RateLimitState:
        """Rolling 24 h publishing quota from content_publishing_limit."""
        return publishing_limit(
            self.api,
            f"{account.external_id}/content_publishing_limit",
            credentials,
            self.options.now(),
        )
