"""When to post in a week: slots that respect the agent's policy and the creator's directives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.strategy.dimensions import WEEKDAYS
from db.schemas import AgentPolicy

DEFAULT_TIMES = [time(12, 0), time(18, 30), time(9, 0), time(20, 30), time(15, 0)]


@dataclass(frozen=True)
class Slot:
    index: int
    day: date
    local_time: time
    at_utc: datetime
    platforms: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{WEEKDAYS[self.day.weekday()]} {self.local_time.strftime('%H:%M')}"


def parse_timing(value: str) -> tuple[int, time] | None:
    """``"Mon 11:30"`` -> (0, 11:30); None when it is not in that form."""
    parts = value.strip().split()
    if len(parts) != 2 or parts[0][:3].title() not in WEEKDAYS:
        return None
    try:
        hh, mm = parts[1].split(":")
        return WEEKDAYS.index(parts[0][:3].title()), time(int(hh), int(mm))
    except ValueError:
        return None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def plan_slots(
    *,
    monday: date,
    policy: AgentPolicy,
    platforms: list[str],
    timing: dict[str, list[str]] | None = None,
    avoid_weekdays: set[int] | None = None,
    not_before: datetime | None = None,
) -> list[Slot]:
    """Spread ``policy.posts_per_week`` slots over the allowed days.

    At most ``max_posts_per_day`` a day and ``cooldown_minutes`` apart; preferred times come
    from the strategy's platform_timing_updates (first platform that has some), then defaults.
    Slots before ``not_before`` are dropped (a week planned late).
    """
    zone = _zone(policy.timezone)
    avoid = avoid_weekdays or set()
    days = [monday + timedelta(days=i) for i in range(7) if i not in avoid]
    if not days or not platforms:
        return []
    preferred: dict[int, list[time]] = {}
    for platform in platforms:
        for entry in (timing or {}).get(platform, []):
            parsed = parse_timing(entry)
            if parsed and parsed[0] not in avoid:
                preferred.setdefault(parsed[0], []).append(parsed[1])
    per_day = {d: 0 for d in days}
    chosen: dict[date, list[time]] = {d: [] for d in days}
    wanted = policy.posts_per_week
    # Preferred timings first, then round-robin over days with default times.
    for weekday, times in sorted(preferred.items()):
        day = monday + timedelta(days=weekday)
        for t in times:
            if sum(per_day.values()) >= wanted:
                break
            if _fits(chosen[day], t, policy):
                chosen[day].append(t)
                per_day[day] += 1
    round_no = 0
    while sum(per_day.values()) < wanted and round_no < len(DEFAULT_TIMES):
        for day in days:
            if sum(per_day.values()) >= wanted:
                break
            t = DEFAULT_TIMES[round_no]
            if _fits(chosen[day], t, policy):
                chosen[day].append(t)
                per_day[day] += 1
        round_no += 1
    slots: list[Slot] = []
    for day in days:
        for t in sorted(chosen[day]):
            at = datetime.combine(day, t, tzinfo=zone).astimezone(UTC)
            if not_before is not None and at < not_before:
                continue
            slots.append(Slot(len(slots), day, t, at, tuple(platforms)))
    return slots


def _fits(existing: list[time], candidate: time, policy: AgentPolicy) -> bool:
    if len(existing) >= policy.max_posts_per_day:
        return False
    minutes = candidate.hour * 60 + candidate.minute
    return all(abs(minutes - (t.hour * 60 + t.minute)) >= policy.cooldown_minutes for t in existing)


__all__ = ["DEFAULT_TIMES", "Slot", "parse_timing", "plan_slots"]
