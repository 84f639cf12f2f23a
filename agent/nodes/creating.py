"""creating: per calendar item a script, speech, a rendered reel, captions and a quality score."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from langgraph.runtime import Runtime

from agent.context import Context
from agent.creating.brand_rules import apply_brand_rules
from agent.creating.broll import broll_candidates, pick_broll
from agent.creating.consent import ConsentRequiredError, check_render_consent
from agent.creating.likeness import likeness_for
from agent.creating.limits import fit_caption
from agent.creating.quality import assess
from agent.creating.render_pool import (
    default_workers,
    progress_writer,
    render_in_processes,
    render_serially,
)
from agent.creating.writing import Brief, fit_words, shorten, write_captions, write_script
from agent.llm import StructuredOutputError
from agent.nodes.tracking import tracked
from agent.state import CycleState
from agent.trends import candidate_of
from db.engine import transaction
from db.enums import CalendarItemStatus, ErrorScope, EventType, NotificationType, SubjectType
from db.models import Agent, AITwin, CalendarItem, VoiceProfile
from db.repo import creative, planning, runs
from db.repo.brand import brand_guidelines
from db.repo.campaigns import campaign_for
from db.repo.identity import agent_policy
from db.repo.twins import twin_config
from db.schemas import BrandGuidelines
from tools.render import Brand, Cutaway, needed_aspects
from tools.render.aspects import aspect_path
from tools.render.base import Aspect, RenderError, RenderRequest, RenderResult
from tools.tts.base import SpeechResult, TTSError, VoiceSpec

MAX_RENDER_ATTEMPTS = 3  # the first try plus at most two retries
SPEECH_TAIL_SEC = 0.8
ASPECT: Literal["9_16", "1_1", "4_5"] = "9_16"


@dataclass
class ItemWork:
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


@tracked("creating")
def creating_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    revise, revisions = state.get("revise", {}), state.get("revisions", {})
    failures: list[str] = []
    reels: dict[str, uuid.UUID] = {}
    pending: list[Prepared] = []
    for raw_id in state.get("item_ids", []):
        work = ItemWork(uuid.UUID(raw_id), 1 + revisions.get(raw_id, 0), revise.get(raw_id, ""))
        try:
            ready = _prepare(ctx, state, work)
        except (StructuredOutputError, RenderError, TTSError, ConsentRequiredError) as exc:
            failures.append(f"item {raw_id[:8]}: {exc}")
            _record_failure(ctx, state, work, exc)
            continue
        if isinstance(ready, uuid.UUID):
            reels[raw_id] = ready
        elif ready is not None:
            pending.append(ready)
    for attempt in range(1, MAX_RENDER_ATTEMPTS + 1):
        if not pending:
            break
        results = _render_round(ctx, state, pending)
        retry: list[Prepared] = []
        for job in pending:
            result = results[job.job_id]
            try:
                if isinstance(result, RenderError):
                    raise result
                reels[str(job.work.item_id)] = _store(ctx, state, job, result)
            except (RenderError, StructuredOutputError) as exc:
                if isinstance(exc, RenderError) and attempt < MAX_RENDER_ATTEMPTS and _retryable(exc):
                    retry.append(job)
                    continue
                failures.append(f"item {str(job.work.item_id)[:8]}: {exc}")
                _record_failure(ctx, state, job.work, exc)
        pending = retry
    ordered = [str(reels[i]) for i in state.get("item_ids", []) if i in reels]
    _notify_rendered(ctx, state, len(ordered), failures)
    return {"reel_ids": ordered, "revise": {}, "failures": failures}


def _prepare(ctx: Context, state: CycleState, work: ItemWork) -> uuid.UUID | Prepared | None:
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
        creative.set_item_status(session=session, item_id=item.id, status=CalendarItemStatus.in_progress)
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
            tags=(trend.tags if trend and trend.tags else [w for w in item.topic.lower().split() if len(w) > 2][:4]),
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
    folder = ctx.settings.media_dir / state["agent_id"][:8] / state["week"] / f"slot{slot:02d}-r{work.revision}"
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
        speech = ctx.tools.speak(text=script.body, language=brief.language, voice=voice, out_path=folder / "speech.wav")
        spoken = speech.duration_ms / 1000
        if spoken + SPEECH_TAIL_SEC <= brief.target_sec or round_no == 2:
            return speech, script
        words = len(script.body.split())
        budget = max(12, int(words * (brief.target_sec - SPEECH_TAIL_SEC) / spoken) - 1)
        current = {"title": script.title, "hook": script.hook, "body": script.body, "tags": script.tags}
        body = (shorten(ctx, current, spoken, brief.target_sec, budget) if round_no == 0 else None) or fit_words(script.body, budget)
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


def _render_round(ctx: Context, state: CycleState, jobs: list[Prepared]) -> dict[uuid.UUID, RenderResult | RenderError]:
    """Mark the jobs processing, render them (in parallel when possible), record failures."""
    with transaction(ctx.sessions) as session:
        for job in jobs:
            attempt = creative.start_render(session=session, job_id=job.job_id)
            runs.log_event(
                session=session,
                event_type=EventType.render_started,
                subject_type=SubjectType.render,
                subject_id=job.job_id,
                user_id=job.user_id,
                run_id=uuid.UUID(state["run_id"]),
                message=f"rendering '{job.script.title}' (attempt {attempt})",
                at=ctx.clock.now(),
            )
    requests = [(job.job_id, job.request) for job in jobs]
    workers = ctx.settings.render_workers or default_workers()
    if ctx.tools.render_many is not None:
        results = ctx.tools.render_many(requests)
    elif ctx.tools.render_in_processes and workers > 1 and len(requests) > 1:
        results = render_in_processes(requests, db_url=ctx.settings.resolved_database_url, workers=workers)
    else:
        results = render_serially(requests, render=ctx.tools.render, sessions=ctx.sessions)
    with transaction(ctx.sessions) as session:
        for job_id, result in results.items():
            if isinstance(result, RenderError):
                creative.render_failed(session=session, job_id=job_id, message=str(result))
    return results


def _store(ctx: Context, state: CycleState, job: Prepared, result: RenderResult) -> uuid.UUID:
    """Captions, quality and the rows of a rendered reel."""
    captions = write_captions(ctx, job.brief, job.script.title, job.script.hook, job.script.tags)
    flagged: list[str] = []
    for platform, text in captions.items():
        branded = apply_brand_rules(str(text["caption"]), job.brand, kind="caption")
        text["caption"], text["hashtags"] = fit_caption(branded.text, list(text["hashtags"]), platform)
        flagged += branded.flagged
    renditions = _renditions(ctx, state, job, result)
    quality = assess(
        body=job.script.body,
        hook=job.script.hook,
        duration_sec=result.duration_ms / 1000,
        target_sec=job.brief.target_sec,
        platform_captions=captions,
        render_warnings=result.warnings,
        topic=job.brief.topic,
        tags=job.brief.tags,
        material=[*job.brief.points, job.brief.summary],
    )
    with transaction(ctx.sessions) as session:
        reel = creative.save_reel(
            session=session,
            user_id=job.user_id,
            job_id=job.job_id,
            item_id=job.work.item_id,
            files=creative.RenderedFiles(
                video_path=result.video_path,
                thumbnail_path=result.thumbnail_path,
                audio_path=Path(job.speech.audio_path),
                duration_ms=result.duration_ms,
                audio_duration_ms=job.speech.duration_ms,
                width=result.width,
                height=result.height,
                codec=f"{result.video_codec}+{result.audio_codec}",
                size_bytes=result.size_bytes,
                audio_meta={"engine": job.speech.engine, "voice": job.speech.voice},
            ),
            text=creative.ReelText(
                title=job.script.title,
                captions=captions,
                fallback_caption=job.script.hook,
                quality_score=quality.score,
                quality_checks={
                    "checks": quality.checks,
                    "issues": quality.issues,
                    "brand_flagged": sorted(set(flagged)),
                    "renditions": renditions,
                },
            ),
            aspect=job.request.aspect,
        )
        runs.log_event(
            session=session,
            event_type=EventType.render_succeeded,
            subject_type=SubjectType.reel,
            subject_id=reel.id,
            user_id=job.user_id,
            run_id=uuid.UUID(state["run_id"]),
            message=f"reel '{reel.title}' {result.duration_ms / 1000:.1f}s, quality {quality.score:.2f}",
            meta={"path": str(result.video_path), "issues": quality.issues},
            at=ctx.clock.now(),
        )
        ctx.report("creating", f"rendered '{reel.title}' -> {result.video_path}")
        return reel.id


def _renditions(ctx: Context, state: CycleState, job: Prepared, main: RenderResult) -> dict[str, str]:
    """The reel in every other aspect its platforms want: aspect -> file (main render included).

    A rendition that fails leaves those platforms on the main render, with a warning event.
    """
    files: dict[str, str] = {job.request.aspect: str(main.video_path)}
    for aspect in job.extra_aspects:
        request = job.request.model_copy(
            update={
                "aspect": aspect,
                "out_path": aspect_path(job.request.out_path, aspect, job.request.aspect),
                "thumbnail_path": aspect_path(job.request.thumbnail_path, aspect, job.request.aspect),
            }
        )
        with transaction(ctx.sessions) as session:
            job_id = creative.render_job(
                session=session,
                user_id=job.user_id,
                twin_id=job.twin_id,
                script_id=job.script.id,
                voice_id=job.voice_id,
                aspect=aspect,
                target_sec=job.brief.target_sec,
            )
            creative.start_render(session=session, job_id=job_id)
        try:
            result = ctx.tools.render(request, progress_writer(ctx.sessions, job_id))
        except RenderError as exc:
            with transaction(ctx.sessions) as session:
                creative.render_failed(session=session, job_id=job_id, message=str(exc))
            continue
        with transaction(ctx.sessions) as session:
            creative.save_rendition(session=session, user_id=job.user_id, job_id=job_id, result_path=result.video_path,
                                    duration_ms=result.duration_ms, resolution=f"{result.width}x{result.height}",
                                    size_bytes=result.size_bytes)
        files[aspect] = str(result.video_path)
    return files


def _retryable(exc: RenderError) -> bool:
    text = str(exc).lower()
    return not any(word in text for word in ("empty", "corrupt", "shorten", "no word timings"))


def _record_failure(ctx: Context, state: CycleState, work: ItemWork, exc: BaseException) -> None:
    consent = isinstance(exc, ConsentRequiredError)
    with transaction(ctx.sessions) as session:
        creative.set_item_status(session=session, item_id=work.item_id, status=CalendarItemStatus.failed)
        runs.log_error(
            session=session,
            scope=ErrorScope.planner if isinstance(exc, StructuredOutputError) else ErrorScope.media,
            message=str(exc),
            run_id=uuid.UUID(state["run_id"]),
            context={"calendar_item_id": str(work.item_id), "revision": work.revision},
            exc=None if consent else exc,
        )
        runs.log_event(
            session=session,
            event_type=EventType.consent_refused if consent else EventType.error,
            subject_type=SubjectType.calendar,
            subject_id=work.item_id,
            agent_id=uuid.UUID(state["agent_id"]),
            run_id=uuid.UUID(state["run_id"]),
            message=str(exc),
            at=ctx.clock.now(),
        )


def _notify_rendered(ctx: Context, state: CycleState, made: int, failures: list[str]) -> None:
    """One render_complete notification per creating pass (a re-run does not repeat it)."""
    with transaction(ctx.sessions) as session:
        agent = session.get(Agent, uuid.UUID(state["agent_id"]))
        if agent is None:
            return
        runs.notify_once(
            session=session,
            user_id=agent.user_id,
            type=NotificationType.render_complete,
            dedupe_key=f"render:{state['run_id']}:{state.get('review_round', 0)}",
            payload={
                "run_id": state["run_id"],
                "reels": made,
                "failed": len(failures),
                "deeplink": f"/runs/{state['run_id']}",
            },
        )
