"""The learner: joint effects, exploration, the seed-13.1 strategy shape, topic clusters."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, time

import numpy as np

from agent.strategy.adjust import derive_adjustments
from agent.strategy.dimensions import HOURS, LENGTH_BUCKETS
from agent.strategy.draws import (
    SlotOptions,
    balanced_design,
    draw_content,
    draw_hours,
    generator,
    pick,
)
from agent.strategy.estimates import estimates
from agent.strategy.model import EffectModel, Observation
from agent.strategy.topics import TopicClusters

CONTENT = {"pillar", "topic", "hook_category", "tone", "twin"}
TOPICS = ["Web3 security", "Deep work routines", "Crypto price commentary"]


def _world(n: int, seed: int = 1) -> list[Observation]:
    """Posts whose score is x1.6 at 18:00 and x1.5 for Web3 security; the good hour is mostly used for crypto."""
    rng = random.Random(seed)
    result = []
    for _ in range(n):
        hour = rng.choice(["12:00", "18:00"])
        topic = (
            "Crypto price commentary"
            if hour == "18:00" and rng.random() < 0.8
            else rng.choice(TOPICS)
        )
        score = (
            (1.6 if hour == "18:00" else 1.0)
            * (1.5 if topic == "Web3 security" else 0.8)
            * np.exp(rng.gauss(0, 0.2))
        )
        result.append(
            Observation({"hour": hour, "topic": topic, "platform": "sandbox"}, float(score))
        )
    return result


def _means(observations: list[Observation], dim: str) -> dict[str, float]:
    """Per-option average score, ignoring everything else the posts used."""
    grouped: dict[str, list[float]] = {}
    for o in observations:
        grouped.setdefault(o.features[dim], []).append(o.score)
    return {k: sum(v) / len(v) for k, v in grouped.items()}


def test_joint_model_separates_time_from_topic() -> None:
    model = EffectModel(_world(60))
    hour_gain = model.effect("hour", "18:00")[0] - model.effect("hour", "12:00")[0]
    topic_gain = (
        model.effect("topic", "Web3 security")[0]
        - model.effect("topic", "Crypto price commentary")[0]
    )
    assert 0.25 < hour_gain < 0.75  # log(1.6) = 0.47
    assert 0.2 < topic_gain < 0.75  # log(1.5 / 0.8) = 0.63
    # per-option means alone credit crypto with the good hour
    naive = _means(_world(60), "topic")
    assert naive["Crypto price commentary"] > naive["Deep work routines"]


def test_exploits_but_still_tries_unseen_options() -> None:
    model = EffectModel(_world(60))
    rng = generator("t")
    picks = Counter(
        pick(model.sample(rng), "topic", [*TOPICS, "Passkeys"], rng) for _ in range(400)
    )
    assert picks.most_common(1)[0][0] == "Web3 security"
    assert picks["Passkeys"] > 0  # never posted, still explored


def test_one_lucky_post_does_not_lock_in() -> None:
    ordinary = [Observation({"topic": "A"}, 1.0) for _ in range(10)]
    lucky = [Observation({"topic": "B"}, 2.0)]
    rng = generator("lucky")
    after_luck = Counter(
        pick(EffectModel(ordinary + lucky).sample(rng), "topic", ["A", "B"], rng)
        for _ in range(400)
    )
    assert after_luck["B"] > after_luck["A"]  # B gets tried again...
    settled = EffectModel(ordinary + lucky + [Observation({"topic": "B"}, 0.9) for _ in range(6)])
    again = Counter(pick(settled.sample(rng), "topic", ["A", "B"], rng) for _ in range(400))
    assert again["A"] > 100  # ...and once it proves ordinary, A is back in the running
    assert (
        settled.effect("topic", "B")[0] < EffectModel(ordinary + lucky).effect("topic", "B")[0] / 2
    )


def _slots(n: int, topics: list[str]) -> list[SlotOptions]:
    return [
        SlotOptions(
            day=date(2030, 1, 7 + i % 7),
            at=time(18),
            allowed={
                "topic": topics,
                "pillar": ["education", "promotion"],
                "tone": ["educational"],
                "hook_category": ["question"],
                "twin": ["Space Twin"],
                "length_bucket": list(LENGTH_BUCKETS),
            },
        )
        for i in range(n)
    ]


def test_content_draws_respect_topic_repeats_and_are_deterministic() -> None:
    def week(seed: str) -> list[dict[str, str]]:
        model = EffectModel(_world(40), {"topic": TOPICS})
        return draw_content(model, _slots(7, TOPICS), generator(seed), lambda t: t)

    first = week("s")
    assert first == week("s") and first != week("other")
    uses = Counter(s["topic"] for s in first)
    assert all(count <= 2 for count in uses.values()) or len(uses) == len(TOPICS)
    assert all(
        set(s) == {"topic", "pillar", "tone", "hook_category", "twin", "length_bucket"}
        for s in first
    )
    assert all(s["tone"] == "educational" for s in first)  # a forced option stays forced


def test_hours_follow_evidence() -> None:
    hours = draw_hours(
        EffectModel(_world(80), {"hour": list(HOURS)}), list(range(7)), generator("h")
    )
    assert set(hours.values()) <= set(HOURS)
    assert Counter(hours.values()).most_common(1)[0][0] == "18:00"
    first_week = draw_hours(EffectModel([], {"hour": list(HOURS)}), list(range(7)), generator("h"))
    assert len(set(first_week.values())) == 7  # nothing known: a different hour each day


def test_adjustments_have_the_seed_shape_and_evidence() -> None:
    obs = [
        Observation(
            o.features
            | {
                "weekday": "Tue",
                "tone": "educational" if o.score > 1 else "trending",
                "twin": "Space Twin",
            },
            o.score,
        )
        for o in _world(60)
    ]
    obs += [
        Observation(
            {
                "topic": "Newsletter monetization",
                "hour": hour,
                "weekday": day,
                "tone": "educational",
            },
            0.4 * (1.6 if hour == "18:00" else 1.0),
        )
        for hour, day in [("12:00", "Mon"), ("18:00", "Tue")] * 4
    ]
    joint = estimates(EffectModel(obs))
    adjustments, reasons = derive_adjustments(joint, {"sandbox": joint})
    assert list(adjustments) == [
        "topics_to_increase",
        "topics_to_reduce",
        "platform_timing_updates",
        "tone_adjustments",
        "twin_rotation",
        "length_adjustments",
    ]
    assert adjustments["topics_to_increase"][0] == "Web3 security"
    assert adjustments["topics_to_reduce"][0] == "Newsletter monetization"
    assert adjustments["platform_timing_updates"]["sandbox"][0].endswith("18:00")
    assert adjustments["tone_adjustments"] == {"sandbox": "educational"}
    web3 = reasons["topics"]["Web3 security"]
    assert web3["n"] > 5 and web3["low"] > 1.0
    # every estimate sits inside its own interval
    for options in joint.values():
        for e in options.values():
            low, high = e.interval()
            assert low <= e.posterior()[0] <= high


def test_the_strategy_reads_the_joint_model_not_per_option_means() -> None:
    world = _world(60)
    naive = _means(world, "topic")
    joint = estimates(EffectModel(world))
    by_model, reasons = derive_adjustments(joint, {"sandbox": joint})
    # crypto rides on the good hour: per-option means rank it above deep work, the joint model does not
    assert naive["Crypto price commentary"] > naive["Deep work routines"]
    assert joint["topic"]["Crypto price commentary"].posterior()[0] < 1.0
    assert by_model["topics_to_increase"] == ["Web3 security"]
    assert "Crypto price commentary" not in by_model["topics_to_increase"]
    web3 = reasons["topics"]["Web3 security"]
    # a multiplier of the average post, with its interval
    assert web3["n"] == 6 and web3["low"] > 1.0
    assert joint["hour"]["18:00"].posterior()[0] > 1.0 > joint["hour"]["12:00"].posterior()[0]


def test_one_weak_post_alone_does_not_reduce_a_topic() -> None:
    world = _world(60)
    once = Observation({"topic": "Newsletter monetization", "hour": "12:00"}, 0.6)
    twice = Observation({"topic": "Newsletter monetization", "hour": "12:00"}, 0.55)
    after_one = estimates(EffectModel([*world, once]))
    after_two = estimates(EffectModel([*world, once, twice]))
    # both means are low, but one post leaves the interval reaching above the average
    assert after_one["topic"]["Newsletter monetization"].posterior()[0] < 0.85
    assert after_one["topic"]["Newsletter monetization"].interval()[1] > 1.0
    assert "Newsletter monetization" not in derive_adjustments(after_one, {})[0]["topics_to_reduce"]
    assert "Newsletter monetization" in derive_adjustments(after_two, {})[0]["topics_to_reduce"]


def test_topic_clusters_merge_paraphrases_with_minilm() -> None:
    from memory.embeddings import build_embedding_function

    clusters = TopicClusters(build_embedding_function("local"))
    labels = clusters.labels(
        ["Phishing scams on Instagram", "Deep work routines"],
        anchors=["Phishing scams on social media"],
    )
    assert labels["Phishing scams on Instagram"] == "Phishing scams on social media"
    assert labels["Deep work routines"] == "Deep work routines"
    assert TopicClusters().labels(["AI tools", "ai  tools"]) == {
        "AI tools": "AI tools",
        "ai  tools": "AI tools",
    }


def test_exploration_anneals_once_the_first_weeks_are_in() -> None:
    from agent.strategy.model import exploration
    from agent.strategy.priors import EXPLORE_POSTS, MIN_EXPLORATION

    assert exploration(0) == exploration(EXPLORE_POSTS) == 1.0  # full Thompson draws early
    later = [exploration(n) for n in (25, 30, 40, 60, 1000)]
    assert later == sorted(later, reverse=True) and later[0] < 1.0
    assert exploration(40) < 0.1  # by ~6 weeks of daily posts, draws sit near the posterior mean
    assert exploration(1000) == MIN_EXPLORATION  # ...but never stop exploring


def _funnel(n: int, with_views: bool, seed: int = 3) -> list[Observation]:
    """Tone moves only the rate (x1.3 educational, noise 0.1); reach is noisy (sd 0.5)."""
    rng = random.Random(seed)
    result = []
    for _ in range(n):
        tone = rng.choice(["educational", "trending"])
        reach = float(np.exp(rng.gauss(0, 0.5)))
        rate = (1.3 if tone == "educational" else 1.0) * float(np.exp(rng.gauss(0, 0.1)))
        result.append(Observation({"tone": tone}, reach * rate, 1.0, reach if with_views else None))
    return result


def test_known_views_separate_the_rate_from_the_reach() -> None:
    split = EffectModel(_funnel(400, True))
    assert split.factors == ("reach", "rate") and EffectModel(_funnel(9, False)).factors == (
        "reach",
    )
    gain = split.effect("tone", "educational")[0] - split.effect("tone", "trending")[0]
    assert abs(gain - np.log(1.3)) < 0.1
    reach_noise, rate_noise = (v**0.5 for v in split.noise)
    assert 0.4 < reach_noise < 0.6 and rate_noise < 0.15  # each factor's own noise, by EM
    back = Observation.from_json(_funnel(1, True)[0].to_json())
    assert back.reach is not None and EffectModel([back]).factors == ("reach", "rate")


def test_empirical_bayes_shrinks_a_dimension_that_does_not_matter() -> None:
    rng = random.Random(4)
    obs = []
    for _ in range(60):
        topic, twin = rng.choice(["A", "B", "C", "D"]), rng.choice(["X", "Y", "Z"])
        effect = {"A": 0.8, "B": 0.0, "C": -0.8, "D": 0.4}[topic]
        obs.append(Observation({"topic": topic, "twin": twin}, float(np.exp(effect))))
    model = EffectModel(obs)
    assert model.tau[(0, "twin")] < model.tau[(0, "topic")] / 2


def test_hours_near_a_good_hour_inherit_some_of_it() -> None:
    obs = [Observation({"hour": "20:00"}, 2.0) for _ in range(5)]
    obs += [Observation({"hour": "08:00"}, 0.5) for _ in range(5)]
    model = EffectModel(obs, {"hour": list(HOURS)})
    near, far = model.effect("hour", "18:00")[0], model.effect("hour", "12:00")[0]
    assert model.effect("hour", "20:00")[0] > near > 0.05 and near > far


def test_a_first_week_without_evidence_is_designed_to_learn_from() -> None:
    topics = [*TOPICS, "Passkeys", "Phishing", "AI tools", "Newsletters"]
    slots = [
        SlotOptions(
            day=date(2030, 1, 7 + i),
            at=time(12),
            allowed={
                "topic": topics,
                "pillar": [
                    "education",
                    "inspiration",
                    "announcement",
                    "promotion",
                    "trend_reaction",
                ],
                "tone": ["educational", "trending", "thought_leadership", "inspirational"],
                "hook_category": [
                    "question",
                    "story",
                    "statistic",
                    "how_to",
                    "listicle",
                    "contrarian",
                ],
                "twin": ["A", "B", "C"],
                "length_bucket": list(LENGTH_BUCKETS),
            },
        )
        for i in range(7)
    ]
    week = balanced_design(slots, generator("w1"), lambda t: t)
    for dim, options in slots[0].allowed.items():
        # a balanced design: every option once before any option twice
        assert len({s[dim] for s in week}) == min(7, len(options)), dim


def test_annealing_narrows_what_was_learned_not_what_was_never_tried() -> None:
    model = EffectModel(_world(60), {"topic": [*TOPICS, "Passkeys"]})
    rng = generator("fresh")
    draws = [model.sample(rng) for _ in range(2000)]

    def spread(topic: str) -> float:
        return float(np.std([d[("topic", topic)] for d in draws]))

    untried_sd, tried_sd = model.effect("topic", "Passkeys")[1], model.effect("topic", TOPICS[0])[1]
    assert abs(spread("Passkeys") / untried_sd - 1) < 0.1  # the whole posterior (= prior) spread
    assert spread(TOPICS[0]) < tried_sd / 3  # tried options: annealed towards their mean
    model.imagine({"topic": "Passkeys"})  # planned this week: no longer untried
    narrowed = [model.sample(rng)[("topic", "Passkeys")] for _ in range(2000)]
    assert float(np.std(narrowed)) < untried_sd / 3


RETAINED = {"short": 0.64, "medium": 0.8, "long": 0.55}
"""Share of the reel watched per length bucket in ``_lengths``."""


def _lengths(n: int, seed: int, with_retention: bool) -> list[Observation]:
    """Interactions per view follow retention (x retention**0.7); reach is noisy (sd 0.3)."""
    rng = random.Random(seed)
    result = []
    for _ in range(n):
        length, pillar = rng.choice(list(RETAINED)), rng.choice(["a", "b", "c"])
        retention = RETAINED[length] * float(np.exp(rng.gauss(0, 0.03)))
        reach = {"a": 1.3, "b": 1.0, "c": 0.8}[pillar] * float(np.exp(rng.gauss(0, 0.3)))
        rate = retention**0.7 * float(np.exp(rng.gauss(0, 0.15)))
        result.append(
            Observation(
                {"length_bucket": length, "pillar": pillar},
                reach * rate,
                1.0,
                reach,
                retention if with_retention else None,
            )
        )
    return result


def test_retention_tells_which_length_keeps_viewers_from_few_posts() -> None:
    truth = 0.7 * np.log(RETAINED["medium"] / RETAINED["long"])
    errors: dict[bool, list[float]] = {True: [], False: []}
    for seed in range(40):
        for known in (True, False):
            model = EffectModel(_lengths(14, seed, known))  # two weeks of daily posts
            gain = (
                model.effect("length_bucket", "medium")[0]
                - model.effect("length_bucket", "long")[0]
            )
            errors[known].append(abs(gain - truth))
    assert np.mean(errors[True]) < 0.85 * np.mean(errors[False])
    learned = EffectModel(_lengths(300, 1, True))
    assert 0.5 < float(learned.mediator.sum()) < 0.9  # how much watching moves engagement
    back = Observation.from_json(_lengths(1, 2, True)[0].to_json())
    assert back.retention is not None and abs(back.retention - 0.7) < 0.2
    # a rating (no views, no retention) beside posts with retention still fits
    rated = EffectModel([*_lengths(5, 3, True), Observation({"length_bucket": "long"}, 0.5, 2.0)])
    assert np.isfinite(rated.mean).all()


def test_retention_is_read_from_watch_time() -> None:
    from datetime import UTC, datetime

    from agent.strategy.outcomes import PostOutcome, WeekOutcomes

    def outcome(metrics: dict[str, float], length: float | None) -> PostOutcome:
        when = datetime(2030, 1, 7, 18, tzinfo=UTC)
        return PostOutcome(
            post_id="p",
            platform="sandbox",
            title="t",
            published_at=when,
            metrics=metrics,
            features={"length_bucket": "medium"},
            matured=True,
            length_sec=length,
        )

    watched = outcome({"views": 100, "likes": 5, "watch_time_sec": 1200.0}, 20.0)
    assert watched.retention == 0.6  # 12 s of a 20 s reel per view
    assert outcome({"views": 100, "likes": 5}, 20.0).retention is None  # no watch time
    assert outcome({"views": 100, "watch_time_sec": 1200.0}, None).retention is None
    assert outcome({"views": 0, "watch_time_sec": 5.0}, 20.0).retention is None
    start = datetime(2030, 1, 7, tzinfo=UTC)
    week = WeekOutcomes(
        week="2030-W02",
        start=start,
        end=start,
        now=datetime(2030, 1, 16, tzinfo=UTC),
        outcomes=[watched],
    )
    assert [o.retention for o in week.observations()] == [0.6]
