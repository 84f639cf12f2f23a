"""The fast replay of the learner stays faithful to the planning the full simulation does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agent.simulation import SimulationConfig, simulate
from agent.strategy import decide_week
from evals.replay import START_WEEK, Run, _inputs, parse_overrides, replay


@pytest.mark.slow
def test_the_replay_plans_the_first_week_as_the_simulated_cycle_does(tmp_path: Path) -> None:
    simulate(SimulationConfig(weeks=1, seed=3, data_dir=tmp_path, memory=False))
    with sqlite3.connect(tmp_path / "twin.db") as db:
        real = db.execute(
            "select c.planned_at, c.content_pillar, c.topic, c.hook_category, c.tone,"
            " c.target_length_sec, t.name from calendar_items c"
            " join ai_twins t on t.id = c.ai_twin_id order by c.planned_at"
        ).fetchall()
    planned = decide_week(_inputs(START_WEEK, 3, None)).slots
    assert [
        (
            s.at.strftime("%Y-%m-%d %H:%M"),
            s.pillar,
            s.topic,
            s.hook_category,
            s.tone,
            s.target_length_sec,
            s.twin,
        )
        for s in planned
    ] == [(at[:16], *rest) for at, *rest in real]


def test_a_replay_is_deterministic_and_the_oracle_leads_the_first_weeks() -> None:
    adaptive = replay(Run("builtin", "adaptive", 1, 3))[1]
    assert adaptive == replay(Run("builtin", "adaptive", 1, 3))[1]
    assert adaptive != replay(Run("builtin", "adaptive", 2, 3))[1]
    oracle = replay(Run("builtin", "oracle", 1, 3))[1]
    assert min(oracle) > max(adaptive[:2])


def test_overrides_name_only_the_learners_numeric_settings() -> None:
    assert parse_overrides(["PRIOR_SD=0.3", "ANNEAL_POWER=2"]) == (
        ("PRIOR_SD", 0.3),
        ("ANNEAL_POWER", 2.0),
    )
    with pytest.raises(ValueError, match=r"known: .*PRIOR_SD"):
        parse_overrides(["prior=1"])
    with pytest.raises(ValueError, match="must be a number"):
        parse_overrides(["PRIOR_SD=wide"])


def test_a_run_without_overrides_uses_the_shipped_settings() -> None:
    from agent.strategy import priors as model

    shipped = model.MEDIATOR_SD
    try:
        changed = replay(Run("builtin", "adaptive", 1, 2, (("MEDIATOR_SD", 0.0),)))[1]
        assert model.MEDIATOR_SD == 0.0
        again = replay(Run("builtin", "adaptive", 1, 2))[1]  # as a pool worker would run next
        assert shipped == model.MEDIATOR_SD
        assert again == replay(Run("builtin", "adaptive", 1, 2))[1]
        assert changed != again
    finally:
        model.MEDIATOR_SD = shipped
