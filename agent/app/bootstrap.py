"""``twin init``: migrate, then create the default user, agent, twin, voice and sandbox account."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.app.avatars import ensure_avatar
from agent.app.resources import Resources, ensure_data_dir
from agent.settings import Settings
from db.crypto import Cipher
from db.engine import transaction
from db.enums import ConsentType, NicheTier, Platform, StylePreset, UserRoleName, VoiceProvider
from db.models import HookTemplate, Niche, Role, User, UserRole
from db.repo import identity
from db.repo.secrets import create_integration_key
from db.schemas import Appearance, Personality, TwinConfig

DEFAULT_EMAIL = "creator@localhost"

NICHES = [
    (
        "creator-economy",
        "Creator economy",
        NicheTier.tier1,
        ["creators", "audience", "monetization"],
    ),
    ("ai-tools", "AI tools", NicheTier.tier1, ["ai", "automation", "agents"]),
    ("web3-security", "Web3 security", NicheTier.tier2, ["web3", "security", "wallets"]),
    ("productivity", "Productivity", NicheTier.tier2, ["focus", "habits", "systems"]),
]

HOOKS = [
    ("question-why", "question", "Why does nobody talk about {topic}?"),
    ("stat-shock", "statistic", "Most people get {topic} wrong. Here is the fix."),
    ("story-mistake", "story", "Here is the {topic} mistake that costs people a week."),
    ("howto-three", "how_to", "Three steps to get {topic} right today."),
    ("contrarian", "contrarian", "Unpopular opinion: most advice on {topic} misses the point."),
    ("list-tools", "listicle", "Three tricks for {topic} worth stealing."),
]

VOICE_VARIANTS = {StylePreset.space: "m3", StylePreset.goddess: "f3", StylePreset.hyperreal: "m1"}

TWINS = [
    ("Space Twin", StylePreset.space, ["curious", "visionary"], "nebula backdrop"),
    ("Goddess Twin", StylePreset.goddess, ["warm", "inspiring"], "golden hour"),
    ("Hyperreal Twin", StylePreset.hyperreal, ["direct", "analytical"], "studio"),
]


@dataclass
class InitReport:
    created: list[str] = field(default_factory=list)
    migrated_from: str | None = None
    migrated_to: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.created) or self.migrated_from != self.migrated_to


def initialise(
    system: Resources, *, demo: bool = False, admin_password_hash: str | None = None
) -> InitReport:
    """Create what is missing and nothing else; running it twice changes nothing."""
    settings = system.settings
    ensure_data_dir(settings.data_dir)
    for sub in (settings.media_dir, settings.reports_dir):
        sub.mkdir(parents=True, exist_ok=True)
    report = InitReport()
    had_key = settings.secret_key is not None or settings.key_file.exists()
    cipher = system.cipher(create=True)
    if not had_key:
        report.created.append(f"key file {settings.key_file} (mode 600)")
    from db import migrate

    report.migrated_from = migrate.current_revision(system.engine)
    migrate.upgrade(system.engine)
    report.migrated_to = migrate.current_revision(system.engine)

    with transaction(system.sessions) as session:
        for role_name in UserRoleName:
            if session.scalar(select(Role).where(Role.name == role_name)) is None:
                session.add(Role(name=role_name, permissions_json={"admin": role_name == "admin"}))
                report.created.append(f"role {role_name.value}")
        session.flush()

        user = session.scalar(select(User).where(User.email == DEFAULT_EMAIL))
        if user is None:
            user = identity.create_user(session=session, name="Creator", email=DEFAULT_EMAIL)
            user.role = UserRoleName.admin
            for role in session.scalars(select(Role)):
                session.add(UserRole(user_id=user.id, role_id=role.id))
            identity.record_consent(
                session=session,
                user_id=user.id,
                consent_type=ConsentType.data_processing,
                granted=True,
                details="granted at twin init for local processing",
            )
            report.created.append(f"user {user.email}")
        if admin_password_hash and not user.password_hash:
            user.password_hash = admin_password_hash
            report.created.append("admin password")

        if not identity.list_agents(session=session, user_id=user.id):
            identity.create_agent(session=session, user_id=user.id)
            report.created.append("agent 'AI Twin Content Agent'")

        report.created += provision_creator(
            session=session, cipher=cipher, settings=settings, user=user, demo=demo
        )

        known_niches = {n.slug for n in session.scalars(select(Niche))}
        for slug, name, tier, keywords in NICHES:
            if slug not in known_niches:
                session.add(Niche(slug=slug, name=name, tier=tier, keywords=keywords))
                report.created.append(f"niche {slug}")
        known_hooks = {h.slug for h in session.scalars(select(HookTemplate))}
        for slug, category, template in HOOKS:
            if slug not in known_hooks:
                session.add(HookTemplate(slug=slug, category=category, template=template))
                report.created.append(f"hook template {slug}")
    return report


def provision_creator(
    *, session: Session, cipher: Cipher, settings: Settings, user: User, demo: bool = False
) -> list[str]:
    """What a creator needs to run a week: a twin with its voice and starter avatar, and a
    sandbox account; returns what was created (nothing when it all exists)."""
    created: list[str] = []
    existing_twins = {t.name for t in identity.list_twins(session=session, user_id=user.id)}
    for name, preset, traits, background in TWINS[: 3 if demo else 1]:
        if name in existing_twins:
            continue
        voice = identity.create_voice_profile(
            session=session,
            user_id=user.id,
            name=f"{name} voice",
            provider=VoiceProvider.espeak,
            voice_id_external=VOICE_VARIANTS[preset],
            settings={"speed": 1.0, "pitch": 50},
        )
        identity.create_twin(
            session=session,
            user_id=user.id,
            name=name,
            style_preset=preset,
            voice_profile_id=voice.id,
            config=TwinConfig(
                personality=Personality(traits=traits),
                appearance=Appearance(background=background),
            ),
            avatar_assets_folder=str(settings.data_dir / "twins" / preset.value),
        )
        created.append(f"twin '{name}' with voice '{voice.name}'")
    for twin in identity.list_twins(session=session, user_id=user.id):
        if twin.avatar_assets_folder and ensure_avatar(
            Path(twin.avatar_assets_folder), twin.style_preset.value
        ):
            created.append(f"starter avatar for '{twin.name}' in {twin.avatar_assets_folder}")

    accounts = identity.list_accounts(session=session, user_id=user.id)
    if not any(a.platform == Platform.sandbox for a in accounts):
        key = create_integration_key(
            session=session,
            cipher=cipher,
            user_id=user.id,
            platform=Platform.sandbox,
            access_token="sandbox-local-token",
            scopes=["publish", "insights"],
            client_app_name="sandbox",
        )
        identity.create_social_account(
            session=session,
            user_id=user.id,
            platform=Platform.sandbox,
            handle="@twin_sandbox",
            account_external_id="sandbox-1",
            integration_id=key.id,
        )
        created.append("sandbox account @twin_sandbox")
    return created
