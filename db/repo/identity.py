"""Users, agents, twins, voices, accounts and consent."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.enums import ConsentType, StylePreset, VoiceProvider
from db.models import (
    Agent,
    AITwin,
    ConsentRecord,
    SocialAccount,
    User,
    VoiceProfile,
)
from db.schemas import AgentPolicy, TwinConfig


class NotFoundError(LookupError):
    """A named thing does not exist; the message says which."""


def get_user_by_email(*, session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFoundError(f"no user with email {email!r}")
    return user


def create_user(*, session: Session, name: str, email: str, timezone: str = "UTC") -> User:
    user = User(name=name, email=email.strip().lower(), timezone=timezone)
    session.add(user)
    session.flush()
    return user


def list_agents(*, session: Session, user_id: uuid.UUID | None = None) -> list[Agent]:
    stmt = select(Agent).order_by(Agent.created_at)
    if user_id is not None:
        stmt = stmt.where(Agent.user_id == user_id)
    return list(session.scalars(stmt))


def get_agent(*, session: Session, name_or_id: str | None = None) -> Agent:
    """The agent with this name or id; the only agent when there is exactly one."""
    agents = list_agents(session=session)
    if name_or_id is None:
        if len(agents) == 1:
            return agents[0]
        if not agents:
            raise NotFoundError("no agent yet: run 'twin init' first")
        names = ", ".join(a.name for a in agents)
        raise NotFoundError(f"several agents exist ({names}): choose one with --agent")
    for agent in agents:
        if agent.name == name_or_id or str(agent.id) == name_or_id:
            return agent
    raise NotFoundError(f"no agent named {name_or_id!r}")


def create_agent(
    *,
    session: Session,
    user_id: uuid.UUID,
    name: str = "AI Twin Content Agent",
    policy: AgentPolicy | None = None,
) -> Agent:
    agent = Agent(
        user_id=user_id,
        name=name,
        capabilities_json={
            "planner": True,
            "media": True,
            "publisher": True,
            "analytics": True,
            "learning": True,
        },
        policy_json=(policy or AgentPolicy()).model_dump(mode="json"),
    )
    session.add(agent)
    session.flush()
    return agent


def agent_policy(agent: Agent) -> AgentPolicy:
    return AgentPolicy.model_validate(agent.policy_json or {})


def update_agent_policy(*, session: Session, agent: Agent, **changes: Any) -> AgentPolicy:
    policy = AgentPolicy.model_validate({**agent_policy(agent).model_dump(mode="json"), **changes})
    agent.policy_json = policy.model_dump(mode="json")
    session.flush()
    return policy


def create_voice_profile(
    *,
    session: Session,
    user_id: uuid.UUID,
    name: str,
    provider: VoiceProvider = VoiceProvider.espeak,
    voice_id_external: str = "",
    settings: dict[str, Any] | None = None,
    is_cloned: bool = False,
) -> VoiceProfile:
    profile = VoiceProfile(
        user_id=user_id,
        name=name,
        provider=provider,
        voice_id_external=voice_id_external,
        settings_json=settings or {},
        is_cloned=is_cloned,
    )
    session.add(profile)
    session.flush()
    return profile


def create_twin(
    *,
    session: Session,
    user_id: uuid.UUID,
    name: str,
    style_preset: StylePreset,
    voice_profile_id: uuid.UUID | None = None,
    config: TwinConfig | None = None,
    avatar_assets_folder: str = "",
    uses_real_likeness: bool = False,
) -> AITwin:
    twin = AITwin(
        user_id=user_id,
        name=name,
        style_preset=style_preset,
        voice_profile_id=voice_profile_id,
        config_json=(config or TwinConfig()).model_dump(mode="json"),
        avatar_assets_folder=avatar_assets_folder,
        uses_real_likeness=uses_real_likeness,
    )
    session.add(twin)
    session.flush()
    return twin


def list_twins(*, session: Session, user_id: uuid.UUID, active_only: bool = True) -> list[AITwin]:
    stmt = select(AITwin).where(AITwin.user_id == user_id).order_by(AITwin.created_at)
    if active_only:
        stmt = stmt.where(AITwin.status == "active")
    return list(session.scalars(stmt))


def create_social_account(
    *,
    session: Session,
    user_id: uuid.UUID,
    platform: str,
    handle: str,
    account_external_id: str,
    integration_id: uuid.UUID | None = None,
) -> SocialAccount:
    account = SocialAccount(
        user_id=user_id,
        platform=platform,
        handle=handle,
        account_external_id=account_external_id,
        integration_id=integration_id,
        is_connected=True,
    )
    session.add(account)
    session.flush()
    return account


def list_accounts(
    *, session: Session, user_id: uuid.UUID | None = None, connected_only: bool = False
) -> list[SocialAccount]:
    stmt = select(SocialAccount).order_by(SocialAccount.platform, SocialAccount.handle)
    if user_id is not None:
        stmt = stmt.where(SocialAccount.user_id == user_id)
    if connected_only:
        stmt = stmt.where(SocialAccount.is_connected.is_(True))
    return list(session.scalars(stmt))


def record_consent(
    *,
    session: Session,
    user_id: uuid.UUID,
    consent_type: ConsentType,
    granted: bool,
    details: str = "",
) -> ConsentRecord:
    record = ConsentRecord(
        user_id=user_id, consent_type=consent_type, granted=granted, details=details
    )
    session.add(record)
    session.flush()
    return record


def has_consent(*, session: Session, user_id: uuid.UUID, consent_type: ConsentType) -> bool:
    """Whether the latest record of this type grants consent (revocation wins when newer)."""
    latest = session.scalar(
        select(ConsentRecord)
        .where(ConsentRecord.user_id == user_id, ConsentRecord.consent_type == consent_type)
        .order_by(ConsentRecord.granted_at.desc(), ConsentRecord.id.desc())
        .limit(1)
    )
    return bool(latest and latest.granted)
