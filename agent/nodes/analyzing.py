"""analyzing: metrics of the week's posts -> AnalyticsSnapshots -> the week's scored outcomes;
then the audience's new comments -> replies drafted for approval."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from langgraph.runtime import Runtime

from agent.context import Context
from agent.engagement.cycle import engage_after_analyzing
from agent.nodes.tracking import tracked
from agent.publishing.metrics import refresh_metrics
from agent.state import CycleState
from agent.strategy import TopicClusters, WeekOutcomes, outcomes_of
from agent.strategy.weeks import previous_week, week_bounds
from db.engine import transaction
from db.enums import EventType, SubjectType
from db.repo import analytics, identity, runs


@tracked("analyzing")
def analyzing_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    maturity = timedelta(hours=ctx.settings.metrics_maturity_hours)
    # The report covers the latest week whose metrics have matured: this week when the clock
    # can get past its end (a fast-forwarded week), otherwise the week before.
    week = (
        state["week"]
        if ctx.clock.reach(week_bounds(state["week"])[1] + maturity)
        else previous_week(state["week"])
    )
    start, end = week_bounds(week)
    now = ctx.clock.now()
    agent_id = uuid.UUID(state["agent_id"])
    with ctx.sessions() as session:
        agent = identity.get_agent(session=session, name_or_id=state["agent_id"])
        tz = ZoneInfo(identity.agent_policy(agent).timezone)
        in_week = [
            p.post_id
            for p in analytics.published_posts(session=session, agent_id=agent_id, end=end)
            if p.published_at >= start
        ]
    collected = (
        refresh_metrics(
            sessions=ctx.sessions,
            cipher=ctx.cipher,
            clock=ctx.clock,
            publisher_for=ctx.tools.publisher_for,
            post_ids=in_week,
        )
        if in_week
        else None
    )
    with ctx.sessions() as session:
        posts = analytics.published_posts(session=session, agent_id=agent_id, end=now)
    clusters = TopicClusters(ctx.memory.embed if ctx.memory is not None else None)
    outcomes = WeekOutcomes(
        week=week,
        start=start,
        end=end,
        now=now,
        outcomes=outcomes_of(posts, tz=tz, now=now, maturity=maturity, clusters=clusters),
    )
    with transaction(ctx.sessions) as session:
        runs.log_event(
            session=session,
            event_type=EventType.analytics_collected,
            subject_type=SubjectType.run,
            subject_id=state["run_id"],
            agent_id=agent_id,
            run_id=uuid.UUID(state["run_id"]),
            message=(
                f"metrics for {len(collected.written) if collected else 0} of {len(in_week)} posts of {week}; "
                f"{len(outcomes.matured())} matured posts to learn from"
            ),
            at=now,
        )
    engagement = engage_after_analyzing(
        ctx, agent_id
    )  # comments in, replies drafted in code's choice
    ctx.report(
        "analyzing", f"metrics for {week}: {len(outcomes.in_week())} posts; {engagement['summary']}"
    )
    return {"outcomes": outcomes.model_dump(mode="json"), "engagement": engagement}
