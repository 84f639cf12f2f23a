"""publishing: a Post per approved reel x account; due posts go out now, later ones wait."""

from __future__ import annotations

import uuid
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Context
from agent.creating.limits import compose
from agent.nodes.tracking import tracked
from agent.publishing.service import PublishService
from agent.state import CycleState
from db.engine import transaction
from db.enums import APPROVED, EventType, PublishStatus, SubjectType
from db.models import CalendarItem, VideoReel
from db.repo import identity, publishing, runs

DONE = (PublishStatus.published, PublishStatus.failed)


@tracked("publishing")
def publishing_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    post_ids = _schedule(ctx, state)
    service = PublishService(
        sessions=ctx.sessions,
        cipher=ctx.cipher,
        clock=ctx.clock,
        publisher_for=ctx.tools.publisher_for,
        aspects=ctx.settings.aspect_overrides,
    )
    counts = dict.fromkeys(("published", "waiting", "failed"), 0)
    with ctx.sessions() as session:
        due = [
            (p.id, p.publish_status, p.scheduled_time)
            for p in publishing.posts_by_time(session=session, post_ids=post_ids)
        ]
    for post_id, status, when in due:
        if status not in DONE:
            if not ctx.clock.reach(when):  # later posts are the worker's, at their time
                counts["waiting"] += 1
                continue
            status = service.publish(post_id).status
        key = {PublishStatus.published: "published", PublishStatus.failed: "failed"}.get(
            status, "waiting"
        )
        counts[key] += 1
    ctx.report(
        "publishing",
        f"{counts['published']} published, {counts['waiting']} scheduled, {counts['failed']} failed",
    )
    failures = (
        [f"publishing: {counts['failed']} posts failed (see 'twin posts --status failed')"]
        if counts["failed"]
        else []
    )
    return {"post_ids": [str(p) for p in post_ids], "failures": failures}


def _schedule(ctx: Context, state: CycleState) -> list[uuid.UUID]:
    """Create the posts of approved reels; one per (reel, account), whatever is re-run."""
    ids: list[uuid.UUID] = []
    with transaction(ctx.sessions) as session:
        for raw in state.get("reel_ids", []):
            reel = session.get(VideoReel, uuid.UUID(raw))
            if (
                reel is None
                or reel.approval_status not in APPROVED
                or reel.calendar_item_id is None
            ):
                continue
            item = session.get(CalendarItem, reel.calendar_item_id)
            if item is None:
                continue
            accounts = identity.list_accounts(
                session=session, user_id=reel.user_id, connected_only=True
            )
            for account in accounts:
                if account.platform.value not in item.planned_platforms:
                    continue
                text = reel.platform_captions_json.get(account.platform.value) or {
                    "caption": reel.caption_text,
                    "hashtags": reel.hashtags,
                }
                post, created = publishing.schedule_post(
                    session=session,
                    reel=reel,
                    account=account,
                    caption=compose(str(text["caption"]), []),
                    hashtags=list(text["hashtags"]),
                    scheduled_time=item.planned_at,
                )
                if created:
                    runs.log_event(
                        session=session,
                        event_type=EventType.publish_scheduled,
                        subject_type=SubjectType.post,
                        subject_id=post.id,
                        user_id=reel.user_id,
                        run_id=uuid.UUID(state["run_id"]),
                        message=(
                            f"'{reel.title}' scheduled on {account.platform.value} {account.handle} "
                            f"for {item.planned_at:%a %d %b %H:%M} UTC"
                        ),
                        at=ctx.clock.now(),
                    )
                ids.append(post.id)
    return ids
