"""Threads video posts: a VIDEO container from a public video URL, then threads_publish."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

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
    insights_values,
    publishing_limit,
    refresh_long_lived,
)
from tools.publish.meta_comments import ThreadsComments
from tools.publish.options import HttpOptions
from tools.publish.redact import redact

__all__ = ["ThreadsPublisher"]

TEXT_MAX = 500
INSIGHT_METRICS = "views,likes,replies,reposts,quotes,shares"


class ThreadsPublisher(ThreadsComments):
    """Publishes video posts to Threads (``account.external_id`` = Threads user id).

    Threads downloads the video itself, so the file must be served at a public URL:
    ``media_base_url`` + "/" + the file name (e.g. a bucket or CDN the render step writes to).

    Args:
        graph_base_url: Threads Graph host.
        api_version: API version path segment.
        media_base_url: Public base URL where ``request.media_path.name`` is served.
        **http: :class:`HttpOptions` fields.
    """

    platform = "threads"

    def __init__(
        self,
        *,
        graph_base_url: str = "https://graph.threads.net",
        api_version: str = "v1.0",
        media_base_url: str | None = None,
        **http: Any,
    ) -> None:
        self.options = HttpOptions(**http)
        self.graph_base_url = graph_base_url.rstrip("/")
        self.media_base_url = media_base_url.rstrip("/") if media_base_url else None
        self.api = self.options.api(
            f"{self.graph_base_url}/{api_version}", classify_meta, "Threads"
        )

    def video_url(self, request: PublishRequest) -> str:
        """The public URL Threads will fetch the video from."""
        if not self.media_base_url:
            raise PublishError(
                "Threads fetches videos from a public URL and no media host is configured: "
                "set the threads 'media_base_url' setting to where rendered reels are served",
                code="configuration",
            )
        return f"{self.media_base_url}/{quote(request.media_path.name)}"

    def _get(self, path: str, credentials: Credentials, **params: str) -> dict[str, Any]:
        return self.api.json(
            "GET",
            path,
            params=params,
            headers=bearer(credentials),
            secrets=[credentials.access_token],
        )

    def publish(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        """Create a VIDEO container, wait until FINISHED, then threads_publish."""
        video_url = self.video_url(request)
        ensure_quota(self.limits(account=account, credentials=credentials), "Threads")
        auth = bearer(credentials)
        secrets = [credentials.access_token]
        text = caption_with_marker(
            request.caption, request.hashtags, request.idempotency_key, max_len=TEXT_MAX
        )
        container = self.api.json(
            "POST",
            f"{account.external_id}/threads",
            data={"media_type": "VIDEO", "video_url": video_url, "text": text},
            headers=auth,
            secrets=secrets,
        )
        container_id = str(container["id"])
        self._wait_finished(container_id, credentials)

        def create() -> PublishResult:
            body = self.api.json(
                "POST",
                f"{account.external_id}/threads_publish",
                data={"creation_id": container_id},
                headers=auth,
                idempotent=False,
                secrets=secrets,
            )
            thread_id = str(body["id"])  # it is out: a failing read below cannot undo that
            result = created(
                thread_id,
                lambda: self.status(thread_id, account=account, credentials=credentials),
            )
            result.raw["container_id"] = container_id
            return result

        def lookup() -> PublishResult | None:
            state = self._get(container_id, credentials, fields="status,error_message")
            if state.get("status") != "PUBLISHED":
                return None
            return self.find_existing(request, account=account, credentials=credentials)

        result = commit_once(create, lookup, sleep=self.options.sleep)
        result.raw["marker"] = marker_for(request.idempotency_key)
        return result

    def _wait_finished(self, container_id: str, credentials: Credentials) -> None:
        for _ in range(self.options.max_polls):
            state = self._get(container_id, credentials, fields="status,error_message")
            status = state.get("status")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                reason = redact(str(state.get("error_message") or "no reason given"))
                raise PublishError(
                    f"Threads: container {container_id} ended {status} ({reason}); "
                    "check that media_base_url serves the video publicly and publish again",
                    code=f"container_{str(status).lower()}",
                )
            self.options.sleep(self.options.poll_interval)
        raise PublishError(
            f"Threads: container {container_id} still processing; publish again later",
            retryable=True,
            retry_after=60.0,
            code="processing_timeout",
        )

    def status(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        """A published thread's permalink."""
        body = self._get(platform_post_id, credentials, fields="id,permalink,timestamp")
        return PublishResult(
            platform_post_id=platform_post_id,
            url=body.get("permalink"),
            raw=redact({"thread": body}, [credentials.access_token]),
        )

    def find_existing(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult | None:
        """Match the marker against the user's recent threads."""
        body = self._get(
            f"{account.external_id}/threads",
            credentials,
            fields="id,text,permalink,timestamp",
            limit="50",
        )
        for item in body.get("data") or []:
            if isinstance(item, dict) and has_marker(item.get("text"), request.idempotency_key):
                return PublishResult(
                    platform_post_id=str(item["id"]),
                    url=item.get("permalink"),
                    raw=redact({"thread": item, "adopted": True}, [credentials.access_token]),
                )
        return None

    def fetch_metrics(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> dict[str, float]:
        """Media insights: views, likes, replies -> comments, reposts + shares -> shares."""
        values = insights_values(
            self._get(f"{platform_post_id}/insights", credentials, metric=INSIGHT_METRICS)
        )
        out: dict[str, float] = {k: values[k] for k in ("views", "likes") if k in values}
        if "replies" in values:
            out["comments"] = values["replies"]
        if "reposts" in values or "shares" in values:
            out["shares"] = values.get("reposts", 0.0) + values.get("shares", 0.0)
        return out

    def identities(self, credentials: Credentials) -> list[AccountIdentity]:
        """The Threads user of the token (``GET /me``)."""
        me = self._get("me", credentials, fields="id,username")
        return [
            AccountIdentity(handle=f"@{me.get('username', me['id'])}", external_id=str(me["id"]))
        ]

    def refresh_token(self, credentials: Credentials) -> Credentials:
        """Refresh a long-lived Threads token (``th_refresh_token``)."""
        return refresh_long_lived(
            self.api,
            f"{self.graph_base_url}/refresh_access_token",
            "th_refresh_token",
            credentials,
            now=self.options.now,
        )

    def limits(self, *, account: AccountRef, credentials: Credentials) -> RateLimitState:
        """The 250-per-24 h publishing quota as threads_publishing_limit reports it."""
        return publishing_limit(
            self.api,
            f"{account.external_id}/threads_publishing_limit",
            credentials,
            self.options.now(),
        )
