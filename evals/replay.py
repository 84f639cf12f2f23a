"""The planner's learner alone against an audience: a fast stand-in for evals.adaptation when tuning.

A full simulation runs the whole weekly cycle (database, graph, scripts, renders, publishing),
about 16 s per 8-week run here. Learning only depends on what planning decides and on the
metrics that come back, so this replays just that loop, with the real functions at both ends:

* decisions: ``learning.choose_hours`` and ``learning.suggestions_for`` with the options the
  planning node passes (pillars, tones, the seeded hook categories and twins, the trend topics),
  one post a day, seeded per week as the planning node seeds them;
* outcomes: the audience's ``engagement`` for the post (noise seeded per post);
* evidence: ``agent.analysis.score_outcomes`` and ``post_observations``, read on the Wednesday
  after each week as the simulated cycle reads them.

What it leaves out: the offline model's script, so a reel's length is its target less 0-4 s
(as scripts written to a target come out); growth of metrics after posting (a simulated cycle
reads Sunday's posts at about 94 % of their final reach); memory recall (the offline planner does
not use it). The oracle plans as ``evals.oracle`` does: the best hour per day, then the best item.

An 8-week run takes about 1.5 s, so 100+ seeds per profile fit in a few minutes, enough to tell
apart changes of a point or two; the full evaluation stays the measure of the shipped agent.
Run: ``.venv/bin/python -m evals.replay --seeds 96 [--set PRIOR_SD=0.3]``.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from agent.analysis import PostOutcome, platform_means, post_observations, score_outcomes
from agent.bootstrap import HOOKS, TWINS
from agent.nodes.planning import PILLARS, TONES
from agent.planning import learning
from agent.planning import model as effect_model
from agent.planning.learning import LENGTH_BUCKETS, WEEKDAYS, hour_bucket, length_bucket
from agent.simulation.runner import DEFAULT_START_WEEK
from agent.weeks import next_week, parse_week
from evals.adaptation import scored_weeks
from evals.audiences import PROFILES
from evals.oracle import TIMING_BASE, Oracle, interactions
from tools.publish.audience import Audience, PostFeatures
from tools.publish.sandbox import load_audience
from tools.trends import load_trends

START_WEEK = DEFAULT_START_WEEK
AGENT_NAME = "AI Twin Content Agent"
"""The demo agent's name: the planning node seeds its draws with it."""
READ_AFTER = timedelta(days=9)
"""From a week's Monday to when its cycle reads the metrics (the Wednesday after)."""


@dataclass(frozen=True)
class Run:
    profile: str
    policy: str  # "adaptive" or "oracle"
    seed: int
    weeks: int
    overrides: tuple[tuple[str, float], ...] = ()


def _options() -> dict[str, list[str]]:
    return {
        "topic": [t["topic"] for t in load_trends()],
        "twin": [name for name, *_ in TWINS],
        "pillar": list(PILLARS),
        "tone": list(TONES),
        "hook_category": sorted({category for _, category, _ in HOOKS}),
        "length_bucket": list(LENGTH_BUCKETS),
    }


def _styles() -> dict[str, str]:
    return {name: preset.value for name, preset, *_ in TWINS}


def _engagement(audience: Audience, post: PostFeatures, key: str) -> Any:
    """The post's metrics, its noise seeded from ``key`` the way the sandbox seeds it."""
    return audience.engagement(
        post, random.Random(int(hashlib.sha256(key.encode()).hexdigest()[:16], 16))
    )


def _adaptive_week(
    outcomes: list[PostOutcome], week: str, seed: int, options: dict[str, list[str]]
) -> list[tuple[datetime, dict[str, Any]]]:
    """What the learning agent plans for ``week`` given the outcomes read so far."""
    monday = datetime.combine(parse_week(week), time(0, 0), tzinfo=UTC)
    evidence: dict[str, Any] = {}
    if outcomes:
        now = monday - timedelta(days=7) + READ_AFTER  # last week's reading
        score_outcomes(outcomes, platform_means(outcomes))
        evidence = {"observations": [o.to_json() for o in post_observations(outcomes, now)]}
    seeded = f"{seed}:{AGENT_NAME}:{week}"
    hours = learning.choose_hours(
        days=list(range(7)),
        platforms=["sandbox"],
        evidence=evidence,
        seed=seeded,
        explore=not outcomes,
    )
    slots = [
        SimpleNamespace(
            index=d,
            day=monday + timedelta(days=d),
            local_time=time.fromisoformat(hours[d]),
        )
        for d in range(7)
    ]
    suggestions = learning.suggestions_for(
        slots=slots, evidence=evidence, seed=seeded, options=options, explore=not outcomes
    )
    return [
        (datetime.combine(slot.day.date(), slot.local_time, tzinfo=UTC), s)
        for slot, s in zip(slots, suggestions, strict=True)
    ]


def _oracle_week(
    oracle: Oracle, week: str, options: dict[str, list[str]], styles: dict[str, str]
) -> list[tuple[datetime, dict[str, Any]]]:
    """What ``evals.oracle`` plans: the audience's best hour each day, then the best item."""
    monday = datetime.combine(parse_week(week), time(0, 0), tzinfo=UTC)
    used: dict[str, int] = {}
    plan = []
    for d in range(7):
        day = monday + timedelta(days=d)
        when = datetime.combine(
            day.date(), time.fromisoformat(oracle.best_hour(day, TIMING_BASE)), tzinfo=UTC
        )
        best = oracle.best_item(when, options, styles, used)
        used[best["topic"]] = used.get(best["topic"], 0) + 1
        plan.append((when, {**best, "target_length_sec": LENGTH_BUCKETS[best["length_bucket"]]}))
    return plan


def replay(run: Run) -> tuple[Run, list[float]]:
    """One run; returns interactions per post of each week."""
    for name, value in {**_SETTINGS, **dict(run.overrides)}.items():
        setattr(effect_model, name, value)  # a worker's earlier run may have changed them
    audience = load_audience(PROFILES[run.profile])
    options, styles = _options(), _styles()
    oracle = Oracle(audience)
    outcomes: list[PostOutcome] = []
    curve: list[float] = []
    week = START_WEEK
    for _ in range(run.weeks):
        plan = (
            _adaptive_week(outcomes, week, run.seed, options)
            if run.policy == "adaptive"
            else _oracle_week(oracle, week, options, styles)
        )
        lengths = random.Random(f"{run.seed}:{week}:length")
        week_interactions = []
        for when, item in plan:
            length = float(item["target_length_sec"] - lengths.randint(0, 4))
            post = PostFeatures(
                platform="sandbox",
                posted_at=when,
                pillar=item["pillar"],
                topic=item["topic"],
                tone=item["tone"],
                hook_category=item["hook_category"],
                length_sec=length,
                twin_style=styles[item["twin"]],
            )
            metrics = _engagement(audience, post, f"{run.seed}:{when.isoformat()}")
            week_interactions.append(interactions(metrics))
            outcomes.append(
                PostOutcome(
                    post_id=uuid.uuid4(),
                    platform="sandbox",
                    title=item["topic"],
                    url=None,
                    published_at=when,
                    metrics={
                        "views": metrics.views,
                        "likes": metrics.likes,
                        "comments": metrics.comments,
                        "shares": metrics.shares,
                        "saves": metrics.saves,
                        "watch_time_sec": metrics.watch_time_sec,
                    },
                    features={
                        "platform": "sandbox",
                        "pillar": item["pillar"],
                        "topic": item["topic"],
                        "hook_category": item["hook_category"],
                        "tone": item["tone"],
                        "length_bucket": length_bucket(length),
                        "twin": item["twin"],
                        "weekday": WEEKDAYS[when.weekday()],
                        "hour": hour_bucket(when.hour),
                    },
                    matured=True,
                    length_sec=length,
                )
            )
        curve.append(statistics.fmean(week_interactions))
        week = next_week(week)
    return run, curve


_SETTINGS = {
    n: v for n, v in vars(effect_model).items() if n.isupper() and isinstance(v, int | float)
}
"""The effect model's numeric constants as shipped (what ``--set`` can override)."""


def parse_overrides(pairs: list[str]) -> tuple[tuple[str, float], ...]:
    """``NAME=VALUE`` settings of the effect model's numeric constants (e.g. ``PRIOR_SD=0.3``)."""
    result = []
    for pair in pairs:
        name, _, raw = pair.partition("=")
        if name not in _SETTINGS:
            known = sorted(_SETTINGS)
            raise ValueError(
                f"{name!r} is not a setting of the effect model; known: {', '.join(known)}"
            )
        try:
            result.append((name, float(raw)))
        except ValueError:
            raise ValueError(f"{pair!r}: the value must be a number") from None
    return tuple(result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Replay the planner's learner against each audience profile (fast; for tuning)."
    )
    parser.add_argument("--seeds", type=int, default=48, help="seeds per profile (default 48)")
    parser.add_argument("--first-seed", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--weeks", type=int, default=8, help="weeks per run (default 8)")
    parser.add_argument("--jobs", type=int, default=2, help="runs in parallel (default 2)")
    parser.add_argument(
        "--profile", action="append", choices=list(PROFILES), help="only these profiles"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override an effect-model constant for the adaptive runs, e.g. PRIOR_SD=0.3",
    )
    args = parser.parse_args(argv)
    try:
        overrides = parse_overrides(args.set)
    except ValueError as exc:
        parser.error(str(exc))
    profiles = args.profile or list(PROFILES)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    runs = [
        Run(p, policy, s, args.weeks, overrides if policy == "adaptive" else ())
        for p in profiles
        for policy in ("adaptive", "oracle")
        for s in seeds
    ]
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(replay, runs, chunksize=4))
    first, last = scored_weeks(args.weeks)
    print(
        f"Replay: mean interactions per post in weeks {first}-{last}, {args.seeds} seeds"
        + (f", {' '.join(args.set)}" if args.set else "")
    )
    print(
        f"{'profile':<18}{'adaptive':>10}{'oracle':>10}{'share':>8}{'±1 se':>8}  share of oracle by week"
    )
    curves: dict[tuple[str, str], list[list[float]]] = {}
    for run, curve in results:
        curves.setdefault((run.profile, run.policy), []).append(curve)
    for profile in profiles:
        adaptive, oracle = curves[(profile, "adaptive")], curves[(profile, "oracle")]
        scored = [statistics.fmean(c[first - 1 : last]) for c in adaptive]
        oracle_mean = statistics.fmean(statistics.fmean(c[first - 1 : last]) for c in oracle)
        spread = statistics.stdev(scored) / len(scored) ** 0.5 if len(scored) > 1 else 0.0
        weekly = [
            statistics.fmean(c[i] for c in adaptive) / statistics.fmean(c[i] for c in oracle)
            for i in range(args.weeks)
        ]
        print(
            f"{profile:<18}{statistics.fmean(scored):>10.1f}{oracle_mean:>10.1f}"
            f"{statistics.fmean(scored) / oracle_mean:>8.1%}{spread / oracle_mean:>8.1%}  "
            + " ".join(f"{x:.0%}" for x in weekly)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
