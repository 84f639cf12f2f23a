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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from agent.context import Clock
from agent.publishing.limits import limit_block, policy_block, record_published, record_rate_limited
from agent.publishing.requests import account_ref, publish_request
from agent.publishing.tokens import KeyCredentials, TokenKeeper, credentials_of
from db.crypto import Cipher
from db.engine import transaction
from db.enums import (
    APPROVED,
    EventType,
    IntegrationStatus,
    NotificationType,
    PublishStatus,
    SubjectType,
    TaskStatus,
)
from db.models import IntegrationKey, Post, PublisherTask, SocialAccount, VideoReel
from db.repo.runs import log_event, notify_once
from tools.publish.base import AccountRef, Publisher, PublishError, PublishRequest, PublishResult
from tools.publish.http import UNCONFIRMED
from tools.publish.redact import redact

__all__ = ["WORKER", "Outcome", "PublishService", "worker_is_gone", "worker_name"]

WORKER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def worker_name() -> str:
    """``host:pid:nonce`` of this process (recorded on each attempt it makes)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def worker_is_gone(worker: str | None) -> bool:
    """Whether the worker named on a task was a process on this host that no longer exists."""
    host, _, rest = (worker or "").partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, owned by someone else
        return False
    return False


RATE_CODES = frozenset({"rate_limited", "quota_exhausted"})
Mode = Literal["publish", "check", "confirm"]


@dataclass
class Outcome:
    """What one call to :meth:`PublishService.publish` ended with."""

    post_id: uuid.UUID
    status: PublishStatus
    message: str
    url: str | None = None
    platform_post_id: str | None = None
    next_attempt_at: datetime | None = None
    adopted: bool = False


@dataclass
class _Claim:
    post_id: uuid.UUID
    task_id: uuid.UUID
    attempt: int
    mode: Mode
    platform: str
    account_id: uuid.UUID
    account: AccountRef
    request: PublishRequest
    held: KeyCredentials
    platform_post_id: str | None


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
    def _claim(self, post_id: uuid.UUID, confirm_now: bool = False) -> _Claim | Outcome:
        try:
            with transaction(self.sessions) as session:
                return self._claim_in(session, post_id, confirm_now)
        except IntegrityError:  # another worker recorded this attempt number first
            return Outcome(post_id, PublishStatus.publishing, "another worker is publishing it")

    def _claim_in(
        self, session: Session, post_id: uuid.UUID, confirm_now: bool
    ) -> _Claim | Outcome:
        now = self.clock.now()
        post = session.scalar(select(Post).where(Post.id == post_id).with_for_update())
        if post is None:
            return Outcome(post_id, PublishStatus.failed, "post not found")
        if post.publish_status == PublishStatus.published:
            return Outcome(
                post_id,
                post.publish_status,
                f"already published: {post.url or post.platform_post_id}",
                url=post.url,
                platform_post_id=post.platform_post_id,
            )
        if post.publish_status == PublishStatus.failed:
            reason = (post.error_json or {}).get("message", "failed")
            return Outcome(post_id, post.publish_status, f"failed earlier: {reason}")
        last = session.scalar(
            select(PublisherTask)
            .where(PublisherTask.post_id == post_id)
            .order_by(PublisherTask.attempt.desc())
            .limit(1)
        )
        if last is not None and last.status == TaskStatus.in_progress:
            fresh = datetime.now(UTC) - last.updated_at < self.lease
            if fresh and not worker_is_gone(last.worker_node):
                return Outcome(
                    post_id, PublishStatus.publishing, f"worker {last.worker_node} is publishing it"
                )
            last.status = TaskStatus.unconfirmed
            last.error_json = {
                "message": "outcome unknown: the worker stopped mid-publish; "
                "the platform is checked before any new attempt",
                "code": UNCONFIRMED,
            }
            post.publish_status = PublishStatus.unconfirmed
        waiting = post.next_attempt_at is not None and post.next_attempt_at > now
        if waiting and not (confirm_now and post.platform_post_id):
            assert post.next_attempt_at is not None
            reason = (post.error_json or {}).get("message", "retry is waiting")
            return Outcome(
                post_id,
                post.publish_status,
                f"next attempt at {post.next_attempt_at:%Y-%m-%d %H:%M} UTC ({reason})",
                next_attempt_at=post.next_attempt_at,
            )
        mode: Mode = "publish"
        if post.platform_post_id:
            mode = "confirm"
        elif session.scalar(
            select(func.count())
            .select_from(PublisherTask)
            .where(PublisherTask.post_id == post_id, PublisherTask.status == TaskStatus.unconfirmed)
        ):
            mode = "check"  # an earlier attempt may have landed: look before posting again
        reel = session.get(VideoReel, post.reel_id)
        if reel is None or reel.approval_status not in APPROVED:
            return self._fail_now(
                session, post, "the reel is not approved; approve it before publishing"
            )
        if mode != "confirm" and not Path(reel.storage_uri).is_file():
            return self._fail_now(
                session, post, f"media file {reel.storage_uri} is missing; render the reel again"
            )
        account = session.get(SocialAccount, post.account_id)
        key = (
            session.get(IntegrationKey, account.integration_id)
            if account and account.integration_id
            else None
        )
        if account is None or not account.is_connected or key is None:
            return self._fail_now(
                session,
                post,
                "the account is disconnected: reconnect it with 'twin accounts connect'",
            )
        if key.status != IntegrationStatus.connected:
            return self._fail_now(
                session,
                post,
                f"{account.platform.value} credentials are {key.status.value}: reconnect with "
                f"'twin accounts connect {account.platform.value}'; the post is queued again then",
                code="auth_expired",
            )
        attempts = (
            session.scalar(
                select(func.count())
                .select_from(PublisherTask)
                .where(PublisherTask.post_id == post_id)
            )
            or 0
        )
        if mode == "publish" and attempts >= self.max_attempts:
            reason = (post.error_json or {}).get("message", "")
            return self._fail_now(
                session, post, f"gave up after {attempts} attempts; last error: {reason}"
            )
        if mode != "confirm":
            block = limit_block(session, account.id, now) or policy_block(session, post, now)
            if block is not None:
                post.publish_status = PublishStatus.scheduled
                post.next_attempt_at = block.until
                post.error_json = {"message": block.reason, "retryable": True}
                return Outcome(
                    post_id, PublishStatus.scheduled, block.reason, next_attempt_at=block.until
                )
        task = PublisherTask(
            post_id=post_id,
            attempt=(last.attempt if last else 0) + 1,
            status=TaskStatus.in_progress,
            worker_node=self.worker,
            response_json={"mode": mode},
        )
        session.add(task)
        post.publish_status = PublishStatus.publishing
        session.flush()
        return _Claim(
            post_id=post_id,
            task_id=task.id,
            attempt=task.attempt,
            mode=mode,
            platform=account.platform.value,
            account_id=account.id,
            account=account_ref(account),
            request=publish_request(session, post, reel, self.aspects),
            held=KeyCredentials(key.id, account.platform.value, credentials_of(key, self.cipher)),
            platform_post_id=post.platform_post_id,
        )

    def _fail_now(
        self, session: Session, post: Post, message: str, code: str = "not_publishable"
    ) -> Outcome:
        post.publish_status = PublishStatus.failed
        post.next_attempt_at = None
        post.error_json = {"message": message, "code": code, "retryable": False}
        notify_once(
            session=session,
            user_id=post.user_id,
            type=NotificationType.publish_failed,
            dedupe_key=f"publish_failed:{post.id}",
            payload={"post_id": str(post.id), "message": message},
        )
        return Outcome(post.id, PublishStatus.failed, message)

    # -- the platform calls ------------------------------------------------------------------
    def _run(self, claim: _Claim, publisher: Publisher) -> PublishResult:
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

    def _succeeded(self, claim: _Claim, result: PublishResult) -> Outcome:
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

    def _failed(self, claim: _Claim, exc: PublishError) -> Outcome:
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
