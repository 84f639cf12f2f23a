"""The planner's learner alone against an audience: a fast stand-in for evals.adaptation when tuning.

A full simulation runs the whole weekly cycle (database, graph, scripts, renders, publishing),
about 16 s per 8-week run here. Learning only depends on what planning decides and on the
metrics that come back, so this replays just that loop, with the real functions at both ends:

* decisions: ``agent.strategy.decide_week`` (or the oracle's policy) with the inputs the
  planning node builds (the seeded hook templates and twins, the trend topics, the default
  policy: one post a day), seeded per week as the planning node seeds them;
* outcomes: the audience's ``engagement`` for the post (noise seeded per post);
* evidence: the outcome pipeline (``agent.strategy.outcomes_of``) and ``agent.strategy.learn``
  (change detection included), read on the Wednesday after each week as the simulated cycle
  reads them.

What it leaves out: the offline model's script, so a reel's length is its target less 0-4 s
(as scripts written to a target come out); growth of metrics after posting (a simulated cycle
reads Sunday's posts at about 94 % of their final reach); memory recall (the offline planner does
not use it). The oracle plans as ``evals.oracle`` does: the best hour per day, then the best item.

An 8-week run takes about 1.5 s, so 100+ seeds per profile fit in a few minutes, enough to tell
apart changes of a point or two; the full evaluation stays the measure of the shipped agent.
Run: ``.venv/bin/python -m evals.replay --seeds 96 [--set PRIOR_SD=0.3]``; the constants
``--set`` can change are those of :mod:`agent.strategy.priors`.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import random
import statistics
import sys
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from agent.app.bootstrap import HOOKS, NICHES, TWINS
from agent.simulation.runner import DEFAULT_START_WEEK
from agent.strategy import (
    HookChoice,
    StrategyEvidence,
    TopicClusters,
    TrendCandidate,
    WeekInputs,
    WeekOutcomes,
    decide_week,
    learn,
    outcomes_of,
    priors,
)
from agent.strategy.decide import Decide
from agent.strategy.weeks import next_week, parse_week
from db.repo.analytics import PublishedPost
from db.schemas import AgentPolicy
from evals.adaptation import scored_weeks
from evals.audiences import PROFILES
from evals.oracle import interactions, oracle_decide
from tools.publish.audience import Audience, PostFeatures
from tools.publish.sandbox import load_audience
from tools.trends import SampleSource, collect_trends

START_WEEK = DEFAULT_START_WEEK
AGENT_NAME = "AI Twin Content Agent"
"""The demo agent's name: the planning node seeds its draws with it."""
READ_AFTER = timedelta(days=9)
"""From a week's Monday to when its cycle reads the metrics (the Wednesday after)."""
MATURITY = timedelta(hours=48)


@dataclass(frozen=True)
class Run:
    profile: str
    policy: str  # "adaptive" or "oracle"
    seed: int
    weeks: int
    overrides: tuple[tuple[str, float], ...] = ()


@functools.cache
def _trends() -> tuple[TrendCandidate, ...]:
    """The bundled sample as planning collects it for the demo agent's niche (same order)."""
    _, name, _, keywords = next(n for n in NICHES if n[0] == "creator-economy")
    found = collect_trends(
        sources=[SampleSource()],
        niche="creator-economy",
        keywords=[name, *keywords],
        clock=lambda: datetime(2030, 1, 6, tzinfo=UTC),
    )
    return tuple(
        TrendCandidate(
            topic=s.topic,
            score=s.score,
            tags=list(s.tags),
            points=list(s.extra.get("points") or []),
            summary=s.summary,
            link=s.link,
        )
        for s in found.signals
    )


def _inputs(week: str, seed: int, evidence: StrategyEvidence | None) -> WeekInputs:
    monday = datetime.combine(parse_week(week), time(0, 0), tzinfo=UTC)
    return WeekInputs(
        week=week,
        policy=AgentPolicy(),
        platforms=["sandbox"],
        trends=list(_trends()),
        twins=[name for name, *_ in TWINS],
        hooks=[
            HookChoice(category=c, template=t) for _, c, t in sorted(HOOKS)
        ],  # as the repo orders them
        seed=f"{seed}:{AGENT_NAME}:{week}",
        evidence=evidence,
        not_before=monday - timedelta(hours=15),
    )


def _engagement(audience: Audience, post: PostFeatures, key: str) -> Any:
    """The post's metrics, its noise seeded from ``key`` the way the sandbox seeds it."""
    return audience.engagement(
        post, random.Random(int(hashlib.sha256(key.encode()).hexdigest()[:16], 16))
    )


def replay(run: Run) -> tuple[Run, list[float]]:
    """One run; returns interactions per post of each week."""
    for name, value in {**_SETTINGS, **dict(run.overrides)}.items():
        setattr(priors, name, value)  # a worker's earlier run may have changed them
    audience = load_audience(PROFILES[run.profile])
    styles = {name: preset.value for name, preset, *_ in TWINS}
    policy: Decide = decide_week if run.policy == "adaptive" else oracle_decide(audience)
    posts: list[PublishedPost] = []
    evidence: StrategyEvidence | None = None
    curve: list[float] = []
    week = START_WEEK
    clusters = TopicClusters()
    for _ in range(run.weeks):
        skeleton = policy(_inputs(week, run.seed, evidence))
        lengths = random.Random(f"{run.seed}:{week}:length")
        week_interactions = []
        for slot in skeleton.slots:
            length = float(slot.target_length_sec - lengths.randint(0, 4))
            post = PostFeatures(
                platform="sandbox",
                posted_at=slot.at,
                pillar=slot.pillar,
                topic=slot.topic,
                tone=slot.tone,
                hook_category=slot.hook_category,
                length_sec=length,
                twin_style=styles[slot.twin],
            )
            metrics = _engagement(audience, post, f"{run.seed}:{slot.at.isoformat()}")
            week_interactions.append(interactions(metrics))
            posts.append(
                PublishedPost(
                    post_id=uuid.uuid4(),
                    platform="sandbox",
                    title=slot.topic,
                    url=None,
                    published_at=slot.at,
                    metrics={
                        k: getattr(metrics, k)
                        for k in ("views", "likes", "comments", "shares", "saves", "watch_time_sec")
                    },
                    pillar=slot.pillar,
                    topic=slot.topic,
                    hook_category=slot.hook_category,
                    tone=slot.tone,
                    twin=slot.twin,
                    length_sec=length,
                )
            )
        curve.append(statistics.fmean(week_interactions))
        if run.policy == "adaptive":
            start = datetime.combine(parse_week(week), time(0, 0), tzinfo=UTC)
            now = start + READ_AFTER
            outcomes = WeekOutcomes(
                week=week,
                start=start,
                end=start + timedelta(days=7),
                now=now,
                outcomes=outcomes_of(posts, tz=UTC, now=now, maturity=MATURITY, clusters=clusters),  # type: ignore[arg-type]
            )
            observations = outcomes.observations()
            evidence = learn(
                observations,
                previous=evidence,
                latest_start=start.date(),
                posts_considered=len(observations),
            ).evidence
        week = next_week(week)
    return run, curve


_SETTINGS = {n: v for n, v in vars(priors).items() if n.isupper() and isinstance(v, int | float)}
"""The learner's numeric constants as shipped (what ``--set`` can override)."""


def parse_overrides(pairs: list[str]) -> tuple[tuple[str, float], ...]:
    """``NAME=VALUE`` settings of the learner's numeric constants (e.g. ``PRIOR_SD=0.3``)."""
    result = []
    for pair in pairs:
        name, _, raw = pair.partition("=")
        if name not in _SETTINGS:
            known = sorted(_SETTINGS)
            raise ValueError(
                f"{name!r} is not a setting of the learner (agent.strategy.priors); known: {', '.join(known)}"
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
