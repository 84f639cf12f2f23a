"""The week is decided in code: directives, the learner's evidence and the skeleton the plan equals."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from agent.schemas import PlanDraft
from agent.strategy import (
    HookChoice,
    StrategyEvidence,
    TrendCandidate,
    WeekInputs,
    build_directive_set,
    conform,
    decide_week,
)
from agent.strategy.evidence import ObservationRecord
from db.schemas import AgentPolicy
from tests.strategy.contrary import WRONG

TOPICS = ["Web3 security", "Deep work routines", "Crypto price commentary", "Creator AI tools"]
HOOKS = [
    HookChoice(category="question", template="Why does nobody talk about {topic}?"),
    HookChoice(category="how_to", template="Three steps to get {topic} right today."),
]
TWINS = ["Space Twin", "Goddess Twin", "Hyperreal Twin"]


def _inputs(**changes: object) -> WeekInputs:
    base: dict[str, object] = {
        "week": "2030-W10",
        "policy": AgentPolicy(posts_per_week=7),
        "platforms": ["sandbox"],
        "trends": [TrendCandidate(topic=t, score=0.5) for t in TOPICS],
        "twins": TWINS,
        "hooks": HOOKS,
        "seed": "0:agent:2030-W10",
        "not_before": datetime(2030, 3, 1, tzinfo=UTC),
    }
    return WeekInputs(**{**base, **changes})  # type: ignore[arg-type]


def _evidence(best_topic: str, n: int = 30) -> StrategyEvidence:
    """Evidence of n posts: one topic far above the others, and 20:00 above 10:00."""
    records = []
    for i in range(n):
        topic, hour = TOPICS[i % len(TOPICS)], ("20:00", "10:00")[i // len(TOPICS) % 2]
        records.append(
            ObservationRecord(
                f={"topic": topic, "hour": hour, "tone": "educational", "platform": "sandbox"},
                y=(2.5 if topic == best_topic else 0.6) * (1.6 if hour == "20:00" else 1.0),
                t=date(2030, 2, 1),
            )
        )
    return StrategyEvidence(observations=records)


def test_a_week_is_deterministic_and_every_slot_is_decided() -> None:
    week = decide_week(_inputs())
    assert week == decide_week(_inputs())
    assert len(week.slots) == 7
    assert all(s.topic in TOPICS and s.twin in TWINS and s.hook_template for s in week.slots)
    assert week.mode == "learning" and week.posts_behind == 0  # a first week: a balanced design


def test_the_creators_directives_bind_the_week() -> None:
    directives = build_directive_set(
        [
            ("less_topic", {"topic": "crypto"}, "less crypto"),
            ("more_topic", {"topic": "deep work"}, "more deep work"),
            ("avoid_weekday", {"weekday": 6}, "nothing on Sundays"),
            ("twin_for_platform", {"platform": "sandbox", "twin": "Goddess Twin"}, "use goddess"),
            ("tone_for_platform", {"platform": "sandbox", "tone": "trending"}, "be trending"),
        ]
    )
    week = decide_week(
        _inputs(directives=directives, evidence=_evidence("Crypto price commentary"))
    )
    assert all("Crypto" not in s.topic for s in week.slots)  # even though the evidence loves it
    assert sum("Deep work" in s.topic for s in week.slots) >= 2
    assert all(s.day.weekday() != 6 for s in week.slots)
    assert {s.twin for s in week.slots} == {"Goddess Twin"}
    assert {s.tone for s in week.slots} == {"trending"}


def test_learned_evidence_shapes_the_week() -> None:
    week = decide_week(_inputs(evidence=_evidence("Creator AI tools")))
    topics = Counter(s.topic for s in week.slots)
    assert topics["Creator AI tools"] == 2  # the best topic, as often as a week allows
    assert Counter(s.local.split()[1] for s in week.slots).most_common(1)[0][0] == "20:00"
    assert week.posts_behind > 0


def test_learning_off_plans_a_fixed_rotation_that_ignores_evidence() -> None:
    learned = decide_week(_inputs(evidence=_evidence("Creator AI tools"), mode="fixed"))
    assert learned.posts_behind == 0 and learned.mode == "fixed"
    assert learned == decide_week(_inputs(mode="fixed"))


def test_the_saved_plan_equals_the_skeleton_whatever_the_model_answers() -> None:
    week = decide_week(_inputs())
    answer = PlanDraft.model_validate(
        {
            "strategy_summary": "Gossip only.",
            "items": [
                {**WRONG, "slot": s.slot, "hook": "Five gossip tricks.", "rationale": "vibes"}
                for s in week.slots
            ],
        }
    )
    plan = conform(answer, week)
    assert [p.decision for p in plan.items] == week.slots
    assert all(p.hook == p.decision.default_hook() for p in plan.items)  # off-topic hooks replaced
    assert all(p.rationale == p.decision.reason for p in plan.items)
    assert plan.contradictions["topic"] == 7 and plan.contradictions["twin"] >= 4
    assert plan.replaced_hooks == 7


def test_a_model_that_writes_nothing_still_leaves_a_whole_plan() -> None:
    week = decide_week(_inputs())
    plan = conform(None, week)
    assert plan.missing == 7 and [p.decision for p in plan.items] == week.slots
    assert all(p.hook.startswith(("Why does", "Three steps")) for p in plan.items)


def test_a_model_on_topic_keeps_its_own_words() -> None:
    week = decide_week(_inputs())
    answer = PlanDraft.model_validate(
        {
            "strategy_summary": "A calm week.",
            "items": [
                {
                    "slot": s.slot,
                    "pillar": s.pillar,
                    "topic": s.topic,
                    "hook_category": s.hook_category,
                    "hook": f"What {s.topic} gets wrong",
                    "tone": s.tone,
                    "twin": s.twin,
                    "target_length_sec": s.target_length_sec,
                    "rationale": "fits the week",
                }
                for s in week.slots
            ],
        }
    )
    plan = conform(answer, week)
    assert plan.disagreements == 0 and plan.replaced_hooks == 0
    assert all(p.hook.startswith("What ") and p.rationale == "fits the week" for p in plan.items)
