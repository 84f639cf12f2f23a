"""``twin simulate``: N weekly cycles back to back on a simulated clock, and the learning curve."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from agent.cli.common import DataDirOpt, JsonOpt, console
from agent.errors import UserError


def simulate_cmd(
    weeks: Annotated[
        int, typer.Option("--weeks", min=1, max=104, help="Weekly cycles to run.")
    ] = 8,
    audience: Annotated[
        str | None,
        typer.Option(
            "--audience", help="Sandbox audience as module:attr (default: the built-in one)."
        ),
    ] = None,
    seed: Annotated[
        int,
        typer.Option("--seed", min=0, help="Seed of the model, sandbox noise and exploration."),
    ] = 0,
    agent: Annotated[
        str | None, typer.Option("--agent", help="Agent name or id (default: the only agent).")
    ] = None,
    data_dir: DataDirOpt = None,
    chart: Annotated[
        Path, typer.Option("--chart", help="Where the learning-curve PNG goes.")
    ] = Path("learning-curve.png"),
    baseline: Annotated[
        bool, typer.Option("--baseline", help="Also run a non-learning baseline and draw it.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Simulate weeks of the agent on the sandbox platform (auto-approved, fast rendering) and chart its learning.

    Uses a throwaway data directory unless --data-dir (or TWIN_DATA_DIR) names one.
    """
    from agent.simulation import SimulationConfig, WeekRow, simulate
    from agent.simulation.chart import learning_curve

    table = Table(title=f"Simulation: {weeks} weeks, seed {seed}", show_lines=False)
    for name, justify in (
        ("week", "left"),
        ("posts", "right"),
        ("views", "right"),
        ("interactions/post", "right"),
        ("engagement", "right"),
        ("strategy change", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]

    def show(row: WeekRow) -> None:
        if not as_json:
            console.print(
                f"[dim]{row.week}[/dim] {row.posts} posts, {row.interactions_per_post:,.1f} interactions/post",
                highlight=False,
            )

    config = SimulationConfig(
        weeks=weeks, seed=seed, audience=audience, agent=agent, data_dir=data_dir
    )
    try:
        with console.status("simulating"):
            result = simulate(config, progress=show)
            results = {"agent": result}
            if baseline:
                results["fixed baseline"] = simulate(
                    SimulationConfig(
                        weeks=weeks,
                        seed=seed,
                        audience=audience,
                        agent=agent,
                        learning_mode="fixed",
                        memory=False,
                    )
                )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    path = learning_curve(results, chart)
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "seed": seed,
                    "audience": result.audience,
                    "chart": str(path),
                    "weeks": [
                        {
                            "week": r.week,
                            "posts": r.posts,
                            "views": r.views,
                            "interactions": r.interactions,
                            "interactions_per_post": round(r.interactions_per_post, 2),
                            "engagement_rate": round(r.engagement_rate, 5),
                            "changes": r.changes,
                        }
                        for r in result.rows
                    ],
                    **(
                        {
                            "baseline": [
                                round(r.interactions_per_post, 2)
                                for r in results["fixed baseline"].rows
                            ]
                        }
                        if baseline
                        else {}
                    ),
                }
            )
        )
        return
    for row in result.rows:
        table.add_row(
            row.week,
            str(row.posts),
            f"{row.views:,.0f}",
            f"{row.interactions_per_post:,.1f}",
            f"{row.engagement_rate:.2%}",
            row.changes,
        )
    console.print(table)
    half = max(1, len(result.rows) // 2)
    console.print(
        f"Mean interactions/post: first {half} weeks {result.mean_engagement(1, half):,.1f}, "
        f"last {len(result.rows) - half} weeks {result.mean_engagement(half + 1, len(result.rows)):,.1f}"
    )
    console.print(f"Learning curve: {path}")


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_cmd)
