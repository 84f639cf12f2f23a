"""creating: per calendar item a script, speech, a rendered reel, captions and a quality score."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Context
from agent.creating.brand_rules import apply_brand_rules
from agent.creating.consent import ConsentRequiredError
from agent.creating.limits import fit_caption
from agent.creating.preparing import ItemWork, Prepared, prepare
from agent.creating.quality import assess
from agent.creating.render_pool import (
    default_workers,
    progress_writer,
    render_in_processes,
    render_serially,
)
from agent.creating.writing import write_captions
from agent.llm import StructuredOutputError
from agent.nodes.tracking import tracked
from agent.state import CycleState
from db.engine import transaction
from db.enums import CalendarItemStatus, ErrorScope, EventType, NotificationType, SubjectType
from db.models import Agent
from db.repo import creative, runs
from tools.render.aspects import aspect_path
from tools.render.base import RenderError, RenderResult
from tools.tts.base import TTSError

MAX_RENDER_ATTEMPTS = 3  # the first try plus at most two retries


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
            ready = prepare(ctx, state, work)
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
                if (
                    isinstance(exc, RenderError)
                    and attempt < MAX_RENDER_ATTEMPTS
                    and _retryable(exc)
                ):
                    retry.append(job)
                    continue
                failures.append(f"item {str(job.work.item_id)[:8]}: {exc}")
                _record_failure(ctx, state, job.work, exc)
        pending = retry
    ordered = [str(reels[i]) for i in state.get("item_ids", []) if i in reels]
    _notify_rendered(ctx, state, len(ordered), failures)
    return {"reel_ids": ordered, "revise": {}, "failures": failures}


def _render_round(
    ctx: Context, state: CycleState, jobs: list[Prepared]
) -> dict[uuid.UUID, RenderResult | RenderError]:
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
        results = render_in_processes(
            requests, db_url=ctx.settings.resolved_database_url, workers=workers
        )
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
        text["caption"], text["hashtags"] = fit_caption(
            branded.text, list(text["hashtags"]), platform
        )
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


def _renditions(
    ctx: Context, state: CycleState, job: Prepared, main: RenderResult
) -> dict[str, str]:
    """The reel in every other aspect its platforms want: aspect -> file (main render included).

    A rendition that fails leaves those platforms on the main render, with a warning event.
    """
    files: dict[str, str] = {job.request.aspect: str(main.video_path)}
    for aspect in job.extra_aspects:
        request = job.request.model_copy(
            update={
                "aspect": aspect,
                "out_path": aspect_path(job.request.out_path, aspect, job.request.aspect),
                "thumbnail_path": aspect_path(
                    job.request.thumbnail_path, aspect, job.request.aspect
                ),
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
            creative.save_rendition(
                session=session,
                user_id=job.user_id,
                job_id=job_id,
                result_path=result.video_path,
                duration_ms=result.duration_ms,
                resolution=f"{result.width}x{result.height}",
                size_bytes=result.size_bytes,
            )
        files[aspect] = str(result.video_path)
    return files


def _retryable(exc: RenderError) -> bool:
    text = str(exc).lower()
    return not any(word in text for word in ("empty", "corrupt", "shorten", "no word timings"))


def _record_failure(ctx: Context, state: CycleState, work: ItemWork, exc: BaseException) -> None:
    consent = isinstance(exc, ConsentRequiredError)
    with transaction(ctx.sessions) as session:
        creative.set_item_status(
            session=session, item_id=work.item_id, status=CalendarItemStatus.failed
        )
        runs.log_error(
            session=session,
            scope=ErrorScope.planner
            if isinstance(exc, StructuredOutputError)
            else ErrorScope.media,
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
