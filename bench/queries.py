"""Benchmark: p50/p95 of the app's main queries at 100k rows, on SQLite and PostgreSQL.

    .venv/bin/python bench/queries.py [--backend sqlite|postgres|both] [--rows 100000]
        [--repeat 40] [--revision head] [--pg-url postgresql+psycopg://postgres@127.0.0.1/postgres]

Seeds a fresh database (see ``bench/query_data.py``: 100k agent runs, posts, analytics
snapshots, publisher tasks and event logs), then times each query or view as the app runs
it, through its own functions where it has one, and prints p50/p95 in ms against S004's
target (< 100 ms at the 95th percentile). ``--revision 0002`` measures the schema without
migration 0007's indexes, for comparison. Figures only; nothing here is a test.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and __package__ in (None, ""):
    # Run as a script: bench/ must not shadow the project's packages (bench/memory.py vs memory/).
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, or_, select, text
from sqlalchemy.orm import Session

from bench.query_data import END, Seeded, seed

TARGET_MS = 100.0
Query = Callable[[Session], Any]


def queries(seeded: Seeded) -> list[tuple[str, Query]]:
    """(name, call) for each query or view the app runs often, as the app runs it."""
    from agent.analysis import latest_metrics, load_outcomes, published_posts

    from agent.cli.posts_cmds import post_rows
    from agent.publishing.due_posts import PENDING
    from agent.strategy.weeks import week_bounds
    from agent.web import queries as web
    from db.enums import PublishStatus, RunStatus
    from db.models import AgentRun, AnalyticsSnapshot, EventLog, Post
    from db.repo.audit import list_audit
    from db.repo.runs import list_runs

    user, run, week = seeded.user_id, seeded.recent_run_id, seeded.recent_week
    one_post = seeded.post_ids[len(seeded.post_ids) // 2]
    start, end = week_bounds(week)

    def cli_inbox(s: Session) -> Any:
        stmt = select(AgentRun).where(AgentRun.status == RunStatus.waiting_review)
        return list(s.scalars(stmt.order_by(AgentRun.started_at)))

    def week_outcomes(s: Session) -> Any:
        posts = published_posts(s, user_id=user, start=start, end=end)
        return load_outcomes(
            s,
            posts,
            tz=ZoneInfo("UTC"),
            now=END,
            maturity=timedelta(hours=48),
            require_metrics=False,
        )

    def week_metrics_batched(s: Session) -> Any:
        """What load_outcomes' 35 latest_metrics calls cost as one query (for comparison)."""
        ids = [p.id for p in published_posts(s, user_id=user, start=start, end=end)]
        latest = (
            select(AnalyticsSnapshot.post_id, func.max(AnalyticsSnapshot.captured_at).label("at"))
            .where(AnalyticsSnapshot.post_id.in_(ids))
            .group_by(AnalyticsSnapshot.post_id)
            .subquery()
        )
        return list(
            s.scalars(
                select(AnalyticsSnapshot).join(
                    latest,
                    (latest.c.post_id == AnalyticsSnapshot.post_id)
                    & (latest.c.at == AnalyticsSnapshot.captured_at),
                )
            )
        )

    def due(s: Session) -> Any:
        return list(
            s.scalars(
                select(Post.id)
                .where(
                    Post.publish_status.in_(PENDING),
                    Post.scheduled_time <= END,
                    or_(Post.next_attempt_at.is_(None), Post.next_attempt_at <= END),
                )
                .order_by(Post.scheduled_time, Post.id)
                .limit(200)
            )
        )

    def run_events(s: Session) -> Any:
        stmt = select(EventLog).where(EventLog.run_id == run).order_by(EventLog.created_at)
        return list(s.scalars(stmt))

    def scrub_candidates(s: Session) -> Any:
        cutoff = END - timedelta(days=180)
        stmt = (
            select(EventLog)
            .where(
                EventLog.created_at >= END - timedelta(days=365),
                EventLog.created_at < cutoff,
                EventLog.scrubbed_at.is_(None),
            )
            .order_by(EventLog.id)
            .limit(500)
        )
        return list(s.scalars(stmt))

    return [
        ("twin inbox: waiting runs", cli_inbox),
        ("web inbox: waiting_runs", lambda s: web.waiting_runs(s, user)),
        ("twin runs: list_runs(20)", lambda s: list_runs(session=s, limit=20)),
        ("twin posts (50 newest)", lambda s: post_rows(s, None, 50)),
        ("twin posts --status failed", lambda s: post_rows(s, PublishStatus.failed, 50)),
        (
            "analyzing: published_posts(week)",
            lambda s: published_posts(s, user_id=user, start=start, end=end),
        ),
        ("analyzing: latest_metrics(post)", lambda s: latest_metrics(s, one_post)),
        ("analyzing: load_outcomes(week) [35 posts]", week_outcomes),
        ("  same posts' metrics in one query", week_metrics_batched),
        ("worker: due posts", due),
        ("web dashboard (5 queries)", lambda s: web.dashboard(s, user, END)),
        ("web run page: run_posts", lambda s: web.run_posts(s, run)),
        ("web run page: run_reels", lambda s: web.run_reels(s, run)),
        ("web calendar: week_calendar", lambda s: web.week_calendar(s, user, week)),
        ("web reports list", lambda s: web.reports(s, user)),
        ("web accounts (+published counts)", lambda s: web.accounts(s, user, END)),
        ("web notifications(100)", lambda s: web.notifications(s, user)),
        ("run events (event_logs by run)", run_events),
        ("retention: scrub batch (500)", scrub_candidates),
        ("twin audit (50)", lambda s: list_audit(session=s, limit=50)),
    ]


def time_query(engine: Engine, call: Query, repeat: int) -> tuple[float, float] | str:
    """p50 and p95 in ms over ``repeat`` calls, each in a fresh session (after 3 warm-ups)."""
    samples: list[float] = []
    try:
        for i in range(repeat + 3):
            with Session(engine) as session:
                start = time.perf_counter()
                call(session)
                elapsed = (time.perf_counter() - start) * 1000.0
            if i >= 3:
                samples.append(elapsed)
    except Exception as exc:  # e.g. a column the chosen revision does not have yet
        return f"n/a ({type(exc).__name__})"
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def _sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'bench.db'}"


def _pg_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    from db.engine import build_engine

    name = f"twin_bench_{uuid.uuid4().hex[:8]}"
    admin = build_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + f"/{name}", drop


def bench(url: str, *, rows: int, repeat: int, revision: str) -> list[tuple[str, Any]]:
    from db.engine import build_engine
    from db.migrate import upgrade

    engine = build_engine(url)
    try:
        upgrade(engine, revision)
        started = time.perf_counter()
        seeded = seed(engine, rows=rows)
        seconds = time.perf_counter() - started
        total = sum(seeded.counts.values())
        print(
            f"  seeded {total:,} rows in {seconds:.0f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in seeded.counts.items() if v >= 1000)
        )
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))  # fresh statistics, as a live database has
        return [(name, time_query(engine, call, repeat)) for name, call in queries(seeded)]
    finally:
        engine.dispose()


def report(backend: str, results: list[tuple[str, Any]]) -> None:
    print(f"\n{backend}: p50 / p95 in ms (target p95 < {TARGET_MS:.0f} ms)")
    width = max(len(name) for name, _ in results)
    for name, figures in results:
        if isinstance(figures, str):
            print(f"  {name:<{width}}  {figures}")
            continue
        p50, p95 = figures
        verdict = "ok" if p95 < TARGET_MS else "MISSES TARGET"
        print(f"  {name:<{width}}  {p50:8.2f} / {p95:8.2f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--revision", default="head")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="twin-bench-q-") as folder:
            print(f"sqlite (revision {args.revision}, {args.rows:,} rows per main table)")
            report(
                "sqlite",
                bench(
                    _sqlite_url(Path(folder)),
                    rows=args.rows,
                    repeat=args.repeat,
                    revision=args.revision,
                ),
            )
    if args.backend in ("postgres", "both"):
        url, drop = _pg_database(args.pg_url)
        try:
            print(f"\npostgresql (revision {args.revision}, {args.rows:,} rows per main table)")
            report(
                "postgresql", bench(url, rows=args.rows, repeat=args.repeat, revision=args.revision)
            )
        finally:
            drop()


if __name__ == "__main__":
    main()
