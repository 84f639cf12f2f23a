"""adapting: cumulative evidence + the creator's ratings -> a StrategyUpdate (seed 003 s13.1) -> memory."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from langgraph.runtime import Runtime
from sqlalchemy import select

from agent.analysis import (
    PostOutcome,
    cumulative_evidence,
    interactions,
    label_topics,
    load_outcomes,
    platform_means,
    post_observations,
    published_posts,
    score_outcomes,
)
from agent.context import Context
from agent.llm import StructuredOutputError, invoke_structured
from agent.nodes.analyzing import report_folder
from agent.nodes.tracking import ask, tracked
from agent.planning.adjustments import derive_adjustments
from agent.planning.feedback import FEEDBACK_WEIGHT, RatedItem, rated_items
from agent.planning.learning import Evidence, OptionStats, evidence_to_json
from agent.planning.model import EffectModel, Observation, estimates
from agent.planning.topics import clusters_for
from agent.schemas import StrategyNarrative
from agent.state import CycleState
from agent.weeks import parse_week
from db.engine import transaction
from db.enums import EventType, NotificationType, SubjectType
from db.models import Agent, StrategyUpdate, WeeklyReport
from db.repo.identity import agent_policy
from db.repo.runs import log_event, notify_once
from tools.reports import ReportData, write_report_files


@tracked("adapting")
def adapting_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    agent_id = uuid.UUID(state["agent_id"])
    now = ctx.clock.now()
    maturity = timedelta(hours=ctx.settings.metrics_maturity_hours)
    with ctx.sessions() as session:
        agent = session.get(Agent, agent_id)
        assert agent is not None
        user_id, tz = agent.user_id, ZoneInfo(agent_policy(agent).timezone)
        report = (
            session.get(WeeklyReport, uuid.UUID(state["report_id"]))
            if state.get("report_id")
            else None
        )
        outcomes = load_outcomes(
            session,
            published_posts(session, user_id=user_id, end=now),
            tz=tz,
            now=now,
            maturity=maturity,
        )
        score_outcomes(outcomes, platform_means(outcomes))
        ratings = rated_items(session, user_id=user_id)
        report_id = report.id if report else None
    clusters = clusters_for(ctx.memory)
    label_topics(outcomes, clusters)
    mapping = clusters.labels(
        [r.features["topic"] for r in ratings], anchors=[o.features["topic"] for o in outcomes]
    )
    for rating in ratings:
        rating.features["topic"] = mapping.get(rating.features["topic"], rating.features["topic"])
    evidence = with_ratings(cumulative_evidence(outcomes, now), ratings)
    observations = post_observations(outcomes, now)
    observations += [Observation(r.features, r.score, FEEDBACK_WEIGHT) for r in ratings]
    per_platform = _per_platform(outcomes, now)
    # What the strategy says comes from the same joint model planning draws from, so "less X"
    # means the evidence, adjusted for everything else those posts used, is against X.
    if observations:
        overall = estimates(EffectModel(observations))
        adjustments, reasons = derive_adjustments(
            overall,
            {  # one platform holding every observation is the overall fit: no second fit
                platform: overall
                if len(mine) == len(observations)
                else estimates(EffectModel(mine))
                for platform, mine in _by_platform(observations).items()
            },
        )
    else:
        adjustments, reasons = derive_adjustments(evidence, per_platform)
    reasons["feedback"] = {
        "ratings": len(ratings),
        "mean_rating": round(sum(r.rating for r in ratings) / len(ratings), 2) if ratings else None,
    }
    narrative = _narrative(ctx, state, adjustments, reasons)
    effective = parse_week(state["week"]) + timedelta(days=7)
    with transaction(ctx.sessions) as session:
        update = (
            session.scalar(
                select(StrategyUpdate).where(StrategyUpdate.source_report_id == report_id)
            )
            if report_id
            else None
        )
        if update is None:
            update = StrategyUpdate(
                user_id=user_id,
                agent_id=agent_id,
                source_report_id=report_id,
                effective_start_date=effective,
            )
            session.add(update)
        update.adjustments_json = adjustments
        update.evidence_json = {
            **evidence_to_json(evidence, per_platform),
            "observations": [o.to_json() for o in observations],
            "reasons": reasons,
            "summary": narrative,
            "posts_considered": sum(1 for o in outcomes if o.matured),
        }
        update.effective_start_date = effective
        session.flush()
        log_event(
            session=session,
            event_type=EventType.strategy_adjusted,
            subject_type=SubjectType.strategy,
            subject_id=update.id,
            user_id=user_id,
            agent_id=agent_id,
            run_id=uuid.UUID(state["run_id"]),
            message=narrative[:500],
            meta={"adjustments": adjustments},
            at=now,
        )
        notify_once(
            session=session,
            user_id=user_id,
            type=NotificationType.strategy_update,
            dedupe_key=f"strategy:{update.id}",
            payload={"summary": narrative[:300]},
        )
        strategy_id = update.id
    if report_id is not None:
        _finish_report(ctx, state, report_id, narrative, adjustments)
    _remember(ctx, outcomes, ratings, narrative, state, now)
    ctx.report("adapting", narrative)
    return {"strategy_id": str(strategy_id)}


def _finish_report(
    ctx: Context,
    state: CycleState,
    report_id: uuid.UUID,
    narrative: str,
    adjustments: dict[str, Any],
) -> None:
    """Add what the strategy changed (and why) to the week's report, then write its files."""
    with transaction(ctx.sessions) as session:
        report = session.get(WeeklyReport, report_id)
        raw = (report.analysis_json or {}).get("report_data") if report else None
        if report is None or not raw:
            return
        data = ReportData.model_validate(
            {**raw, "strategy_summary": narrative, "strategy_changes": adjustments}
        )
        written = write_report_files(
            data, report_folder(ctx, state["agent_id"]), ctx.settings.report_formats
        )
        report.analysis_json = {**report.analysis_json, "report_data": data.model_dump(mode="json")}
        if "md" in written:
            report.markdown_uri = str(written["md"])
        if "html" in written:
            report.html_uri = str(written["html"])
        if "pdf" in written:
            report.pdf_uri = str(written["pdf"])


def with_ratings(evidence: Evidence, ratings: list[RatedItem]) -> Evidence:
    """Add each rating as one observation (weight FEEDBACK_WEIGHT) of the decisions behind it."""
    for rating in ratings:
        for dim, option in rating.features.items():
            if not option:
                continue
            stats = evidence.setdefault(dim, {}).setdefault(option, OptionStats())
            stats.n += FEEDBACK_WEIGHT
            stats.total += FEEDBACK_WEIGHT * rating.score
            stats.total_sq += FEEDBACK_WEIGHT * rating.score**2
    return evidence


def _by_platform(observations: list[Observation]) -> dict[str, list[Observation]]:
    """Post observations per platform (ratings carry no platform and stay out)."""
    grouped: dict[str, list[Observation]] = defaultdict(list)
    for o in observations:
        if o.features.get("platform"):
            grouped[o.features["platform"]].append(o)
    return grouped


def _per_platform(outcomes: list[PostOutcome], now: datetime) -> dict[str, Evidence]:
    grouped: dict[str, list[PostOutcome]] = defaultdict(list)
    for o in outcomes:
        grouped[o.platform].append(o)
    return {p: cumulative_evidence(items, now) for p, items in grouped.items()}


def _narrative(
    ctx: Context, state: CycleState, adjustments: dict[str, Any], reasons: dict[str, Any]
) -> str:
    prompt = ask(ctx, "strategy")
    try:
        return invoke_structured(
            ctx.chat_model,
            StrategyNarrative,
            prompt.messages(
                week=state["week"],
                inputs=json.dumps({"adjustments": adjustments, "evidence": reasons}, indent=1),
            ),
            config={"callbacks": [ctx.usage]},
        ).summary
    except StructuredOutputError:
        return json.dumps(adjustments)


def _remember(
    ctx: Context,
    outcomes: list[PostOutcome],
    ratings: list[RatedItem],
    narrative: str,
    state: CycleState,
    now: datetime,
) -> None:
    """Post outcomes, ratings and the strategy summary go to vector memory (one batch)."""
    if ctx.memory is None:
        return
    week_start = parse_week(state["week"])
    entries: list[dict[str, Any]] = []
    for o in outcomes:
        if not o.matured or o.published_at.date() < week_start - timedelta(days=7):
            continue  # older posts were remembered by earlier runs
        f = o.features
        entries.append(
            {
                "kind": "post_outcome",
                "memory_id": f"post:{o.post_id}",
                "text": (
                    f"{f.get('topic_raw') or f.get('topic')} ({f.get('pillar')}, {f.get('hook_category')} hook, {f.get('tone')}, "
                    f"{f.get('weekday')} {f.get('hour')}) on {o.platform}: {int(o.metrics.get('views', 0))} views, "
                    f"{int(interactions(o.metrics))} interactions, score {o.score:.2f}"
                ),
                "metadata": {
                    "topic": f.get("topic", ""),
                    "twin": f.get("twin", ""),
                    "platform": o.platform,
                    "score": round(o.score, 4),
                    "week": state["week"],
                },
            }
        )
    for r in ratings:
        entries.append(
            {
                "kind": "feedback",
                "memory_id": f"feedback:{r.feedback_id}",
                "text": f"creator rated {r.features.get('topic')} ({r.features.get('pillar')}, {r.features.get('tone')}) {r.rating}/5"
                + (f": {r.comment}" if r.comment else ""),
                "metadata": {"topic": r.features.get("topic", ""), "rating": r.rating},
            }
        )
    entries.append(
        {
            "kind": "insight",
            "memory_id": f"strategy:{state['run_id']}",
            "text": narrative,
            "metadata": {"week": state["week"]},
        }
    )
    add_many = getattr(ctx.memory, "add_many", None)
    if callable(add_many):
        from memory.models import MemoryRecord

        add_many([MemoryRecord(**entry) for entry in entries])
    else:
        for entry in entries:
            ctx.memory.add(**entry)


__all__ = ["adapting_node", "derive_adjustments", "with_ratings"]
