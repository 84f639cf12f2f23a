"""The next scheduled run of an agent, read from ``agents.schedule_json``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from agent.scheduling.config import standard_crontab


def next_scheduled_run(
    schedule: dict[str, Any] | None, now: datetime | None = None
) -> datetime | None:
    """When the weekly run fires next, or None when no (enabled) schedule is set.

    Args:
        schedule: ``agents.schedule_json``: ``cron`` (crontab, e.g. ``"0 9 * * 1"``) and an
            optional ``timezone``/``tz``; ``enabled: false`` or ``paused: true`` disable it.
        now: The reference time (aware); defaults to the current time.
    """
    if not schedule:
        return None
    if schedule.get("enabled") is False or schedule.get("paused") is True:
        return None
    cron = schedule.get("cron") or schedule.get("crontab")
    if not isinstance(cron, str) or not cron.strip():
        return None
    tz_name = schedule.get("timezone") or schedule.get("tz") or "UTC"
    try:
        tz = ZoneInfo(str(tz_name))
        trigger = CronTrigger.from_crontab(standard_crontab(cron), timezone=tz)
    except (ValueError, ZoneInfoNotFoundError):
        return None
    moment = (now or datetime.now(UTC)).astimezone(tz)
    fire: datetime | None = trigger.get_next_fire_time(None, moment)
    return fire


__all__ = ["next_scheduled_run", "standard_crontab"]
