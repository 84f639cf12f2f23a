"""creating: per calendar item a script, speech, a rendered reel, captions and a quality score."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from sqlalchemy import select

from agent.context import Context
from agent.creating.consent import ConsentRequiredError, check_render_consent
from agent.creating.limits import fit_caption, limits_for
from agent.creating.quality import assess
from agent.creating.render_pool import default_workers, render_all
from agent.llm import StructuredOutputError, invoke_structured
from agent.nodes.tracking import ask, tracked
from agent.schemas import MAX_SCRIPT_WORDS, CaptionDraft, ScriptDraft
from agent.state import CycleState
from db.engine import transaction
from db.enums import (
    AssetType,
    CalendarItemStatus,
    ErrorScope,
    EventType,
    NotificationType,
    RenderStatus,
    SubjectType,
)
from db.models import (
    Agent,
    AITwin,
    CalendarItem,
    MediaAsset,
    RenderJob,
    Script,
    VideoReel,
    VoiceProfile,
)
from db.repo.identity import agent_policy
from db.repo.runs import log_error, log_event, notify_once
from tools.render.base import RenderError, RenderRequest, RenderResult
from tools.tts.base import TTSError, VoiceSpec

MAX_RENDER_ATTEMPTS = 3  # the first try plus at most two retries
MAX_SHORTEN_ROUNDS = 2
SPEECH_TAIL_SEC = 0.8


@dataclass
class ItemWork:
    item_id: uuid.UUID
    revision: int
    feedback: str


@dataclass
class Prepared:
    """An item whose script and speech are ready and whose RenderJob row exists."""

    work: ItemWork
    info: dict[str, Any]
    script: dict[str, Any]
    speech: Any
    job_id: uuid.UUID
    request: RenderRequest


@tracked("creating")
def creating_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    revise = state.get("revise", {})
    revisions = state.get("revisions", {})
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


def _notify_rendered(ctx: Context, state: CycleState, made: int, failures: list[str]) -> None:
    """One render_complete notification per creating pass (a re-run does not repeat it)."""
    with transaction(ctx.sessions) as session:
        agent = session.get(Agent, uuid.UUID(state["agent_id"]))
        if agent is None:
            return
        notify_once(
            session=session,
            user_id=agent.user_id,
            type=NotificationType.render_complete,
            dedupe_key=f"render:{state['run_id']}:{state.get('review_round', 0)}",
            payload={"run_id": state["run_id"], "reels": made, "failed": len(failures), "deeplink": f"/runs/{state['run_id']}"},
        )


def _retryable(exc: RenderError) -> bool:
    text = str(exc).lower()
    return not any(word in text for word in ("empty", "corrupt", "shorten", "no word timings"))


def _record_failure(ctx: Context, state: CycleState, work: ItemWork, exc: BaseException) -> None:
    consent = isinstance(exc, ConsentRequiredError)
    with transaction(ctx.sessions) as session:
        item = session.get(CalendarItem, work.item_id)
        if item is not None:
            item.status = CalendarItemStatus.failed
        log_error(
            session=session,
            scope=ErrorScope.media if not isinstance(exc, StructuredOutputError) else ErrorScope.planner,
            message=str(exc),
            run_id=uuid.UUID(state["run_id"]),
            context={"calendar_item_id": str(work.item_id), "revision": work.revision},
            exc=None if consent else exc,
        )
        log_event(
            session=session,
            event_type=EventType.consent_refused if consent else EventType.error,
            subject_type=SubjectType.calendar,
            subject_id=work.item_id,
            agent_id=uuid.UUID(state["agent_id"]),
            run_id=uuid.UUID(state["run_id"]),
            message=str(exc),
            at=ctx.clock.now(),
        )


def _prepare(ctx: Context, state: CycleState, work: ItemWork) -> uuid.UUID | Prepared | None:
    """Script and speech for an item, and its RenderJob; the existing reel if it has one."""
    run_id = uuid.UUID(state["run_id"])
    with transaction(ctx.sessions) as session:
        item = session.get(CalendarItem, work.item_id)
        if item is None or item.status == CalendarItemStatus.skipped:
            return None
        existing = _current_reel(session, item, work.revision)
        if existing is not None:  # made before a crash or an earlier pass
            return existing.id
        agent = session.get(Agent, uuid.UUID(state["agent_id"]))
        twin = session.get(AITwin, item.ai_twin_id) if item.ai_twin_id else None
        assert agent is not None and twin is not None
        voice = session.get(VoiceProfile, twin.voice_profile_id) if twin.voice_profile_id else None
        check_render_consent(session=session, twin=twin, voice=voice)
        policy = agent_policy(agent)
        item.status = CalendarItemStatus.in_progress
        info = {
            "user_id": agent.user_id,
            "language": policy.language,
            "topic": item.topic,
            "hook": item.hook,
            "pillar": item.content_pillar.value,
            "tone": item.tone.value,
            "target": min(int(item.target_length_sec), 30),
            "platforms": list(item.planned_platforms),
            "twin": {"name": twin.name, "style": twin.style_preset.value, "folder": twin.avatar_assets_folder,
                     "personality": twin.config_json.get("personality", {})},
            "voice": VoiceSpec(
                provider=voice.provider.value if voice else "espeak",
                voice_id=voice.voice_id_external if voice else "",
                settings=voice.settings_json if voice else {},
                cloned=bool(voice and voice.is_cloned),
            ),
            "voice_id": voice.id if voice else None,
            "twin_id": twin.id,
            "slot": item.slot,
        }
        script = _existing_script(session, item.id, work.revision)
    folder = ctx.settings.media_dir / state["agent_id"][:8] / state["week"] / f"slot{info['slot']:02d}-r{work.revision}"
    folder.mkdir(parents=True, exist_ok=True)

    if script is None:
        draft = _write_script(ctx, info, work.feedback)
        script = _save_script(ctx, info, work, draft, run_id)
    speech, script = _speak_within_target(ctx, info, script, folder)
    job_id = _render_job(ctx, state, info, script)
    return Prepared(work, info, script, speech, job_id, _render_request(ctx, info, script, speech, folder))


def _current_reel(session: Any, item: CalendarItem, revision: int) -> VideoReel | None:
    script_id = session.scalar(
        select(Script.id).where(Script.calendar_item_id == item.id, Script.revision == revision)
    )
    if script_id is None:
        return None
    reel: VideoReel | None = session.scalar(
        select(VideoReel).join(RenderJob, RenderJob.id == VideoReel.render_id).where(RenderJob.script_id == script_id)
    )
    if reel is not None and Path(reel.storage_uri).is_file():
        return reel
    return None


def _existing_script(session: Any, item_id: uuid.UUID, revision: int) -> dict[str, Any] | None:
    row = session.scalar(select(Script).where(Script.calendar_item_id == item_id, Script.revision == revision))
    if row is None:
        return None
    return {"id": row.id, "title": row.title, "hook": row.hook, "body": row.body_text, "tags": list(row.tags)}


def _write_script(ctx: Context, info: dict[str, Any], feedback: str) -> ScriptDraft:
    inputs = {
        "topic": info["topic"],
        "hook": info["hook"],
        "pillar": info["pillar"],
        "tone": info["tone"],
        "language": info["language"],
        "target_length_sec": info["target"],
        "max_words": MAX_SCRIPT_WORDS,
        "twin": info["twin"]["name"],
        "personality": info["twin"]["personality"],
        "tags": [w for w in info["topic"].lower().split() if len(w) > 2][:4],
        "platforms": info["platforms"],
        "reviewer_feedback": feedback,
    }
    prompt = ask(ctx, "script")
    return invoke_structured(
        ctx.chat_model,
        ScriptDraft,
        prompt.messages(max_words=MAX_SCRIPT_WORDS, inputs=json.dumps(inputs, indent=1)),
        config={"callbacks": [ctx.usage]},
    )


def _save_script(ctx: Context, info: dict[str, Any], work: ItemWork, draft: ScriptDraft, run_id: uuid.UUID) -> dict[str, Any]:
    with transaction(ctx.sessions) as session:
        row = Script(
            user_id=info["user_id"],
            calendar_item_id=work.item_id,
            revision=work.revision,
            title=draft.title,
            hook=draft.hook,
            body_text=draft.body,
            tone=info["tone"],
            language=info["language"],
            tags=draft.tags,
            platform_targets=info["platforms"],
            edit_history_json=[{"at": ctx.clock.now().isoformat(), "editor": "agent", "delta": "created"}]
            + ([{"at": ctx.clock.now().isoformat(), "editor": "reviewer", "delta": work.feedback}] if work.feedback else []),
        )
        session.add(row)
        session.flush()
        item = session.get(CalendarItem, work.item_id)
        assert item is not None
        item.script_id = row.id
        log_event(
            session=session,
            event_type=EventType.script_generated,
            subject_type=SubjectType.script,
            subject_id=row.id,
            user_id=info["user_id"],
            run_id=run_id,
            message=f"script '{draft.title}' ({len(draft.body.split())} words, revision {work.revision})",
            at=ctx.clock.now(),
        )
        return {"id": row.id, "title": row.title, "hook": row.hook, "body": row.body_text, "tags": list(row.tags)}


def _speak_within_target(ctx: Context, info: dict[str, Any], script: dict[str, Any], folder: Path) -> tuple[Any, dict[str, Any]]:
    """Synthesize; if the speech runs past the target, have the model shorten the script."""
    target = info["target"]
    for round_no in range(MAX_SHORTEN_ROUNDS + 1):
        speech = ctx.tools.speak(
            text=script["body"], language=info["language"], voice=info["voice"], out_path=folder / "speech.wav"
        )
        spoken = speech.duration_ms / 1000
        if spoken + SPEECH_TAIL_SEC <= target:
            return speech, script
        if round_no == MAX_SHORTEN_ROUNDS:
            break
        max_words = max(20, int(len(script["body"].split()) * (target - SPEECH_TAIL_SEC) / spoken) - 2)
        prompt = ask(ctx, "shorten")
        inputs = {"current_script": {k: script[k] for k in ("title", "hook", "body", "tags")}, "max_words": max_words}
        draft = invoke_structured(
            ctx.chat_model,
            ScriptDraft,
            prompt.messages(spoken_sec=f"{spoken:.1f}", target_sec=target, max_words=max_words, inputs=json.dumps(inputs, indent=1)),
            config={"callbacks": [ctx.usage]},
        )
        with transaction(ctx.sessions) as session:
            row = session.get(Script, script["id"])
            assert row is not None
            row.body_text = draft.body
            row.edit_history_json = [*row.edit_history_json, {"at": ctx.clock.now().isoformat(), "editor": "agent", "delta": f"shortened from {spoken:.1f}s to fit {target}s"}]
        script = {**script, "body": draft.body}
    raise RenderError(f"speech runs {spoken:.1f}s, over the {target}s target, even after shortening")


def _render_job(ctx: Context, state: CycleState, info: dict[str, Any], script: dict[str, Any]) -> uuid.UUID:
    with transaction(ctx.sessions) as session:
        job = session.scalar(select(RenderJob).where(RenderJob.script_id == script["id"], RenderJob.target_aspect == "9_16"))
        if job is None:
            job = RenderJob(
                user_id=info["user_id"],
                ai_twin_id=info["twin_id"],
                script_id=script["id"],
                tts_voice_profile_id=info["voice_id"],
                target_aspect="9_16",
                target_duration_sec=info["target"],
                status=RenderStatus.queued,
            )
            session.add(job)
            session.flush()
        return job.id


def _render_request(ctx: Context, info: dict[str, Any], script: dict[str, Any], speech: Any, folder: Path) -> RenderRequest:
    avatar = Path(info["twin"]["folder"]) if info["twin"]["folder"] else None
    return RenderRequest(
        title=script["title"],
        script_text=script["body"],
        speech=speech,
        style_preset=info["twin"]["style"],
        aspect="9_16",
        avatar_dir=avatar if avatar and avatar.is_dir() else None,
        target_duration_sec=info["target"],
        out_path=folder / "reel.mp4",
        thumbnail_path=folder / "thumb.jpg",
        language=info["language"],
        quality="draft" if ctx.render_quality == "draft" else "full",
    )


def _render_round(ctx: Context, state: CycleState, jobs: list[Prepared]) -> dict[uuid.UUID, RenderResult | RenderError]:
    """Mark the jobs processing, render them (in parallel when possible), record failures."""
    run_id = uuid.UUID(state["run_id"])
    with transaction(ctx.sessions) as session:
        for job in jobs:
            row = session.get(RenderJob, job.job_id)
            assert row is not None
            row.status = RenderStatus.processing
            row.attempts += 1
            row.progress_pct = 0.0
            log_event(session=session, event_type=EventType.render_started, subject_type=SubjectType.render, subject_id=job.job_id,
                      user_id=job.info["user_id"], run_id=run_id,
                      message=f"rendering '{job.script['title']}' (attempt {row.attempts})", at=ctx.clock.now())
    results = render_all(
        [(job.job_id, job.request) for job in jobs],
        render=ctx.tools.render,
        progress_for=lambda job_id: _progress_writer(ctx, job_id),
        db_url=ctx.settings.resolved_database_url,
        workers=ctx.settings.render_workers or default_workers(),
        parallel=ctx.tools.render_in_processes,
    )
    with transaction(ctx.sessions) as session:
        for job_id, result in results.items():
            if isinstance(result, RenderError):
                row = session.get(RenderJob, job_id)
                assert row is not None
                row.status = RenderStatus.failed
                row.error_json = {"message": str(result), "attempt": row.attempts}
    return results


def _store(ctx: Context, state: CycleState, job: Prepared, result: RenderResult) -> uuid.UUID:
    """Captions, quality and the rows of a rendered reel."""
    run_id = uuid.UUID(state["run_id"])
    info, script, speech, work, job_id = job.info, job.script, job.speech, job.work, job.job_id
    captions = _captions(ctx, info, script)
    quality = assess(
        body=script["body"],
        hook=script["hook"],
        duration_sec=result.duration_ms / 1000,
        target_sec=info["target"],
        platform_captions=captions,
        render_warnings=result.warnings,
    )
    with transaction(ctx.sessions) as session:
        video = MediaAsset(user_id=info["user_id"], type=AssetType.video, uri=str(result.video_path),
                           duration_ms=result.duration_ms, resolution=f"{result.width}x{result.height}",
                           codec=f"{result.video_codec}+{result.audio_codec}", size_bytes=result.size_bytes,
                           metadata_json={"render_id": str(job_id)})
        thumb = MediaAsset(user_id=info["user_id"], type=AssetType.thumbnail, uri=str(result.thumbnail_path),
                           resolution=f"{result.width}x{result.height}", codec="jpeg",
                           size_bytes=result.thumbnail_path.stat().st_size)
        audio = MediaAsset(user_id=info["user_id"], type=AssetType.audio, uri=str(speech.audio_path),
                           duration_ms=speech.duration_ms, codec="pcm_s16le", size_bytes=Path(speech.audio_path).stat().st_size,
                           metadata_json={"engine": speech.engine, "voice": speech.voice})
        session.add_all([video, thumb, audio])
        session.flush()
        row = session.get(RenderJob, job_id)
        assert row is not None
        row.status = RenderStatus.succeeded
        row.progress_pct = 100.0
        row.output_asset_id = video.id
        row.input_assets = [str(audio.id)]
        row.error_json = None
        first = captions[next(iter(captions))] if captions else {"caption": script["hook"], "hashtags": []}
        reel = VideoReel(
            user_id=info["user_id"],
            render_id=job_id,
            calendar_item_id=work.item_id,
            title=script["title"],
            caption_text=str(first["caption"]),
            hashtags=[str(t) for t in first["hashtags"]],
            platform_captions_json=captions,
            length_sec=round(result.duration_ms / 1000),
            aspect_ratio="9_16",
            quality_score=quality.score,
            quality_checks_json={"checks": quality.checks, "issues": quality.issues},
            synthetic_media=True,
            storage_uri=str(result.video_path),
            thumbnail_asset_id=thumb.id,
        )
        session.add(reel)
        session.flush()
        item = session.get(CalendarItem, work.item_id)
        assert item is not None
        item.status = CalendarItemStatus.render_ready
        log_event(session=session, event_type=EventType.render_succeeded, subject_type=SubjectType.reel, subject_id=reel.id,
                  user_id=info["user_id"], run_id=run_id,
                  message=f"reel '{reel.title}' {result.duration_ms / 1000:.1f}s, quality {quality.score:.2f}",
                  meta={"path": str(result.video_path), "issues": quality.issues}, at=ctx.clock.now())
        ctx.report("creating", f"rendered '{reel.title}' -> {result.video_path}")
        return reel.id


def _progress_writer(ctx: Context, job_id: uuid.UUID) -> Any:
    last = {"pct": -10.0}

    def update(pct: float) -> None:
        if pct - last["pct"] < 10 and pct < 100:
            return
        last["pct"] = pct
        with transaction(ctx.sessions) as session:
            job = session.get(RenderJob, job_id)
            if job is not None:
                job.progress_pct = round(pct, 1)

    return update


def _captions(ctx: Context, info: dict[str, Any], script: dict[str, Any]) -> dict[str, dict[str, Any]]:
    prompt = ask(ctx, "captions")
    inputs = {
        "title": script["title"],
        "topic": info["topic"],
        "hook": script["hook"],
        "tags": script["tags"],
        "tone": info["tone"],
        "platform_limits": {p: {"max_chars": limits_for(p).max_chars, "max_hashtags": limits_for(p).max_hashtags} for p in info["platforms"]},
    }
    draft = invoke_structured(ctx.chat_model, CaptionDraft, prompt.messages(inputs=json.dumps(inputs, indent=1)), config={"callbacks": [ctx.usage]})
    result: dict[str, dict[str, Any]] = {}
    for platform in info["platforms"]:
        caption, tags = fit_caption(draft.caption, draft.hashtags, platform)
        result[platform] = {"caption": caption, "hashtags": tags}
    return result
