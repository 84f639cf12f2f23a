"""The spike detector: far above the niche's usual score, judged robustly."""

from __future__ import annotations

import pytest

from tools.trends import ScoredSignal, detect_spikes


def signal(topic: str, score: float) -> ScoredSignal:
    return ScoredSignal(
        topic=topic,
        score=score,
        kind="news",
        source="rss:x",
        recency=0.5,
        repetition=0.0,
        relevance=0.5,
        popularity=0.5,
    )


USUAL = [0.40, 0.42, 0.38, 0.45, 0.41, 0.39, 0.43, 0.40, 0.44, 0.37, 0.42, 0.41]


def test_a_signal_far_above_the_usual_is_a_spike_and_ordinary_ones_are_not() -> None:
    today = [signal("ordinary", 0.46), signal("huge", 0.92), signal("big", 0.75)]
    spikes = detect_spikes(today, USUAL)
    assert [s.signal.topic for s in spikes] == ["huge", "big"]
    assert spikes[0].baseline == pytest.approx(0.41, abs=0.005)
    assert spikes[0].z > spikes[1].z >= 3.5
    assert spikes[0].ratio == pytest.approx(0.92 / spikes[0].baseline, rel=1e-3)


def test_past_spikes_do_not_raise_the_bar() -> None:
    with_outliers = [*USUAL, 0.95, 0.97]
    assert [s.signal.topic for s in detect_spikes([signal("huge", 0.92)], with_outliers)] == [
        "huge"
    ]


def test_the_threshold_is_a_setting() -> None:
    today = [signal("big", 0.75)]
    assert detect_spikes(today, USUAL, threshold=3.5)
    assert not detect_spikes(today, USUAL, threshold=50)


def test_too_little_history_means_no_spike_yet() -> None:
    assert detect_spikes([signal("huge", 0.99)], USUAL[:5]) == []


def test_a_flat_history_does_not_make_every_wobble_a_spike() -> None:
    flat = [0.40] * 20
    assert detect_spikes([signal("wobble", 0.45)], flat) == []
    assert [s.signal.topic for s in detect_spikes([signal("jump", 0.8)], flat)] == ["jump"]


def test_a_low_score_is_never_a_spike_even_over_a_low_usual() -> None:
    low = [0.05, 0.06, 0.04, 0.05, 0.05, 0.06, 0.04, 0.05, 0.05, 0.06]
    assert detect_spikes([signal("meh", 0.40)], low) == []
    assert detect_spikes([signal("meh", 0.40)], low, min_score=0.3)
