"""A fleet's creators and agents: add a creator (user), add an agent for one, list them all."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select

from agent.app.bootstrap import DEFAULT_EMAIL, provision_creator
from agent.app.resources import Resources
from agent.setup.errors import SetupError, one_line
from db.engine import transaction
from db.enums import ConsentType
from db.models import Agent, AgentRun, User
from db.repo import identity
from db.schemas import AgentPolicy

__all__ = ["AgentSummary", "add_agent", "add_user", "agent_summaries"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$|^[^@\s]+@localhost$")


@dataclass(frozen=True)
class AgentSummary:
    """One agent as ``twin agents list`` shows it."""

    id: str
    name: str
    user: str
    niche: str
    runs: int
    latest_week: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def add_user(system: Resources, *, email: str, name: str | None = None) -> tuple[str, list[str]]:
    """A new creator with a twin, a voice and a sandbox account, ready for an agent.

    Returns:
        The user's email (normalised) and what was created.

    Raises:
        SetupError: The email is not an address, or a user has it already.
    """
    address = email.strip().lower()
    if not _EMAIL.match(address):
        raise SetupError(f"{email!r} is not an email address: use e.g. creator@example.com")
    with transaction(system.sessions) as session:
        if session.scalar(select(User.id).where(User.email == address)) is not None:
            raise SetupError(f"a user with email {address} exists already")
        user = identity.create_user(
            session=session, name=name or address.split("@")[0], email=address
        )
        identity.record_consent(
            session=session,
            user_id=user.id,
            consent_type=ConsentType.data_processing,
            granted=True,
            details="granted when the creator was added, for local processing",
        )
        created = [f"user {address}"]
        created += provision_creator(
            session=session, cipher=system.cipher(create=True), settings=system.settings, user=user
        )
    return address, created


def add_agent(
    system: Resources, *, name: str, user_email: str | None = None, niche: str | None = None
) -> AgentSummary:
    """A new agent for a creator (default: the creator 'twin init' made), with its niche.

    Raises:
        SetupError: The name is empty or taken (a name picks an agent in every command), or
            the niche is empty.
        NotFoundError: No user has ``user_email``.
    """
    clean = " ".join(name.split())
    if not clean:
        raise SetupError("the agent's name cannot be empty")
    try:
        policy = AgentPolicy.model_validate({} if niche is None else {"niche": niche})
    except ValidationError as exc:
        raise SetupError(one_line(exc, {"niche": "--niche"})) from None
    with transaction(system.sessions) as session:
        user = identity.get_user_by_email(session=session, email=user_email or DEFAULT_EMAIL)
        if session.scalar(select(Agent.id).where(Agent.name == clean)) is not None:
            raise SetupError(f"an agent named {clean!r} exists already: choose another name")
        agent = identity.create_agent(session=session, user_id=user.id, name=clean, policy=policy)
        return AgentSummary(str(agent.id), agent.name, user.email, policy.niche, 0, None)


def agent_summaries(system: Resources) -> list[AgentSummary]:
    """Every agent, oldest first, with its creator, niche and runs."""
    with system.sessions() as session:
        counts = dict(
            session.execute(
                select(AgentRun.agent_id, func.count()).group_by(AgentRun.agent_id)
            ).all()
        )
        latest = dict(
            session.execute(
                select(AgentRun.agent_id, func.max(AgentRun.week_key)).group_by(AgentRun.agent_id)
            ).all()
        )
        emails = dict(session.execute(select(User.id, User.email)).all())
        return [
            AgentSummary(
                id=str(agent.id),
                name=agent.name,
                user=emails.get(agent.user_id, "?"),
                niche=identity.agent_policy(agent).niche,
                runs=int(counts.get(agent.id, 0)),
                latest_week=latest.get(agent.id),
            )
            for agent in identity.list_agents(session=session)
        ]
