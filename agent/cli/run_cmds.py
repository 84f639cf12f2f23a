"""``twin run``, ``twin inbox``, ``twin approve``, ``twin runs``: the weekly cycle from a terminal."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from agent.app.resources import Resources
from agent.cli.common import (
    DataDirOpt,
    JsonOpt,
    announce_memory_fallback,
    check_week,
    console,
    refuse_real_accounts,
    system_for,
)
from agent.cli.run_output import drive, print_outcome, print_review
from agent.errors import RunError
from db.enums import RunStatus
from db.models import AgentRun
from db.repo.runs import get_run, list_runs

if TYPE_CHECKING:
    from agent.schemas import ReelDecision


def run(
    data_dir: DataDirOpt = None,
    agent: Annotated[
        str | None, typer.Option("--agent", help="Agent name or id (default: the only agent).")
    ] = None,
    week: Annotated[
        str | None,
        typer.Option(
            "--week",
            callback=check_week,
            help="ISO week to plan, e.g. 2026-W48 (default: the next unplanned week).",
        ),
    ] = None,
    auto_approve: Annotated[
        bool, typer.Option("--auto-approve", help="Approve every reel of this run without asking.")
    ] = False,
    fast_forward: Annotated[
        bool,
        typer.Option(
            "--fast-forward",
            help="Run the week on a simulated clock: publish each post at its planned time and collect metrics at the week's end (sandbox accounts only).",
        ),
    ] = False,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Continue a crashed or stopped run by id.")
    ] = None,
    replan: Annotated[
        bool,
        typer.Option(
            "--replan",
            help="Plan --week again although it was planned: its waiting run is cancelled and its unpublished posts withdrawn (posts already out stay out).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Run one weekly cycle: plan, create, review, publish, analyze, adapt.

    An agent has one active run at a time: a plain run resumes a run whose process died, and a
    week that was planned is refused unless --replan is given.
    """
    from agent.app.runs import resume_run, start_run

    system = system_for(data_dir)
    announce_memory_fallback(system.settings)
    if fast_forward:
        refuse_real_accounts(system)
    if replan and not week:
        raise typer.BadParameter(
            "--replan needs --week: the week to plan again", param_hint="--replan"
        )
    if resume:
        outcome = drive(resume_run, system, resume, as_json=as_json)
    else:
        outcome = drive(
            start_run,
            system,
            as_json=as_json,
            agent=agent,
            week=week,
            auto_approve=auto_approve,
            fast_forward=fast_forward,
            replan=replan,
        )
    print_outcome(outcome, as_json)


def inbox(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """List reels waiting for approval, across runs."""
    from agent.app.runs import pending_review

    system = system_for(data_dir)
    with system.sessions() as session:
        waiting = list(
            session.scalars(
                select(AgentRun)
                .where(AgentRun.status == RunStatus.waiting_review)
                .order_by(AgentRun.started_at)
            )
        )
    items = []
    for run_row in waiting:
        review = pending_review(system, run_row.id)
        if review:
            items.append({"run_id": str(run_row.id), "week": run_row.week_key, **review})
    if as_json:
        console.print_json(json.dumps(items))
        return
    if not items:
        console.print("Nothing waits for approval.")
        return
    for item in items:
        console.print(f"[bold]Run {item['run_id'][:8]}[/bold] — week {item['week']}")
        print_review(item)
        console.print(f"  approve all: twin approve {item['run_id'][:8]} --all\n")


def approve(
    run_id: Annotated[str, typer.Argument(help="The waiting run's id (a prefix is enough).")],
    data_dir: DataDirOpt = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Approve every waiting reel not rejected or edited below.")
    ] = False,
    reel: Annotated[
        list[str] | None,
        typer.Option("--reel", help="Approve this reel (id or prefix); repeatable."),
    ] = None,
    reject: Annotated[
        list[str] | None, typer.Option("--reject", help="Reject this reel; repeatable.")
    ] = None,
    regenerate: Annotated[
        list[str] | None,
        typer.Option("--regenerate", help="Send this reel back to be made again; repeatable."),
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (for --reject/--regenerate).")] = "",
    edit: Annotated[
        str | None, typer.Option("--edit", help="Approve this reel with a new caption.")
    ] = None,
    caption: Annotated[
        str | None, typer.Option("--caption", help="The new caption for --edit.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Give review decisions and resume the waiting run in this process."""
    from agent.app.runs import decisions_payload, pending_review, resume_run

    system = system_for(data_dir)
    with system.sessions() as session:
        rid = get_run(session=session, run_id=run_id).id
    review = pending_review(system, rid) or _ask_again(system, rid)
    if review is None:
        raise RunError(f"run {str(rid)[:8]} is not waiting for review")
    ids = [r["reel_id"] for r in review["reels"]]
    decisions = _decisions(
        ids, all_, reel or [], reject or [], regenerate or [], reason, edit, caption
    )
    if not decisions:
        raise typer.BadParameter(
            "no decision given: use --all, --reel, --reject, --regenerate or --edit"
        )
    _audit_decisions(system, rid, decisions)
    payload = decisions_payload(review, decisions, "creator")
    outcome = drive(resume_run, system, str(rid), as_json=as_json, decisions=payload)
    print_outcome(outcome, as_json)


def _ask_again(system: Resources, run_id: Any) -> dict[str, Any] | None:
    """The question of a waiting run whose driver was killed before it saved it: asked again."""
    from agent.app.runs import resume_run
    from db.repo.leases import is_stale

    with system.sessions() as session:
        row = session.get(AgentRun, run_id)
        if row is None or not (
            row.status == RunStatus.waiting_review and is_stale(row, datetime.now(UTC))
        ):
            return None
    outcome = resume_run(system, str(run_id))
    return outcome.review if outcome.status == RunStatus.waiting_review else None


def _audit_decisions(system: Resources, run_id: Any, decisions: list[ReelDecision]) -> None:
    from agent.records.audit import AuditOrigin, cli_actor, record_review
    from db.engine import transaction

    with transaction(system.sessions) as session:
        record_review(
            session, actor=cli_actor(), origin=AuditOrigin.cli, run_id=run_id, decisions=decisions
        )


def _match(ids: list[str], prefix: str) -> str:
    found = [i for i in ids if i.startswith(prefix)]
    if len(found) != 1:
        raise typer.BadParameter(f"{prefix!r} matches {len(found)} waiting reels")
    return found[0]


def _decisions(
    ids: list[str],
    all_: bool,
    approve_ids: list[str],
    reject: list[str],
    regenerate: list[str],
    reason: str,
    edit: str | None,
    caption: str | None,
) -> list[ReelDecision]:
    from agent.schemas import ReelDecision

    decided: dict[str, ReelDecision] = {}
    for prefix in reject:
        rid = _match(ids, prefix)
        decided[rid] = ReelDecision(reel_id=rid, action="reject", reason=reason)
    for prefix in regenerate:
        rid = _match(ids, prefix)
        decided[rid] = ReelDecision(reel_id=rid, action="regenerate", reason=reason)
    if edit:
        if not caption:
            raise typer.BadParameter("--edit needs --caption")
        rid = _match(ids, edit)
        decided[rid] = ReelDecision(reel_id=rid, action="edit", caption=caption)
    for prefix in approve_ids:
        rid = _match(ids, prefix)
        decided.setdefault(rid, ReelDecision(reel_id=rid, action="approve"))
    if all_:
        for rid in ids:
            decided.setdefault(rid, ReelDecision(reel_id=rid, action="approve"))
    return list(decided.values())


def runs(
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many (1-1000).")] = 20,
) -> None:
    """List recent runs with their status and summary."""
    from db.repo.leases import is_stale

    system = system_for(data_dir)
    now = datetime.now(UTC)
    with system.sessions() as session:
        rows = list_runs(session=session, limit=limit)
        data = [
            {
                "run_id": str(r.id),
                "week": r.week_key,
                "trigger": r.trigger_type.value,
                "status": "stale" if is_stale(r, now) else r.status.value,
                "owner": r.lease_owner,
                "result": r.result.value if r.result else None,
                "node": r.current_node,
                "started_at": r.started_at.isoformat(),
                "summary": r.summary,
                "error": r.error_message,
                "tokens": r.input_tokens + r.output_tokens,
            }
            for r in rows
        ]
    if as_json:
        console.print_json(json.dumps(data))
        return
    table = Table("run", "week", "trigger", "status", "node", "summary")
    for row in data:
        cells = [str(row[k] or "") for k in ("run_id", "week", "trigger", "status", "node")]
        note = str(row["error"] or row["summary"] or "")
        if row["status"] == "stale":
            note = f"its process stopped; continue with 'twin run --resume {cells[0][:8]}'"
        table.add_row(cells[0][:8], *cells[1:], note)
    console.print(table)


__all__ = ["approve", "inbox", "register", "run", "runs"]


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("inbox")(inbox)
    app.command("approve")(approve)
    app.command("runs")(runs)
