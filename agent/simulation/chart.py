"""The learning curve of one or more simulations as a PNG."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from agent.simulation.runner import SimulationResult

COLOURS = ["#4C6EF5", "#ADB5BD", "#12B886", "#F76707"]


def learning_curve(results: dict[str, SimulationResult], path: Path, title: str = "") -> Path:
    """Interactions per post and engagement rate per week, one line per labelled simulation.

    Args:
        results: Simulations by label (e.g. ``{"agent": ..., "fixed baseline": ...}``).
        path: Where the PNG goes.
        title: Chart title (default: the audience of the first result).
    """
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(8, 6), sharex=True, gridspec_kw={"height_ratios": [2, 1]}
    )
    for i, (label, result) in enumerate(results.items()):
        weeks = list(range(1, len(result.rows) + 1))
        colour = COLOURS[i % len(COLOURS)]
        top.plot(
            weeks,
            [r.interactions_per_post for r in result.rows],
            marker="o",
            color=colour,
            linewidth=2.2,
            label=label,
        )
        bottom.plot(
            weeks,
            [r.engagement_rate * 100 for r in result.rows],
            marker="o",
            color=colour,
            linewidth=1.6,
        )
    first = next(iter(results.values()))
    top.set_title(
        title
        or f"Learning curve — audience {first.audience.rpartition(':')[2] or first.audience}, seed {first.seed}",
        loc="left",
        fontsize=12,
        fontweight="bold",
    )
    top.set_ylabel("interactions per post")
    bottom.set_ylabel("engagement rate (%)")
    bottom.set_xlabel("week")
    for ax in (top, bottom):
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.grid(axis="y", color="#F1F3F5")
        ax.set_ylim(bottom=0)
    bottom.set_xticks(range(1, len(first.rows) + 1))
    top.legend(frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130, facecolor="white")
    plt.close(fig)
    return path
