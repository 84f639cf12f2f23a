"""Preparing a calendar item for the creating node: its script (written once, branded, saved),
speech that fits the decided length, the RenderJob row and the render request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from agent.context import Context
from agent.creating.brand_rules import apply_brand_rules
from agent.creating.broll import broll_candidates, pick_broll
from agent.creating.consent import check_render_consent
from agent.creating.likeness import likeness_for
from agent.creating.writing import Brief, fit_words, shorten, write_script
from agent.state import CycleState
from agent.trends import candidate_of
from db.engine import transaction
from db.enums import CalendarItemStatus, EventType, SubjectType
from db.models import Agent, AITwin, CalendarItem, VoiceProfile
from db.repo import creative, planning, runs
from db.repo.brand import brand_guidelines
from db.repo.campaigns import campaign_for
from db.repo.identity import agent_policy
from db.repo.twins import twin_config
from db.schemas import BrandGuidelines
from tools.render import Brand, Cutaway, needed_aspects
from tools.render.base import Aspect, RenderRequest
from tools.tts.base import SpeechResult, VoiceSpec

__all__ = ["ASPECT", "SPEECH_TAIL_SEC", "ItemWork", "Prepared", "prepare"]

SPEECH_TAIL_SEC = 0.8
"""Seconds a reel runs on after its speech ends; speech plus this must fit the target length."""
ASPECT: Literal["9_16", "1_1", "4_5"] = "9_16"
"""The main render's aspect when the item's platforms ask for none."""


@dataclass
class ItemWork:
    """One calendar item to make: which revision of its script, and the reviewer's feedback."""

    item_id: uuid.UUID
    revision: int
    feedback: str


@dataclass
class Prepared:
    """An item whose script and speech are ready and whose RenderJob row exists."""

    work: ItemWork
    user_id: uuid.UUID
    brief: Brief
    script: creative.ScriptText
    speech: SpeechResult
    job_id: uuid.UUID
    request: RenderRequest
    brand: BrandGuidelines
    extra_aspects: list[Aspect]
    """Aspects some of the item's platforms want besides the main render's."""
    twin_id: uuid.UUID
    voice_id: uuid.UUID | None


def prepare(ctx: Context, state: CycleState, work: ItemWork) -> uuid.UUID | Prepared | None:
    """Script and speech for an item, and its RenderJob; the existing reel if it has one."""
    with transaction(ctx.sessions) as session:
        item = session.get(CalendarItem, work.item_id)
        if item is None or item.status == CalendarItemStatus.skipped:
            return None
        existing = creative.current_reel(session=session, item_id=item.id, revision=work.revision)
        if existing is not None:  # made before a crash or an earlier pass
            return existing.id
        agent = session.get(Agent, uuid.UUID(state["agent_id"]))
        twin = session.get(AITwin, item.ai_twin_id) if item.ai_twin_id else None
        assert agent is not None and twin is not None
        voice = session.get(VoiceProfile, twin.voice_profile_id) if twin.voice_profile_id else None
        check_render_consent(session=session, twin=twin, voice=voice)
        creative.set_item_status(
            session=session, item_id=item.id, status=CalendarItemStatus.in_progress
        )
        row = planning.latest_trend(session=session, topic=item.topic)
        trend = candidate_of(row) if row is not None else None
        brand = brand_guidelines(agent)
        campaign = campaign_for(session=session, agent=agent, week=state["week"])
        likeness = likeness_for(session=session, twin=twin)
        palette = twin_config(twin).palette or brand.colors
        broll = broll_candidates(session=session, user_id=agent.user_id, twin_id=twin.id)
        brief = Brief(
            topic=item.topic,
            hook=item.hook,
            pillar=item.content_pillar.value,
            tone=item.tone.value,
            language=agent_policy(agent).language,
            target_sec=min(int(item.target_length_sec), 30),
            platforms=list(item.planned_platforms),
            twin=twin.name,
            personality=dict(twin.config_json.get("personality", {})),
            tags=(
                trend.tags
                if trend and trend.tags
                else [w for w in item.topic.lower().split() if len(w) > 2][:4]
            ),
            points=trend.points if trend else [],
            summary=trend.summary if trend else "",
            link=trend.link if trend else None,
            voice_rules=list(brand.voice_rules),
            catchphrases=list(twin_config(twin).personality.catchphrases),
            cta=campaign.cta if campaign else "",
        )
        user_id, twin_id, slot = agent.user_id, twin.id, item.slot
        voice_id = voice.id if voice else None
        spec = VoiceSpec(
            provider=voice.provider.value if voice else "espeak",
            voice_id=voice.voice_id_external if voice else "",
            settings=voice.settings_json if voice else {},
            cloned=bool(voice and voice.is_cloned),
        )
        style = twin.style_preset.value
        # a twin built from the creator's likeness never falls back to their stored avatar
        folder_hint = "" if twin.uses_real_likeness else twin.avatar_assets_folder
        script = creative.script_for(session=session, item_id=item.id, revision=work.revision)
    folder = (
        ctx.settings.media_dir
        / state["agent_id"][:8]
        / state["week"]
        / f"slot{slot:02d}-r{work.revision}"
    )
    folder.mkdir(parents=True, exist_ok=True)
    if script is None:
        draft = write_script(ctx, brief, work.feedback)
        draft.body = apply_brand_rules(draft.body, brand, kind="script").text
        script = _save_script(ctx, state, user_id, brief, work, draft)
    speech, script = _speak_within_target(ctx, brief, spec, script, folder)
    aspects = needed_aspects(brief.platforms, ctx.settings.aspect_overrides) or [ASPECT]
    with transaction(ctx.sessions) as session:
        job_id = creative.render_job(
            session=session,
            user_id=user_id,
            twin_id=twin_id,
            script_id=script.id,
            voice_id=voice_id,
            aspect=aspects[0],
            target_sec=brief.target_sec,
        )
    avatar = Path(folder_hint) if folder_hint else None
    request = RenderRequest(
        title=script.title,
        script_text=script.body,
        speech=speech,
        style_preset=cast(Any, style),
        aspect=aspects[0],
        avatar_dir=avatar if avatar and avatar.is_dir() else None,
        likeness=likeness,
        brand=Brand(
            palette=palette,
            font_path=_media(ctx, brand.font_path),
            logo_path=_media(ctx, brand.logo_path),
            disclosure=brand.required_disclosure[:120] or None,
        ),
        cutaways=[
            Cutaway(path=pick.candidate.path)
            for pick in pick_broll(f"{script.title} {script.body}", broll, limit=2)
        ],
        target_duration_sec=brief.target_sec,
        out_path=folder / "reel.mp4",
        thumbnail_path=folder / "thumb.jpg",
        language=brief.language,
        quality="draft" if ctx.render_quality == "draft" else "full",
    )
    return Prepared(
        work, user_id, brief, script, speech, job_id, request, brand, aspects[1:], twin_id, voice_id
    )


def _media(ctx: Context, stored: str) -> Path | None:
    """A brand file the creator stored (relative to the media folder, or absolute)."""
    if not stored:
        return None
    path = Path(stored) if Path(stored).is_absolute() else ctx.settings.media_dir / stored
    return path if path.is_file() else None


def _save_script(
    ctx: Context, state: CycleState, user_id: uuid.UUID, brief: Brief, work: ItemWork, draft: Any
) -> creative.ScriptText:
    now = ctx.clock.now().isoformat()
    history = [{"at": now, "editor": "agent", "delta": "created"}]
    if work.feedback:
        history.append({"at": now, "editor": "reviewer", "delta": work.feedback})
    with transaction(ctx.sessions) as session:
        script = creative.save_script(
            session=session,
            user_id=user_id,
            item_id=work.item_id,
            revision=work.revision,
            title=draft.title,
            hook=draft.hook,
            body=draft.body,
            tags=list(draft.tags),
            tone=brief.tone,
            language=brief.language,
            platforms=brief.platforms,
            history=history,
        )
        runs.log_event(
            session=session,
            event_type=EventType.script_generated,
            subject_type=SubjectType.script,
            subject_id=script.id,
            user_id=user_id,
            run_id=uuid.UUID(state["run_id"]),
            message=f"script '{draft.title}' ({len(draft.body.split())} words, revision {work.revision})",
            at=ctx.clock.now(),
        )
        return script


def _speak_within_target(
    ctx: Context, brief: Brief, voice: VoiceSpec, script: creative.ScriptText, folder: Path
) -> tuple[SpeechResult, creative.ScriptText]:
    """Synthesize; a script spoken past its decided length is shortened by the model once, then
    cut in code (the length is a decision, not a request)."""
    for round_no in range(3):
        speech = ctx.tools.speak(
            text=script.body, language=brief.language, voice=voice, out_path=folder / "speech.wav"
        )
        spoken = speech.duration_ms / 1000
        if spoken + SPEECH_TAIL_SEC <= brief.target_sec or round_no == 2:
            return speech, script
        words = len(script.body.split())
        budget = max(12, int(words * (brief.target_sec - SPEECH_TAIL_SEC) / spoken) - 1)
        current = {
            "title": script.title,
            "hook": script.hook,
            "body": script.body,
            "tags": script.tags,
        }
        body = (
            shorten(ctx, current, spoken, brief.target_sec, budget) if round_no == 0 else None
        ) or fit_words(script.body, budget)
        with transaction(ctx.sessions) as session:
            creative.rewrite_script(
                session=session,
                script_id=script.id,
                body=body,
                at=ctx.clock.now(),
                delta=f"shortened from {spoken:.1f}s to fit {brief.target_sec}s",
            )
        script = creative.ScriptText(script.id, script.title, script.hook, body, script.tags)
    return speech, script
