"""Chat tools that look things up: status, calendar, approvals, directives, report, memory."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from langchain_core.tools import tool
from langgraph.prebuilt import ToolRuntime
from sqlalchemy import func, select

from agent.chat.context import ChatContext
from agent.chat.lookups import describe_directive, directives_of, latest_calendar, waiting_reels
from agent.scheduling.config import schedule_of
from agent.strategy.weeks import parse_week
from db.enums import PublishStatus
from db.models import Agent, AgentRun, AITwin, CalendarItem, Post, WeeklyReport

Runtime = ToolRuntime[Any, Any]
"""Injected by the tool node (hidden from the model); its ``context`` is a ChatContext."""


def _ctx(runtime: Runtime) -> ChatContext:
    return ChatContext.of(runtime.context)


@tool(parse_docstring=True)
def get_status(runtime: Runtime) -> str:
    """Show what the agent is doing: its state, schedule, recent runs, posts and approvals waiting."""
    ctx = _ctx(runtime)
    now = ctx.clock.now()
    with ctx.system.sessions() as session:
        agent = session.get(Agent, ctx.agent_id)
        assert agent is not None
        schedule = schedule_of(session, agent)
        runs = list(
            session.scalars(
                select(AgentRun)
                .where(AgentRun.agent_id == ctx.agent_id)
                .order_by(AgentRun.started_at.desc())
                .limit(3)
            )
        )
        counts = dict(
            session.execute(
                select(Post.publish_status, func.count())
                .where(Post.user_id == ctx.user_id)
                .group_by(Post.publish_status)
            ).all()
        )
        published_week = session.scalar(
            select(func.count())
            .select_from(Post)
            .where(Post.user_id == ctx.user_id, Post.published_at >= now - timedelta(days=7))
        )
    next_run = schedule.next_run(now)
    lines = [
        f"{agent.name} is {agent.state.value}.",
        f"Schedule: {schedule.cron} ({schedule.timezone})"
        + (
            ", paused."
            if schedule.paused
            else f", next run {next_run:%a %d %b %H:%M %Z}."
            if next_run
            else "."
        ),
        f"Posts: {counts.get(PublishStatus.scheduled, 0)} scheduled, {published_week} published in the last 7 days, "
        f"{counts.get(PublishStatus.failed, 0)} failed.",
        f"Reels waiting for your approval: {len(waiting_reels(ctx.system, ctx.agent_id))}.",
        f"Active directives: {len(directives_of(ctx.system, ctx.agent_id))}.",
    ]
    for run in runs:
        lines.append(
            f"Run {str(run.id)[:8]} week {run.week_key} ({run.trigger_type.value}): {run.status.value}"
            + (f", {run.summary}" if run.summary else "")
        )
    return "\n".join(lines)


@tool(parse_docstring=True)
def show_calendar(runtime: Runtime, week: str | None = None) -> str:
    """Show the content calendar: what is planned on which day, where, on which topic.

    Args:
        week: ISO week such as 2026-W48; the newest plan when omitted.
    """
    ctx = _ctx(runtime)
    calendar = latest_calendar(ctx.system, ctx.agent_id, parse_week(week) if week else None)
    if calendar is None:
        return (
            f"No plan for {week} yet." if week else "No plan yet: the first weekly run writes one."
        )
    with ctx.system.sessions() as session:
        items = list(
            session.scalars(
                select(CalendarItem)
                .where(CalendarItem.calendar_id == calendar.id)
                .order_by(CalendarItem.planned_at)
            )
        )
        twins = {t.id: t.name for t in session.scalars(select(AITwin))}
    lines = [
        f"Plan for the week of {calendar.period_start:%d %b %Y} (version {calendar.version}): {calendar.strategy_summary}"
    ]
    for item in items:
        lines.append(
            f"{item.planned_at:%a %d %b %H:%M} UTC  {', '.join(item.planned_platforms)}  {item.content_pillar.value}  "
            f"'{item.topic}'  {twins.get(item.ai_twin_id, '') if item.ai_twin_id else ''}  [{item.status.value}]"
        )
    return "\n".join(lines)


@tool(parse_docstring=True)
def pending_approvals(runtime: Runtime) -> str:
    """List the reels waiting for the creator's approval, with their ids."""
    ctx = _ctx(runtime)
    waiting = waiting_reels(ctx.system, ctx.agent_id)
    if not waiting:
        return "Nothing waits for your approval."
    return "Waiting for approval:\n" + "\n".join(w.line() for w in waiting)


@tool(parse_docstring=True)
def list_directives(runtime: Runtime) -> str:
    """List the creator's standing directives that planning follows."""
    rows = directives_of(_ctx(runtime).system, _ctx(runtime).agent_id)
    if not rows:
        return "No directives yet."
    return "Directives planning follows:\n" + "\n".join(describe_directive(r) for r in rows)


@tool(parse_docstring=True)
def last_report(runtime: Runtime) -> str:
    """Show the latest weekly report: headline numbers, insights and where the file is."""
    ctx = _ctx(runtime)
    with ctx.system.sessions() as session:
        report = session.scalar(
            select(WeeklyReport)
            .where(WeeklyReport.agent_id == ctx.agent_id)
            .order_by(WeeklyReport.week_start.desc())
            .limit(1)
        )
    if report is None:
        return "No weekly report yet."
    totals = report.aggregate_metrics_json.get("totals", report.aggregate_metrics_json)
    numbers = ", ".join(f"{k} {v:g}" for k, v in totals.items() if isinstance(v, int | float))[:400]
    lines = [f"Report for {report.week_start:%d %b} to {report.week_end:%d %b %Y}."]
    if numbers:
        lines.append(f"Numbers: {numbers}.")
    if report.insights:
        lines.append(report.insights.strip()[:800])
    if report.markdown_uri:
        lines.append(f"Full report: {Path(report.markdown_uri)}")
    return "\n".join(lines)


@tool(parse_docstring=True)
def search_memory(runtime: Runtime, query: str, k: int = 5) -> str:
    """Search what the agent remembers (past posts, results, lessons) by meaning.

    Args:
        query: What to look for, in plain words.
        k: How many memories to return (1 to 10).
    """
    from memory import AgentMemoryStore

    ctx = _ctx(runtime)
    store = AgentMemoryStore.from_settings(ctx.system.settings, str(ctx.agent_id))
    hits = store.search(query, k=max(1, min(k, 10)))
    if not hits:
        return f"I remember nothing about '{query}' yet."
    return "\n".join(f"- ({hit.kind}, {hit.score:.2f}) {hit.text[:240]}" for hit in hits)
