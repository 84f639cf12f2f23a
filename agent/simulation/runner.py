"""Run N weekly cycles back to back on a fast-forward clock and collect a week-by-week table."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from agent.app.bootstrap import initialise
from agent.app.resources import open_resources
from agent.app.runs import start_run
from agent.app.wiring import Wiring, chat_model_for, no_memory
from agent.context import Clock
from agent.settings import load_settings
from agent.simulation.fast_tools import estimate_speech, quick_render
from agent.strategy.decide import Decide
from agent.strategy.weeks import next_week, parse_week, week_bounds
from db.enums import RunStatus, TriggerType
from db.models import StrategyUpdate, WeeklyReport
from db.repo.identity import get_agent
from tools.publish.audience import Audience
from tools.publish.base import Publisher
from tools.publish.sandbox import SandboxPublisher, load_audience

DEFAULT_START_WEEK = "2030-W02"
BUILTIN_AUDIENCE = "tools.publish.sandbox_audience:BuiltinAudience"


@dataclass(kw_only=True)
class SimulationConfig:
    """What to simulate.

    Attributes:
        weeks: Number of weekly cycles.
        seed: Seeds the offline model, the sandbox noise and the planner's exploration.
        audience: ``module:attr`` of the sandbox audience, or an audience object.
        agent: Agent name or id (default: the only agent).
        data_dir: Keep the simulation's data here; a temporary directory (deleted) otherwise.
        database_url: Use this database instead of a SQLite file in the data dir.
        start_week: ISO week of the first cycle.
        learning_mode: ``adaptive`` (the agent) or ``fixed`` (a baseline that never learns).
        llm_provider, llm_base_url, llm_model: The chat model that writes the words; unset
            means the configured one (``TWIN_LLM_*``, the offline stand-in by default).
        decide: The week policy (default: the learner; evaluations plug in an oracle).
        render: ``quick`` (tiny real mp4s, estimated speech) or ``draft``/``full`` (the real renderer).
        twins: Create the three demo twins (so twin choice is a decision), or only one.
        memory: Use vector memory (a baseline that never reads it can skip it to save time).
    """

    weeks: int = 8
    seed: int = 0
    audience: str | Audience | None = None
    agent: str | None = None
    data_dir: Path | None = None
    database_url: str | None = None
    start_week: str = DEFAULT_START_WEEK
    learning_mode: Literal["adaptive", "fixed"] = "adaptive"
    llm_provider: Literal["offline", "openai"] | None = None
    llm_base_url: str | None = None
    llm_model: str | None = None
    decide: Decide | None = None
    render: Literal["quick", "draft", "full"] = "quick"
    twins: bool = True
    memory: bool = True
    report_formats: list[str] = field(default_factory=lambda: ["md"])
    """Report files each simulated week writes (HTML/PDF charts cost about a second a week)."""


@dataclass
class WeekRow:
    """One simulated week."""

    week: str
    status: str
    posts: int
    views: float
    interactions: float
    engagement_rate: float
    changes: str
    adjustments: dict[str, Any] = field(default_factory=dict)

    @property
    def interactions_per_post(self) -> float:
        return self.interactions / self.posts if self.posts else 0.0


@dataclass
class SimulationResult:
    """All weeks of a simulation, in order."""

    rows: list[WeekRow]
    seed: int
    audience: str
    learning_mode: str
    data_dir: Path | None

    def mean_engagement(self, first_week: int, last_week: int) -> float:
        """Mean interactions per post over weeks ``first_week``..``last_week`` (1-based, inclusive)."""
        chosen = self.rows[first_week - 1 : last_week]
        posts = sum(r.posts for r in chosen)
        return sum(r.interactions for r in chosen) / posts if posts else 0.0


def _describe(spec: str | Audience | None) -> str:
    if spec is None:
        return BUILTIN_AUDIENCE
    return spec if isinstance(spec, str) else type(spec).__name__


def simulate(
    config: SimulationConfig, progress: Callable[[WeekRow], None] | None = None
) -> SimulationResult:
    """Run ``config.weeks`` auto-approved weekly cycles on the sandbox platform.

    Args:
        config: What to simulate.
        progress: Called with each week's row as soon as that week is done.

    Returns:
        The week-by-week result.
    """
    if config.weeks < 1:
        raise ValueError("--weeks must be at least 1")
    audience = load_audience(config.audience)  # fail early on a bad module:attr
    parse_week(config.start_week)
    temporary = config.data_dir is None
    data_dir = (
        Path(tempfile.mkdtemp(prefix="twin-sim-")) if config.data_dir is None else config.data_dir
    )
    try:
        rows = _run(config, data_dir, audience, progress)
    finally:
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)
    return SimulationResult(
        rows=rows,
        seed=config.seed,
        audience=_describe(config.audience),
        learning_mode=config.learning_mode,
        data_dir=None if temporary else data_dir,
    )


def _run(
    config: SimulationConfig,
    data_dir: Path,
    audience: Audience,
    progress: Callable[[WeekRow], None] | None,
) -> list[WeekRow]:
    settings = load_settings(
        data_dir=data_dir,
        database_url=config.database_url,
        learning_mode=config.learning_mode,
        planning_seed=config.seed,
        report_formats=config.report_formats,
        llm_provider=config.llm_provider,
        llm_base_url=config.llm_base_url,
        llm_model=config.llm_model,
    )
    resources = open_resources(settings)
    try:
        initialise(resources, demo=config.twins)
        with resources.sessions() as session:
            agent_id = get_agent(session=session, name_or_id=config.agent).id
        wiring = simulation_wiring(settings, config, audience)
        rows: list[WeekRow] = []
        week = config.start_week
        previous: dict[str, Any] = {}
        for _ in range(config.weeks):
            outcome = start_run(
                resources,
                agent=str(agent_id),
                week=week,
                auto_approve=True,
                fast_forward=True,
                trigger=TriggerType.simulation,
                now=datetime.combine(parse_week(week), time(0, 0), tzinfo=UTC) - timedelta(days=1),
                wiring=wiring,
                render_quality="draft",
            )
            rows.append(_row(resources, agent_id, week, outcome.status, previous))
            previous = rows[-1].adjustments or previous
            if progress is not None:
                progress(rows[-1])
            week = next_week(week)
        return rows
    finally:
        resources.dispose()


def simulation_wiring(settings: Any, config: SimulationConfig, audience: Audience) -> Wiring:
    """What a simulated week runs on: the seeded sandbox and audience on the week's clock, the
    configured chat model, and (if quick) cheap media. Everything else is the real cycle."""
    chat_model = chat_model_for(settings)  # one model for every week (the offline one is seeded)

    def publishers(clock: Clock) -> Callable[[str], Publisher]:
        sandbox = SandboxPublisher(
            root=settings.data_dir / "sandbox", clock=clock.now, audience=audience, seed=config.seed
        )

        def publisher_for(platform: str) -> Publisher:
            if platform != "sandbox":
                raise ValueError(f"simulations publish to the sandbox only, not {platform}")
            return sandbox

        return publisher_for

    quick = config.render == "quick"
    return Wiring(
        chat_model=chat_model,
        speak=estimate_speech if quick else None,
        render=quick_render if quick else None,
        publishers=publishers,
        memory=None if config.memory else no_memory,
        decide=config.decide,
    )


def _row(
    system: Any, agent_id: Any, week: str, status: RunStatus, previous: dict[str, Any]
) -> WeekRow:
    start, _ = week_bounds(week)
    with system.sessions() as session:
        report = session.scalar(
            select(WeeklyReport).where(
                WeeklyReport.agent_id == agent_id, WeeklyReport.week_start == start.date()
            )
        )
        update = (
            session.scalar(
                select(StrategyUpdate).where(StrategyUpdate.source_report_id == report.id)
            )
            if report
            else None
        )
        totals = dict((report.aggregate_metrics_json or {}).get("totals", {})) if report else {}
        posts = int((report.aggregate_metrics_json or {}).get("posts", 0)) if report else 0
        adjustments = dict(update.adjustments_json) if update else {}
    return WeekRow(
        week=week,
        status=status.value,
        posts=posts,
        views=float(totals.get("views", 0.0)),
        interactions=float(totals.get("interactions", 0.0)),
        engagement_rate=float(totals.get("engagement_rate", 0.0)),
        changes=describe_changes(previous, adjustments),
        adjustments=adjustments,
    )


def describe_changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    """A short line saying how the strategy moved between two adjustments_json values."""
    parts: list[str] = []
    for key, label in (("topics_to_increase", "+"), ("topics_to_reduce", "-")):
        added = [t for t in after.get(key, []) if t not in before.get(key, [])]
        if added:
            parts.append(f"{label}{', '.join(added)}")
    timing_before, timing_after = (
        before.get("platform_timing_updates", {}),
        after.get("platform_timing_updates", {}),
    )
    for platform, slots in timing_after.items():
        if slots != timing_before.get(platform):
            parts.append(f"{platform} at {', '.join(slots)}")
    for platform, tone in after.get("tone_adjustments", {}).items():
        if tone != before.get("tone_adjustments", {}).get(platform):
            parts.append(f"{platform} tone {tone}")
    rotation = after.get("twin_rotation", [])
    if rotation and rotation[:1] != before.get("twin_rotation", [])[:1]:
        parts.append(f"lead twin {rotation[0]}")
    return "; ".join(parts) or "no change"
