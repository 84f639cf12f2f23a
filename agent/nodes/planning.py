"""planning: strategy + directives + trends + memory -> the week's ContentCalendar."""

from __future__ import annotations

import json
import uuid
from typing import Any

from langgraph.runtime import Runtime

from agent.context import Context
from agent.llm import invoke_structured
from agent.nodes.tracking import ask, tracked
from agent.planning.directives import DirectiveSet, build_directive_set
from agent.planning.learning import suggestions_for
from agent.planning.slots import Slot, plan_slots
from agent.schemas import PlanDraft, PlanItemDraft
from agent.state import CycleState
from agent.weeks import parse_week, week_bounds
from db.engine import transaction
from db.enums import EventType, SubjectType
from db.models import Agent, CalendarItem, ContentCalendar
from db.repo import identity, planning
from db.repo.runs import log_event

PILLARS = ["education", "inspiration", "announcement", "promotion", "trend_reaction"]
TONES = ["educational", "trending", "thought_leadership", "inspirational"]


@tracked("planning")
def planning_node(state: CycleState, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = runtime.context
    run_id = uuid.UUID(state["run_id"])
    with transaction(ctx.sessions) as session:
        existing = planning.calendar_for_run(session=session, run_id=run_id)
        if existing is not None:  # re-run after a crash: the plan is already written
            items = planning.items_of(session=session, calendar_id=existing.id)
            return {"calendar_id": str(existing.id), "item_ids": [str(i.id) for i in items]}
        agent = session.get(Agent, uuid.UUID(state["agent_id"]))
        assert agent is not None
        inputs, slots, directives, twins = _gather(session, agent, state, ctx)
    if not slots:
        return {"calendar_id": "", "item_ids": [], "failures": ["planning: no slot to fill (no connected account or every day excluded)"]}

    prompt = ask(ctx, "plan")
    draft = invoke_structured(
        ctx.chat_model,
        PlanDraft,
        prompt.messages(week=state["week"], inputs=json.dumps(inputs, indent=1, default=str)),
        config={"callbacks": [ctx.usage]},
    )
    items = _reconcile(draft, slots, directives, twins, inputs)

    with transaction(ctx.sessions) as session:
        agent = session.get(Agent, uuid.UUID(state["agent_id"]))
        assert agent is not None
        monday = parse_week(state["week"])
        calendar = ContentCalendar(
            user_id=agent.user_id,
            agent_id=agent.id,
            run_id=run_id,
            period_start=monday,
            period_end=week_bounds(state["week"])[1].date(),
            version=planning.next_calendar_version(session=session, agent_id=agent.id, period_start=monday),
            strategy_summary=draft.strategy_summary,
        )
        session.add(calendar)
        session.flush()
        rows = []
        for slot, item in items:
            row = CalendarItem(
                calendar_id=calendar.id,
                slot=slot.index,
                planned_date=slot.day,
                planned_at=slot.at_utc,
                planned_platforms=list(slot.platforms),
                content_pillar=item.pillar,
                topic=item.topic,
                hook=item.hook,
                hook_category=item.hook_category,
                tone=item.tone,
                target_length_sec=item.target_length_sec,
                ai_twin_id=twins[item.twin],
                rationale=item.rationale,
            )
            session.add(row)
            rows.append(row)
        session.flush()
        log_event(
            session=session,
            event_type=EventType.plan_created,
            subject_type=SubjectType.calendar,
            subject_id=calendar.id,
            user_id=agent.user_id,
            agent_id=agent.id,
            run_id=run_id,
            message=f"planned {len(rows)} videos for {state['week']}",
            meta={"topics": [r.topic for r in rows], "version": calendar.version},
            at=ctx.clock.now(),
        )
        ctx.report("planning", f"{len(rows)} videos planned for {state['week']}")
        return {"calendar_id": str(calendar.id), "item_ids": [str(r.id) for r in rows]}


def _gather(session: Any, agent: Agent, state: CycleState, ctx: Context) -> tuple[dict[str, Any], list[Slot], DirectiveSet, dict[str, uuid.UUID]]:
    policy = identity.agent_policy(agent)
    monday = parse_week(state["week"])
    strategy = planning.latest_strategy(session=session, agent_id=agent.id, before=monday)
    adjustments: dict[str, Any] = strategy.adjustments_json if strategy else {}
    directives = build_directive_set(
        [(d.kind, d.value_json, d.text) for d in planning.active_directives(session=session, agent_id=agent.id)]
    )
    accounts = identity.list_accounts(session=session, user_id=agent.user_id, connected_only=True)
    platforms = sorted({a.platform.value for a in accounts if not policy.platforms or a.platform.value in policy.platforms})
    slots = plan_slots(
        monday=monday,
        policy=policy,
        platforms=platforms,
        timing=adjustments.get("platform_timing_updates") or {},
        avoid_weekdays=directives.avoid_weekdays,
        not_before=None if ctx.clock.simulated else ctx.clock.now(),
    )
    trend_rows = planning.upsert_trends(session=session, trends=ctx.tools.trends(), collected_at=week_bounds(state["week"])[0])
    twins = {t.name: t.id for t in identity.list_twins(session=session, user_id=agent.user_id)}
    memory_notes: list[dict[str, Any]] = []
    if ctx.memory is not None:
        for trend in trend_rows[:5]:
            for hit in ctx.memory.search(trend.topic, k=2, kind="post_outcome"):
                memory_notes.append({"topic": trend.topic, "past": getattr(hit, "text", str(hit))})
    inputs = {
        "niche": policy.niche,
        "language": policy.language,
        "slots": [{"slot": s.index, "when": s.label, "platforms": list(s.platforms)} for s in slots],
        "trends": [
            {"topic": t.topic, "score": round(t.score, 3), "tags": t.metadata_json.get("related_tags", [])}
            for t in trend_rows
        ],
        "strategy": adjustments,
        "directives": directives.as_inputs(),
        "hooks": [
            {"category": h.category, "template": h.template, "effectiveness": round(h.effectiveness_score, 3)}
            for h in planning.hook_templates(session=session)
        ],
        "twins": [{"name": t.name, "style": t.style_preset.value} for t in identity.list_twins(session=session, user_id=agent.user_id)],
        "pillars": PILLARS,
        "tones": TONES,
        "suggestions": suggestions_for(
            slots=slots,
            evidence=strategy.evidence_json if strategy else {},
            seed=f"{state['agent_id']}:{state['week']}",
            options={
                "topic": [t.topic for t in trend_rows if not directives.is_reduced(t.topic)],
                "twin": list(twins),
                "pillar": PILLARS,
                "tone": TONES,
                "hook_category": sorted({h.category for h in planning.hook_templates(session=session)}),
                "length_bucket": ["short", "medium", "long"],
            },
        ),
        "memory": memory_notes,
    }
    return inputs, slots, directives, twins


def _reconcile(
    draft: PlanDraft,
    slots: list[Slot],
    directives: DirectiveSet,
    twins: dict[str, uuid.UUID],
    inputs: dict[str, Any],
) -> list[tuple[Slot, PlanItemDraft]]:
    """Pair draft items with slots and enforce what the creator said, whatever the model did."""
    by_slot = {item.slot: item for item in draft.items}
    spare = [t["topic"] for t in inputs["trends"] if not directives.is_reduced(t["topic"])]
    default_twin = next(iter(twins))
    result: list[tuple[Slot, PlanItemDraft]] = []
    for slot in slots:
        item = by_slot.get(slot.index) or (draft.items[slot.index] if slot.index < len(draft.items) else None)
        if item is None:
            continue
        changes: dict[str, Any] = {"slot": slot.index}
        if directives.is_reduced(item.topic) and spare:
            changes["topic"] = spare[slot.index % len(spare)]
        twin = item.twin if item.twin in twins else default_twin
        for platform in slot.platforms:
            forced = directives.twin_for_platform.get(platform)
            if forced and forced in twins:
                twin = forced
            tone = directives.tone_for_platform.get(platform)
            if tone:
                changes["tone"] = tone
        changes["twin"] = twin
        result.append((slot, item.model_copy(update=changes)))
    return result
