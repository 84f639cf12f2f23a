"""``twin post`` (publish a file now), ``twin posts`` (state and errors), ``twin metrics``."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.chat.limits import check_message
from agent.cli.common import DataDirOpt, JsonOpt, console, err_console, system_for
from agent.context import SystemClock
from agent.errors import UserError
from agent.publishing.accounts import find_account
from agent.publishing.metrics import refresh_metrics
from agent.publishing.service import PublishService
from agent.publishing.single_post import adhoc_post, require_video
from agent.settings import Settings
from db.engine import transaction
from db.enums import PublishStatus
from db.models import AnalyticsSnapshot, Post, PublisherTask, SocialAccount

STATUSES = ", ".join(s.value for s in PublishStatus)


def _progress_client(settings: Settings, progress: Progress, task: TaskID) -> httpx.Client:
    """An httpx client that moves the bar by the bytes of each upload request it sends."""

    def on_request(request: httpx.Request) -> None:
        if request.method not in ("PUT", "POST"):
            return
        ctype = request.headers.get("content-type", "")
        uploading = (
            "octet-stream" in ctype
            or ctype.startswith("video/")
            or "content-range" in request.headers
        )
        if uploading and request.content:
            progress.advance(task, len(request.content))

    return httpx.Client(timeout=settings.publish_timeout, event_hooks={"request": [on_request]})


def post(
    file: Annotated[Path, typer.Argument(help="The mp4 to publish.")],
    platform: Annotated[str, typer.Option("--platform", "-p", help="Platform of the account.")],
    account: Annotated[
        str, typer.Option("--account", "-a", help="Account handle, id or external id.")
    ],
    caption: Annotated[str, typer.Option("--caption", "-c", help="Caption text.")],
    hashtag: Annotated[
        list[str] | None, typer.Option("--hashtag", help="A hashtag (repeatable).")
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(help="Title (YouTube, LinkedIn); default the caption's first line."),
    ] = None,
    synthetic: Annotated[
        bool,
        typer.Option(
            "--synthetic/--not-synthetic",
            help="Label the video as AI-generated where platforms ask.",
        ),
    ] = True,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Publish a file now, once: the same file on the same account returns the first result."""
    from agent.app.wiring import publishers_for

    check_message(caption, what="the caption")
    require_video(file)
    system = system_for(data_dir)
    settings = system.settings
    clock = SystemClock()
    with transaction(system.sessions) as session:
        target = find_account(session, account, platform)
        if not target.is_connected:
            raise UserError(
                f"{target.platform.value} account {target.handle} is disconnected; run 'twin accounts connect'"
            )
        made = adhoc_post(
            session,
            media=file,
            account=target,
            caption=caption,
            hashtags=list(hashtag or []),
            title=title,
            media_dir=settings.media_dir,
            now=clock.now(),
            synthetic=synthetic,
        )
    out = err_console if as_json else console
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
    )
    with Progress(*columns, console=out, transient=False) as progress:
        task = progress.add_task(f"uploading to {platform}", total=made.size_bytes)
        client = _progress_client(settings, progress, task)
        try:
            service = PublishService(
                sessions=system.sessions,
                cipher=system.cipher(),
                clock=clock,
                publisher_for=publishers_for(settings, clock, client=client),
                max_attempts=settings.publish_max_attempts,
                lease=timedelta(seconds=settings.publish_lease_seconds),
            )
            outcome = service.publish(made.post_id)
            polls = 0
            while (
                outcome.status == PublishStatus.publishing
                and outcome.platform_post_id
                and polls < 30
            ):
                progress.update(task, description=f"{platform} is processing the video")
                time.sleep(settings.publish_poll_interval)
                outcome = service.confirm(made.post_id)
                polls += 1
        finally:
            client.close()
        if outcome.status == PublishStatus.published:
            progress.update(task, completed=made.size_bytes)
    payload = {
        "post_id": str(outcome.post_id),
        "status": outcome.status.value,
        "message": outcome.message,
        "url": outcome.url,
        "platform_post_id": outcome.platform_post_id,
        "next_attempt_at": outcome.next_attempt_at.isoformat() if outcome.next_attempt_at else None,
        "adopted": outcome.adopted,
    }
    if as_json:
        console.print_json(json.dumps(payload))
    elif outcome.status == PublishStatus.published:
        console.print(
            f"[green]Published[/green] {outcome.url or outcome.platform_post_id} ({outcome.message})",
            highlight=False,
        )
    else:
        console.print(
            f"Post {str(outcome.post_id)[:8]} is {outcome.status.value}: {outcome.message}",
            highlight=False,
        )
    if outcome.status == PublishStatus.failed:
        raise typer.Exit(1)


def posts(
    status: Annotated[
        str | None, typer.Option("--status", "-s", help=f"Only this state: {STATUSES}.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Most rows shown (1-1000).")] = 50,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List posts with their state, attempts, next attempt and last error."""
    if status is not None and status not in {s.value for s in PublishStatus}:
        raise UserError(f"unknown status {status!r}; choose one of: {STATUSES}")
    system = system_for(data_dir)
    with system.sessions() as session:
        data = post_rows(session, PublishStatus(status) if status else None, limit)
    if as_json:
        console.print_json(json.dumps(data))
        return
    table = Table(
        "id", "platform", "account", "status", "scheduled", "tries", "next try", "link / error"
    )
    table.columns[7].overflow = "fold"
    for row in data:
        table.add_row(
            row["post_id"][:8],
            row["platform"],
            row["account"],
            row["status"],
            (row["scheduled_time"] or "")[:16].replace("T", " "),
            str(row["attempts"]),
            (row["next_attempt_at"] or "-")[:16].replace("T", " "),
            row["url"] or row["error"] or "",
        )
    console.print(table)


def post_rows(session: Session, status: PublishStatus | None, limit: int) -> list[dict[str, Any]]:
    """The newest posts (by scheduled time) with their account and attempt count."""
    stmt = select(Post, SocialAccount.handle).join(
        SocialAccount, SocialAccount.id == Post.account_id
    )
    if status:
        stmt = stmt.where(Post.publish_status == status)
    rows = session.execute(stmt.order_by(Post.scheduled_time.desc()).limit(limit)).all()
    # Count attempts of the listed posts only: counting every task costs seconds at 100k.
    attempts = dict(
        session.execute(
            select(PublisherTask.post_id, func.count())
            .where(PublisherTask.post_id.in_([p.id for p, _ in rows]))
            .group_by(PublisherTask.post_id)
        ).all()
    )
    return [_post_row(p, handle, int(attempts.get(p.id, 0))) for p, handle in rows]


def _post_row(post: Post, handle: str, attempts: int) -> dict[str, Any]:
    return {
        "post_id": str(post.id),
        "platform": post.platform.value,
        "account": handle,
        "status": post.publish_status.value,
        "scheduled_time": post.scheduled_time.isoformat(),
        "published_at": post.published_at.isoformat() if post.published_at else None,
        "next_attempt_at": post.next_attempt_at.isoformat() if post.next_attempt_at else None,
        "attempts": attempts,
        "url": post.url,
        "platform_post_id": post.platform_post_id,
        "error": (post.error_json or {}).get("message"),
    }


def metrics(
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Pull metrics from the platforms now.")
    ] = False,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the latest metrics of published posts; ``--refresh`` pulls them now first."""
    from agent.app.wiring import publishers_for

    system = system_for(data_dir)
    failed: dict[uuid.UUID, str] = {}
    if refresh:
        clock = SystemClock()
        report = refresh_metrics(
            sessions=system.sessions,
            cipher=system.cipher(),
            clock=clock,
            publisher_for=publishers_for(system.settings, clock),
        )
        failed = report.failed
        (err_console if as_json else console).print(
            f"Pulled metrics for {len(report.written)} posts; {len(failed)} unavailable.",
            highlight=False,
        )
    with system.sessions() as session:
        latest = (
            select(AnalyticsSnapshot.post_id, func.max(AnalyticsSnapshot.captured_at).label("at"))
            .group_by(AnalyticsSnapshot.post_id)
            .subquery()
        )
        rows = session.execute(
            select(AnalyticsSnapshot, Post)
            .join(
                latest,
                (latest.c.post_id == AnalyticsSnapshot.post_id)
                & (latest.c.at == AnalyticsSnapshot.captured_at),
            )
            .join(Post, Post.id == AnalyticsSnapshot.post_id)
            .order_by(AnalyticsSnapshot.captured_at.desc())
        ).all()
        data: list[dict[str, Any]] = [
            {
                "post_id": str(post.id),
                "platform": post.platform.value,
                "captured_at": snap.captured_at.isoformat(),
                "metrics": snap.metrics_json,
                "error": failed.get(post.id),
            }
            for snap, post in rows
        ]
    if as_json:
        console.print_json(
            json.dumps({"posts": data, "unavailable": {str(k): v for k, v in failed.items()}})
        )
        return
    table = Table("post", "platform", "captured", "views", "likes", "comments", "shares")
    for row in data:
        m: dict[str, Any] = row["metrics"]
        cells = [_num(m.get(k)) for k in ("views", "likes", "comments", "shares")]
        table.add_row(
            row["post_id"][:8], row["platform"], row["captured_at"][:16].replace("T", " "), *cells
        )
    console.print(table)
    for post_id, reason in failed.items():
        console.print(f"[yellow]{str(post_id)[:8]}:[/yellow] {reason}", highlight=False)


def _num(value: object) -> str:
    return "-" if value is None else f"{float(value):,.0f}"  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    """Add ``twin post``, ``twin posts`` and ``twin metrics``."""
    app.command("post")(post)
    app.command("posts")(posts)
    app.command("metrics")(metrics)
