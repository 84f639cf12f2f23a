"""All mapped tables. Importing this package registers every table on ``Base.metadata``."""

from db.models.analytics import (
    AgentMemory,
    AnalyticsSnapshot,
    Feedback,
    StrategyUpdate,
    WeeklyReport,
)
from db.models.creative import AITwin, MediaAsset, RenderJob, Script, VideoReel, VoiceProfile
from db.models.engagement import EngagementAction
from db.models.identity import (
    Agent,
    AppSession,
    AuditLog,
    ConsentRecord,
    IntegrationKey,
    PlatformRateLimit,
    Role,
    SocialAccount,
    StoredSecret,
    User,
    UserRole,
)
from db.models.ops import AgentRun, ErrorLog, EventLog, Notification, RateBucket
from db.models.planning import (
    CalendarItem,
    Campaign,
    ContentCalendar,
    Directive,
    HookTemplate,
    Niche,
    Project,
    TrendSignal,
)
from db.models.publishing import Post, PublisherTask

__all__ = [
    "AITwin",
    "Agent",
    "AgentMemory",
    "AgentRun",
    "AnalyticsSnapshot",
    "AppSession",
    "AuditLog",
    "CalendarItem",
    "Campaign",
    "ConsentRecord",
    "ContentCalendar",
    "Directive",
    "EngagementAction",
    "ErrorLog",
    "EventLog",
    "Feedback",
    "HookTemplate",
    "IntegrationKey",
    "MediaAsset",
    "Niche",
    "Notification",
    "PlatformRateLimit",
    "Post",
    "Project",
    "PublisherTask",
    "RateBucket",
    "RenderJob",
    "Role",
    "Script",
    "SocialAccount",
    "StoredSecret",
    "StrategyUpdate",
    "TrendSignal",
    "User",
    "UserRole",
    "VideoReel",
    "VoiceProfile",
    "WeeklyReport",
]
