"""Adaptation in simulation: the learning agent vs a fixed-strategy baseline and an audience-reading oracle.

Each policy runs the same weekly cycle for ``WEEKS`` weeks per seed and audience profile:

* baseline: ``learning_mode="fixed"`` — planning ignores the strategy, past evidence and memory;
* adaptive: the agent as shipped — it sees only metrics (and its own memory);
* oracle: reads the audience's preferences (see :mod:`evals.oracle`); nothing else may.

Each runs with two writers of the words: the configured chat model (``TWIN_LLM_*``, the offline
stand-in by default) and an OpenAI-compatible local server that answers every structured
request with schema-valid random choices (:mod:`evals.unguided`): it ignores every suggestion,
so what the agent learns can only reach the week through code.

Engagement is interactions per post (likes + comments + shares + saves) in weeks 5-8.
Run: ``.venv/bin/python -m evals.adaptation [--seeds N] [--weeks W] [--jobs J] [--model M]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from agent.simulation import SimulationConfig, simulate
from evals.audiences import PROFILES
from tools.publish.sandbox import load_audience

POLICIES = ("baseline", "adaptive", "oracle")
MODELS = ("configured", "unguided")
TARGET_VS_BASELINE = 1.3
"""On the built-in and the drifting audience, with either model."""
FLOOR_VS_BASELINE = 1.1
"""On every audience."""
TARGET_VS_ORACLE = {"builtin": 0.85, "drifting": 0.75}
"""Share of the oracle wanted per audience (others: none)."""
WEEKS = 8
SCORED = (5, 8)


@dataclass(frozen=True)
class Job:
    profile: str
    policy: str
    seed: int
    weeks: int
    llm_base_url: str | None = None
    """An OpenAI-compatible server that writes the words (None: the configured model)."""


@dataclass(frozen=True)
class Score:
    job: Job
    engagement: float
    curve: tuple[float, ...]


def run_job(job: Job) -> Score:
    """One simulation; returns mean interactions per post over the scored weeks and the weekly curve."""
    spec = PROFILES[job.profile]
    config = SimulationConfig(
        weeks=job.weeks,
        seed=job.seed,
        audience=spec,
        llm_provider="openai" if job.llm_base_url else None,
        llm_base_url=job.llm_base_url,
        llm_model="unguided" if job.llm_base_url else None,
    )
    if job.policy == "baseline":
        config.learning_mode, config.memory = "fixed", False
    elif job.policy == "oracle":
        from evals.oracle import oracle_decide

        config.decide, config.memory = oracle_decide(load_audience(spec)), False
    result = simulate(config)
    first, last = scored_weeks(job.weeks)
    return Score(
        job,
        result.mean_engagement(first, last),
        tuple(r.interactions_per_post for r in result.rows),
    )


def scored_weeks(weeks: int) -> tuple[int, int]:
    """Weeks 5-8 of an 8-week run; the second half of a shorter one."""
    return (SCORED[0], SCORED[1]) if weeks >= SCORED[1] else (weeks // 2 + 1, weeks)


@dataclass
class ProfileRow:
    profile: str
    model: str
    means: dict[str, float]

    @property
    def vs_baseline(self) -> float:
        return (
            self.means["adaptive"] / self.means["baseline"]
            if self.means["baseline"]
            else float("inf")
        )

    @property
    def vs_oracle(self) -> float:
        return self.means["adaptive"] / self.means["oracle"] if self.means["oracle"] else 0.0

    @property
    def met(self) -> bool:
        wanted = TARGET_VS_BASELINE if self.profile in TARGET_VS_ORACLE else FLOOR_VS_BASELINE
        return self.vs_baseline >= wanted and self.vs_oracle >= TARGET_VS_ORACLE.get(
            self.profile, 0.0
        )


def evaluate(
    *,
    seeds: int = 3,
    weeks: int = WEEKS,
    profiles: list[str] | None = None,
    models: tuple[str, ...] = MODELS,
    jobs: int = 2,
) -> tuple[list[ProfileRow], list[Score]]:
    """Run every model x profile x policy x seed and average per model, profile and policy."""
    from evals.unguided import serve

    with serve() as unguided_url:
        todo = [
            Job(p, policy, s, weeks, unguided_url if model == "unguided" else None)
            for model in models
            for p in (profiles or list(PROFILES))
            for policy in POLICIES
            for s in range(seeds)
        ]
        if jobs > 1:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                scores = list(pool.map(run_job, todo))
        else:
            scores = [run_job(j) for j in todo]
    rows = []
    for model in models:
        for profile in profiles or list(PROFILES):
            mine = [
                s
                for s in scores
                if s.job.profile == profile
                and (s.job.llm_base_url is not None) == (model == "unguided")
            ]
            means = {
                policy: statistics.fmean(s.engagement for s in mine if s.job.policy == policy)
                for policy in POLICIES
            }
            rows.append(ProfileRow(profile, model, means))
    return rows, scores


def format_table(rows: list[ProfileRow], seeds: int, weeks: int) -> str:
    first, last = scored_weeks(weeks)
    lines = [
        f"Mean interactions per post in weeks {first}-{last} ({seeds} seeds, {weeks} weeks each)",
        "",
        f"{'model':<12}{'profile':<18}{'baseline':>10}{'adaptive':>10}{'oracle':>10}{'vs base':>9}{'vs oracle':>11}  target",
        "-" * 88,
    ]
    for r in rows:
        lines.append(
            f"{r.model:<12}{r.profile:<18}{r.means['baseline']:>10.1f}{r.means['adaptive']:>10.1f}{r.means['oracle']:>10.1f}"
            f"{r.vs_baseline:>8.2f}x{r.vs_oracle:>10.0%}  {'met' if r.met else 'NOT met'}"
        )
    lines.append("")
    lines.append(
        f"targets: >= {TARGET_VS_BASELINE}x baseline on "
        + ", ".join(TARGET_VS_ORACLE)
        + f" (>= {FLOOR_VS_BASELINE}x elsewhere); share of oracle "
        + ", ".join(f"{p} >= {v:.0%}" for p, v in TARGET_VS_ORACLE.items())
        + "; with every model"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--seeds", type=int, default=3, help="seeds per profile and policy (default 3)"
    )
    parser.add_argument("--weeks", type=int, default=WEEKS, help="weeks per simulation (default 8)")
    parser.add_argument("--jobs", type=int, default=2, help="simulations in parallel (default 2)")
    parser.add_argument(
        "--profile", action="append", choices=list(PROFILES), help="only these profiles"
    )
    parser.add_argument(
        "--model",
        action="append",
        choices=MODELS,
        help="only these writers: the configured chat model, or the unguided random server (default both)",
    )
    parser.add_argument(
        "--curves", action="store_true", help="also print each run's weekly engagement"
    )
    args = parser.parse_args(argv)
    rows, scores = evaluate(
        seeds=args.seeds,
        weeks=args.weeks,
        profiles=args.profile,
        models=tuple(args.model or MODELS),
        jobs=args.jobs,
    )
    if args.curves:
        for s in scores:
            model = "unguided" if s.job.llm_base_url else "configured"
            print(
                f"{model:<12}{s.job.profile:<18}{s.job.policy:<10}seed {s.job.seed}: "
                + " ".join(f"{v:6.1f}" for v in s.curve)
            )
        print()
    print(format_table(rows, args.seeds, args.weeks))
    return 0 if all(r.met for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
