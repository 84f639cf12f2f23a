"""adapting: cumulative evidence -> a StrategyUpdate (seed 003 s13.1) -> memory."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from langgraph.runtime import Runtime
from sqlalchemy import select

from agent.analysis import (
    PostOutcome,
    cumulative_evidence,
    interactions,
    latest_metrics,
    option_summary,
    platform_means,
    post_features,
    published_posts,
    score_outcomes,
)
from agent.context import Context
from agent.llm import StructuredOutputError, invoke_structured
from agent.nodes.tracking import ask, tracked
from agent.planning.learning import Evidence, OptionStats, accumulate, evidence_to_json
from agent.schemas import StrategyNarrative
from agent.state import CycleState
from agent.weeks import parse_week
from db.engine import transaction
from db.enums import EventType, NotificationType, SubjectType
from db.models import Agent, StrategyUpdate, WeeklyReport
from db.repo.identity import agent_policy
from db.repo.runs import log_event, notify_once

MIN_EVIDENCE = 1.0  # weighted posts before an option can be promoted
REDUCE_BELOW = 0.85


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
        report = session.get(WeeklyReport, uuid.UUID(state["report_id"])) if state.get("report_id") else None
        outcomes: list[PostOutcome] = []
        for post in published_posts(session, user_id=user_id, end=now):
            metrics = latest_metrics(session, post.id)
            if metrics is None or post.published_at is None:
                continue
            features, title = post_features(session, post, tz)
            outcomes.append(PostOutcome(post.id, post.platform.value, title, post.url, post.published_at, metrics, features,
                                        matured=now - post.published_at >= maturity))
        score_outcomes(outcomes, platform_means(outcomes))
        report_id = report.id if report else None
    evidence = cumulative_evidence(outcomes, now)
    per_platform = _per_platform(outcomes, now)
    adjustments, reasons = derive_adjustments(evidence, per_platform)
    narrative = _narrative(ctx, state, adjustments, reasons)
    effective = parse_week(state["week"]) + timedelta(days=7)
    with transaction(ctx.sessions) as session:
        update = session.scalar(select(StrategyUpdate).where(StrategyUpdate.source_report_id == report_id)) if report_id else None
        if update is None:
            update = StrategyUpdate(user_id=user_id, agent_id=agent_id, source_report_id=report_id, effective_start_date=effective)
            session.add(update)
        update.adjustments_json = adjustments
        update.evidence_json = {**evidence_to_json(evidence), "reasons": reasons, "summary": narrative,
                                "posts_considered": sum(1 for o in outcomes if o.matured)}
        update.effective_start_date = effective
        session.flush()
        log_event(session=session, event_type=EventType.strategy_adjusted, subject_type=SubjectType.strategy, subject_id=update.id,
                  user_id=user_id, agent_id=agent_id, run_id=uuid.UUID(state["run_id"]), message=narrative[:500],
                  meta={"adjustments": adjustments}, at=now)
        notify_once(session=session, user_id=user_id, type=NotificationType.strategy_update, dedupe_key=f"strategy:{update.id}",
                    payload={"summary": narrative[:300]})
        strategy_id = update.id
    _remember(ctx, outcomes, narrative, state)
    ctx.report("adapting", narrative)
    return {"strategy_id": str(strategy_id)}


def _per_platform(outcomes: list[PostOutcome], now: Any) -> dict[str, Evidence]:
    grouped: dict[str, list[PostOutcome]] = defaultdict(list)
    for o in outcomes:
        grouped[o.platform].append(o)
    return {p: cumulative_evidence(items, now) for p, items in grouped.items()}


def _ranked(stats: dict[str, OptionStats]) -> list[tuple[str, OptionStats]]:
    return sorted(stats.items(), key=lambda kv: -kv[1].posterior()[0])


def derive_adjustments(evidence: Evidence, per_platform: dict[str, Evidence]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The seed-003 13.1 shape, plus the evidence behind each entry."""
    topics = evidence.get("topic", {})
    increase = [t for t, s in _ranked(topics) if s.n >= MIN_EVIDENCE and s.posterior()[0] > 1.05][:3]
    reduce = [t for t, s in _ranked(topics)[::-1] if s.n >= MIN_EVIDENCE and (s.interval()[1] < 1.0 or s.posterior()[0] < REDUCE_BELOW)][:3]
    timing: dict[str, list[str]] = {}
    tones: dict[str, str] = {}
    for platform, ev in per_platform.items():
        slots = [label for label, s in _ranked(ev.get("slot", {})) if s.n >= MIN_EVIDENCE and s.posterior()[0] > 1.0][:2]
        if slots:
            timing[platform] = slots
        ranked_tones = _ranked(ev.get("tone", {}))
        if ranked_tones and ranked_tones[0][1].n >= MIN_EVIDENCE and ranked_tones[0][1].posterior()[0] > 1.05:
            tones[platform] = ranked_tones[0][0]
    twins = [name for name, _ in _ranked(evidence.get("twin", {}))]
    adjustments = {
        "topics_to_increase": increase,
        "topics_to_reduce": [t for t in reduce if t not in increase],
        "platform_timing_updates": timing,
        "tone_adjustments": tones,
        "twin_rotation": twins,
    }
    reasons = {
        "topics": {t: option_summary(topics[t]) for t in [*increase, *reduce]},
        "timing": {p: {s: option_summary(per_platform[p]["slot"][s]) for s in slots} for p, slots in timing.items()},
        "tones": {p: option_summary(per_platform[p]["tone"][t]) for p, t in tones.items()},
        "twins": {t: option_summary(evidence["twin"][t]) for t in twins},
    }
    return adjustments, reasons


def _narrative(ctx: Context, state: CycleState, adjustments: dict[str, Any], reasons: dict[str, Any]) -> str:
    prompt = ask(ctx, "strategy")
    try:
        return invoke_structured(ctx.chat_model, StrategyNarrative,
                                 prompt.messages(week=state["week"], inputs=json.dumps({"adjustments": adjustments, "evidence": reasons}, indent=1)),
                                 config={"callbacks": [ctx.usage]}).summary
    except StructuredOutputError:
        return json.dumps(adjustments)


def _remember(ctx: Context, outcomes: list[PostOutcome], narrative: str, state: CycleState) -> None:
    if ctx.memory is None:
        return
    for o in outcomes:
        if not o.matured:
            continue
        text = (f"{o.features.get('topic')} ({o.features.get('pillar')}, {o.features.get('hook_category')} hook, "
                f"{o.features.get('tone')}) on {o.platform}: {int(o.metrics.get('views', 0))} views, "
                f"{int(interactions(o.metrics))} interactions, score {o.score:.2f}")
        ctx.memory.add(kind="post_outcome", text=text, memory_id=f"post:{o.post_id}",
                       metadata={"topic": o.features.get("topic", ""), "twin": o.features.get("twin", ""),
                                 "platform": o.platform, "score": round(o.score, 4), "week": state["week"]})
    ctx.memory.add(kind="insight", text=narrative, memory_id=f"strategy:{state['run_id']}", metadata={"week": state["week"]})


__all__ = ["accumulate", "adapting_node", "derive_adjustments"]
