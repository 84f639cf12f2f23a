"""analyzing: metrics for published posts -> AnalyticsSnapshots -> the WeeklyReport."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from langgraph.runtime import Runtime
from sqlalchemy import select

from agent.analysis import (
    PostOutcome,
    best_and_worst,
    interactions,
    label_topics,
    lifts,
    load_outcomes,
    platform_means,
    published_posts,
    score_outcomes,
)
from agent.context import Context
from agent.llm import StructuredOutputError, invoke_structured
from agent.nodes.tracking import ask, tracked
from agent.planning.topics import clusters_for
from agent.schemas import InsightsDraft
from agent.state import CycleState
from agent.weeks import previous_week, week_bounds
from db.engine import transaction
from db.enums import EventType, NotificationType, SubjectType
from db.models import Agent, Post, WeeklyReport
from db.repo.identity import agent_policy
from db.repo.runs import log_event, notify_once
from tools.reports import ReportData, write_report_files

METRIC_TOTALS = (
    "views",
    "impressions",
    "likes",
    "comments",
    "shares",
    "saves",
    "watch_time_sec",
    "followers_delta",
)


def report_folder(ctx: Context, agent_id: str) -> Any:
    """Where an agent's weekly report files go."""
    return ctx.settings.reports_dir / agent_id[:8]


def report_week(state: CycleState, simulated: bool) -> str:
    """A fast-forwarded run reports on its own week; a real one on the week before."""
    return state["week"] if simulated else previous_week(state["week"])


@tracked("analyzing")
def analyzing_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    week = report_week(state, ctx.clock.simulated)
    start, end = week_bounds(week)
    maturity = timedelta(hours=ctx.settings.metrics_maturity_hours)
    ctx.clock.advance_to(end + maturity)
    now = ctx.clock.now()
    agent_id = uuid.UUID(state["agent_id"])
    with ctx.sessions() as session:
        agent = session.get(Agent, agent_id)
        assert agent is not None
        user_id, agent_name, tz = agent.user_id, agent.name, ZoneInfo(agent_policy(agent).timezone)
        post_ids = [p.id for p in published_posts(session, user_id=user_id, start=start, end=end)]
    collected = _collect(ctx, post_ids) if post_ids else 0
    with transaction(ctx.sessions) as session:
        posts = list(session.scalars(select(Post).where(Post.id.in_(post_ids))))
        outcomes = load_outcomes(session, posts, tz=tz, now=now, maturity=maturity, require_metrics=False)
        score_outcomes(outcomes, platform_means(outcomes))
        label_topics(outcomes, clusters_for(ctx.memory))
        prev = session.scalar(
            select(WeeklyReport).where(
                WeeklyReport.agent_id == agent_id,
                WeeklyReport.week_start == start.date() - timedelta(days=7),
            )
        )
        data = _report_data(agent_name, week, start, end, outcomes, prev)
    insights = _insights(ctx, data)
    data.headline, data.insights, data.next_experiment = (
        insights.headline,
        insights.insights,
        insights.next_experiment,
    )
    path = write_report_files(data, report_folder(ctx, state["agent_id"]), ["md"])[
        "md"
    ]  # adapting adds the strategy and HTML/PDF
    with transaction(ctx.sessions) as session:
        report = session.scalar(
            select(WeeklyReport).where(
                WeeklyReport.agent_id == agent_id, WeeklyReport.week_start == start.date()
            )
        )
        if report is None:
            report = WeeklyReport(
                user_id=user_id,
                agent_id=agent_id,
                week_start=start.date(),
                week_end=(end - timedelta(days=1)).date(),
            )
            session.add(report)
        report.run_id = uuid.UUID(state["run_id"])
        report.aggregate_metrics_json = {
            "totals": data.totals,
            "per_platform": data.per_platform,
            "per_day": data.per_day,
            "posts": sum(1 for o in outcomes if o.matured),
            "pending_posts": data.pending_posts,
        }
        report.top_posts = data.top_posts
        report.insights = "\n".join(
            [data.headline, *data.insights, f"Next: {data.next_experiment}"]
        )
        report.analysis_json = {
            "lifts": data.lifts,
            "scores": {str(o.post_id): round(o.score, 4) for o in outcomes if o.matured},
            "report_data": data.model_dump(mode="json"),
        }
        report.markdown_uri = str(path)
        session.flush()
        log_event(
            session=session,
            event_type=EventType.analytics_collected,
            subject_type=SubjectType.report,
            subject_id=report.id,
            user_id=user_id,
            agent_id=agent_id,
            run_id=uuid.UUID(state["run_id"]),
            message=f"metrics for {collected} posts; report for {week} at {path}",
            at=now,
        )
        notify_once(
            session=session,
            user_id=user_id,
            type=NotificationType.weekly_report_ready,
            dedupe_key=f"report:{report.id}",
            payload={"week": week, "path": str(path), "deeplink": f"/reports/{report.id}"},
        )
        ctx.report("analyzing", f"report for {week}: {path}")
        return {"report_id": str(report.id)}


def _collect(ctx: Context, post_ids: list[uuid.UUID]) -> int:
    """Metrics for each post into an AnalyticsSnapshot at the clock's time (tokens refreshed as needed)."""
    from agent.publishing.metrics import refresh_metrics

    report = refresh_metrics(sessions=ctx.sessions, cipher=ctx.cipher, clock=ctx.clock,
                             publisher_for=ctx.tools.publisher_for, post_ids=post_ids)
    return len(report.written)


def _report_data(
    agent: str,
    week: str,
    start: Any,
    end: Any,
    outcomes: list[PostOutcome],
    prev: WeeklyReport | None,
) -> ReportData:
    matured = [o for o in outcomes if o.matured]
    totals = {k: float(sum(o.metrics.get(k, 0) or 0 for o in matured)) for k in METRIC_TOTALS}
    totals["interactions"] = float(sum(interactions(o.metrics) for o in matured))
    totals["engagement_rate"] = totals["interactions"] / totals["views"] if totals["views"] else 0.0
    per_platform: dict[str, dict[str, float]] = {}
    per_day: dict[str, dict[str, float]] = {}
    for o in matured:
        row = per_platform.setdefault(
            o.platform, {"posts": 0, "views": 0, "interactions": 0, "engagement_rate": 0}
        )
        row["posts"] += 1
        row["views"] += o.metrics.get("views", 0) or 0
        row["interactions"] += interactions(o.metrics)
        day = per_day.setdefault(o.published_at.date().isoformat(), {})
        day[o.platform] = day.get(o.platform, 0) + (o.metrics.get("views", 0) or 0)
    for row in per_platform.values():
        row["engagement_rate"] = row["interactions"] / row["views"] if row["views"] else 0.0
    top = sorted(matured, key=lambda o: -o.score)[:5]
    return ReportData(
        agent=agent,
        week=week,
        period=f"{start:%a %d %b %Y} – {(end - timedelta(days=1)):%a %d %b %Y} (UTC)",
        headline="",
        insights=[],
        next_experiment="",
        totals=totals,
        per_platform=per_platform,
        per_day=dict(sorted(per_day.items())),
        top_posts=[
            {
                "post_id": str(o.post_id),
                "score": round(o.score, 3),
                "title": o.title,
                "link": o.url,
                "platform": o.platform,
                "views": int(o.metrics.get("views", 0) or 0),
            }
            for o in top
        ],
        lifts=lifts(outcomes),
        pending_posts=len(outcomes) - len(matured),
        previous_totals=(prev.aggregate_metrics_json or {}).get("totals") if prev else None,
    )


def _insights(ctx: Context, data: ReportData) -> InsightsDraft:
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
    prompt = ask(ctx, "insights")
    try:
        return invoke_structured(
            ctx.chat_model,
            InsightsDraft,
            prompt.messages(week=data.week, inputs=json.dumps(inputs, indent=1, default=str)),
            config={"callbacks": [ctx.usage]},
        )
    except StructuredOutputError as exc:
        return InsightsDraft(
            headline=f"{data.totals.get('views', 0):,.0f} views this week",
            insights=[f"Insights could not be written: {exc}"],
            next_experiment="Review the numbers below.",
        )
