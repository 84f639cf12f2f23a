"""publishing: a Post per approved reel x account; due posts go out now, later ones wait."""

from __future__ import annotations

import uuid
from typing import Any

from langgraph.runtime import Runtime
from sqlalchemy import select

from agent.context import Context
from agent.creating.limits import compose
from agent.nodes.tracking import tracked
from agent.publishing.service import PublishService
from agent.state import CycleState
from db.engine import transaction
from db.enums import ApprovalStatus, EventType, PublishStatus, SubjectType
from db.models import CalendarItem, Post, VideoReel
from db.repo.identity import list_accounts
from db.repo.runs import log_event

APPROVED = (ApprovalStatus.auto_approved, ApprovalStatus.creator_approved)


@tracked("publishing")
def publishing_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    post_ids = _schedule(ctx, state)
    service = PublishService(sessions=ctx.sessions, cipher=ctx.cipher, clock=ctx.clock, publisher_for=ctx.tools.publisher_for)
    published = waiting = failed = 0
    with ctx.sessions() as session:
        due = list(session.scalars(select(Post).where(Post.id.in_(post_ids)).order_by(Post.scheduled_time)))
    for post in due:
        if post.publish_status in (PublishStatus.published, PublishStatus.failed):
            published += post.publish_status == PublishStatus.published
            failed += post.publish_status == PublishStatus.failed
            continue
        ctx.clock.advance_to(post.scheduled_time)
        if post.scheduled_time > ctx.clock.now():
            waiting += 1
            continue
        outcome = service.publish(post.id)
        published += outcome.status == PublishStatus.published
        failed += outcome.status == PublishStatus.failed
        waiting += outcome.status not in (PublishStatus.published, PublishStatus.failed)
    ctx.report("publishing", f"{published} published, {waiting} scheduled, {failed} failed")
    failures = [f"publishing: {failed} posts failed (see 'twin posts --status failed')"] if failed else []
    return {"post_ids": [str(p) for p in post_ids], "failures": failures}


def _schedule(ctx: Context, state: CycleState) -> list[uuid.UUID]:
    """Create the posts of approved reels; one per (reel, account), whatever is re-run."""
    ids: list[uuid.UUID] = []
    with transaction(ctx.sessions) as session:
        for raw in state.get("reel_ids", []):
            reel = session.get(VideoReel, uuid.UUID(raw))
            if reel is None or reel.approval_status not in APPROVED:
                continue
            item = session.get(CalendarItem, reel.calendar_item_id) if reel.calendar_item_id else None
            if item is None:
                continue
            for account in list_accounts(session=session, user_id=reel.user_id, connected_only=True):
                if account.platform.value not in item.planned_platforms:
                    continue
                post = session.scalar(select(Post).where(Post.reel_id == reel.id, Post.account_id == account.id))
                if post is None:
                    text = reel.platform_captions_json.get(account.platform.value) or {"caption": reel.caption_text, "hashtags": reel.hashtags}
                    post = Post(
                        user_id=reel.user_id,
                        reel_id=reel.id,
                        account_id=account.id,
                        platform=account.platform,
                        caption=compose(str(text["caption"]), []),
                        hashtags=list(text["hashtags"]),
                        idempotency_key=f"{reel.id}:{account.id}",
                        scheduled_time=item.planned_at,
                        publish_status=PublishStatus.scheduled,
                    )
                    session.add(post)
                    session.flush()
                    log_event(session=session, event_type=EventType.publish_scheduled, subject_type=SubjectType.post,
                              subject_id=post.id, user_id=reel.user_id, run_id=uuid.UUID(state["run_id"]),
                              message=f"'{reel.title}' scheduled on {account.platform.value} {account.handle} for {item.planned_at:%a %d %b %H:%M} UTC",
                              at=ctx.clock.now())
                ids.append(post.id)
    return ids
