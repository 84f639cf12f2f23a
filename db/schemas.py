"""Typed shapes of the JSON columns that code relies on."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

from db.enums import ApprovalMode, Platform

_HEX_COLOUR = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def hex_colour(value: str) -> str:
    """``value`` as ``#rrggbb`` (lower case); ``#abc`` and ``abc123`` are accepted too.

    Raises:
        ValueError: Not a hex colour.
    """
    match = _HEX_COLOUR.match(value.strip())
    if match is None:
        raise ValueError(f"{value!r} is not a colour: use #rrggbb, e.g. #1a2b3c")
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"#{digits}"


def _clean_words(values: list[str]) -> list[str]:
    """Stripped, non-empty, first occurrence kept (case-insensitively)."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        word = value.strip()
        if word and word.lower() not in seen:
            seen.add(word.lower())
            out.append(word)
    return out


class AgentPolicy(BaseModel):
    """An agent's autonomy and automation limits (seed 000), stored in ``agents.policy_json``."""

    approval_mode: ApprovalMode = ApprovalMode.manual
    auto_approve_threshold: float = Field(default=0.8, ge=0, le=1)
    max_posts_per_day: int = Field(default=2, ge=1, le=50)
    cooldown_minutes: int = Field(default=180, ge=0)
    posts_per_week: int = Field(default=7, ge=1, le=50)
    platforms: list[str] = Field(default_factory=list)
    """Platforms to post on; empty means every connected account."""
    language: str = "en"
    niche: str = "creator-economy"
    timezone: str = "UTC"

    @field_validator("platforms")
    @classmethod
    def _known_platforms(cls, value: list[str]) -> list[str]:
        known = {p.value for p in Platform}
        unknown = [p for p in value if p not in known]
        if unknown:
            raise ValueError(f"unknown platform {unknown[0]!r}: use {', '.join(sorted(known))}")
        return list(dict.fromkeys(value))

    @field_validator("language")
    @classmethod
    def _language_code(cls, value: str) -> str:
        if not _LANGUAGE.match(value):
            raise ValueError(f"{value!r} is not a language code: use e.g. en, fr or pt-BR")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {value!r}: use an IANA name such as Europe/Paris or UTC"
            ) from None
        return value

    @field_validator("niche")
    @classmethod
    def _niche_given(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the niche cannot be empty")
        return value.strip()


class Personality(BaseModel):
    """How the twin speaks (seed 000 personality traits)."""

    traits: list[str] = Field(default_factory=lambda: ["curious", "direct", "warm"])
    humor: Literal["none", "light", "playful"] = "light"
    formality: Literal["casual", "neutral", "formal"] = "neutral"
    catchphrases: list[str] = Field(default_factory=list)


class Appearance(BaseModel):
    """How the twin looks (seed 000 appearance attributes)."""

    hair: str = ""
    eyes: str = ""
    skin_tone: str = ""
    attire: str = ""
    background: str = ""
    lighting: str = ""


class TwinConfig(BaseModel):
    """``ai_twins.config_json``."""

    personality: Personality = Field(default_factory=Personality)
    appearance: Appearance = Field(default_factory=Appearance)
    palette: list[str] = Field(default_factory=list, max_length=6)
    """Optional brand colours (#rrggbb) that override the style preset's palette."""

    @field_validator("palette")
    @classmethod
    def _colours(cls, value: list[str]) -> list[str]:
        return [hex_colour(v) for v in value]


class BrandGuidelines(BaseModel):
    """An agent's brand (seed 002 brand guidelines), stored in ``agents.brand_json``.

    The text rules (banned words, disclosure) are applied to scripts and captions by
    ``agent.creating.brand_rules.apply_brand_rules``; voice rules go to the script prompt;
    colours, font and logo go to the renderer.
    """

    voice_rules: list[str] = Field(default_factory=list)
    """How the brand speaks, one rule each ("say 'you', never 'users'")."""
    banned_words: list[str] = Field(default_factory=list)
    """Words or phrases that must not appear (whole words, any case)."""
    banned_word_action: Literal["remove", "flag"] = "remove"
    """``remove`` deletes them from the text; ``flag`` leaves the text and reports them."""
    required_disclosure: str = ""
    """A line every caption must carry (e.g. "#ad" or "Made with my AI twin")."""
    disclose_in_script: bool = False
    """Also have the twin say the disclosure at the end of the script."""
    colors: list[str] = Field(default_factory=list, max_length=6)
    """Brand colours, primary first (#rrggbb)."""
    font_path: str = ""
    """A TrueType/OpenType font file in the data dir's media folder; empty for the default."""
    logo_path: str = ""
    """A logo image in the data dir's media folder; empty for none."""

    @field_validator("voice_rules", "banned_words")
    @classmethod
    def _clean(cls, value: list[str]) -> list[str]:
        return _clean_words(value)

    @field_validator("colors")
    @classmethod
    def _colours(cls, value: list[str]) -> list[str]:
        return [hex_colour(v) for v in value]

    @field_validator("required_disclosure")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return " ".join(value.split())


class CampaignBrief(BaseModel):
    """A campaign as planning reads it: what the week is for, what to cover, how to end."""

    id: str
    name: str
    goal: str
    topics: list[str] = Field(default_factory=list)
    cta: str = ""
    start_date: date
    end_date: date | None = None
    platforms: list[str] = Field(default_factory=list)
