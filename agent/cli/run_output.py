"""How a weekly run shows on the terminal: its progress node by node, how it ended (with the
exit status of a run that stopped or waits for review), and the table of reels to review."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from agent.cli.common import console, err_console
from agent.errors import ExitCode, one_line
from db.enums import RunStatus

if TYPE_CHECKING:
    from agent.app.runs import RunOutcome

__all__ = ["NODES", "Progress", "drive", "print_outcome", "print_review"]

NODES = ["planning", "creating", "review", "publishing", "analyzing", "adapting"]


class Progress:
    """Prints each node's progress with elapsed time, under a spinner for the current node."""

    def __init__(self, out: Console) -> None:
        self.out = out
        self.start = time.monotonic()
        self.status = out.status("starting")
        self.status.start()

    def __call__(self, node: str, message: str) -> None:
        elapsed = time.monotonic() - self.start
        step = NODES.index(node) + 1 if node in NODES else 0
        if message == "started":
            self.status.update(f"[bold]{step}/6 {node}[/bold]")
        elif message != "finished":
            self.out.print(
                f"[dim]{elapsed:6.1f}s[/dim] [cyan]{node:<10}[/cyan] {message}", highlight=False
            )

    def stop(self) -> None:
        self.status.stop()


def drive(fn: Any, *args: Any, as_json: bool = False, **kwargs: Any) -> RunOutcome:
    """Run with progress on the terminal; with --json, progress goes to stderr."""
    progress = Progress(err_console if as_json else console)
    try:
        return fn(*args, progress=progress, **kwargs)
    finally:
        progress.stop()


def print_outcome(outcome: RunOutcome, as_json: bool) -> None:
    """Print how the run ended; a run that stopped or waits for review ends with its own exit status."""
    short = outcome.run_id[:8]
    if as_json:
        error = None
        if outcome.status == RunStatus.error:
            error = {
                "code": "run_failed",
                "message": f"{outcome.error}; continue with 'twin run --resume {short}'",
            }
        console.print_json(
            json.dumps(
                {
                    "run_id": outcome.run_id,
                    "status": outcome.status.value,
                    "week": outcome.week,
                    "review": outcome.review,
                    "summary": outcome.summary,
                    "error": error,
                }
            )
        )
        if outcome.status == RunStatus.error:
            raise typer.Exit(ExitCode.FAILED)
        if outcome.status == RunStatus.waiting_review:
            raise typer.Exit(ExitCode.WAITING_FOR_REVIEW)
        return
    if outcome.status == RunStatus.error:
        err_console.print(
            f"error: run {short} stopped: {one_line(str(outcome.error))}; "
            f"fix the cause, then continue with 'twin run --resume {short}'",
            highlight=False,
            markup=False,
        )
        raise typer.Exit(ExitCode.FAILED)
    if outcome.status == RunStatus.waiting_review:
        if outcome.review:
            print_review(outcome.review)
        console.print(
            f"\nRun {short} waits for your review. Approve all:   twin approve {short} --all"
        )
        console.print(
            f"Or decide per reel: twin approve {short} --reel ID --reject ID --reason TEXT --edit ID --caption TEXT"
        )
        raise typer.Exit(ExitCode.WAITING_FOR_REVIEW)
    summary = outcome.summary
    console.print(
        f"\n[bold green]Week {outcome.week} done[/bold green] (run {short}): {summary['text']}"
    )
    console.print("Reels:")
    for reel in summary["reels"]:
        console.print(
            f"  {reel['title']} ({reel['seconds']} s, quality {reel['quality']:.2f}, {reel['approval']})",
            highlight=False,
        )
        console.print(f"    {reel['path']}", highlight=False, soft_wrap=True)
    posts = ", ".join(f"{n} {status}" for status, n in sorted(summary["posts"].items())) or "none"
    console.print(f"Posts: {posts}")
    console.print(f"Report: {summary['report']}")
    tokens = summary["tokens"]
    console.print(
        f"Model: {tokens['calls']} calls, {tokens['input']} input + {tokens['output']} output tokens"
    )
    for failure in summary["failures"]:
        console.print(f"[yellow]warning:[/yellow] {failure}")


def print_review(review: dict[str, Any]) -> None:
    table = Table("reel", "title", "quality", "issues", "video", title="Awaiting approval")
    for reel in review["reels"]:
        issues = "; ".join(reel["quality_issues"]) or "-"
        table.add_row(
            reel["reel_id"][:8],
            reel["title"],
            f"{reel['quality_score']:.2f}",
            issues[:80],
            reel["video_path"],
        )
    table.columns[4].overflow = "fold"
    console.print(table)
