"""The weekly schedule: a per-process scheduler on cron triggers, and the worker."""

from agent.scheduling.config import (
    DEFAULT_CRON,
    ScheduleConfig,
    planned_week,
    schedule_of,
    update_schedule,
)
from agent.scheduling.engine import ClockedScheduler, JobExecutor
from agent.scheduling.job_context import JobRuntime, WorkerStopping
from agent.scheduling.jobs import (
    recover_interrupted_runs,
    weekly_dedupe_key,
    weekly_job,
)
from agent.scheduling.registry import (
    ScheduleRow,
    describe,
    open_scheduler,
    sync_jobs,
    weekly_job_id,
    weekly_slot,
)
from agent.scheduling.worker import Worker

__all__ = [
    "DEFAULT_CRON",
    "ClockedScheduler",
    "JobExecutor",
    "JobRuntime",
    "ScheduleConfig",
    "ScheduleRow",
    "Worker",
    "WorkerStopping",
    "describe",
    "open_scheduler",
    "planned_week",
    "recover_interrupted_runs",
    "schedule_of",
    "sync_jobs",
    "update_schedule",
    "weekly_dedupe_key",
    "weekly_job",
    "weekly_job_id",
    "weekly_slot",
]
