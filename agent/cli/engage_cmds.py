"""``twin engage``: replies to comments -- sync and draft, list, approve or reject, auto-replies.

The engagement stack (chat model, adapters) is imported inside the commands so ``twin --help``
stays quick.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.text import Text

from agent.app.resources import Resources
from agent.cli.common import DataDirOpt, JsonOpt, console, err_console, system_for
from agent.context import SystemClock
from agent.errors import UserError
from agent.publishing.accounts import find_account
from db.engine import transaction
from db.enums import EngagementStatus
from db.repo import engagement as repo
from db.repo.identity import get_agent

AgentOpt = Annotated[
    str | None, typer.Option("--agent", help="Agent name or id (default: the only agent).")
]
STATUSES = ", ".join(s.value for s in EngagementStatus)
engage_app = typer.Typer(
    help="Replies to comments: the code picks which comments get one, you approve, each is "
    "posted once.",
    no_args_is_help=True,
)


def _agent_id(system: Resources, agent: str | None) -> uuid.UUID:
    with system.sessions() as session:
        return get_agent(session=session, name_or_id=agent).id


def _print_rows(rows: list[dict[str, Any]]) -> None:
    """One block per action; the comment and reply are printed as plain text, never as markup."""
    for row in rows:
        kind = row["triage"] + (", flagged" if row["flagged"] else "")
        head = Text(f"{row['short']}  {row['platform']} {row['account']}  ", style="bold")
        head.append(f"{kind}  {row['status']}", style="yellow" if row["flagged"] else "")
        console.print(head)
        console.print(Text(f"  {row['comment_author']}: “{row['comment']}”"))
        if row["reply"]:
            console.print(Text(f"  → {row['reply']}", style="green"))
        else:
            console.print(Text(f"  no reply: {row['decision']}", style="dim"))
        if row["error"]:
            console.print(
                Text(f"  error after {row['retry_count']} tries: {row['error']}", style="red")
            )


@engage_app.command("sync")
def sync_cmd(
    data_dir: DataDirOpt = None,
    agent: AgentOpt = None,
    days: Annotated[
        int, typer.Option("--days", min=1, max=60, help="Look at posts of the last N days.")
    ] = 7,
    as_json: JsonOpt = False,
) -> None:
    """Pull new comments, decide which get a reply, draft them; auto-approved ones are posted."""
    from agent.engagement import send_approved, sync
    from agent.engagement.wiring import reply_model, reply_publishers

    system = system_for(data_dir)
    clock = SystemClock()
    agent_id = _agent_id(system, agent)
    publisher_for = reply_publishers(system.settings, clock)
    cipher = system.cipher()
    out = err_console if as_json else console
    with out.status("reading comments and drafting replies"):
        found = sync(
            sessions=system.sessions,
            cipher=cipher,
            clock=clock,
            publisher_for=publisher_for,
            chat_model=reply_model(system.settings),
            agent_id=agent_id,
            lookback=timedelta(days=days),
        )
        sent = send_approved(
            sessions=system.sessions,
            cipher=cipher,
            clock=clock,
            publisher_for=publisher_for,
            agent_id=agent_id,
        )
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "posts": found.posts,
                    "new_comments": found.comments,
                    "drafted": found.drafted,
                    "auto_approved": found.auto_approved,
                    "flagged": found.flagged,
                    "skipped": found.skipped,
                    "deferred": found.deferred,
                    "unsupported": found.unsupported,
                    "errors": found.errors,
                    "sent": {str(k): v for k, v in sent.sent.items()},
                    "failed": {str(k): v for k, v in sent.failed.items()},
                }
            )
        )
        return
    console.print(found.summary() + ".", highlight=False)
    if found.auto_approved or sent.sent or sent.failed:
        console.print(f"Auto-replies: {sent.summary()}.", highlight=False)
    for platform, why in found.unsupported.items():
        console.print(f"[yellow]{platform}:[/yellow] {why}", highlight=False)
    for error in found.errors:
        console.print(Text(f"warning: {error}", style="yellow"))
    waiting = found.drafted - found.auto_approved
    if waiting:
        console.print(
            f"{waiting} replies wait for you: 'twin engage list', then "
            "'twin engage approve --all' or '--id ID' / '--reject ID'.",
            highlight=False,
        )


@engage_app.command("list")
def list_cmd(
    data_dir: DataDirOpt = None,
    agent: AgentOpt = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every action, not only pending.")
    ] = False,
    status: Annotated[
        str | None, typer.Option("--status", help=f"Only this status: {STATUSES}.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show replies waiting for approval (or every action with --all)."""
    from agent.engagement.inbox import action_rows

    if status is not None and status not in {s.value for s in EngagementStatus}:
        raise UserError(f"unknown status {status!r}; choose one of: {STATUSES}")
    system = system_for(data_dir)
    agent_id = _agent_id(system, agent)
    statuses = (
        [EngagementStatus(status)] if status else None if show_all else [EngagementStatus.pending]
    )
    with system.sessions() as session:
        rows = action_rows(session, agent_id=agent_id, statuses=statuses)
    if as_json:
        console.print_json(json.dumps(rows))
        return
    if not rows:
        console.print(
            "No replies wait for approval. Pull new comments with 'twin engage sync'."
            if statuses == [EngagementStatus.pending]
            else "No engagement actions match."
        )
        return
    _print_rows(rows)


@engage_app.command("approve")
def approve_cmd(
    data_dir: DataDirOpt = None,
    agent: AgentOpt = None,
    approve_all: Annotated[
        bool, typer.Option("--all", help="Approve every pending reply and post them.")
    ] = False,
    action: Annotated[
        list[str] | None, typer.Option("--id", help="Approve this reply (repeatable).")
    ] = None,
    rejected: Annotated[
        list[str] | None, typer.Option("--reject", help="Reject this reply (repeatable).")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why, for rejections.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Approve replies (each is posted exactly once) or reject them."""
    from agent.engagement.inbox import approve_and_send, reject
    from agent.engagement.wiring import reply_publishers

    if not (approve_all or action or rejected):
        raise UserError("say what to decide: --all, --id ID or --reject ID")
    system = system_for(data_dir)
    clock = SystemClock()
    agent_id = _agent_id(system, agent)
    with system.sessions() as session:
        to_reject = [repo.find_action(session=session, ref=r).id for r in rejected or []]
        if approve_all:
            pending = repo.list_actions(
                session=session, agent_id=agent_id, statuses=[EngagementStatus.pending]
            )
            to_approve = [a.id for a in pending if a.draft_text]
        else:
            to_approve = [repo.find_action(session=session, ref=r).id for r in action or []]
    result: dict[str, Any] = {"rejected": [], "not_rejected": [], "refused": {}}
    for action_id in to_reject:
        done = reject(
            sessions=system.sessions,
            clock=clock,
            action_id=action_id,
            by="creator (cli)",
            reason=reason,
        )
        result["rejected" if done else "not_rejected"].append(str(action_id))
    decision = approve_and_send(
        sessions=system.sessions,
        cipher=system.cipher(),
        clock=clock,
        publisher_for=reply_publishers(system.settings, clock),
        action_ids=to_approve,
        by="creator (cli)",
    )
    sent = decision.sent
    result |= {
        "approved": [str(i) for i in decision.approved],
        "refused": {str(k): v for k, v in decision.refused.items()},
        "sent": {str(k): v for k, v in sent.sent.items()},
        "retrying": {str(k): v for k, v in sent.retrying.items()},
        "failed": {str(k): v for k, v in sent.failed.items()},
        "held": {str(k): v for k, v in sent.held.items()},
    }
    if as_json:
        console.print_json(json.dumps(result))
    else:
        if result["rejected"]:
            console.print(f"Rejected {len(result['rejected'])} replies.")
        for ident in result["not_rejected"]:
            console.print(f"{ident[:8]} was not rejected: it is sent or being sent.")
        if decision.approved:
            console.print(f"Approved {len(decision.approved)}: {sent.summary()}.", highlight=False)
        elif approve_all and not to_reject:
            console.print("No replies wait for approval.")
        for group in ("refused", "retrying", "failed", "held"):
            for ident, why in result[group].items():
                console.print(Text(f"{ident[:8]} {group}: {why}"))
    if result["failed"] or (result["refused"] and not decision.approved):
        raise typer.Exit(1)


@engage_app.command("auto")
def auto_cmd(
    account: Annotated[str, typer.Argument(help="Account handle, id or external id.")],
    on: Annotated[
        bool | None,
        typer.Option("--on/--off", help="Post the replies the code chooses without asking."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=0, max=500, help="Most replies per day on this account."),
    ] = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Turn an account's auto-replies on or off and set its daily reply limit."""
    system = system_for(data_dir)
    with transaction(system.sessions) as session:
        target = find_account(session, account)
        row = repo.set_auto_replies(
            session=session, account_id=target.id, enabled=on, daily_limit=limit
        )
        state, cap, handle = row.auto_reply_enabled, row.daily_reply_limit, row.handle
    console.print(
        f"{target.platform.value} {handle}: auto-replies {'on' if state else 'off'}, "
        f"at most {cap} replies a day.",
        highlight=False,
    )


__all__ = ["engage_app", "register"]


def register(app: typer.Typer) -> None:
    app.add_typer(engage_app, name="engage")
