"""adapting: the week's outcomes + the creator's ratings -> the strategy, computed -> the
weekly report (md, html, pdf) -> the StrategyUpdate (seed 003 s13.1) -> memory."""

from __future__ import annotations

import json
import math
import uuid
from datetime import timedelta
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Context
from agent.llm import StructuredOutputError
from agent.nodes.tracking import tracked
from agent.schemas import InsightsDraft, StrategyNarrative
from agent.state import CycleState
from agent.strategy import Learned, TopicClusters, WeekOutcomes, learn
from agent.strategy.evidence import StrategyEvidence
from agent.strategy.ratings import rating_observations
from agent.strategy.report import best_and_worst, report_data
from agent.strategy.weeks import parse_week
from db.engine import transaction
from db.enums import EventType, NotificationType, SubjectType
from db.repo import analytics, hooks, identity, runs
from memory.models import MemoryRecord
from tools.reports import ReportData, write_report_files


@tracked("adapting")
def adapting_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    outcomes = WeekOutcomes.model_validate(state["outcomes"])
    agent_id, run_id = uuid.UUID(state["agent_id"]), uuid.UUID(state["run_id"])
    clusters = TopicClusters(ctx.memory.embed if ctx.memory is not None else None)
    with ctx.sessions() as session:
        agent = identity.get_agent(session=session, name_or_id=state["agent_id"])
        user_id, agent_name = agent.user_id, agent.name
        latest = analytics.latest_strategy(session=session, agent_id=agent_id)
        previous = (
            StrategyEvidence.from_update(latest.adjustments_json, latest.evidence_json)
            if latest
            else None
        )
        ratings = analytics.ratings(session=session, agent_id=agent_id)
        before = analytics.report_for_week(
            session=session, agent_id=agent_id, week_start=outcomes.start.date() - timedelta(days=7)
        )
        previous_totals = (before.aggregate_metrics_json or {}).get("totals") if before else None
    posts = outcomes.observations()
    rated = rating_observations(ratings, clusters, anchors=[o.features["topic"] for o in posts])
    learned = learn(
        posts + rated,
        previous=previous,
        latest_start=outcomes.start.date(),
        posts_considered=len(posts),
    )
    learned.evidence.reasons["feedback"] = {
        "ratings": len(ratings),
        "mean_rating": round(sum(r.rating for r in ratings) / len(ratings), 2) if ratings else None,
    }
    data = report_data(
        agent=agent_name,
        outcomes=outcomes,
        evidence=learned.evidence,
        adjustments=learned.adjustments,
        previous_totals=previous_totals,
    )
    _write_insights(ctx, data)
    data.strategy_summary = learned.evidence.summary = _narrate(ctx, state, learned)
    files = write_report_files(
        data, ctx.settings.reports_dir / state["agent_id"][:8], ctx.settings.report_formats
    )
    with transaction(ctx.sessions) as session:
        report = analytics.save_weekly_report(
            session=session,
            user_id=user_id,
            agent_id=agent_id,
            run_id=run_id,
            week_start=outcomes.start.date(),
            week_end=(outcomes.end - timedelta(days=1)).date(),
            aggregate={
                "totals": data.totals,
                "per_platform": data.per_platform,
                "per_day": data.per_day,
                "per_campaign": data.per_campaign,
                "posts": sum(1 for o in outcomes.in_week() if o.matured),
                "pending_posts": data.pending_posts,
            },
            top_posts=data.top_posts,
            insights="\n".join([data.headline, *data.insights, f"Next: {data.next_experiment}"]),
            analysis={
                "lifts": data.lifts,
                "scores": {o.post_id: round(o.score, 4) for o in outcomes.in_week() if o.matured},
                "report_data": data.model_dump(mode="json"),
            },
            files={fmt: str(path) for fmt, path in files.items()},
        )
        update = analytics.save_strategy_update(
            session=session,
            user_id=user_id,
            agent_id=agent_id,
            source_report_id=report.id,
            effective_start=parse_week(state["week"]) + timedelta(days=7),
            adjustments=learned.adjustments,
            evidence=learned.evidence.model_dump(mode="json"),
        )
        hooks.set_effectiveness(  # hook templates learn from the same estimates
            session=session,
            estimates={
                category: hooks.HookEstimate(math.log(max(e.estimate, 1e-6)), e.n)
                for category, e in learned.evidence.estimates.get("hook_category", {}).items()
            },
        )
        _log(session, ctx, state, user_id, report.id, update.id, outcomes.week, learned, files)
        report_id, strategy_id = report.id, update.id
    _remember(ctx, outcomes, ratings, learned.evidence.summary, state)
    ctx.report("adapting", learned.evidence.summary)
    return {"report_id": str(report_id), "strategy_id": str(strategy_id)}


def _write_insights(ctx: Context, data: ReportData) -> None:
    """The model's headline, insights and next experiment for the report's figures."""
    best, worst = best_and_worst(data.lifts)
    prev_views = (data.previous_totals or {}).get("views")
    inputs = {
        "posts": int(sum(r["posts"] for r in data.per_platform.values())),
        "totals": {k: round(v, 4) for k, v in data.totals.items()},
        "engagement_rate": round(data.totals.get("engagement_rate", 0.0), 4),
        "per_platform": data.per_platform,
        "top_posts": data.top_posts[:3],
        "best": best,
        "worst": worst,
        "week_over_week": (data.totals["views"] / prev_views - 1) if prev_views else None,
    }
    try:
        insights = ctx.write(
            InsightsDraft,
            "insights",
            week=data.week,
            inputs=json.dumps(inputs, indent=1, default=str),
        )
    except StructuredOutputError as exc:
        insights = InsightsDraft(
            headline=f"{data.totals.get('views', 0):,.0f} views this week",
            insights=[f"Insights could not be written: {exc}"],
            next_experiment="Review the numbers below.",
        )
    data.headline, data.insights, data.next_experiment = (
        insights.headline,
        insights.insights,
        insights.next_experiment,
    )


def _narrate(ctx: Context, state: CycleState, learned: Learned) -> str:
    """The model's plain words for the computed adjustments (the adjustments stay as computed)."""
    change = learned.change
    inputs = {
        "adjustments": learned.adjustments,
        "evidence": learned.evidence.reasons,
        "change_of_taste": change.model_dump(mode="json") if change else None,
    }
    try:
        return ctx.write(
            StrategyNarrative,
            "strategy",
            week=state["week"],
            inputs=json.dumps(inputs, indent=1, default=str),
        ).summary
    except StructuredOutputError:
        return json.dumps(learned.adjustments)


def _log(
    session: Any,
    ctx: Context,
    state: CycleState,
    user_id: uuid.UUID,
    report_id: uuid.UUID,
    strategy_id: uuid.UUID,
    week: str,
    learned: Learned,
    files: dict[str, Any],
) -> None:
    run_id, agent_id = uuid.UUID(state["run_id"]), uuid.UUID(state["agent_id"])
    at = ctx.clock.now()
    runs.log_event(
        session=session,
        event_type=EventType.report_written,
        subject_type=SubjectType.report,
        subject_id=report_id,
        user_id=user_id,
        agent_id=agent_id,
        run_id=run_id,
        message=f"report for {week}: {', '.join(str(p) for p in files.values())}",
        at=at,
    )
    runs.log_event(
        session=session,
        event_type=EventType.strategy_adjusted,
        subject_type=SubjectType.strategy,
        subject_id=strategy_id,
        user_id=user_id,
        agent_id=agent_id,
        run_id=run_id,
        message=learned.evidence.summary[:500],
        meta={
            "adjustments": learned.adjustments,
            "change_of_taste": learned.change.model_dump(mode="json") if learned.change else None,
        },
        at=at,
    )
    runs.notify_once(
        session=session,
        user_id=user_id,
        type=NotificationType.weekly_report_ready,
        dedupe_key=f"report:{report_id}",
        payload={
            "week": week,
            "path": str(files.get("md", "")),
            "deeplink": f"/reports/{report_id}",
        },
    )
    runs.notify_once(
        session=session,
        user_id=user_id,
        type=NotificationType.strategy_update,
        dedupe_key=f"strategy:{strategy_id}",
        payload={"summary": learned.evidence.summary[:300]},
    )


def _remember(
    ctx: Context,
    outcomes: WeekOutcomes,
    ratings: list[analytics.Rating],
    narrative: str,
    state: CycleState,
) -> None:
    """The week's post outcomes, the ratings and the strategy summary go to vector memory."""
    if ctx.memory is None:
        return
    records: list[MemoryRecord] = []
    for o in outcomes.in_week():
        if not o.matured:
            continue
        f = o.features
        records.append(
            MemoryRecord(
                kind="post_outcome",
                memory_id=f"post:{o.post_id}",
                text=(
                    f"{f.get('topic_raw') or f.get('topic')} ({f.get('pillar')}, {f.get('hook_category')} hook, "
                    f"{f.get('tone')}, {f.get('weekday')} {f.get('hour')}) on {o.platform}: "
                    f"{int(o.metrics.get('views', 0))} views, {int(o.interactions)} interactions, "
                    f"score {o.score:.2f}"
                ),
                metadata={
                    "topic": f.get("topic", ""),
                    "twin": f.get("twin", ""),
                    "platform": o.platform,
                    "score": round(o.score, 4),
                    "week": outcomes.week,
                },
            )
        )
    for r in ratings:
        records.append(
            MemoryRecord(
                kind="feedback",
                memory_id=f"feedback:{r.feedback_id}",
                text=f"creator rated {r.topic} ({r.pillar}, {r.tone}) {r.rating}/5"
                + (f": {r.comment}" if r.comment else ""),
                metadata={"topic": r.topic, "rating": r.rating},
            )
        )
    records.append(
        MemoryRecord(
            kind="insight",
            memory_id=f"strategy:{state['run_id']}",
            text=narrative or "no strategy change",
            metadata={"week": state["week"]},
        )
    )
    ctx.memory.add_many(records)
