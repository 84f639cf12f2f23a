"""Enumerations of the data model (seed 003 section 10 and the entity definitions)."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    instagram = "instagram"
    facebook = "facebook"
    threads = "threads"
    linkedin = "linkedin"
    tiktok = "tiktok"
    youtube_shorts = "youtube_shorts"
    fanbase = "fanbase"
    spill = "spill"
    sandbox = "sandbox"  # the local platform every install has


class UserRoleName(StrEnum):
    creator = "creator"
    admin = "admin"


class UserStatus(StrEnum):
    active = "active"
    disabled = "disabled"


class AgentState(StrEnum):
    idle = "idle"
    planning = "planning"
    creating = "creating"
    reviewing = "reviewing"
    publishing = "publishing"
    analyzing = "analyzing"
    adapting = "adapting"
    error = "error"


class ApprovalMode(StrEnum):
    manual = "manual"
    auto_above = "auto_above"
    autonomous = "autonomous"


class IntegrationStatus(StrEnum):
    connected = "connected"
    revoked = "revoked"
    expired = "expired"


class ProjectStatus(StrEnum):
    active = "active"
    paused = "paused"
    completed = "completed"


class CampaignStatus(StrEnum):
    planned = "planned"
    running = "running"
    completed = "completed"
    cancelled = "cancelled"


class ContentPillar(StrEnum):
    education = "education"
    inspiration = "inspiration"
    announcement = "announcement"
    promotion = "promotion"
    trend_reaction = "trend_reaction"


class HookCategory(StrEnum):
    """How a video opens; hook templates (seed 001) belong to one."""

    question = "question"
    statistic = "statistic"
    story = "story"
    how_to = "how_to"
    contrarian = "contrarian"
    listicle = "listicle"


class CalendarItemStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    render_ready = "render_ready"
    published = "published"
    skipped = "skipped"
    failed = "failed"


class TrendSource(StrEnum):
    google_trends = "google_trends"
    platform_trending = "platform_trending"
    hashtag_feed = "hashtag_feed"
    news = "news"
    local_file = "local_file"


class Tone(StrEnum):
    educational = "educational"
    trending = "trending"
    thought_leadership = "thought_leadership"
    inspirational = "inspirational"


class ScriptStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    rejected = "rejected"


class StylePreset(StrEnum):
    space = "space"
    goddess = "goddess"
    hyperreal = "hyperreal"
    corporate = "corporate"
    custom = "custom"


class TwinStatus(StrEnum):
    active = "active"
    archived = "archived"


class VoiceProvider(StrEnum):
    elevenlabs = "elevenlabs"
    resemble = "resemble"
    espeak = "espeak"
    other = "other"


class AssetType(StrEnum):
    raw_video = "raw_video"
    raw_photo = "raw_photo"
    audio = "audio"
    overlay = "overlay"
    caption_file = "caption_file"
    thumbnail = "thumbnail"
    brand_pack = "brand_pack"
    video = "video"


class Aspect(StrEnum):
    portrait = "9_16"
    square = "1_1"
    feed = "4_5"


class RenderStatus(StrEnum):
    queued = "queued"
    processing = "processing"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


class ApprovalStatus(StrEnum):
    pending = "pending"
    auto_approved = "auto_approved"
    creator_approved = "creator_approved"
    rejected = "rejected"


APPROVED = (ApprovalStatus.auto_approved, ApprovalStatus.creator_approved)
"""Approval statuses that allow publishing."""


class PublishStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    publishing = "publishing"
    published = "published"
    failed = "failed"
    unconfirmed = "unconfirmed"
    cancelled = "cancelled"
    """A scheduled post withdrawn by a replan before it went out."""


class TaskStatus(StrEnum):
    queued = "queued"
    in_progress = "in_progress"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"
    unconfirmed = "unconfirmed"


class FeedbackSubject(StrEnum):
    script = "script"
    reel = "reel"
    post = "post"
    agent = "agent"


class DeviceType(StrEnum):
    ios = "ios"
    android = "android"
    web = "web"
    cli = "cli"


class SessionStatus(StrEnum):
    active = "active"
    closed = "closed"


class NotificationType(StrEnum):
    render_complete = "render_complete"
    publish_success = "publish_success"
    publish_failed = "publish_failed"
    weekly_report_ready = "weekly_report_ready"
    strategy_update = "strategy_update"
    approval_needed = "approval_needed"
    account_expired = "account_expired"


class TriggerType(StrEnum):
    schedule_weekly = "schedule_weekly"
    manual = "manual"
    trend_spike = "trend_spike"
    retry = "retry"
    system = "system"
    simulation = "simulation"


class RunStatus(StrEnum):
    running = "running"
    waiting_review = "waiting_review"
    finished = "finished"
    error = "error"
    cancelled = "cancelled"
    """Superseded by a replan of its week; it will not be driven again."""


ACTIVE_RUN = (RunStatus.running, RunStatus.waiting_review)
"""Statuses of a run that owns its agent's week (at most one per agent, by a database index)."""


class RunResult(StrEnum):
    success = "success"
    partial_success = "partial_success"
    error = "error"


class EventType(StrEnum):
    node_started = "node_started"
    node_finished = "node_finished"
    plan_created = "plan_created"
    script_generated = "script_generated"
    render_started = "render_started"
    render_succeeded = "render_succeeded"
    render_failed = "render_failed"
    approval_requested = "approval_requested"
    approval_recorded = "approval_recorded"
    publish_scheduled = "publish_scheduled"
    publish_succeeded = "publish_succeeded"
    publish_failed = "publish_failed"
    analytics_collected = "analytics_collected"
    report_written = "report_written"
    strategy_adjusted = "strategy_adjusted"
    run_finished = "run_finished"
    model_overruled = "model_overruled"
    llm_adapted = "llm_adapted"
    trend_source_failed = "trend_source_failed"
    """A trend or news source could not be read; planning went on without it."""
    """The model's server refused a feature and the run adapted (e.g. a lower structured-output method)."""
    """The model's answer differed from what code decided; the decision was kept."""
    consent_refused = "consent_refused"
    error = "error"
    retention_applied = "retention_applied"
    memory_compacted = "memory_compacted"
    slow_query = "slow_query"


class SubjectType(StrEnum):
    calendar = "calendar"
    script = "script"
    render = "render"
    reel = "reel"
    post = "post"
    report = "report"
    strategy = "strategy"
    system = "system"
    run = "run"
    account = "account"


class AuditOrigin(StrEnum):
    """Where a security-relevant action came from."""

    cli = "cli"
    web = "web"
    worker = "worker"
    api = "api"


class ErrorScope(StrEnum):
    planner = "planner"
    media = "media"
    publisher = "publisher"
    analytics = "analytics"
    learning = "learning"
    api_integration = "api_integration"
    ui = "ui"


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class ConsentType(StrEnum):
    likeness_modeling = "likeness_modeling"
    voice_cloning = "voice_cloning"
    data_processing = "data_processing"
    api_publishing = "api_publishing"


class NicheTier(StrEnum):
    tier1 = "tier1"
    tier2 = "tier2"
    tier3 = "tier3"


class DirectiveStatus(StrEnum):
    active = "active"
    removed = "removed"


class EngagementActionType(StrEnum):
    """Seed 000 engagement actions the twin may take (only reply is drafted today)."""

    like = "like"
    comment = "comment"
    reply = "reply"


class EngagementStatus(StrEnum):
    """An engagement action's life: drafted, decided by the creator (or auto), then sent once."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    skipped = "skipped"
    sending = "sending"
    completed = "completed"
    failed = "failed"
