"""An agent's weekly schedule, stored in ``agents.schedule_json``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ValidationError, field_validator
from sqlalchemy.orm import Session

from agent.errors import UserError
from agent.strategy.weeks import week_key
from db.models import Agent, User

_DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def standard_crontab(cron: str) -> str:
    """``cron`` with numeric weekdays named, so ``1`` means Monday as in crontab(5).

    APScheduler 3 counts weekdays from Monday = 0; names mean the same in both.
    """
    fields = cron.split()
    if len(fields) != 5:
        return cron
    fields[4] = re.sub(r"(?<![/\d])([0-7])(?!\d)", lambda m: _DAY_NAMES[int(m.group(1))], fields[4])
    return " ".join(fields)


DEFAULT_CRON = "0 9 * * MON"


class ScheduleConfig(BaseModel):
    """When an agent's weekly run starts.

    Attributes:
        cron: Five-field crontab expression (minute hour day month weekday).
        timezone: IANA time zone the cron expression is read in.
        paused: A paused schedule starts no weekly run.
        since: When the schedule last changed or was resumed: slots before it are never made
            up (None: since the agent was created).
    """

    cron: str = DEFAULT_CRON
    timezone: str = "UTC"
    paused: bool = False
    since: datetime | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}: use an IANA name such as Europe/Paris"
            ) from None
        return value

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        value = standard_crontab(" ".join(value.split()))
        try:
            CronTrigger.from_crontab(value, timezone=UTC)
        except ValueError as exc:
            raise ValueError(
                f"invalid cron {value!r} ({exc}): use five fields, e.g. '0 9 * * MON'"
            ) from None
        return value

    def trigger(self) -> CronTrigger:
        """The APScheduler trigger for this schedule."""
        return CronTrigger.from_crontab(
            standard_crontab(self.cron), timezone=ZoneInfo(self.timezone)
        )

    def spec(self) -> str:
        """A short text that changes whenever the firing times change."""
        return f"{self.cron} ({self.timezone})"

    def next_run(self, now: datetime) -> datetime | None:
        """The next firing time after ``now``, or None when paused."""
        if self.paused:
            return None
        return self.trigger().get_next_fire_time(None, now)


def planned_week(scheduled_at: datetime, timezone: str) -> str:
    """The ISO week a run fired at ``scheduled_at`` plans: the week after the slot's local week.

    Derived from the slot, not from the current time, so every worker computes the same week
    for the same slot however late it runs.
    """
    local_day: date = scheduled_at.astimezone(ZoneInfo(timezone)).date()
    return week_key(local_day + timedelta(days=7))


def schedule_of(session: Session, agent: Agent) -> ScheduleConfig:
    """The agent's schedule; by default Monday 09:00 in the creator's time zone."""
    stored = dict(agent.schedule_json or {})
    if "timezone" not in stored:
        user = session.get(User, agent.user_id)
        stored["timezone"] = user.timezone if user and user.timezone else "UTC"
    try:
        return ScheduleConfig.model_validate(stored)
    except ValidationError:  # a hand-edited, invalid schedule falls back to the default
        return ScheduleConfig()


def update_schedule(
    session: Session,
    agent: Agent,
    *,
    cron: str | None = None,
    timezone: str | None = None,
    paused: bool | None = None,
    now: datetime | None = None,
) -> ScheduleConfig:
    """Change an agent's schedule and store it; unknown zones and bad crons raise UserError.

    Args:
        session: An open session (the caller commits).
        agent: The agent to change.
        cron: New crontab expression, or None to keep it.
        timezone: New IANA time zone, or None to keep it.
        paused: Pause (True) or resume (False), or None to keep it.
        now: The time of the change (default: now); slots before it are not made up.

    Returns:
        The stored schedule.
    """
    current = schedule_of(session, agent).model_dump()
    changes = {
        k: v
        for k, v in {"cron": cron, "timezone": timezone, "paused": paused}.items()
        if v is not None
    }
    try:
        config = ScheduleConfig.model_validate({**current, **changes})
    except ValidationError as exc:
        raise UserError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None
    if changes:  # the schedule holds from now on: earlier slots are never made up
        config = config.model_copy(update={"since": (now or datetime.now(UTC)).astimezone(UTC)})
    agent.schedule_json = config.model_dump(mode="json")
    session.flush()
    return config
