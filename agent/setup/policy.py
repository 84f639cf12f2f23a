"""The agent's policy (niche, language, timezone, cadence, platforms, approval) and brand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from agent.settings import Settings
from agent.setup.errors import SetupError, one_line
from agent.setup.media import probe, store_copy
from db.enums import AssetType
from db.models import Agent
from db.repo import assets as asset_repo
from db.repo.brand import update_brand
from db.repo.identity import update_agent_policy
from db.schemas import AgentPolicy, BrandGuidelines

POLICY_LABELS = {
    "niche": "--niche",
    "language": "--language",
    "timezone": "--timezone",
    "posts_per_week": "--posts-per-week",
    "max_posts_per_day": "--max-per-day",
    "cooldown_minutes": "--cooldown-minutes",
    "platforms": "--platforms",
    "approval_mode": "--approval",
    "auto_approve_threshold": "--auto-approve-threshold",
}
BRAND_LABELS = {
    "voice_rules": "--voice-rule",
    "banned_words": "--banned-words",
    "banned_word_action": "--banned-action",
    "required_disclosure": "--disclosure",
    "colors": "--colors",
    "font_path": "--font",
    "logo_path": "--logo",
}
FONT_SUFFIXES = (".ttf", ".otf")


def set_policy(*, session: Session, agent: Agent, changes: dict[str, Any]) -> AgentPolicy:
    """Validate and store policy changes (only the keys given).

    Raises:
        SetupError: A value is out of range or unknown; the message names its option.
    """
    given = {k: v for k, v in changes.items() if v is not None}
    try:
        policy = AgentPolicy.model_validate(
            {**AgentPolicy.model_validate(agent.policy_json or {}).model_dump(mode="json"), **given}
        )
    except ValidationError as exc:
        raise SetupError(one_line(exc, POLICY_LABELS)) from None
    if policy.max_posts_per_day * 7 < policy.posts_per_week:
        raise SetupError(
            f"--posts-per-week {policy.posts_per_week} cannot fit in a week at "
            f"--max-per-day {policy.max_posts_per_day}: raise one or lower the other"
        )
    return update_agent_policy(session=session, agent=agent, **policy.model_dump(mode="json"))


def _brand_file(session: Session, settings: Settings, agent: Agent, source: Path, kind: str) -> str:
    folder = settings.media_dir / "brand" / str(agent.id)[:8]
    if kind == "font":
        if not source.is_file():
            raise SetupError(f"--font: no such file: {source}")
        if source.suffix.lower() not in FONT_SUFFIXES:
            raise SetupError(f"--font: {source.name} is not a .ttf or .otf font file")
        from PIL import ImageFont

        try:
            ImageFont.truetype(str(source), 24)
        except OSError:
            raise SetupError(f"--font: {source.name} is not a readable font") from None
        size = source.stat().st_size
        kind_type = AssetType.brand_pack
        resolution = None
    else:
        try:
            found = probe(source, allowed={"photo"})
        except SetupError as exc:
            raise SetupError(f"--logo: {exc}") from None
        size, kind_type, resolution = found.size_bytes, AssetType.overlay, found.resolution
    target = store_copy(source, folder)
    asset_repo.add_media_asset(
        session=session,
        user_id=agent.user_id,
        type=kind_type,
        uri=str(target),
        role=asset_repo.ROLE_BRAND,
        resolution=resolution,
        size_bytes=size,
        metadata={"brand": kind, "original_name": source.name},
    )
    return str(target)


def set_brand(
    *,
    session: Session,
    settings: Settings,
    agent: Agent,
    changes: dict[str, Any],
    logo: Path | None = None,
    font: Path | None = None,
) -> BrandGuidelines:
    """Validate and store brand changes; a logo or font file is copied into the media folder.

    Raises:
        SetupError: A bad colour, a missing or unreadable file; the message names its option.
    """
    given = {k: v for k, v in changes.items() if v is not None}
    try:
        BrandGuidelines.model_validate(given)  # check before any file is copied
    except ValidationError as exc:
        raise SetupError(one_line(exc, BRAND_LABELS)) from None
    if logo is not None:
        given["logo_path"] = _brand_file(session, settings, agent, Path(logo).expanduser(), "logo")
    if font is not None:
        given["font_path"] = _brand_file(session, settings, agent, Path(font).expanduser(), "font")
    try:
        return update_brand(session=session, agent=agent, **given)
    except ValidationError as exc:
        raise SetupError(one_line(exc, BRAND_LABELS)) from None
