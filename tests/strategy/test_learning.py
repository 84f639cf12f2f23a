"""What adapting computes: changes of taste, the strategy update, and the typed hand-off between weeks."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np

from agent.strategy import StrategyEvidence, learn
from agent.strategy.drift import chi2_sf, detect_change
from agent.strategy.model import EffectModel, Observation

TOPICS = ["A", "B", "C", "D"]
START = date(2030, 1, 7)


def _weeks(taste: list[dict[str, float]], seed: int = 0, favourite: str = "A") -> list[Observation]:
    """One week per taste (topic -> multiplier), seven posts a week, most of them on ``favourite``."""
    rng = random.Random(seed)
    result = []
    for week, multipliers in enumerate(taste):
        for day in range(7):
            topic = favourite if day < 4 else rng.choice(TOPICS)
            hour = rng.choice(["12:00", "18:00"])
            score = (
                multipliers[topic]
                * (1.3 if hour == "18:00" else 1.0)
                * float(np.exp(rng.gauss(0, 0.3)))
            )
            result.append(
                Observation(
                    {"topic": topic, "hour": hour, "platform": "sandbox"},
                    score,
                    at=START + timedelta(days=7 * week + day),
                )
            )
    return result


BEFORE = {"A": 1.6, "B": 1.0, "C": 0.9, "D": 0.6}
AFTER = {"A": 0.5, "B": 1.0, "C": 0.9, "D": 1.7}


def test_a_change_of_taste_is_detected_in_its_dimension() -> None:
    found = [
        detect_change(
            _weeks([BEFORE] * 4 + [AFTER], seed), [], latest_start=START + timedelta(weeks=4)
        )
        for seed in range(8)
    ]
    assert sum(c is not None and c.dimension == "topic" for c in found) >= 6
    assert all(c is None or c.since == START + timedelta(weeks=4) for c in found)


def test_a_stable_audience_raises_no_alarm() -> None:
    alarms = [
        detect_change(_weeks([BEFORE] * 5, seed), [], latest_start=START + timedelta(weeks=4))
        for seed in range(20)
    ]
    assert alarms.count(None) >= 19


def test_after_a_change_the_dimension_is_relearned_from_the_new_posts() -> None:
    posts = _weeks([BEFORE] * 4 + [AFTER] * 2, 1)
    learned = learn(
        posts[:35], previous=None, latest_start=START + timedelta(weeks=4), posts_considered=35
    )
    assert learned.change is not None and learned.change.dimension == "topic"
    again = learn(
        posts,
        previous=learned.evidence,
        latest_start=START + timedelta(weeks=5),
        posts_considered=42,
    )
    assert again.change is None and [c.dimension for c in again.evidence.changes] == ["topic"]
    forgetful = EffectModel(posts, changes=again.evidence.learner_changes())
    stubborn = EffectModel(posts)
    # A tired, D rose: only the model that knows of the change ranks them the new way round
    assert forgetful.effect("topic", "D")[0] > forgetful.effect("topic", "A")[0]
    assert stubborn.effect("topic", "A")[0] > stubborn.effect("topic", "D")[0]
    assert (
        "A" in again.adjustments["topics_to_reduce"]
        or "D" in again.adjustments["topics_to_increase"]
    )


def test_the_evidence_round_trips_and_older_rows_still_load() -> None:
    posts = _weeks([BEFORE] * 2)
    learned = learn(
        posts, previous=None, latest_start=START + timedelta(weeks=1), posts_considered=14
    )
    stored = learned.evidence.model_dump(mode="json")
    back = StrategyEvidence.from_update(learned.adjustments, stored)
    assert back == learned.evidence and back.version == 2
    assert [o.at for o in back.learner_observations()] == [o.at for o in posts]
    legacy = StrategyEvidence.from_update(
        {}, {"observations": [{"f": {"topic": "A"}, "y": 1.2, "w": 0.9}]}
    )
    assert legacy.source == "learned" and legacy.learner_observations()[0].at is None
    written = StrategyEvidence.from_update(
        {
            "topics_to_increase": ["A"],
            "topics_to_reduce": ["D"],
            "platform_timing_updates": {"sandbox": ["Tue 18:30"]},
            "tone_adjustments": {"sandbox": "trending"},
        },
        {},
    )
    assert written.source == "converted"
    features = [o.f for o in written.observations]
    assert {"topic": "A"} in features and {"topic": "D"} in features
    assert {"platform": "sandbox", "weekday": "Tue", "hour": "18:00"} in features


def test_the_report_estimates_sit_inside_their_intervals() -> None:
    learned = learn(_weeks([BEFORE] * 3), previous=None, latest_start=None, posts_considered=21)
    for options in learned.evidence.estimates.values():
        for e in options.values():
            assert e.low <= e.estimate <= e.high


def test_chi_square_tail() -> None:
    assert abs(chi2_sf(3.84, 1) - 0.05) < 0.01
    assert abs(chi2_sf(9.49, 4) - 0.05) < 0.01
    assert chi2_sf(0.0, 3) > 0.99
