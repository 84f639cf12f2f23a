"""Adding campaigns: dates, goal, topics, call to action, checked before they are stored."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from agent.setup.errors import SetupError
from db.enums import Platform
from db.models import Agent, Campaign
from db.repo.campaigns import create_campaign, list_campaigns


def parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise SetupError(f"{option}: {value!r} is not a date: use YYYY-MM-DD") from None


def add_campaign(
    *,
    session: Session,
    agent: Agent,
    name: str,
    start: str,
    end: str | None,
    goal: str,
    topics: list[str],
    cta: str = "",
    platforms: list[str] | None = None,
    description: str = "",
    project: str | None = None,
) -> Campaign:
    """A planned campaign for the agent.

    Raises:
        SetupError: A bad date or range, an empty name or goal, a name in use, or an
            unknown platform.
    """
    clean = " ".join(name.split())
    if not clean or len(clean) > 200:
        raise SetupError("a campaign needs a name of 1 to 200 characters")
    if not goal.strip():
        raise SetupError("--goal: say what the campaign is for")
    first = parse_day(start, "--from")
    last = parse_day(end, "--to") if end else None
    if last is not None and last < first:
        raise SetupError(f"--to {last} is before --from {first}")
    if any(
        c.name.lower() == clean.lower() for c in list_campaigns(session=session, agent_id=agent.id)
    ):
        raise SetupError(f"a campaign named {clean!r} exists already")
    known = {p.value for p in Platform}
    for platform in platforms or []:
        if platform not in known:
            raise SetupError(
                f"--platforms: unknown platform {platform!r}: use {', '.join(sorted(known))}"
            )
    kept = list(dict.fromkeys(t.strip() for t in topics if t.strip()))
    return create_campaign(
        session=session,
        agent=agent,
        name=clean,
        start_date=first,
        end_date=last,
        goal=" ".join(goal.split()),
        topics=kept,
        cta=cta.strip(),
        platforms=list(platforms or []),
        description=description.strip(),
        **({"project_name": project.strip()} if project and project.strip() else {}),
    )
