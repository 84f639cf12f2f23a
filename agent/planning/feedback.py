"""The creator's ratings (seed 003 6.5) as evidence: a rating counts like one more observed post."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.planning.learning import length_bucket
from db.enums import FeedbackSubject
from db.models import AITwin, CalendarItem, Feedback, Post, Script, VideoReel

NEUTRAL_RATING = 3.0
FEEDBACK_WEIGHT = 1.0
"""How many posts' worth of evidence one rating is."""


@dataclass
class RatedItem:
    """A rating mapped onto the decisions that produced the rated content."""

    feedback_id: uuid.UUID
    rating: int
    comment: str
    created_at: datetime
    features: dict[str, str]

    @property
    def score(self) -> float:
        """The rating on the engagement score's scale: 3 stars = 1.0 (average), 5 = 1.67, 1 = 0.33."""
        return self.rating / NEUTRAL_RATING


def _item_for(
    session: Session, subject: FeedbackSubject, subject_id: str
) -> tuple[CalendarItem | None, VideoReel | None]:
    try:
        key = uuid.UUID(subject_id)
    except ValueError:
        return None, None
    reel: VideoReel | None = None
    if subject == FeedbackSubject.post:
        post = session.get(Post, key)
        reel = session.get(VideoReel, post.reel_id) if post else None
    elif subject == FeedbackSubject.reel:
        reel = session.get(VideoReel, key)
    elif subject == FeedbackSubject.script:
        script = session.get(Script, key)
        item = (
            session.get(CalendarItem, script.calendar_item_id)
            if script and script.calendar_item_id
            else None
        )
        return item, None
    item = (
        session.get(CalendarItem, reel.calendar_item_id) if reel and reel.calendar_item_id else None
    )
    return item, reel


def rated_items(session: Session, *, user_id: uuid.UUID) -> list[RatedItem]:
    """Ratings on scripts, reels and posts, with the content decisions behind each."""
    stmt = select(Feedback).where(
        Feedback.user_id == user_id, Feedback.subject_type != FeedbackSubject.agent
    )
    result: list[RatedItem] = []
    for row in session.scalars(stmt.order_by(Feedback.created_at)):
        item, reel = _item_for(session, row.subject_type, row.subject_id)
        if item is None:
            continue
        twin = session.get(AITwin, item.ai_twin_id) if item.ai_twin_id else None
        features = {
            "pillar": item.content_pillar.value,
            "topic": item.topic,
            "hook_category": item.hook_category,
            "tone": item.tone.value,
            "twin": twin.name if twin else "",
            "length_bucket": length_bucket(reel.length_sec if reel else item.target_length_sec),
        }
        result.append(RatedItem(row.id, row.rating, row.comment or "", row.created_at, features))
    return result
