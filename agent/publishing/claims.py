"""Claiming a publish attempt: decide what a post needs (publish it, check whether an earlier
attempt landed, or confirm one the platform is processing), refuse what cannot be published, and
record the attempt as a PublisherTask before any platform is called."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.publishing.limits import limit_block, policy_block
from agent.publishing.requests import account_ref, publish_request
from agent.publishing.tokens import KeyCredentials, credentials_of
from db.crypto import Cipher
from db.enums import APPROVED, IntegrationStatus, NotificationType, PublishStatus, TaskStatus
from db.models import IntegrationKey, Post, PublisherTask, SocialAccount, VideoReel
from db.repo.runs import notify_once
from tools.publish.base import AccountRef, PublishRequest
from tools.publish.http import UNCONFIRMED

__all__ = ["Claim", "Mode", "Outcome", "claim_attempt", "fail_now", "worker_is_gone"]

Mode = Literal["publish", "check", "confirm"]


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
class Claim:
    """An attempt recorded as in progress, with what its platform call needs."""

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


def claim_attempt(
    session: Session,
    post_id: uuid.UUID,
    *,
    confirm_now: bool,
    now: datetime,
    worker: str,
    lease: timedelta,
    max_attempts: int,
    cipher: Cipher,
    aspects: Mapping[str, str],
) -> Claim | Outcome:
    """Decide what ``post_id`` needs and record the attempt, before any platform is called.

    Returns:
        The claim to run (publish, check whether an earlier attempt landed, or confirm),
        or the outcome when there is nothing to run now.
    """
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
        fresh = datetime.now(UTC) - last.updated_at < lease
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
        return fail_now(session, post, "the reel is not approved; approve it before publishing")
    if mode != "confirm" and not Path(reel.storage_uri).is_file():
        return fail_now(
            session, post, f"media file {reel.storage_uri} is missing; render the reel again"
        )
    account = session.get(SocialAccount, post.account_id)
    key = (
        session.get(IntegrationKey, account.integration_id)
        if account and account.integration_id
        else None
    )
    if account is None or not account.is_connected or key is None:
        return fail_now(
            session,
            post,
            "the account is disconnected: reconnect it with 'twin accounts connect'",
        )
    if key.status != IntegrationStatus.connected:
        return fail_now(
            session,
            post,
            f"{account.platform.value} credentials are {key.status.value}: reconnect with "
            f"'twin accounts connect {account.platform.value}'; the post is queued again then",
            code="auth_expired",
        )
    attempts = (
        session.scalar(
            select(func.count()).select_from(PublisherTask).where(PublisherTask.post_id == post_id)
        )
        or 0
    )
    if mode == "publish" and attempts >= max_attempts:
        reason = (post.error_json or {}).get("message", "")
        return fail_now(session, post, f"gave up after {attempts} attempts; last error: {reason}")
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
        worker_node=worker,
        response_json={"mode": mode},
    )
    session.add(task)
    post.publish_status = PublishStatus.publishing
    session.flush()
    return Claim(
        post_id=post_id,
        task_id=task.id,
        attempt=task.attempt,
        mode=mode,
        platform=account.platform.value,
        account_id=account.id,
        account=account_ref(account),
        request=publish_request(session, post, reel, aspects),
        held=KeyCredentials(key.id, account.platform.value, credentials_of(key, cipher)),
        platform_post_id=post.platform_post_id,
    )


def fail_now(session: Session, post: Post, message: str, code: str = "not_publishable") -> Outcome:
    """Fail ``post`` for good with ``message`` and notify its owner once."""
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
