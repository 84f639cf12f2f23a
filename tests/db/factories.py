"""Builders for a complete graph of rows, used by the data-layer contract tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from db.crypto import Cipher
from db.enums import (
    Aspect,
    ConsentType,
    ContentPillar,
    EngagementActionType,
    EventType,
    FeedbackSubject,
    NotificationType,
    Platform,
    StylePreset,
    SubjectType,
    TrendSource,
    TriggerType,
)
from db.models import (
    AgentMemory,
    AnalyticsSnapshot,
    CalendarItem,
    Campaign,
    ContentCalendar,
    EngagementAction,
    EventLog,
    Feedback,
    MediaAsset,
    Notification,
    Post,
    Project,
    PublisherTask,
    RenderJob,
    Script,
    StrategyUpdate,
    TrendSignal,
    VideoReel,
    WeeklyReport,
)
from db.models.ops import AgentRun
from db.repo import identity
from db.repo.secrets import create_integration_key

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class Graph:
    user_id: object
    agent_id: object
    post_id: object
    reel_id: object
    key_id: object


def build_graph(session: Session, cipher: Cipher, *, email: str = "ana@example.com") -> Graph:
    user = identity.create_user(session=session, name="Ana", email=email)
    agent = identity.create_agent(session=session, user_id=user.id)
    voice = identity.create_voice_profile(session=session, user_id=user.id, name="Ana voice")
    twin = identity.create_twin(
        session=session,
        user_id=user.id,
        name="Space Twin",
        style_preset=StylePreset.space,
        voice_profile_id=voice.id,
    )
    key = create_integration_key(
        session=session,
        cipher=cipher,
        user_id=user.id,
        platform=Platform.instagram,
        access_token="IGQVJ-access-SECRET-123",
        refresh_token="IGQVJ-refresh-SECRET-456",
        scopes=["instagram_content_publish", "instagram_basic"],
    )
    account = identity.create_social_account(
        session=session,
        user_id=user.id,
        platform=Platform.instagram,
        handle="@ana",
        account_external_id="17841400000",
        integration_id=key.id,
    )
    identity.record_consent(
        session=session, user_id=user.id, consent_type=ConsentType.voice_cloning, granted=True
    )
    project = Project(user_id=user.id, name="Launch", start_date=date(2026, 11, 1))
    session.add(project)
    session.flush()
    campaign = Campaign(
        project_id=project.id,
        name="Web3 month",
        start_date=date(2026, 11, 1),
        target_platforms=["instagram", "tiktok"],
    )
    session.add(campaign)
    run = AgentRun(agent_id=agent.id, trigger_type=TriggerType.manual, week_key="2026-W48")
    session.add(run)
    session.flush()
    calendar = ContentCalendar(
        user_id=user.id,
        agent_id=agent.id,
        run_id=run.id,
        period_start=date(2026, 11, 23),
        period_end=date(2026, 11, 29),
    )
    session.add(calendar)
    session.flush()
    item = CalendarItem(
        calendar_id=calendar.id,
        campaign_id=campaign.id,
        slot=0,
        planned_date=date(2026, 11, 23),
        planned_at=NOW,
        planned_platforms=["instagram"],
        content_pillar=ContentPillar.education,
        topic="Web3 security",
        ai_twin_id=twin.id,
    )
    session.add(item)
    session.flush()
    script = Script(
        user_id=user.id,
        calendar_item_id=item.id,
        title="Seed phrases",
        body_text="Never share your seed phrase.",
        tags=["web3", "security"],
        platform_targets=["instagram"],
    )
    session.add(script)
    session.flush()
    item.script_id = script.id
    video = MediaAsset(user_id=user.id, type="video", uri="/tmp/x.mp4", resolution="1080x1920")
    session.add(video)
    session.flush()
    render = RenderJob(
        user_id=user.id,
        ai_twin_id=twin.id,
        script_id=script.id,
        target_aspect=Aspect.portrait,
        tts_voice_profile_id=voice.id,
        output_asset_id=video.id,
    )
    session.add(render)
    session.flush()
    reel = VideoReel(
        user_id=user.id,
        render_id=render.id,
        calendar_item_id=item.id,
        title="Seed phrases",
        length_sec=18,
        aspect_ratio=Aspect.portrait,
        storage_uri="/tmp/x.mp4",
        hashtags=["#web3"],
    )
    session.add(reel)
    session.flush()
    post = Post(
        user_id=user.id,
        reel_id=reel.id,
        account_id=account.id,
        platform=Platform.instagram,
        caption="Never share it",
        idempotency_key=f"{reel.id}:{account.id}",
        scheduled_time=NOW + timedelta(hours=2),
    )
    session.add(post)
    session.flush()
    session.add(PublisherTask(post_id=post.id, attempt=1))
    session.add(
        EngagementAction(
            agent_id=agent.id,
            account_id=account.id,
            post_id=post.id,
            platform=Platform.instagram,
            action_type=EngagementActionType.reply,
            target_id="17870913679156914",
            target_author="@reader",
            target_text="How do I turn this on?",
            triage="question",
            draft_text="Settings, then Security.",
            idempotency_key=f"reply:{account.id}:17870913679156914",
        )
    )
    session.add(
        AnalyticsSnapshot(
            post_id=post.id,
            platform=Platform.instagram,
            captured_at=NOW,
            metrics_json={"views": 10},
        )
    )
    report = WeeklyReport(
        user_id=user.id,
        agent_id=agent.id,
        week_start=date(2026, 11, 16),
        week_end=date(2026, 11, 22),
    )
    session.add(report)
    session.flush()
    session.add(
        StrategyUpdate(
            user_id=user.id,
            agent_id=agent.id,
            source_report_id=report.id,
            adjustments_json={"topics_to_increase": ["Web3 security"]},
            effective_start_date=date(2026, 11, 23),
        )
    )
    session.add(AgentMemory(agent_id=agent.id, vector_db_uri="file:///tmp/mem"))
    session.add(
        Feedback(
            user_id=user.id, subject_type=FeedbackSubject.reel, subject_id=str(reel.id), rating=5
        )
    )
    session.add(Notification(user_id=user.id, type=NotificationType.render_complete))
    session.add(
        EventLog(
            user_id=user.id,
            agent_id=agent.id,
            run_id=run.id,
            event_type=EventType.plan_created,
            subject_type=SubjectType.calendar,
            subject_id=str(calendar.id),
            message="plan created",
        )
    )
    session.add(TrendSignal(source=TrendSource.news, topic="Web3 security", score=0.9))
    session.flush()
    return Graph(
        user_id=user.id, agent_id=agent.id, post_id=post.id, reel_id=reel.id, key_id=key.id
    )
