"""planning: strategy + directives + trends + memory -> the week's ContentCalendar."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from langgraph.runtime import Runtime
from sqlalchemy import select

from agent.context import Context
from agent.llm import invoke_structured
from agent.nodes.tracking import ask, tracked
from agent.planning.directives import DirectiveSet, build_directive_set
from agent.planning.learning import choose_hours, suggestions_for
from agent.planning.slots import WEEKDAYS, Slot, parse_timing, plan_slots
from agent.planning.topics import clusters_for
from agent.schemas import PlanDraft, PlanItemDraft
from agent.state import CycleState
from agent.weeks import parse_week, week_bounds
from db.engine import transaction
from db.enums import EventType, SubjectType
from db.models import Agent, CalendarItem, ContentCalendar, Niche
from db.repo import identity, planning
from db.repo.runs import log_event

PILLARS = ["education", "inspiration", "announcement", "promotion", "trend_reaction"]
TONES = ["educational", "trending", "thought_leadership", "inspirational"]
MIN_DIRECTIVE_SLOTS = 2


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
        inputs, slots, directives, twins, reduced = _gather(session, agent, state, ctx)
    if not slots:
        return {
            "calendar_id": "",
            "item_ids": [],
            "failures": ["planning: no slot to fill (no connected account or every day excluded)"],
        }

    prompt = ask(ctx, "plan")
    draft = invoke_structured(
        ctx.chat_model,
        PlanDraft,
        prompt.messages(week=state["week"], inputs=json.dumps(inputs, indent=1, default=str)),
        config={"callbacks": [ctx.usage]},
    )
    planned = _reconcile(draft, slots, directives, twins, inputs, reduced)

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
            version=planning.next_calendar_version(
                session=session, agent_id=agent.id, period_start=monday
            ),
            strategy_summary=draft.strategy_summary,
        )
        session.add(calendar)
        session.flush()
        rows = []
        for slot, item in planned:
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


def _gather(
    session: Any, agent: Agent, state: CycleState, ctx: Context
) -> tuple[dict[str, Any], list[Slot], DirectiveSet, dict[str, uuid.UUID], set[str]]:
    """The planner's inputs, the week's slots, the creator's directives, the twins, and the
    strategy's topic reductions that planning must honour."""
    policy = identity.agent_policy(agent)
    monday = parse_week(state["week"])
    learning = (
        ctx.settings.learning_mode != "fixed"
    )  # "fixed": a baseline that never reads what it learned
    strategy = (
        planning.latest_strategy(session=session, agent_id=agent.id, before=monday)
        if learning
        else None
    )
    adjustments: dict[str, Any] = dict(strategy.adjustments_json) if strategy else {}
    evidence: dict[str, Any] = dict(strategy.evidence_json) if strategy else {}
    # A strategy the agent learned from its own posts carries those posts, and every draw below
    # is taken from them: its reductions and timing are already in the draws. Applying them a
    # second time as hard rules, taken from per-option averages, banned a topic for good after
    # one weak post. A strategy without posts behind it (written by hand) is followed as is.
    binding = {} if evidence.get("observations") else adjustments
    active = planning.active_directives(session=session, agent_id=agent.id)
    directives = build_directive_set([(d.kind, d.value_json, d.text) for d in active])
    _remember_directives(
        ctx,
        [
            (str(d.id), d.kind.value if hasattr(d.kind, "value") else str(d.kind), d.text)
            for d in active
            if d.text
        ],
    )
    accounts = identity.list_accounts(session=session, user_id=agent.user_id, connected_only=True)
    platforms = sorted(
        {
            a.platform.value
            for a in accounts
            if not policy.platforms or a.platform.value in policy.platforms
        }
    )
    seed = f"{ctx.settings.planning_seed}:{agent.name}:{state['week']}"
    # A learning agent with no strategy yet plans a first week designed to learn from.
    explore = learning and strategy is None
    days = [d for d in range(7) if d not in directives.avoid_weekdays]
    hours = choose_hours(
        days=days,
        platforms=platforms,
        evidence=evidence,
        seed=seed,
        preferred=preferred_hours(binding.get("platform_timing_updates") or {}, platforms),
        explore=explore,
    )
    slots = plan_slots(
        monday=monday,
        policy=policy,
        platforms=platforms,
        timing={p: [f"{WEEKDAYS[d]} {h}" for d, h in sorted(hours.items())] for p in platforms[:1]},
        avoid_weekdays=directives.avoid_weekdays,
        not_before=None if ctx.clock.simulated else ctx.clock.now(),
    )
    trend_rows = planning.upsert_trends(
        session=session, trends=ctx.tools.trends(), collected_at=week_bounds(state["week"])[0]
    )
    twins = {t.name: t.id for t in identity.list_twins(session=session, user_id=agent.user_id)}
    reduced = set(binding.get("topics_to_reduce", []))
    clusters = clusters_for(ctx.memory)
    candidates = [t.topic for t in trend_rows if not directives.is_reduced(t.topic)]
    labels = clusters.labels(
        candidates, anchors=sorted((evidence.get("stats") or {}).get("topic", {}))
    )
    hooks = planning.hook_templates(session=session)
    inputs = {
        "niche": policy.niche,
        "niches": [
            {"slug": n.slug, "name": n.name, "tier": n.tier.value, "keywords": list(n.keywords)}
            for n in session.scalars(select(Niche).order_by(Niche.tier, Niche.slug))
        ],
        "language": policy.language,
        "slots": [
            {"slot": s.index, "when": s.label, "platforms": list(s.platforms)} for s in slots
        ],
        "trends": [
            {
                "topic": t.topic,
                "score": round(t.score, 3),
                "tags": t.metadata_json.get("related_tags", []),
            }
            for t in trend_rows
        ],
        "strategy": adjustments,
        "directives": directives.as_inputs(),
        "hooks": [
            {
                "category": h.category,
                "template": h.template,
                "effectiveness": round(h.effectiveness_score, 3),
            }
            for h in hooks
        ],
        "twins": [
            {"name": t.name, "style": t.style_preset.value}
            for t in identity.list_twins(session=session, user_id=agent.user_id)
        ],
        "pillars": PILLARS,
        "tones": TONES,
        "suggestions": suggestions_for(
            slots=slots,
            evidence=evidence,
            seed=seed,
            options={
                "topic": [t for t in candidates if labels.get(t, t) not in reduced],
                "twin": list(twins),
                "pillar": PILLARS,
                "tone": TONES,
                "hook_category": sorted({h.category for h in hooks}),
                "length_bucket": ["short", "medium", "long"],
            },
            topic_label=lambda t: labels.get(t, t),
            explore=explore,
        ),
        "memory": _recall(ctx, [t.topic for t in trend_rows[:6]]) if learning else [],
    }
    return inputs, slots, directives, twins, reduced


def preferred_hours(timing: dict[str, list[str]], platforms: list[str]) -> dict[int, str]:
    """Weekday -> time from the strategy's platform_timing_updates ("Tue 18:00"), first platform first."""
    result: dict[int, str] = {}
    for platform in platforms:
        for entry in timing.get(platform, []):
            parsed = parse_timing(entry)
            if parsed is not None:
                result.setdefault(parsed[0], parsed[1].strftime("%H:%M"))
    return result


def _recall(ctx: Context, topics: list[str]) -> list[dict[str, Any]]:
    """How similar past topics did, and what the creator said about them, from vector memory."""
    if ctx.memory is None or not topics:
        return []
    memory = ctx.memory
    embed = getattr(memory, "embedding_function", None)
    search_vector = getattr(memory, "search_vector", None)

    def search(text: str, vector: Any, k: int, kind: str) -> list[Any]:
        if vector is not None and callable(search_vector):
            return list(search_vector(vector, k=k, kind=kind))
        return memory.search(text, k=k, kind=kind)

    notes: list[dict[str, Any]] = []
    vectors: list[Any] = (
        list(embed(topics)) if callable(embed) and callable(search_vector) else [None] * len(topics)
    )
    for topic, vector in zip(topics, vectors, strict=True):
        for kind in ("post_outcome", "feedback"):
            notes += [
                {"topic": topic, "kind": kind, "past": getattr(hit, "text", str(hit))}
                for hit in search(topic, vector, 2, kind)
            ]
    directive_hits = search(" ".join(topics[:3]), vectors[0], 3, "directive")
    notes += [
        {"kind": "directive", "past": getattr(hit, "text", str(hit))} for hit in directive_hits
    ]
    return notes


def _remember_directives(ctx: Context, rows: list[tuple[str, str, str]]) -> None:
    """Keep the creator's active directives in vector memory too (upserted by directive id)."""
    add_many = getattr(ctx.memory, "add_many", None)
    if not rows or not callable(add_many):
        return
    from memory.models import MemoryRecord

    add_many(
        [
            MemoryRecord(
                kind="directive",
                text=text,
                metadata={"directive_kind": kind},
                memory_id=f"directive:{rid}",
            )
            for rid, kind, text in rows
        ]
    )


def _reconcile(
    draft: PlanDraft,
    slots: list[Slot],
    directives: DirectiveSet,
    twins: dict[str, uuid.UUID],
    inputs: dict[str, Any],
    reduced: set[str],
) -> list[tuple[Slot, PlanItemDraft]]:
    """Pair draft items with slots and enforce what the creator said, whatever the model did.

    Directives win over the strategy: a "more X" directive gets at least MIN_DIRECTIVE_SLOTS
    slots, "less X" none; the strategy's binding reductions (``reduced``) are replaced unless a
    directive asks for them.
    """
    by_slot = {item.slot: item for item in draft.items}
    spare = [
        t["topic"]
        for t in inputs["trends"]
        if not directives.is_reduced(t["topic"]) and t["topic"] not in reduced
    ]
    spare = spare or [t["topic"] for t in inputs["trends"] if not directives.is_reduced(t["topic"])]
    default_twin = next(iter(twins))
    result: list[tuple[Slot, PlanItemDraft]] = []
    for slot in slots:
        item = by_slot.get(slot.index) or (
            draft.items[slot.index] if slot.index < len(draft.items) else None
        )
        if item is None:
            continue
        changes: dict[str, Any] = {"slot": slot.index}
        wanted = any(_wants(item.topic, phrase) for phrase in directives.more_topics)
        if (directives.is_reduced(item.topic) or (item.topic in reduced and not wanted)) and spare:
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
    return _honour_more_of(result, directives, inputs)


def _wants(topic: str, phrase: str) -> bool:
    words = [w for w in re.findall(r"[a-z0-9]+", phrase.lower()) if len(w) > 2]
    return bool(words) and all(w in topic.lower() for w in words[:2])


def _honour_more_of(
    result: list[tuple[Slot, PlanItemDraft]], directives: DirectiveSet, inputs: dict[str, Any]
) -> list[tuple[Slot, PlanItemDraft]]:
    """Give each "more X" directive at least MIN_DIRECTIVE_SLOTS slots, taking slots no directive asked for."""
    for phrase in directives.more_topics:
        have = sum(1 for _, item in result if _wants(item.topic, phrase))
        topic = next(
            (t["topic"] for t in inputs["trends"] if _wants(t["topic"], phrase)),
            phrase[:1].upper() + phrase[1:],
        )
        for index in range(len(result) - 1, -1, -1):
            if have >= min(MIN_DIRECTIVE_SLOTS, len(result)):
                break
            slot, item = result[index]
            if any(_wants(item.topic, p) for p in directives.more_topics):
                continue
            hook = item.hook.replace(item.topic, topic) if item.topic in item.hook else item.hook
            result[index] = (
                slot,
                item.model_copy(
                    update={
                        "topic": topic[:120],
                        "hook": hook[:200],
                        "rationale": f"{topic}: the creator asked for more",
                    }
                ),
            )
            have += 1
    return result
