"""A sandbox publisher whose metrics depend only on the post and the seed, not on random ids."""

from __future__ import annotations

import hashlib
import json
import math
import random
from datetime import datetime

from tools.publish.base import AccountRef, Credentials
from tools.publish.sandbox import MATURITY_HOURS, SandboxPublisher


class SeededSandboxPublisher(SandboxPublisher):
    """The sandbox platform, with each post's noise seeded by its content and publish time.

    The stock sandbox seeds noise by the platform post id, which derives from database ids
    that are random per run; a simulation must give the same numbers for the same seed.
    """

    def fetch_metrics(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> dict[str, float]:
        record = self._load(platform_post_id, account)
        key = json.dumps(
            [self.seed, account.external_id, record["published_at"], record.get("meta", {})],
            sort_keys=True,
        )
        final = self.audience.engagement(
            self.features(record),
            random.Random(int(hashlib.sha256(key.encode()).hexdigest()[:16], 16)),
        )
        age_h = (
            self.clock() - datetime.fromisoformat(record["published_at"])
        ).total_seconds() / 3600
        grown = 0.0 if age_h <= 0 else 1 - math.exp(-age_h / MATURITY_HOURS)
        views, impressions = int(final.views * grown), int(final.impressions * grown)
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
