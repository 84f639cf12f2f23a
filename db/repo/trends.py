"""Trend signals per niche and day: idempotent upsert, score history, recent signals."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.enums import Platform, TrendSource
from db.models import TrendSignal

__all__ = ["SignalLike", "day_start", "recent_signals", "score_history", "upsert_signals"]

MAX_LINK = 2000


class SignalLike(Protocol):
    """What a stored signal needs (``tools.trends.ScoredSignal`` has it)."""

    @property
    def topic(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def kind(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def link(self) -> str | None: ...
    @property
    def platform_hint(self) -> str | None: ...
    @property
    def metadata(self) -> dict[str, Any]: ...


def day_start(day: date) -> datetime:
    """Midnight UTC of ``day``: the ``collected_at`` of that day's signals."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def upsert_signals(
    *, session: Session, niche: str, day: date, signals: Iterable[SignalLike]
) -> list[TrendSignal]:
    """Store a niche's signals for ``day``; running it again updates the same rows, never adds.

    Rows are keyed by (niche, source kind, topic, day). Within one call the first signal of a
    key wins (callers pass them best first).

    Args:
        session: Open session (the caller commits).
        niche: The niche's slug.
        day: The day they were collected (UTC).
        signals: Scored signals, best first.
    """
    collected_at = day_start(day)
    existing = {
        (row.source.value, row.topic): row
        for row in session.scalars(
            select(TrendSignal).where(
                TrendSignal.niche == niche, TrendSignal.collected_at == collected_at
            )
        )
    }
    stored: dict[tuple[str, str], TrendSignal] = {}
    new: dict[tuple[str, str], dict[str, Any]] = {}
    seen: dict[tuple[str, str], None] = {}
    for signal in signals:
        kind = (
            signal.kind if signal.kind in TrendSource.__members__ else TrendSource.local_file.value
        )
        topic = signal.topic[:300]
        key = (kind, topic)
        if key in seen:
            continue
        seen[key] = None
        hint = signal.platform_hint if signal.platform_hint in Platform.__members__ else None
        values: dict[str, Any] = {
            "source_name": signal.source[:200],
            "link": signal.link[:MAX_LINK] if signal.link else None,
            "platform_hint": hint,
            "score": float(signal.score),
            "metadata_json": signal.metadata,
        }
        row = existing.get(key)
        if row is None:
            new[key] = values
            continue
        for name, value in values.items():
            setattr(row, name, value)
        stored[key] = row
    # New rows go in key order, each in its own savepoint: when another run stores the same
    # niche's signals at the same moment (two agents of one niche on a fleet), the later insert
    # waits for the earlier transaction and then updates its row instead of failing the run;
    # the common order means two such runs never wait for each other.
    for key in sorted(new):
        stored[key] = _insert_or_update(session, niche, collected_at, key, new[key])
    session.flush()
    return [stored[key] for key in seen]


def _insert_or_update(
    session: Session,
    niche: str,
    collected_at: datetime,
    key: tuple[str, str],
    values: dict[str, Any],
) -> TrendSignal:
    kind, topic = key
    row = TrendSignal(
        niche=niche, source=TrendSource(kind), topic=topic, collected_at=collected_at, **values
    )
    try:
        with session.begin_nested():
            session.add(row)
        return row
    except IntegrityError:
        other = session.scalar(
            select(TrendSignal).where(
                TrendSignal.niche == niche,
                TrendSignal.source == TrendSource(kind),
                TrendSignal.topic == topic,
                TrendSignal.collected_at == collected_at,
            )
        )
        if other is None:
            raise
        for name, value in values.items():
            setattr(other, name, value)
        return other


def score_history(*, session: Session, niche: str, before: date, days: int = 28) -> list[float]:
    """Scores of the niche's signals over the ``days`` days before ``before`` (that day excluded)."""
    end = day_start(before)
    return list(
        session.scalars(
            select(TrendSignal.score)
            .where(
                TrendSignal.niche == niche,
                TrendSignal.collected_at >= end - timedelta(days=days),
                TrendSignal.collected_at < end,
            )
            .order_by(TrendSignal.collected_at, TrendSignal.score)
        )
    )


def recent_signals(
    *, session: Session, niche: str, since: datetime, until: datetime | None = None, limit: int = 10
) -> list[TrendSignal]:
    """The niche's best signals collected in ``[since, until)``, one row per topic, best first."""
    stmt = select(TrendSignal).where(TrendSignal.niche == niche, TrendSignal.collected_at >= since)
    if until is not None:
        stmt = stmt.where(TrendSignal.collected_at < until)
    best: dict[str, TrendSignal] = {}
    for row in session.scalars(
        stmt.order_by(TrendSignal.score.desc(), TrendSignal.collected_at.desc())
    ):
        best.setdefault(row.topic.lower(), row)
        if len(best) >= limit:
            break
    return list(best.values())
