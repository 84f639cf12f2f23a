"""LinkedIn video posts: Videos API (initialize, PUT parts, finalize) then the Posts API."""

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
from tools.publish.commit import commit_once
from tools.publish.errors import classify_linkedin
from tools.publish.idempotency import caption_with_marker, has_marker, marker_for
from tools.publish.identity import AccountIdentity
from tools.publish.linkedin_comments import LinkedInComments
from tools.publish.options import HttpOptions
from tools.publish.redact import redact
from tools.publish.tokens import refresh_token_grant, require

__all__ = ["LinkedInPublisher"]

COMMENTARY_MAX = 3000


class LinkedInPublisher(LinkedInComments):
    """Publishes videos as LinkedIn posts (``account.external_id`` = person/organization URN or id).

    Args:
        api_base_url: REST API host.
        token_url: OAuth token endpoint (refresh).
        linkedin_version: ``LinkedIn-Version`` header, YYYYMM.
        client_id: App client id (refresh).
        client_secret: App client secret (refresh).
        visibility: Post visibility (PUBLIC, CONNECTIONS, ...).
        **http: :class:`HttpOptions` fields.
    """

    platform = "linkedin"

    def __init__(
        self,
        *,
        api_base_url: str = "https://api.linkedin.com",
        token_url: str = "https://www.linkedin.com/oauth/v2/accessToken",
        linkedin_version: str = "202405",
        client_id: str | None = None,
        client_secret: str | None = None,
        visibility: str = "PUBLIC",
        **http: Any,
    ) -> None:
        self.options = HttpOptions(**http)
        self.token_url = token_url
        self.linkedin_version = linkedin_version
        self.client_id = client_id
        self.client_secret = client_secret
        self.visibility = visibility
        self.api = self.options.api(api_base_url, classify_linkedin, "LinkedIn")

    def _headers(self, credentials: Credentials) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {credentials.access_token}",
            "LinkedIn-Version": self.linkedin_version,
            "X-Restli-Protocol-Version": "2.0.0",
        }

    @staticmethod
    def owner(account: AccountRef) -> str:
        """The author URN; a bare id is taken as a person id."""
        ref = account.external_id
        return ref if ref.startswith("urn:li:") else f"urn:li:person:{ref}"

    def publish(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        """Upload the video in the parts LinkedIn asks for, finalize, then create the post."""
        data = request.media_path.read_bytes()
        headers = self._headers(credentials)
        secrets = [credentials.access_token]
        owner = self.owner(account)
        init = self.api.json(
            "POST",
            "rest/videos",
            params={"action": "initializeUpload"},
            json={
                "initializeUploadRequest": {
                    "owner": owner,
                    "fileSizeBytes": len(data),
                    "uploadCaptions": False,
                    "uploadThumbnail": False,
                }
            },
            headers=headers,
            secrets=secrets,
        )
        value = init.get("value") or {}
        video = str(value["video"])
        etags: list[str] = []
        for part in value.get("uploadInstructions") or []:
            first, last = int(part["firstByte"]), int(part["lastByte"])
            response = self.api.request(
                "PUT",
                str(part["uploadUrl"]),
                content=data[first : last + 1],
                headers={**headers, "Content-Type": "application/octet-stream"},
                secrets=secrets,
            )
            etag = response.headers.get("ETag") or response.headers.get("etag")
            if not etag:
                raise PublishError(
                    f"LinkedIn: upload of bytes {first}-{last} returned no ETag; publish again",
                    retryable=True,
                    code="upload_incomplete",
                )
            etags.append(etag)
        self.api.json(
            "POST",
            "rest/videos",
            params={"action": "finalizeUpload"},
            json={
                "finalizeUploadRequest": {
                    "video": video,
                    "uploadToken": value.get("uploadToken", ""),
                    "uploadedPartIds": etags,
                }
            },
            headers=headers,
            secrets=secrets,
        )
        self._wait_available(video, credentials)
        commentary = caption_with_marker(
            request.caption, request.hashtags, request.idempotency_key, max_len=COMMENTARY_MAX
        )
        post = {
            "author": owner,
            "commentary": commentary,
            "visibility": self.visibility,
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "content": {"media": {"id": video, "title": request.title or request.caption[:100]}},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }

        def create() -> PublishResult:
            response = self.api.request(
                "POST", "rest/posts", json=post, headers=headers, idempotent=False, secrets=secrets
            )
            urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
            if not urn:
                raise PublishError(
                    "LinkedIn: post created without an id header; look it up with find_existing",
                    retryable=True,
                    code="unconfirmed",
                )
            return self._result(urn, {"video": video})

        result = commit_once(
            create,
            lambda: self.find_existing(request, account=account, credentials=credentials),
            sleep=self.options.sleep,
        )
        result.raw["marker"] = marker_for(request.idempotency_key)
        return result

    def _wait_available(self, video: str, credentials: Credentials) -> None:
        for _ in range(self.options.max_polls):
            body = self.api.json(
                "GET",
                f"rest/videos/{quote(video, safe='')}",
                headers=self._headers(credentials),
                secrets=[credentials.access_token],
            )
            status = body.get("status")
            if status == "AVAILABLE":
                return
            if status in ("PROCESSING_FAILED", "FAILED"):
                reason = redact(str(body.get("processingFailureReason") or "no reason given"))
                raise PublishError(
                    f"LinkedIn: video {video} failed processing ({reason}); "
                    "check the file (mp4, 3 s to 30 min) and publish again",
                    code="processing_failed",
                )
            self.options.sleep(self.options.poll_interval)
        raise PublishError(
            f"LinkedIn: video {video} still processing; publish again later",
            retryable=True,
            retry_after=60.0,
            code="processing_timeout",
        )

    @staticmethod
    def _result(urn: str, raw: dict[str, object], state: Any = "published") -> PublishResult:
        return PublishResult(
            platform_post_id=urn,
            url=f"https://www.linkedin.com/feed/update/{urn}",
            state=state,
            raw=redact({"post": urn, **raw}),
        )

    def status(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        """The post's lifecycleState (PUBLISHED -> published)."""
        body = self.api.json(
            "GET",
            f"rest/posts/{quote(platform_post_id, safe='')}",
            headers=self._headers(credentials),
            secrets=[credentials.access_token],
        )
        lifecycle = body.get("lifecycleState")
        state = "published" if lifecycle == "PUBLISHED" else "processing"
        return self._result(platform_post_id, {"lifecycleState": lifecycle}, state)

    def find_existing(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult | None:
        """Find the author's recent post whose commentary carries the marker."""
        body = self.api.json(
            "GET",
            "rest/posts",
            params={"author": self.owner(account), "q": "author", "count": "50"},
            headers=self._headers(credentials),
            secrets=[credentials.access_token],
        )
        for item in body.get("elements") or []:
            if isinstance(item, dict) and has_marker(
                item.get("commentary"), request.idempotency_key
            ):
                return self._result(str(item["id"]), {"adopted": True})
        return None

    def fetch_metrics(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> dict[str, float]:
        """Likes and comments from socialActions; LinkedIn gives no member-post views here."""
        body = self.api.json(
            "GET",
            f"rest/socialActions/{quote(platform_post_id, safe='')}",
            headers=self._headers(credentials),
            secrets=[credentials.access_token],
        )
        out: dict[str, float] = {}
        likes = (body.get("likesSummary") or {}).get("totalLikes")
        comments = (body.get("commentsSummary") or {}).get("aggregatedTotalComments")
        if isinstance(likes, int | float):
            out["likes"] = float(likes)
        if isinstance(comments, int | float):
            out["comments"] = float(comments)
        return out

    def identities(self, credentials: Credentials) -> list[AccountIdentity]:
        """The member of the token, from the OpenID Connect userinfo endpoint."""
        me = self.api.json(
            "GET",
            "v2/userinfo",
            headers={"Authorization": f"Bearer {credentials.access_token}"},
            secrets=[credentials.access_token],
        )
        sub = str(me["sub"])
        return [
            AccountIdentity(handle=str(me.get("name") or sub), external_id=f"urn:li:person:{sub}")
        ]

    def refresh_token(self, credentials: Credentials) -> Credentials:
        """OAuth refresh_token grant at the LinkedIn token endpoint."""
        return refresh_token_grant(
            self.api,
            self.token_url,
            credentials,
            client_id_field="client_id",
            client_id=require(self.client_id, "client_id", "LinkedIn"),
            client_secret=require(self.client_secret, "client_secret", "LinkedIn"),
            now=self.options.now,
        )

    def limits(self, *, account: AccountRef, credentials: Credentials) -> RateLimitState:
        """LinkedIn publishes no remaining-quota endpoint for members; nothing is known."""
        return RateLimitState()
