"""The review gate's view of untrusted text: gather what reached a reel, flag it, store why.

``flag_reel(session, reel)`` reads the reel's topic, hook, script, title, captions and
hashtags and the agent's directives in force, runs :func:`tools.untrusted.review_flags`,
and stores the flags in ``quality_checks_json`` with one issue line per flag (the review
shows a reel's issues). ``auto_approval`` then applies
:func:`tools.untrusted.may_auto_approve`: a flagged reel always waits for a human.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import CalendarItem, ContentCalendar, Script, VideoReel
from db.repo.planning import active_directives
from tools.untrusted import (
    ApprovalPolicy,
    AutoApproval,
    Flag,
    ReelInputs,
    checks_with_flags,
    may_auto_approve,
    review_flags,
)

__all__ = ["auto_approval", "flag_reel", "reel_inputs"]


def reel_inputs(session: Session, reel: VideoReel) -> ReelInputs:
    """Everything textual that reached ``reel``: its plan item, script, captions, directives."""
    item = session.get(CalendarItem, reel.calendar_item_id) if reel.calendar_item_id else None
    script = session.get(Script, item.script_id) if item and item.script_id else None
    calendar = session.get(ContentCalendar, item.calendar_id) if item else None
    directives = (
        [d.text for d in active_directives(session=session, agent_id=calendar.agent_id)]
        if calendar is not None and calendar.agent_id is not None
        else []
    )
    captions = {
        platform: str(value.get("caption", "")) if isinstance(value, dict) else str(value)
        for platform, value in (reel.platform_captions_json or {}).items()
    }
    if not captions and reel.caption_text:
        captions = {"default": reel.caption_text}
    return ReelInputs(
        directives=directives,
        topic=item.topic if item else "",
        hook=(script.hook if script else "") or (item.hook if item else ""),
        title=reel.title,
        script=script.body_text if script else "",
        captions=captions,
        hashtags=list(reel.hashtags or []),
    )


def flag_reel(session: Session, reel: VideoReel) -> list[Flag]:
    """Flag the reel's texts and store the flags with its quality checks (idempotent)."""
    flags = review_flags(reel_inputs(session, reel))
    reel.quality_checks_json = checks_with_flags(reel.quality_checks_json or {}, flags)
    return flags


def auto_approval(
    session: Session, reel: VideoReel, policy: ApprovalPolicy, *, mode: str | None = None
) -> AutoApproval:
    """Flag ``reel`` and decide whether it may skip the human review (the reason says why)."""
    return may_auto_approve(reel.quality_score, flag_reel(session, reel), policy, mode=mode)
