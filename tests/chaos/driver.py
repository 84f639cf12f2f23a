"""The kill driver shared by the chaos suite (``tests/chaos``) and its bench mode (``bench/chaos.py``).

Real ``twin`` processes run on one data dir and one database (SQLite or PostgreSQL) and are
SIGKILLed at seeded random moments: a delay after they start, a node of the cycle starting, or a
publish in flight. The driver then carries on as a user would: a plain ``twin run`` again (it
resumes the stale run), ``twin approve`` for a waiting one, until the week finishes. The audit
afterwards counts what must stay zero: duplicate posts, lost approvals and stuck runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from agent.app.bootstrap import initialise
from agent.app.resources import Resources, open_resources
from agent.settings import load_settings
from db.engine import build_engine, transaction
from db.enums import ACTIVE_RUN, APPROVED, EventType, PublishStatus, RunStatus, TaskStatus
from db.models import (
    AgentRun,
    AuditLog,
    CalendarItem,
    ContentCalendar,
    EventLog,
    Post,
    PublisherTask,
    VideoReel,
)
from db.repo import leases
from db.repo.identity import get_agent, update_agent_policy
from tools.publish.idempotency import marker_for

TWIN = Path(sys.executable).parent / "twin"
PG_ADMIN_URL = os.environ.get(
    "TWIN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
RUN_NODES = ("begin", "planning", "creating", "review")
"""Nodes a new week's ``twin run`` passes before it waits for review."""
APPROVE_NODES = ("review", "publishing", "analyzing", "adapting", "finish")
"""Nodes ``twin approve`` drives after the answer."""
PUBLISH_LATENCY_MS = 1500
"""Sandbox latency while a kill waits for a publish: the post has landed, its answer has not."""
POLL = 0.03
WAITING = 10  # ExitCode.WAITING_FOR_REVIEW


class ChaosError(AssertionError):
    """The driver could not go on (a process hung, or a moment never came)."""


@dataclass
class Figures:
    """What one scenario did and found; the zeros are the contract."""

    scenario: str
    database: str
    kills: int = 0
    faults: int = 0
    duplicates: int = 0
    lost: int = 0
    stuck: int = 0
    extra_runs: int = 0
    """Runs beyond one finished run per week (a second run of a week, or one left in error)."""
    weeks: int = 0
    posts: int = 0
    killed: Counter[str] = field(default_factory=Counter)
    """Kills per command: ``run`` (a new week), ``resume`` (a stale run) and ``approve``."""
    commands: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The one summary line a scenario prints."""
        return (
            f"chaos {self.scenario} [{self.database}]: kills {self.kills}, faults {self.faults}, "
            f"duplicates {self.duplicates}, lost approvals {self.lost}, stuck runs {self.stuck}, "
            f"extra runs {self.extra_runs} ({self.weeks} weeks, {self.posts} posts, "
            f"{self.commands} commands, {self.seconds:.1f} s)"
        )

    def clean(self) -> bool:
        return not (self.duplicates or self.lost or self.stuck or self.extra_runs)


# -- the installation under test --------------------------------------------------------------


@dataclass
class Invocation:
    """One ``twin`` process; its output goes to files (a pipe nobody reads could block it)."""

    args: tuple[str, ...]
    proc: subprocess.Popen[bytes]
    out: Path
    err: Path
    started: float
    killed: bool = False

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self, *, group: bool) -> None:
        """SIGKILL the process (and with ``group`` its render workers too, as a service stop would)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if group:
                os.killpg(self.proc.pid, signal.SIGKILL)
            else:
                self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.killed = True

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill(group=True)
            raise ChaosError(f"twin {' '.join(self.args)} hung for {timeout:.0f} s") from None

    def reap(self) -> None:
        """Kill what is left of the process group (render workers of a killed process)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    @property
    def code(self) -> int | None:
        return self.proc.returncode

    @property
    def stdout(self) -> str:
        return self.out.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.err.read_text(errors="replace")

    def error_lines(self) -> list[str]:
        """What the command said went wrong (notices such as the memory fallback left out)."""
        return [line for line in self.stderr.splitlines() if line.startswith("error:")]

    def outcome(self) -> dict[str, Any]:
        """The ``--json`` result of a command that ran to its end."""
        return dict(json.loads(self.stdout))

    @property
    def owner(self) -> str:
        """The lease owner name this process had (``host:pid``)."""
        return f"{leases.this_process().rpartition(':')[0]}:{self.proc.pid}"


@dataclass
class Site:
    """A data dir and a database, with an in-process view of the database to watch and audit."""

    root: Path
    system: Resources
    invocations: list[Invocation] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.system.settings.resolved_database_url

    @property
    def database(self) -> str:
        return "postgres" if self.url.startswith("postgresql") else "sqlite"

    @property
    def data_dir(self) -> Path:
        return self.system.settings.data_dir

    def spawn(self, *args: str, latency_ms: int = 0) -> Invocation:
        env = {
            **os.environ,
            "TWIN_DATA_DIR": str(self.data_dir),
            "TWIN_DATABASE_URL": self.url,
            "TWIN_RENDER_QUALITY": "draft",
            "ANONYMIZED_TELEMETRY": "False",
        }
        if latency_ms:
            env["TWIN_SANDBOX_LATENCY_MS"] = str(latency_ms)
        logs = self.root / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        n = len(self.invocations)
        out, err = logs / f"{n:04d}-{args[0]}.out", logs / f"{n:04d}-{args[0]}.err"
        with out.open("wb") as out_f, err.open("wb") as err_f:
            proc = subprocess.Popen(
                [str(TWIN), *args],
                env=env,
                cwd=self.root,
                stdout=out_f,
                stderr=err_f,
                start_new_session=True,  # its own group: a kill can take its workers with it
            )
        inv = Invocation(tuple(args), proc, out, err, time.monotonic())
        self.invocations.append(inv)
        return inv

    def close(self) -> None:
        for inv in self.invocations:
            if inv.alive():
                inv.kill(group=True)
            inv.reap()
        self.system.dispose()


def open_site(root: Path, database_url: str, *, posts_per_week: int = 1) -> Site:
    """An initialised installation under ``root`` on ``database_url``, posting a few reels a week."""
    settings = load_settings(data_dir=root / "data", database_url=database_url)
    system = open_resources(settings)
    initialise(system)
    with transaction(system.sessions) as session:
        update_agent_policy(
            session=session, agent=get_agent(session=session), posts_per_week=posts_per_week
        )
    return Site(root, system)


@contextlib.contextmanager
def scratch_postgres(admin_url: str = PG_ADMIN_URL) -> Iterator[str]:
    """A new empty PostgreSQL database for a bench run, dropped afterwards."""
    name = f"twin_chaos_{uuid.uuid4().hex[:10]}"
    admin = build_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
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


# -- watching the database ---------------------------------------------------------------------


@dataclass(frozen=True)
class RunView:
    id: uuid.UUID
    week: str
    status: RunStatus
    owner: str | None
    expires: datetime | None
    node: str | None
    error: str | None

    @property
    def short(self) -> str:
        return str(self.id)[:8]


def all_runs(site: Site) -> list[RunView]:
    with site.system.sessions() as session:
        rows = session.scalars(select(AgentRun).order_by(AgentRun.started_at))
        return [
            RunView(
                r.id,
                r.week_key,
                r.status,
                r.lease_owner,
                r.lease_expires_at,
                r.current_node,
                r.error_message,
            )
            for r in rows
        ]


def latest_run(site: Site) -> RunView | None:
    rows = all_runs(site)
    return rows[-1] if rows else None


def node_starts(site: Site, node: str) -> int:
    """How many times ``node`` has started, over all runs."""
    with site.system.sessions() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(EventLog)
                .where(
                    EventLog.event_type == EventType.node_started,
                    EventLog.message == f"{node} started",
                )
            )
            or 0
        )


def publish_attempts(site: Site) -> int:
    with site.system.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(PublisherTask)) or 0)


def checkpoints_of(site: Site, run_id: uuid.UUID) -> int:
    """LangGraph checkpoints of a run's thread (0 before the first; the table may not exist)."""
    try:
        with site.system.engine.connect() as conn:
            return int(
                conn.execute(
                    text("SELECT count(*) FROM checkpoints WHERE thread_id = :t"),
                    {"t": str(run_id)},
                ).scalar_one()
            )
    except DBAPIError:
        return 0


# -- kills -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    """When to kill: ``delay`` seconds after the start, or that long after ``at`` (a node starting,
    or ``publish``: a publish attempt recorded) happened during the command."""

    at: str
    delay: float
    group: bool

    def __str__(self) -> str:
        what = "the process group" if self.group else "the process"
        if self.at == "delay":
            return f"{what} {self.delay:.2f} s after start"
        return f"{what} {self.delay:.2f} s after {self.at} started"


def pick_trigger(rng: random.Random, command: str) -> Trigger:
    """A random moment of ``command``: ``run`` (a new week), ``approve``, or ``resume`` (a plain
    run taking over a stale run, which may be anywhere in the cycle)."""
    if command == "approve":
        choices: tuple[str, ...] = ("delay", *APPROVE_NODES, "publish")
    elif command == "resume":
        choices = ("delay", *RUN_NODES, *APPROVE_NODES[1:], "publish")
    else:
        choices = ("delay", *RUN_NODES)
    at = rng.choice(choices)
    delay = rng.uniform(0.3, 9.0) if at == "delay" else rng.uniform(0.0, 1.2)
    return Trigger(at, round(delay, 3), rng.random() < 0.5)


def _count_for(site: Site, trigger: Trigger) -> int:
    if trigger.at == "delay":
        return 0
    if trigger.at == "publish":
        return publish_attempts(site)
    return node_starts(site, trigger.at)


def strike(
    site: Site, args: tuple[str, ...], trigger: Trigger | None, *, timeout: float
) -> Invocation:
    """Run ``twin *args``; with a trigger, SIGKILL it at that moment if it is still running then."""
    before = _count_for(site, trigger) if trigger else 0
    latency = PUBLISH_LATENCY_MS if trigger is not None and trigger.at == "publish" else 0
    inv = site.spawn(*args, latency_ms=latency)
    if trigger is None:
        inv.wait(timeout)
        return inv
    deadline = inv.started + timeout
    fire_at: float | None = inv.started + trigger.delay if trigger.at == "delay" else None
    while inv.alive():
        now = time.monotonic()
        if now > deadline:
            inv.kill(group=True)
            raise ChaosError(f"twin {' '.join(args)} hung for {timeout:.0f} s")
        if fire_at is None and _count_for(site, trigger) > before:
            fire_at = now + trigger.delay
        if fire_at is not None and now >= fire_at:
            inv.kill(group=trigger.group)
            break
        time.sleep(POLL)
    inv.wait(timeout)
    return inv


def drive_weeks(
    site: Site,
    *,
    kills: int,
    rng: random.Random,
    kill_chance: float = 0.6,
    timeout: float = 300.0,
    say: Any = None,
) -> Figures:
    """Drive weeks with ``twin run --fast-forward`` and ``twin approve --all``, killing about
    ``kill_chance`` of the commands at random moments (every ``twin approve`` while kills are
    left, and the last kill is kept for one if none was killed yet), until ``kills`` kills
    happened and the last week finished; then audit the database and the platform."""
    figures = Figures("kills", site.database)
    started = time.monotonic()
    refused = 0
    limit = 8 * kills + 12
    while figures.commands < limit:
        run = latest_run(site)
        args: tuple[str, ...]
        if run is None or run.status == RunStatus.finished:
            if figures.kills >= kills:
                break
            command, args = "run", ("run", "--fast-forward", "--json")
        elif run.status == RunStatus.waiting_review:
            command, args = "approve", ("approve", run.short, "--all", "--json")
        elif run.status == RunStatus.running:  # its driver was killed: a plain run resumes it
            command, args = "resume", ("run", "--fast-forward", "--json")
        else:
            figures.notes.append(f"run {run.short} is {run.status.value}: {run.error}")
            command, args = "resume", ("run", "--resume", run.short, "--json")
        left = kills - figures.kills
        chance = 1.0 if command == "approve" else kill_chance
        if left == 1 and kills > 1 and not figures.killed["approve"] and command != "approve":
            chance = 0.0  # the last kill goes to the approve path
        trigger = pick_trigger(rng, command) if left > 0 and rng.random() < chance else None
        inv = strike(site, args, trigger, timeout=timeout)
        figures.commands += 1
        if inv.killed:
            figures.kills += 1
            figures.killed[command] += 1
            refused = 0
            _say(say, f"kill {figures.kills}/{kills}: twin {' '.join(args[:2])} - {trigger}")
            continue
        if inv.code in (0, WAITING) and "Traceback" not in inv.stderr:
            refused = 0
            continue
        said = "; ".join(inv.error_lines()) or inv.stderr.strip()[-400:]
        figures.notes.append(f"twin {' '.join(args)} exited {inv.code}: {said}")
        _say(say, figures.notes[-1])
        refused += 1
        if refused >= 2:  # the same state refused twice: nothing a user could do moves it
            break
    audit(site, figures)
    figures.seconds = time.monotonic() - started
    return figures


def _say(say: Any, message: str) -> None:
    if say is not None:
        say(message)


# -- the scenarios beside the random kills ----------------------------------------------------


@dataclass
class Scene:
    """A scenario's figures and the processes it ran, for its assertions."""

    figures: Figures
    run: RunView | None = None
    invocations: list[Invocation] = field(default_factory=list)
    checkpoints_at_kill: int = -1


def kill_before_first_checkpoint(site: Site, *, timeout: float = 300.0) -> Scene:
    """SIGKILL a new week's run once its row exists and before LangGraph wrote a checkpoint
    (the process is frozen with SIGSTOP first, so the check cannot race it), then resume it
    with ``twin run --resume``."""
    figures = Figures("kill-before-checkpoint", site.database)
    started = time.monotonic()
    inv = site.spawn("run", "--fast-forward", "--auto-approve", "--json")
    run: RunView | None = None
    while run is None:
        if not inv.alive():
            raise ChaosError(f"the run ended before its row appeared: {inv.stderr[-400:]}")
        if time.monotonic() - inv.started > timeout:
            inv.kill(group=True)
            raise ChaosError("no run row appeared")
        run = latest_run(site)
        if run is None:
            time.sleep(0.002)
    with contextlib.suppress(ProcessLookupError):
        os.kill(inv.proc.pid, signal.SIGSTOP)
    scene = Scene(figures, run, [inv], checkpoints_of(site, run.id))
    inv.kill(group=True)
    figures.kills += 1
    resumed = strike(site, ("run", "--resume", run.short, "--json"), None, timeout=timeout)
    scene.invocations.append(resumed)
    figures.commands = 2
    audit(site, figures)
    figures.seconds = time.monotonic() - started
    return scene


def concurrent_resumes(site: Site, rng: random.Random, *, timeout: float = 300.0) -> Scene:
    """Kill a run mid-cycle, then start two ``twin run --resume R`` at once."""
    figures = Figures("concurrent-resume", site.database)
    started = time.monotonic()
    trigger = Trigger(rng.choice(("planning", "creating")), round(rng.uniform(0, 0.5), 3), True)
    first = strike(
        site, ("run", "--fast-forward", "--auto-approve", "--json"), trigger, timeout=timeout
    )
    if not first.killed:
        raise ChaosError(f"the run finished before the kill ({trigger})")
    figures.kills = 1
    run = latest_run(site)
    assert run is not None
    pair = [site.spawn("run", "--resume", run.short) for _ in range(2)]  # as a user types it
    for inv in pair:
        inv.wait(timeout)
    figures.commands = 3
    audit(site, figures)
    figures.seconds = time.monotonic() - started
    return Scene(figures, latest_run(site), [first, *pair])


def concurrent_runs(site: Site, *, timeout: float = 300.0) -> Scene:
    """Two plain ``twin run``s started at once on an agent with no run."""
    figures = Figures("concurrent-run", site.database)
    started = time.monotonic()
    pair = [site.spawn("run", "--fast-forward", "--auto-approve") for _ in range(2)]
    for inv in pair:
        inv.wait(timeout)
    figures.commands = 2
    audit(site, figures)
    figures.seconds = time.monotonic() - started
    return Scene(figures, latest_run(site), pair)


# -- the audit ---------------------------------------------------------------------------------


def audit(site: Site, figures: Figures) -> None:
    """Count duplicates, lost approvals, stuck runs and extra runs (each should be 0)."""
    now = datetime.now(UTC)
    with site.system.sessions() as session:
        runs = list(session.scalars(select(AgentRun)))
        by_week: dict[str, list[AgentRun]] = {}
        for run in runs:
            by_week.setdefault(run.week_key, []).append(run)
        for week, rows in sorted(by_week.items()):
            done = [r for r in rows if r.status == RunStatus.finished]
            figures.weeks += bool(done)
            others = [r for r in rows if r.status not in (RunStatus.finished, *ACTIVE_RUN)]
            figures.extra_runs += max(0, len(done) - 1) + len(others)
            for r in others:
                figures.notes.append(
                    f"run {str(r.id)[:8]} of {week} ended {r.status.value}: {r.error_message}"
                )
        for run in runs:
            if run.status in ACTIVE_RUN:
                figures.stuck += 1
                why = "stale" if leases.is_stale(run, now) else f"owner {run.lease_owner}"
                figures.notes.append(
                    f"run {str(run.id)[:8]} of {run.week_key} left {run.status.value} ({why}, node {run.current_node})"
                )
        finished = [r.id for r in runs if r.status == RunStatus.finished]
        reels = list(
            session.scalars(
                select(VideoReel)
                .join(CalendarItem, CalendarItem.id == VideoReel.calendar_item_id)
                .join(ContentCalendar, ContentCalendar.id == CalendarItem.calendar_id)
                .where(ContentCalendar.run_id.in_(finished))
            )
        )
        posts = list(session.scalars(select(Post)))
        tasks = list(session.scalars(select(PublisherTask)))
        approvals = list(
            session.scalars(select(AuditLog).where(AuditLog.action == "review.approve"))
        )
        reel_of = {r.id: r for r in session.scalars(select(VideoReel))}
    posts_of: dict[uuid.UUID, list[Post]] = {}
    for post in posts:
        posts_of.setdefault(post.reel_id, []).append(post)
    # Lost approvals: an approved reel of a finished week that is not out (or due to go out),
    # and an approval the creator gave that the reel does not carry.
    for reel in reels:
        if reel.approval_status not in APPROVED:
            continue
        mine = posts_of.get(reel.id, [])
        ok = [
            p
            for p in mine
            if p.publish_status in (PublishStatus.published, PublishStatus.scheduled)
        ]
        if not mine or len(ok) < len(mine):
            figures.lost += 1
            states = ", ".join(p.publish_status.value for p in mine) or "no post"
            figures.notes.append(f"approved reel {str(reel.id)[:8]} is not out: {states}")
    for row in approvals:
        decided = reel_of.get(uuid.UUID(str(row.subject_id))) if row.subject_id else None
        if decided is None or decided.approval_status not in APPROVED:
            figures.lost += 1
            figures.notes.append(f"approval of reel {row.subject_id} was lost")
    # Duplicates: a calendar item out twice on an account, a post published by two calls, or a
    # post on the platform that no Post row accounts for.
    published = [p for p in posts if p.publish_status == PublishStatus.published]
    figures.posts = len(published)
    per_item = Counter(
        (reel_of[p.reel_id].calendar_item_id, p.account_id)
        for p in published
        if p.reel_id in reel_of
    )
    figures.duplicates += sum(n - 1 for n in per_item.values() if n > 1)
    calls = Counter(
        t.post_id
        for t in tasks
        if t.status == TaskStatus.succeeded
        and t.response_json.get("mode") in ("publish", "check")
        and not t.response_json.get("adopted")
    )
    figures.duplicates += sum(n - 1 for n in calls.values() if n > 1)
    marker_post = {marker_for(p.idempotency_key): p for p in posts}
    on_platform: Counter[tuple[Any, ...]] = Counter()
    for record in (site.data_dir / "sandbox").glob("*/*.json"):  # replies/ sit deeper
        out = marker_post.get(record.stem)
        if out is None:
            figures.duplicates += 1
            figures.notes.append(f"sandbox post {record.name} has no Post row")
            continue
        made = reel_of.get(out.reel_id)
        on_platform[(made.calendar_item_id if made else out.reel_id, out.account_id)] += 1
    figures.duplicates += sum(n - 1 for n in on_platform.values() if n > 1)


__all__ = [
    "APPROVE_NODES",
    "RUN_NODES",
    "ChaosError",
    "Figures",
    "Invocation",
    "RunView",
    "Scene",
    "Site",
    "Trigger",
    "all_runs",
    "audit",
    "checkpoints_of",
    "concurrent_resumes",
    "concurrent_runs",
    "drive_weeks",
    "kill_before_first_checkpoint",
    "latest_run",
    "open_site",
    "pick_trigger",
    "scratch_postgres",
    "strike",
]
