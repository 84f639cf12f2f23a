"""The oracle: a planner that reads the audience (the only code allowed to) — an upper bound for the agent.

It plugs into the same cycle in two places: a StrategyUpdate with the audience's best posting
time on every weekday (written before each week), and an offline chat model whose plan answer
picks, per slot, the options with the highest expected engagement under that audience. It obeys
the same product rules as the agent (at most ``MAX_TOPIC_REPEATS`` uses of a topic a week).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from agent.llm import OfflineChatModel, ResponderRegistry
from agent.offline_skills import read_inputs, register_skills
from agent.planning.learning import HOURS, LENGTH_BUCKETS, MAX_TOPIC_REPEATS
from agent.planning.slots import WEEKDAYS
from agent.schemas import PlanDraft
from agent.weeks import parse_week
from db.engine import transaction
from db.models import Agent, StrategyUpdate
from tools.publish.audience import Audience, PostFeatures

SAMPLES = 12
"""Draws per candidate (common random numbers, so comparisons are not noise)."""


TIMING_BASE: dict[str, Any] = {
    "pillar": "education",
    "topic": "creator tips",
    "tone": "educational",
    "hook_category": "question",
    "length_sec": 20.0,
    "twin_style": "space",
}
"""The post the oracle times: its best hour for this post is its posting time for the day."""


def interactions(metrics: Any) -> float:
    return float(metrics.likes + metrics.comments + metrics.shares + metrics.saves)


@dataclass
class Oracle:
    """Expected engagement of any post under ``audience``, and the best choices it implies."""

    audience: Audience
    platform: str = "sandbox"

    def expected(self, features: dict[str, Any]) -> float:
        post = PostFeatures(platform=self.platform, **features)
        return (
            sum(
                interactions(self.audience.engagement(post, random.Random(i)))
                for i in range(SAMPLES)
            )
            / SAMPLES
        )

    def best_hour(self, day: datetime, base: dict[str, Any]) -> str:
        def value(hour: str) -> float:
            hh, mm = map(int, hour.split(":"))
            return self.expected(
                {**base, "posted_at": datetime.combine(day.date(), time(hh, mm), tzinfo=UTC)}
            )

        return max(HOURS, key=value)

    def best_item(
        self,
        when: datetime,
        options: dict[str, list[str]],
        styles: dict[str, str],
        used: dict[str, int],
    ) -> dict[str, Any]:
        """Coordinate ascent over the decisions, starting from the first option of each."""
        choice = {dim: values[0] for dim, values in options.items()}
        topics = [t for t in options["topic"] if used.get(t, 0) < MAX_TOPIC_REPEATS] or options[
            "topic"
        ]
        choice["topic"] = topics[0]

        def features(c: dict[str, str]) -> dict[str, Any]:
            return {
                "posted_at": when,
                "pillar": c["pillar"],
                "topic": c["topic"],
                "tone": c["tone"],
                "hook_category": c["hook_category"],
                "length_sec": float(LENGTH_BUCKETS[c["length_bucket"]]),
                "twin_style": styles.get(c["twin"], "space"),
            }

        for _ in range(2):
            for dim, values in options.items():
                pool = topics if dim == "topic" else values

                def value(option: str, dim: str = dim) -> float:
                    return self.expected(features({**choice, dim: option}))

                choice[dim] = max(pool, key=value)
        return choice


def oracle_chat_model(audience: Audience, seed: int = 0) -> BaseChatModel:
    """The offline model with its plan answer replaced by the oracle's."""
    oracle = Oracle(audience)
    registry = register_skills(ResponderRegistry())

    def plan(messages: list[BaseMessage], schema: Any, rng: random.Random) -> dict[str, Any]:
        inputs = read_inputs(messages)
        hooks = {h["category"]: h["template"] for h in inputs.get("hooks", [])}
        styles = {t["name"]: t["style"] for t in inputs.get("twins", [])}
        options = {
            "pillar": list(inputs.get("pillars", [])),
            "topic": [t["topic"] for t in inputs.get("trends", [])],
            "hook_category": list(hooks),
            "tone": list(inputs.get("tones", [])),
            "twin": list(styles),
            "length_bucket": list(LENGTH_BUCKETS),
        }
        monday = parse_week(_week_of(messages))
        used: dict[str, int] = {}
        items = []
        for slot in inputs.get("slots", []):
            day, clock = slot["when"].split()
            when = datetime.combine(
                monday + timedelta(days=WEEKDAYS.index(day)), time.fromisoformat(clock), tzinfo=UTC
            )
            best = oracle.best_item(when, options, styles, used)
            used[best["topic"]] = used.get(best["topic"], 0) + 1
            items.append(
                {
                    "slot": slot["slot"],
                    "pillar": best["pillar"],
                    "topic": best["topic"],
                    "hook_category": best["hook_category"],
                    "hook": hooks[best["hook_category"]].replace("{topic}", best["topic"])[:200],
                    "tone": best["tone"],
                    "twin": best["twin"],
                    "target_length_sec": LENGTH_BUCKETS[best["length_bucket"]],
                    "rationale": "oracle: highest expected engagement for this audience",
                }
            )
        return {
            "strategy_summary": "Oracle plan: the audience's known best options",
            "items": items,
        }

    registry.register(PlanDraft, plan)
    return OfflineChatModel(seed=seed).model_copy(update={"registry": registry})


def _week_of(messages: list[BaseMessage]) -> str:
    import re

    for message in messages:
        found = re.search(r"\d{4}-W\d{2}", str(message.content))
        if found:
            return found.group(0)
    raise ValueError("the plan prompt names no week")


def oracle_timing(audience: Audience) -> Any:
    """A ``before_week`` hook that writes a StrategyUpdate with the audience's best time on every weekday."""
    oracle = Oracle(audience)

    def before_week(system: Any, agent_id: uuid.UUID, week: str) -> None:
        monday = datetime.combine(parse_week(week), time(0, 0), tzinfo=UTC)
        entries = [
            f"{WEEKDAYS[d]} {oracle.best_hour(monday + timedelta(days=d), TIMING_BASE)}"
            for d in range(7)
        ]
        with transaction(system.sessions) as session:
            agent = session.get(Agent, agent_id)
            assert agent is not None
            session.add(
                StrategyUpdate(
                    user_id=agent.user_id,
                    agent_id=agent_id,
                    effective_start_date=monday.date(),
                    adjustments_json={
                        "topics_to_increase": [],
                        "topics_to_reduce": [],
                        "platform_timing_updates": {"sandbox": entries},
                        "tone_adjustments": {},
                        "twin_rotation": [],
                    },
                    evidence_json={"oracle": True},
                )
            )

    return before_week
