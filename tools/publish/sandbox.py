"""The local ``sandbox`` platform: posts land in a folder, an audience model makes the metrics."""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import os
import random
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tools.publish.audience import Audience, EngagementMetrics, PostFeatures
from tools.publish.base import (
    AccountRef,
    Credentials,
    PublishError,
    PublishRequest,
    PublishResult,
    RateLimitState,
)
from tools.publish.idempotency import marker_for
from tools.publish.sandbox_comments import SandboxComments

MATURITY_HOURS = 18.0  # time constant of the growth curve: ~93% of final reach after 48 h


def load_audience(spec: str | Audience | None) -> Audience:
    """An audience from ``module:attr`` (a class or factory is called, an instance is used)."""
    if spec is None:
        from tools.publish.sandbox_audience import BuiltinAudience

        return BuiltinAudience()
    if not isinstance(spec, str):
        return spec
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ValueError(f"audience {spec!r} must be 'module:attr'")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"cannot load audience {spec!r}: {exc}") from exc
    audience = (
        target()
        if isinstance(target, type) or (callable(target) and not hasattr(target, "engagement"))
        else target
    )
    if not isinstance(audience, Audience):
        raise ValueError(f"audience {spec!r} has no engagement(post, rng) method")
    return audience


class SandboxPublisher(SandboxComments):
    """Stores each post as ``<root>/<account>/<marker>.json`` plus its media file.

    Its audience also comments on each post, and the account's replies are stored beside the
    posts (see :mod:`tools.publish.sandbox_comments`).
    """

    platform = "sandbox"
    maturity_hours = MATURITY_HOURS

    def __init__(
        self,
        *,
        root: Path | str | None = None,
        clock: Callable[[], datetime] | None = None,
        audience: Audience | str | None = None,
        seed: int = 0,
        latency_ms: int = 0,
    ) -> None:
        self.root = Path(root) if root else Path.cwd() / "sandbox"
        self.clock = clock or (lambda: datetime.now(UTC))
        self.audience = load_audience(audience)
        self.seed = seed
        self.latency_ms = latency_ms

    def _record_path(self, account: AccountRef, key: str) -> Path:
        return self.root / account.external_id / f"{marker_for(key)}.json"

    def publish(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        if not credentials.access_token:
            raise PublishError("sandbox account has no token: reconnect it", auth_expired=True)
        if not request.media_path.is_file():
            raise PublishError(
                f"media file {request.media_path} does not exist", code="missing_media"
            )
        found = self.find_existing(request, account=account, credentials=credentials)
        if found is not None:
            return found
        path = self._record_path(account, request.idempotency_key)
        path.parent.mkdir(parents=True, exist_ok=True)
        media = path.with_suffix(".mp4")
        try:
            os.link(request.media_path, media)
        except OSError:
            shutil.copyfile(request.media_path, media)
        post_id = f"sbx_{marker_for(request.idempotency_key)}"
        record = {
            "id": post_id,
            "caption": request.caption,
            "hashtags": request.hashtags,
            "title": request.title,
            "synthetic_media": request.synthetic_media,
            "published_at": self.clock().astimezone(UTC).isoformat(),
            "media": media.name,
            "meta": request.meta,
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1))
        os.replace(tmp, path)
        if self.latency_ms:  # the post exists now; a client that dies here never hears about it
            time.sleep(self.latency_ms / 1000)
        return self._result(record, account)

    def _result(self, record: dict[str, Any], account: AccountRef) -> PublishResult:
        return PublishResult(
            platform_post_id=record["id"],
            url=f"sandbox://{account.handle.lstrip('@')}/{record['id']}",
            state="published",
            raw={"id": record["id"], "published_at": record["published_at"]},
        )

    def _load(self, platform_post_id: str, account: AccountRef) -> dict[str, Any]:
        path = self.root / account.external_id / f"{platform_post_id.removeprefix('sbx_')}.json"
        if not path.is_file():
            raise PublishError(f"sandbox post {platform_post_id} not found", code="not_found")
        return dict(json.loads(path.read_text()))

    def status(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        return self._result(self._load(platform_post_id, account), account)

    def find_existing(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult | None:
        path = self._record_path(account, request.idempotency_key)
        if not path.is_file():
            return None
        return self._result(json.loads(path.read_text()), account)

    def features(self, record: dict[str, Any]) -> PostFeatures:
        meta = record.get("meta", {})
        return PostFeatures(
            platform=meta.get("platform", "sandbox"),
            posted_at=datetime.fromisoformat(record["published_at"]),
            pillar=meta.get("pillar", "education"),
            topic=meta.get("topic", ""),
            tags=tuple(record.get("hashtags", [])),
            tone=meta.get("tone", "educational"),
            hook=meta.get("hook", ""),
            hook_category=meta.get("hook_category", ""),
            length_sec=float(meta.get("length_sec", 20)),
            caption_length=len(record.get("caption", "")),
            hashtag_count=len(record.get("hashtags", [])),
            twin_style=meta.get("twin_style", "space"),
        )

    def _final(self, record: dict[str, Any], account: AccountRef) -> EngagementMetrics:
        # Noise depends on what was posted, where and when (not on random ids), so a simulation
        # repeats exactly for a seed.
        key = json.dumps(
            [self.seed, account.external_id, record["published_at"], record.get("meta", {})],
            sort_keys=True,
        )
        rng = random.Random(int(hashlib.sha256(key.encode()).hexdigest()[:16], 16))
        return self.audience.engagement(self.features(record), rng)

    def fetch_metrics(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> dict[str, float]:
        record = self._load(platform_post_id, account)
        final = self._final(record, account)
        age_h = (
            self.clock() - datetime.fromisoformat(record["published_at"])
        ).total_seconds() / 3600
        grown = 0.0 if age_h <= 0 else 1 - math.exp(-age_h / MATURITY_HOURS)
        views = int(final.views * grown)
        impressions = int(final.impressions * grown)
        return {
            "views": views,
            "impressions": impressions,
            "likes": int(final.likes * grown),
            "comments": int(final.comments * grown),
            "shares": int(final.shares * grown),
            "saves": int(final.saves * grown),
            "watch_time_sec": round(final.watch_time_sec * grown, 1),
            "ctr": round(views / impressions, 4) if impressions else 0.0,
            "followers_delta": int(final.followers_delta * grown),
        }

    def refresh_token(self, credentials: Credentials) -> Credentials:
        return credentials

    def limits(self, *, account: AccountRef, credentials: Credentials) -> RateLimitState:
        return RateLimitState(remaining=None, limit=None, reset_at=None)
