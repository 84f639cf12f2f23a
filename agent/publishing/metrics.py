"""Pull metrics of published posts now, into AnalyticsSnapshots (``twin metrics --refresh``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from agent.context import Clock
from agent.publishing.requests import account_ref
from agent.publishing.tokens import KeyCredentials, TokenKeeper, credentials_of
from db.crypto import Cipher
from db.engine import transaction
from db.enums import EventType, IntegrationStatus, PublishStatus, SubjectType
from db.models import AnalyticsSnapshot, IntegrationKey, Post, SocialAccount
from db.repo.runs import log_event
from tools.publish.base import METRIC_KEYS, AccountRef, Publisher, PublishError
from tools.publish.redact import redact

__all__ = ["MetricsReport", "refresh_metrics"]


@dataclass
class MetricsReport:
    """Snapshots written and posts whose metrics could not be read (with the reason)."""

    written: dict[uuid.UUID, dict[str, float]] = field(default_factory=dict)
    failed: dict[uuid.UUID, str] = field(default_factory=dict)


def refresh_metrics(
    *,
    sessions: sessionmaker[Session],
    cipher: Cipher,
    clock: Clock,
    publisher_for: Callable[[str], Publisher],
    post_ids: list[uuid.UUID] | None = None,
) -> MetricsReport:
    """Fetch each published post's metrics and store one snapshot per post at ``clock.now()``.

    Args:
        sessions: Session factory.
        cipher: Decrypts tokens (and encrypts refreshed ones).
        clock: Capture time.
        publisher_for: Platform -> adapter.
        post_ids: Only these posts; default every published post.
    """
    keeper = TokenKeeper(sessions=sessions, cipher=cipher, clock=clock)
    now = clock.now()
    report = MetricsReport()
    with sessions() as session:
        stmt = select(Post.id).where(
            Post.publish_status == PublishStatus.published, Post.platform_post_id.is_not(None)
        )
        if post_ids is not None:
            stmt = stmt.where(Post.id.in_(post_ids))
        ids = list(session.scalars(stmt.order_by(Post.published_at)))
    for post_id in ids:
        with sessions() as session:
            post = session.get(Post, post_id)
            account = session.get(SocialAccount, post.account_id) if post else None
            key = (
                session.get(IntegrationKey, account.integration_id)
                if account and account.integration_id
                else None
            )
            if (
                post is None
                or account is None
                or key is None
                or key.status != IntegrationStatus.connected
            ):
                report.failed[post_id] = (
                    "the account is not connected; reconnect it with 'twin accounts connect'"
                )
                continue
            held = KeyCredentials(key.id, account.platform.value, credentials_of(key, cipher))
            ref, platform, platform_post_id = (
                account_ref(account),
                account.platform.value,
                str(post.platform_post_id),
            )
        publisher = publisher_for(platform)
        try:
            keeper.ensure_fresh(held, publisher)
            metrics = _fetch(keeper, held, publisher, platform_post_id, ref)
        except PublishError as exc:
            reason = str(redact(str(exc), held.secrets))
            report.failed[post_id] = reason
            with transaction(sessions) as session:
                log_event(
                    session=session,
                    event_type=EventType.error,
                    subject_type=SubjectType.post,
                    subject_id=post_id,
                    message=f"metrics unavailable: {reason}",
                    at=now,
                )
            continue
        clean = {k: float(v) for k, v in metrics.items() if k in METRIC_KEYS}
        with transaction(sessions) as session:
            row = session.scalar(
                select(AnalyticsSnapshot).where(
                    AnalyticsSnapshot.post_id == post_id, AnalyticsSnapshot.captured_at == now
                )
            )
            if row is None:
                session.add(
                    AnalyticsSnapshot(
                        post_id=post_id, platform=platform, captured_at=now, metrics_json=clean
                    )
                )
            else:
                row.metrics_json = clean
        report.written[post_id] = clean
    return report


def _fetch(
    keeper: TokenKeeper, held: KeyCredentials, publisher: Publisher, post_id: str, ref: AccountRef
) -> dict[str, float]:
    return keeper.call(
        held, publisher, lambda c: publisher.fetch_metrics(post_id, account=ref, credentials=c)
    )
