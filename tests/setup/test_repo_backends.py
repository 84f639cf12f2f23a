"""The set-up repository functions on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from agent.creating.likeness import likeness_for
from agent.setup.consent import change_consent
from db.enums import AssetType, CampaignStatus, ConsentType, StylePreset, TwinStatus, VoiceProvider
from db.models import Agent, AITwin, Campaign, MediaAsset, VoiceProfile
from db.repo import assets, brand, campaigns, identity, twins
from db.schemas import TwinConfig


def _seed(session: Session) -> tuple[Agent, AITwin, VoiceProfile]:
    user = identity.create_user(session=session, name="C", email="c@example.com")
    agent = identity.create_agent(session=session, user_id=user.id)
    voice = identity.create_voice_profile(
        session=session,
        user_id=user.id,
        name="Mine",
        provider=VoiceProvider.elevenlabs,
        voice_id_external="remote-1",
        is_cloned=True,
    )
    twin = identity.create_twin(
        session=session,
        user_id=user.id,
        name="Me",
        style_preset=StylePreset.custom,
        voice_profile_id=voice.id,
    )
    return agent, twin, voice


def test_twins_and_voices_round_trip(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        agent, twin, voice = _seed(session)
        config = TwinConfig.model_validate(
            {"palette": ["#ABCDEF"], "personality": {"catchphrases": ["Hi"]}}
        )
        twins.update_twin(
            session=session,
            twin=twin,
            style_preset=StylePreset.goddess,
            config=config,
            status=TwinStatus.archived,
            uses_real_likeness=True,
        )
        twins.update_voice_profile(session=session, profile=voice, settings={"stability": 0.5})
        user_id = agent.user_id
    with sessions.begin() as session:
        found = twins.get_twin(session=session, user_id=user_id, name="ME", include_archived=True)
        assert found.style_preset == StylePreset.goddess and found.status == TwinStatus.archived
        assert twins.twin_config(found).palette == ["#abcdef"] and found.uses_real_likeness
        with pytest.raises(identity.NotFoundError, match="no twin named 'Me'"):
            twins.get_twin(session=session, user_id=user_id, name="Me")  # archived
        profile = twins.get_voice_profile(session=session, user_id=user_id, name="mine")
        assert profile.settings_json == {"stability": 0.5}
        off = twins.disable_voice_profile(
            session=session, profile=profile, at=datetime.now(UTC), forget_remote_id=True
        )
        assert [t.name for t in off] == ["Me"]
    with sessions() as session:
        profile = twins.get_voice_profile(session=session, user_id=user_id, name="Mine")
        assert profile.disabled_at is not None and profile.disabled_at.tzinfo is not None
        assert profile.voice_id_external == ""
        assert (
            twins.get_twin(
                session=session, user_id=user_id, name="Me", include_archived=True
            ).voice_profile_id
            is None
        )


def test_brand_is_typed_json_on_the_agent(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        agent, _, _ = _seed(session)
        assert brand.brand_guidelines(agent).banned_words == []
        brand.update_brand(
            session=session, agent=agent, banned_words=["Crypto", "crypto", " "], colors=["#F00"]
        )
        with pytest.raises(ValidationError):
            brand.update_brand(session=session, agent=agent, colors=["red"])
        agent_id = agent.id
    with sessions() as session:
        stored = session.get(Agent, agent_id)
        assert stored is not None
        assert stored.brand_json["banned_words"] == ["Crypto"] and stored.brand_json["colors"] == [
            "#ff0000"
        ]


def test_assets_with_tags_twins_and_likeness(
    sessions: sessionmaker[Session], tmp_path: object
) -> None:
    with sessions.begin() as session:
        agent, twin, _ = _seed(session)
        photo = tmp_path / "me.jpg"  # type: ignore[operator]
        photo.write_bytes(b"\xff\xd8 a stored photo")
        assets.add_media_asset(
            session=session,
            user_id=agent.user_id,
            type=AssetType.raw_photo,
            uri=str(photo),
            role=assets.ROLE_LIKENESS,
            ai_twin_id=twin.id,
        )
        assets.add_media_asset(
            session=session,
            user_id=agent.user_id,
            type=AssetType.raw_video,
            uri="/x/walk.mp4",
            role=assets.ROLE_BROLL,
            tags=["walk", "city"],
        )
        twins.update_twin(session=session, twin=twin, uses_real_likeness=True)
        user_id, twin_id = agent.user_id, twin.id
    with sessions.begin() as session:
        broll = assets.list_media_assets(session=session, user_id=user_id, role=assets.ROLE_BROLL)
        assert [a.tags for a in broll] == [["walk", "city"]]
        row = session.get(AITwin, twin_id)
        assert row is not None
        assert likeness_for(session=session, twin=row) is None  # no consent yet
        identity.record_consent(
            session=session,
            user_id=user_id,
            consent_type=ConsentType.likeness_modeling,
            granted=True,
        )
        found = likeness_for(session=session, twin=row)
        assert (
            found is not None
            and [str(p) for p in found.photos] == [str(photo)]
            and found.clips == []
        )
        change = change_consent(
            session=session,
            user_id=user_id,
            actor="c@example.com",
            consent_type=ConsentType.likeness_modeling,
            granted=False,
            details="test",
        )
        assert change.likeness_off == ["Me"] and not row.uses_real_likeness
    with sessions() as session:
        row = session.get(AITwin, twin_id)
        assert row is not None and likeness_for(session=session, twin=row) is None
        assert session.get(MediaAsset, broll[0].id) is not None


def test_campaign_for_picks_the_week_s_campaign(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        agent, _, _ = _seed(session)
        campaigns.create_campaign(
            session=session,
            agent=agent,
            name="Launch",
            start_date=date(2026, 11, 20),
            end_date=date(2026, 11, 24),
            goal="sign-ups",
            topics=["course"],
            cta="Link in bio",
        )
        campaigns.create_campaign(
            session=session,
            agent=agent,
            name="Winter",
            start_date=date(2026, 11, 23),
            end_date=None,
            goal="growth",
            topics=["habits"],
        )
        cancelled = campaigns.create_campaign(
            session=session,
            agent=agent,
            name="Old",
            start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31),
            goal="x",
        )
        cancelled.status = CampaignStatus.cancelled
        agent_id = agent.id
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(
                Campaign(
                    project_id=cancelled.project_id,
                    agent_id=agent_id,
                    name="Launch",
                    start_date=date(2026, 1, 1),
                )
            )
            session.flush()
    with sessions() as session:
        stored = session.get(Agent, agent_id)
        assert stored is not None
        agent = stored
        w47 = campaigns.campaign_for(session=session, agent=agent, week="2026-W47")  # Nov 16-22
        assert w47 is not None and (w47.name, w47.cta, w47.topics) == (
            "Launch",
            "Link in bio",
            ["course"],
        )
        w48 = campaigns.campaign_for(
            session=session, agent=agent, week=date(2026, 11, 25)
        )  # Nov 23-29
        assert w48 is not None and w48.name == "Winter"  # 7 days beat Launch's 2
        assert campaigns.campaign_for(session=session, agent=agent, week="2026-W40") is None
        assert [c.name for c in campaigns.list_campaigns(session=session, agent_id=agent_id)] == [
            "Old",
            "Launch",
            "Winter",
        ]
        with pytest.raises(ValueError, match="ISO week"):
            campaigns.campaign_for(session=session, agent=agent, week="2026-48")
    with sessions.begin() as session:
        campaigns.remove_campaign(session=session, agent_id=agent_id, name="winter")
    with sessions() as session:
        stored = session.get(Agent, agent_id)
        assert stored is not None
        assert campaigns.campaign_for(session=session, agent=stored, week="2026-W49") is None
