"""Publish a Post exactly once, whatever crashes, retries or second workers do.

Every attempt is a PublisherTask committed *before* the platform is called, under the post's
idempotency key (one per reel and account). A task left ``in_progress`` by a process that died
becomes ``unconfirmed`` once its lease runs out (at once when that process is known to be gone); before any new attempt the adapter is asked
whether the post exists already, and if it does it is adopted instead of posted again.
"""

from __future__ import annotations

import os
import random
import socket
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from agent.context import Clock
from agent.publishing.claims import Claim, Outcome, claim_attempt, worker_is_gone
from agent.publishing.limits import record_published, record_rate_limited
from agent.publishing.tokens import TokenKeeper
from db.crypto import Cipher
from db.engine import transaction
from db.enums import (
    EventType,
    NotificationType,
    PublishStatus,
    SubjectType,
    TaskStatus,
)
from db.models import Post, PublisherTask
from db.repo.runs import log_event, notify_once
from tools.publish.base import Publisher, PublishError, PublishResult
from tools.publish.http import UNCONFIRMED
from tools.publish.redact import redact

__all__ = ["WORKER", "Outcome", "PublishService", "worker_is_gone", "worker_name"]

WORKER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def worker_name() -> str:
    """``host:pid:nonce`` of this process (recorded on each attempt it makes)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


RATE_CODES = frozenset({"rate_limited", "quota_exhausted"})


class PublishService:
    """Runs publish attempts for posts and records each one.

    Args:
        sessions: Session factory of the application database.
        cipher: Decrypts and encrypts integration tokens.
        clock: Decides what is due, waits and the daily limits (may be simulated).
        publisher_for: Platform name -> adapter.
        worker: Name recorded on each task.
        max_attempts: Attempts per post before it fails for good.
        lease: How long an in-progress attempt belongs to its worker (real time).
        rng: Random source for the jitter of retry delays.
    """

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        cipher: Cipher,
        clock: Clock,
        publisher_for: Callable[[str], Publisher],
        worker: str | None = None,
        max_attempts: int = 8,
        lease: timedelta = timedelta(minutes=15),
        rng: random.Random | None = None,
        aspects: Mapping[str, str] | None = None,
    ) -> None:
        self.aspects = dict(aspects or {})
        """Platform -> shape overrides (``TWIN_PLATFORM_ASPECTS``): which rendition a post uses."""
        self.sessions = sessions
        self.cipher = cipher
        self.clock = clock
        self.publisher_for = publisher_for
        self.worker = worker or worker_name()
        self.max_attempts = max_attempts
        self.lease = lease
        self.rng = rng or random.Random()
        self.tokens = TokenKeeper(sessions=sessions, cipher=cipher, clock=clock)

    def confirm(self, post_id: uuid.UUID) -> Outcome:
        """Check now on a post the platform accepted and is still processing (no new upload)."""
        return self.publish(post_id, confirm_now=True)

    def publish(self, post_id: uuid.UUID, *, confirm_now: bool = False) -> Outcome:
        """Publish ``post_id`` once; a post already published returns its first result.

        Returns:
            The outcome: published, scheduled (with ``next_attempt_at``), unconfirmed, publishing
            (another worker holds it, or the platform is still processing) or failed.
        """
        claim = self._claim(post_id, confirm_now)
        if isinstance(claim, Outcome):
            return claim
        publisher = self.publisher_for(claim.platform)
        try:
            result = self._run(claim, publisher)
        except PublishError as exc:
            return self._failed(claim, exc)
        except Exception as exc:  # the call may have landed: check the platform before retrying
            error = PublishError(
                f"{claim.platform}: unexpected {type(exc).__name__} during the attempt "
                f"({exc}); the post is looked up on the platform before any retry",
                retryable=True,
                code=UNCONFIRMED,
            )
            return self._failed(claim, error)
        return self._succeeded(claim, result)

    # -- claim: decide what to do and record the attempt before calling anyone --------------
    def _claim(self, post_id: uuid.UUID, confirm_now: bool = False) -> Claim | Outcome:
        try:
            with transaction(self.sessions) as session:
                return claim_attempt(
                    session,
                    post_id,
                    confirm_now=confirm_now,
                    now=self.clock.now(),
                    worker=self.worker,
                    lease=self.lease,
                    max_attempts=self.max_attempts,
                    cipher=self.cipher,
                    aspects=self.aspects,
                )
        except IntegrityError:  # another worker recorded this attempt number first
            return Outcome(post_id, PublishStatus.publishing, "another worker is publishing it")

    # -- the platform calls ------------------------------------------------------------------
    def _run(self, claim: Claim, publisher: Publisher) -> PublishResult:
        held, account, request = claim.held, claim.account, claim.request
        self.tokens.ensure_fresh(held, publisher)
        if claim.mode == "confirm" and claim.platform_post_id:
            ppid = claim.platform_post_id
            return self.tokens.call(
                held, publisher, lambda c: publisher.status(ppid, account=account, credentials=c)
            )
        if claim.mode == "check":
            found = self.tokens.call(
                held,
                publisher,
                lambda c: publisher.find_existing(request, account=account, credentials=c),
            )
            if found is not None:
                found.raw["adopted"] = True
                return found
        return self.tokens.call(
            held, publisher, lambda c: publisher.publish(request, account=account, credentials=c)
        )

    # -- record the outcome --------------------------------------------------------------------
    def backoff(self, attempt: int) -> float:
        """Seconds before retry ``attempt`` when the platform named no wait: 1 min doubling, jittered."""
        ceiling = min(3600.0, 60.0 * 2 ** max(0, attempt - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def _succeeded(self, claim: Claim, result: PublishResult) -> Outcome:
        now = self.clock.now()
        adopted = bool(result.raw.get("adopted"))
        if result.state == "failed":
            return self._failed(
                claim,
                PublishError(
                    f"{claim.platform}: the platform reports post {result.platform_post_id} as failed",
                    code="platform_failed",
                ),
            )
        with transaction(self.sessions) as session:
            post = session.get(Post, claim.post_id)
            task = session.get(PublisherTask, claim.task_id)
            assert post is not None and task is not None
            task.status = TaskStatus.succeeded
            task.response_json = redact(
                {
                    "mode": claim.mode,
                    "platform_post_id": result.platform_post_id,
                    "url": result.url,
                    "state": result.state,
                    "adopted": adopted,
                    "raw": result.raw,
                },
                claim.held.secrets,
            )
            was_published = post.published_at is not None
            post.platform_post_id = result.platform_post_id
            post.url = result.url
            post.error_json = None
            if result.state == "published":
                post.publish_status = PublishStatus.published
                post.next_attempt_at = None
                post.published_at = post.published_at or _published_at(result, now)
                if not was_published:
                    record_published(session, claim.account_id, now)
                message = f"published on {claim.platform}" + (
                    " (adopted after an unconfirmed attempt)" if adopted else ""
                )
            else:
                post.publish_status = PublishStatus.publishing
                post.published_at = post.published_at or now
                post.next_attempt_at = now + timedelta(minutes=2)
                message = f"{claim.platform} accepted the post and is still processing it"
            log_event(
                session=session,
                event_type=EventType.publish_succeeded,
                subject_type=SubjectType.post,
                subject_id=post.id,
                user_id=post.user_id,
                message=message,
                meta={
                    "platform_post_id": result.platform_post_id,
                    "url": result.url,
                    "attempt": claim.attempt,
                },
                at=now,
            )
            return Outcome(
                claim.post_id,
                post.publish_status,
                message,
                url=result.url,
                platform_post_id=result.platform_post_id,
                next_attempt_at=post.next_attempt_at,
                adopted=adopted,
            )

    def _failed(self, claim: Claim, exc: PublishError) -> Outcome:
        now = self.clock.now()
        message = str(redact(str(exc), claim.held.secrets))
        with transaction(self.sessions) as session:
            post = session.get(Post, claim.post_id)
            task = session.get(PublisherTask, claim.task_id)
            assert post is not None and task is not None
            error = {
                "message": message,
                "code": exc.code,
                "retryable": exc.retryable,
                "retry_after": exc.retry_after,
            }
            task.error_json = redact(error, claim.held.secrets)
            task.status = TaskStatus.unconfirmed if exc.code == UNCONFIRMED else TaskStatus.failed
            final = False
            if exc.code == UNCONFIRMED:
                post.publish_status = PublishStatus.unconfirmed
                post.next_attempt_at = now + timedelta(seconds=self.backoff(claim.attempt))
            elif exc.retryable and claim.attempt < self.max_attempts:
                wait = (
                    exc.retry_after if exc.retry_after is not None else self.backoff(claim.attempt)
                )
                if exc.code in RATE_CODES:
                    record_rate_limited(session, claim.account_id, now, wait)
                post.publish_status = PublishStatus.scheduled
                post.next_attempt_at = now + timedelta(seconds=max(1.0, wait))
            else:
                final = True
                if exc.retryable:
                    message = f"gave up after {claim.attempt} attempts: {message}"
                post.publish_status = PublishStatus.failed
                post.next_attempt_at = None
            post.error_json = {**task.error_json, "message": message}
            if final:
                notify_once(
                    session=session,
                    user_id=post.user_id,
                    type=NotificationType.publish_failed,
                    dedupe_key=f"publish_failed:{post.id}",
                    payload={"post_id": str(post.id), "message": message},
                )
            log_event(
                session=session,
                event_type=EventType.publish_failed,
                subject_type=SubjectType.post,
                subject_id=post.id,
                user_id=post.user_id,
                message=f"attempt {claim.attempt}: {message}",
                meta={
                    "code": exc.code,
                    "next_attempt_at": post.next_attempt_at.isoformat()
                    if post.next_attempt_at
                    else None,
                },
                at=now,
            )
            return Outcome(
                claim.post_id, post.publish_status, message, next_attempt_at=post.next_attempt_at
            )


def _published_at(result: PublishResult, default: datetime) -> datetime:
    raw = result.raw.get("published_at") if isinstance(result.raw, dict) else None
    if isinstance(raw, str):
        try:
            when = datetime.fromisoformat(raw)
        except ValueError:
            return default
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return default
