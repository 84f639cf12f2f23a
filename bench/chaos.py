"""Benchmark: the chaos suite in bench mode, 100 SIGKILLs and 1,000 platform faults by default.

    .venv/bin/python bench/chaos.py [--kills 100] [--faults 1000] [--db sqlite|postgres|both]
        [--seed 23] [--no-concurrency] [--pg-url postgresql+psycopg://postgres@127.0.0.1/postgres]
        [--keep] [--quiet]

Runs the chaos suite's own drivers (``tests/chaos/driver.py`` and ``tests/chaos/faults.py``):

1. weeks of ``twin run --fast-forward`` and ``twin approve --all`` in real processes (draft
   renders), ``--kills`` of them SIGKILLed at seeded random moments and driven on as a user
   would, until the last week finishes;
2. once each: a kill before the run's first checkpoint then ``--resume``, two ``--resume`` of
   one run at once, two plain runs at once (skipped with ``--no-concurrency``);
3. ``--faults`` injected platform faults (429, 5xx, reset mid-upload, expired token, quota,
   duplicate, unknown outcome) over posts on all six HTTP adapters and the sandbox.

Prints each scenario's kills, faults, duplicates, lost, stuck and wall time, then the totals.
The exit status is 1 when a duplicate, lost approval, stuck run or extra run was found.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__" and __package__ in (None, ""):
    # Run as a script: bench/ must not shadow the project's packages (bench/memory.py vs memory/).
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import contextlib
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from tests.chaos.driver import (
    PG_ADMIN_URL,
    Figures,
    Site,
    concurrent_resumes,
    concurrent_runs,
    drive_weeks,
    kill_before_first_checkpoint,
    open_site,
    scratch_postgres,
)
from tests.chaos.faults import fault_storm, open_storm


@contextlib.contextmanager
def database(db: str, folder: Path, pg_url: str) -> Iterator[str]:
    """A new empty database: a SQLite file in ``folder``, or a scratch PostgreSQL database."""
    if db == "sqlite":
        yield f"sqlite:///{folder / 'twin.db'}"
        return
    with scratch_postgres(pg_url) as url:
        yield url


def on_site(db: str, root: Path, pg_url: str, scenario: Callable[[Site], Figures]) -> Figures:
    root.mkdir(parents=True)
    with database(db, root, pg_url) as url:
        site = open_site(root, url, posts_per_week=1)
        try:
            return scenario(site)
        finally:
            site.close()


def run_all(args: argparse.Namespace, db: str, folder: Path) -> list[Figures]:
    say = None if args.quiet else (lambda message: print(f"  {message}", flush=True))
    seed = f"{args.seed}:{db}"
    done: list[Figures] = []

    def report(figures: Figures) -> None:
        done.append(figures)
        print(figures.line(), flush=True)
        for note in figures.notes:
            print(f"  note: {note}", flush=True)

    if args.kills:
        rng = random.Random(f"{seed}:kills")
        report(
            on_site(
                db,
                folder / "kills",
                args.pg_url,
                lambda site: drive_weeks(site, kills=args.kills, rng=rng, say=say),
            )
        )
    if not args.no_concurrency:
        report(
            on_site(
                db,
                folder / "before-checkpoint",
                args.pg_url,
                lambda site: kill_before_first_checkpoint(site).figures,
            )
        )
        rng = random.Random(f"{seed}:resume")
        report(
            on_site(
                db,
                folder / "resumes",
                args.pg_url,
                lambda site: concurrent_resumes(site, rng).figures,
            )
        )
        report(
            on_site(db, folder / "runs", args.pg_url, lambda site: concurrent_runs(site).figures)
        )
    if args.faults:
        root = folder / "faults"
        root.mkdir(parents=True)
        with (
            database(db, root, args.pg_url) as url,
            open_storm(root, url, rng=random.Random(f"{seed}:faults")) as storm,
        ):
            figures = fault_storm(storm, faults=args.faults, say=say)
            if not args.quiet:
                kinds = ", ".join(f"{k} {n}" for k, n in sorted(storm.plan.fired.items()))
                where = ", ".join(f"{k} {n}" for k, n in sorted(storm.plan.where.items()))
                print(f"  faults by kind: {kinds}\n  faults by platform: {where}")
                print(f"  accounts reconnected after an expired key: {storm.reconnects}")
        report(figures)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kills", type=int, default=100, help="SIGKILLs over the cycle (0: none)")
    parser.add_argument("--faults", type=int, default=1000, help="platform faults (0: none)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--seed", default="23")
    parser.add_argument(
        "--no-concurrency", action="store_true", help="skip the three one-off scenarios"
    )
    parser.add_argument("--pg-url", default=PG_ADMIN_URL)
    parser.add_argument("--keep", action="store_true", help="keep the data dirs and logs")
    parser.add_argument("--quiet", action="store_true", help="only the summary lines")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="twin-bench-chaos-"))
    started = time.monotonic()
    totals: list[Figures] = []
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        print(f"{db}: {args.kills} kills, {args.faults} faults (seed {args.seed})", flush=True)
        began = time.monotonic()
        figures = run_all(args, db, folder / db)
        totals += figures
        total = Figures("total", db)
        for f in figures:
            total.kills += f.kills
            total.faults += f.faults
            total.duplicates += f.duplicates
            total.lost += f.lost
            total.stuck += f.stuck
            total.extra_runs += f.extra_runs
            total.weeks += f.weeks
            total.posts += f.posts
            total.commands += f.commands
        total.seconds = time.monotonic() - began
        print(total.line(), flush=True)
    clean = all(f.clean() for f in totals)
    print(f"wall time {time.monotonic() - started:.1f} s; {'all zeros' if clean else 'NOT CLEAN'}")
    if args.keep or not clean:
        print(f"data dirs and logs: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(0 if clean else 1)


if __name__ == "__main__":
    main()
