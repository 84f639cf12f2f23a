"""Publish a Post exactly once, whatever crashes, retries or second workers do.

Every attempt is a PublisherTask committed *before* the platform is called. A task left
``in_progress`` by a process that died is treated as ``unconfirmed``: before any new attempt
the adapter is asked whether the post exists already, and if so it is adopted.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from agent.clock import Clock
from db.crypto import Cipher
from db.engine import transaction
from db.enums import EventType, IntegrationStatus, NotificationType, PublishStatus, SubjectType, TaskStatus
from db.models import (
    Agent,
    CalendarItem,
    IntegrationKey,
    Post,
    PublisherTask,
    SocialAccount,
    VideoReel,
)
from db.repo.identity import agent_policy
from db.repo.runs import log_event, notify_once
from db.repo.secrets import read_tokens, set_tokens
from tools.publish.base import AccountRef, Credentials, Publisher, PublishError, PublishRequest, PublishResult
from tools.publish.redact import redact

WORKER = f"{socket.gethostname()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Outcome:
    post_id: uuid.UUID
    status: PublishStatus
    message: str


class PublishService:
    """Runs one publish attempt at a time per post, recording everything it does."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        cipher: Cipher,
        clock: Clock,
        publisher_for: Callable[[str], Publisher],
        worker: str = WORKER,
    ) -> None:
        self.sessions = sessions
        self.cipher = cipher
        self.clock = clock
        self.publisher_for = publisher_for
        self.worker = worker

    # -- the one entry point ---------------------------------------------------------------
    def publish(self, post_id: uuid.UUID) -> Outcome:
        claim = self._claim(post_id)
        if isinstance(claim, Outcome):
            return claim
        task_id, needs_check, request, account, credentials, key_id, platform = claim
        publisher = self.publisher_for(platform)
        try:
            result = None
            if needs_check:
                result = publisher.find_existing(request, account=account, credentials=credentials)
            if result is None:
                result = self._call_with_refresh(publisher, request, account, credentials, key_id)
        except PublishError as exc:
            return self._failed(post_id, task_id, exc)
        return self._succeeded(post_id, task_id, result, adopted=needs_check)

    # -- steps -------------------------------------------------------------------------------
    def _claim(self, post_id: uuid.UUID) -> Any:
        try:
            with transaction(self.sessions) as session:
                post = session.scalar(select(Post).where(Post.id == post_id).with_for_update())
                if post is None:
                    return Outcome(post_id, PublishStatus.failed, "post not found")
                if post.publish_status in (PublishStatus.published, PublishStatus.failed):
                    return Outcome(post_id, post.publish_status, "already final")
                last = session.scalar(
                    select(PublisherTask).where(PublisherTask.post_id == post_id).order_by(PublisherTask.attempt.desc()).limit(1)
                )
                needs_check = last is not None and last.status in (TaskStatus.in_progress, TaskStatus.unconfirmed)
                if last is not None and last.status == TaskStatus.in_progress:
                    last.status = TaskStatus.unconfirmed
                    last.error_json = {"message": "outcome unknown (process stopped or timed out); checked on the platform before retrying"}
                blocked = self._policy_block(session, post)
                if blocked:
                    post.error_json = {"message": blocked, "retryable": True}
                    return Outcome(post_id, PublishStatus.scheduled, blocked)
                account = session.get(SocialAccount, post.account_id)
                if account is None or not account.is_connected:
                    post.publish_status = PublishStatus.failed
                    post.error_json = {"message": "account is disconnected: reconnect it with 'twin accounts connect'"}
                    return Outcome(post_id, PublishStatus.failed, post.error_json["message"])
                key = session.get(IntegrationKey, account.integration_id) if account.integration_id else None
                if key is None or key.status != IntegrationStatus.connected:
                    post.error_json = {"message": f"{account.platform.value} credentials are {key.status.value if key else 'missing'}: reconnect the account"}
                    post.publish_status = PublishStatus.failed
                    return Outcome(post_id, PublishStatus.failed, post.error_json["message"])
                access, refresh = read_tokens(key=key, cipher=self.cipher)
                task = PublisherTask(
                    post_id=post_id,
                    attempt=(last.attempt if last else 0) + 1,
                    status=TaskStatus.in_progress,
                    worker_node=self.worker,
                )
                session.add(task)
                post.publish_status = PublishStatus.publishing
                session.flush()
                request = self._request(session, post)
                return (
                    task.id,
                    needs_check,
                    request,
                    AccountRef(account_id=str(account.id), platform=account.platform.value, handle=account.handle, external_id=account.account_external_id),
                    Credentials(access_token=access, refresh_token=refresh, expires_at=key.token_expires_at, scopes=list(key.scopes)),
                    key.id,
                    account.platform.value,
                )
        except IntegrityError:  # another worker created this attempt at the same moment
            return Outcome(post_id, PublishStatus.publishing, "another worker is publishing this post")

    def _policy_block(self, session: Session, post: Post) -> str | None:
        """The agent policy's daily maximum and cooldown, per account."""
        reel = session.get(VideoReel, post.reel_id)
        agent = session.scalar(select(Agent).where(Agent.user_id == post.user_id).order_by(Agent.created_at).limit(1))
        if reel is None or agent is None:
            return None
        policy = agent_policy(agent)
        now = self.clock.now()
        day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
        today = session.scalar(
            select(func.count()).select_from(Post).where(
                Post.account_id == post.account_id, Post.publish_status == PublishStatus.published, Post.published_at >= day_start
            )
        ) or 0
        if today >= policy.max_posts_per_day:
            return f"daily maximum of {policy.max_posts_per_day} posts reached on this account; retried tomorrow"
        recent = session.scalar(
            select(func.max(Post.published_at)).where(Post.account_id == post.account_id, Post.publish_status == PublishStatus.published)
        )
        if recent is not None and now - recent < timedelta(minutes=policy.cooldown_minutes):
            return f"cooldown: last post on this account was under {policy.cooldown_minutes} minutes ago"
        return None

    def _request(self, session: Session, post: Post) -> PublishRequest:
        reel = session.get(VideoReel, post.reel_id)
        assert reel is not None
        item = session.get(CalendarItem, reel.calendar_item_id) if reel.calendar_item_id else None
        from db.models import AITwin, MediaAsset

        twin = session.get(AITwin, item.ai_twin_id) if item and item.ai_twin_id else None
        thumb = session.get(MediaAsset, reel.thumbnail_asset_id) if reel.thumbnail_asset_id else None
        meta = {
            "platform": post.platform.value,
            "pillar": item.content_pillar.value if item else "",
            "topic": item.topic if item else reel.title,
            "tone": item.tone.value if item else "",
            "hook": item.hook if item else "",
            "hook_category": item.hook_category if item else "",
            "length_sec": str(reel.length_sec),
            "twin_style": twin.style_preset.value if twin else "",
        }
        return PublishRequest(
            media_path=Path(reel.storage_uri),
            caption=post.caption,
            hashtags=list(post.hashtags),
            title=reel.title,
            thumbnail_path=Path(thumb.uri) if thumb else None,
            idempotency_key=post.idempotency_key,
            synthetic_media=reel.synthetic_media,
            meta=meta,
        )

    def _call_with_refresh(self, publisher: Publisher, request: PublishRequest, account: AccountRef,
                           credentials: Credentials, key_id: uuid.UUID) -> PublishResult:
        try:
            return publisher.publish(request, account=account, credentials=credentials)
        except PublishError as exc:
            if not exc.auth_expired or not credentials.refresh_token:
                raise
        fresh = self.refresh(key_id, publisher, credentials)  # once, then retry once
        return publisher.publish(request, account=account, credentials=fresh)

    def refresh(self, key_id: uuid.UUID, publisher: Publisher, credentials: Credentials) -> Credentials:
        """Refresh tokens and store them encrypted; a dead refresh token marks the key expired."""
        try:
            fresh = publisher.refresh_token(credentials)
        except PublishError as exc:
            with transaction(self.sessions) as session:
                key = session.get(IntegrationKey, key_id)
                if key is not None:
                    key.status = IntegrationStatus.expired
                    notify_once(session=session, user_id=key.user_id, type=NotificationType.account_expired,
                                dedupe_key=f"expired:{key_id}:{self.clock.now().date()}",
                                payload={"platform": key.platform.value, "message": "reconnect the account"})
            raise PublishError(f"token refresh failed ({exc}); the account must be reconnected") from exc
        with transaction(self.sessions) as session:
            key = session.get(IntegrationKey, key_id)
            assert key is not None
            set_tokens(key=key, cipher=self.cipher, access_token=fresh.access_token, refresh_token=fresh.refresh_token)
            key.token_expires_at = fresh.expires_at
        return fresh

    def _succeeded(self, post_id: uuid.UUID, task_id: uuid.UUID, result: PublishResult, *, adopted: bool) -> Outcome:
        with transaction(self.sessions) as session:
            post = session.get(Post, post_id)
            task = session.get(PublisherTask, task_id)
            assert post is not None and task is not None
            task.status = TaskStatus.succeeded
            task.response_json = redact({"platform_post_id": result.platform_post_id, "url": result.url,
                                         "state": result.state, "adopted": adopted, "raw": result.raw})
            post.platform_post_id = result.platform_post_id
            post.url = result.url
            post.publish_status = PublishStatus.published if result.state == "published" else PublishStatus.publishing
            post.published_at = self._published_at(result)
            post.error_json = None
            log_event(session=session, event_type=EventType.publish_succeeded, subject_type=SubjectType.post,
                      subject_id=post.id, user_id=post.user_id,
                      message=f"published on {post.platform.value}" + (" (adopted after an unconfirmed attempt)" if adopted else ""),
                      meta={"platform_post_id": result.platform_post_id, "url": result.url}, at=self.clock.now())
            return Outcome(post_id, post.publish_status, result.url or result.platform_post_id)

    def _published_at(self, result: PublishResult) -> datetime:
        raw = result.raw.get("published_at") if isinstance(result.raw, dict) else None
        if isinstance(raw, str):
            try:
                return datetime.fromisoformat(raw)
            except ValueError:
                pass
        return self.clock.now()

    def _failed(self, post_id: uuid.UUID, task_id: uuid.UUID, exc: PublishError) -> Outcome:
        unknown = exc.code == "unconfirmed"
        with transaction(self.sessions) as session:
            post = session.get(Post, post_id)
            task = session.get(PublisherTask, task_id)
            assert post is not None and task is not None
            task.status = TaskStatus.unconfirmed if unknown else TaskStatus.failed
            task.error_json = redact({"message": str(exc), "code": exc.code, "retryable": exc.retryable, "retry_after": exc.retry_after})
            if unknown:
                post.publish_status = PublishStatus.unconfirmed
            elif exc.retryable:
                post.publish_status = PublishStatus.scheduled
            else:
                post.publish_status = PublishStatus.failed
                notify_once(session=session, user_id=post.user_id, type=NotificationType.publish_failed,
                            dedupe_key=f"publish_failed:{post_id}", payload={"post_id": str(post_id), "message": str(exc)})
            post.error_json = task.error_json
            log_event(session=session, event_type=EventType.publish_failed, subject_type=SubjectType.post, subject_id=post.id,
                      user_id=post.user_id, message=f"{post.platform.value}: {exc}", at=self.clock.now())
            return Outcome(post_id, post.publish_status, str(exc))
