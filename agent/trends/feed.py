"""A niche's trend signals for the cycle: collect from settings, store, flag spikes, report.

Planning calls :func:`collect_niche_trends` instead of ``ctx.tools.trends()``; the weekly
report shows :func:`report_trend_lines`. Nothing here raises for a source's fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.settings import Settings
from agent.strategy.decide import TrendCandidate
from db.enums import TrendSource as TrendKind
from db.models import Niche, TrendSignal
from db.repo import trends as trend_repo
from tools.reports.markdown import TrendLine
from tools.trends import (
    CollectedTrends,
    Embed,
    SampleSource,
    SourceFailure,
    Spike,
    TrendsError,
    TrendSource,
    collect_trends,
    detect_spikes,
    local_embed,
    sources_for,
)

__all__ = [
    "NicheTrends",
    "candidate_of",
    "collect_niche_trends",
    "niche_keywords",
    "report_trend_lines",
]


NEWS_KINDS = (TrendKind.news, TrendKind.google_trends, TrendKind.platform_trending)
"""Signal kinds that are live items with a link (not the bundled sample or a local file)."""


@dataclass(kw_only=True)
class NicheTrends:
    """One collection for one niche: what came back, the rows stored, and the spikes."""

    collected: CollectedTrends
    rows: list[TrendSignal] = field(default_factory=list)
    spikes: list[Spike] = field(default_factory=list)


def niche_keywords(*, session: Session, niche: str) -> list[str]:
    """The niche's name and keywords from the niches table (the slug's words if it is unknown)."""
    row = session.scalar(select(Niche).where(Niche.slug == niche))
    if row is None:
        return [w for w in niche.replace("_", "-").split("-") if w]
    return [row.name, *row.keywords]


def collect_niche_trends(
    *,
    settings: Settings,
    session: Session,
    niche: str,
    clock: Callable[[], datetime],
    embed: Embed | None = local_embed,
    transport: httpx.BaseTransport | None = None,
    limit: int = 40,
    sources: list[TrendSource] | None = None,
) -> NicheTrends:
    """Collect today's signals for ``niche`` from the configured sources, store and judge them.

    Args:
        settings: Source settings (``TWIN_TRENDS_*``).
        session: Open session; rows are flushed, the caller commits.
        niche: The agent's niche slug (``AgentPolicy.niche``).
        clock: The run's clock (``ctx.clock.now``): the day they are stored under.
        embed: Embedding function for relevance; the local MiniLM by default.
        transport: httpx transport (tests).
        limit: Most signals kept.
        sources: Read these instead of the configured ones (simulations, tests).
    """
    now = clock()
    today = now.astimezone(UTC).date()
    problems: list[SourceFailure] = []
    try:
        config = settings.trends_config()
        keywords = config.keywords_for(niche, niche_keywords(session=session, niche=niche))
        sources = sources if sources is not None else sources_for(config, niche)
    except (TrendsError, ValueError) as exc:
        first = str(exc).splitlines()[0].strip("'\"")
        problems.append(SourceFailure(source="settings", error=first))
        sources = sources if sources is not None else [SampleSource()]
        keywords = niche_keywords(session=session, niche=niche)
    history = trend_repo.score_history(session=session, niche=niche, before=today)
    collected = collect_trends(
        sources=sources,
        niche=niche,
        keywords=keywords,
        clock=clock,
        embed=embed,
        transport=transport,
        timeout=settings.trends_timeout,
        cache_dir=settings.trends_cache_dir,
        cache_hours=settings.trends_cache_hours,
        limit=limit,
    )
    if problems:
        collected = collected.model_copy(update={"failures": [*problems, *collected.failures]})
    spikes = detect_spikes(collected.signals, history, threshold=settings.trends_spike_z)
    rows = trend_repo.upsert_signals(
        session=session, niche=niche, day=today, signals=collected.signals
    )
    by_topic = {row.topic: row for row in rows}
    for spike in spikes:
        row = by_topic.get(spike.signal.topic[:300])
        if row is not None:
            row.metadata_json = {
                **row.metadata_json,
                "spike": {"z": spike.z, "baseline": spike.baseline, "ratio": spike.ratio},
            }
    session.flush()
    return NicheTrends(collected=collected, rows=rows, spikes=spikes)


def candidate_of(row: TrendSignal) -> TrendCandidate:
    """A stored signal as planning and scripts use it: tags, points, summary and link."""
    meta = dict(row.metadata_json or {})
    extra = dict(meta.get("extra") or {})
    return TrendCandidate(
        topic=row.topic,
        score=row.score,
        tags=list(meta.get("related_tags", [])),
        link=row.link,
        summary=str(meta.get("summary") or ""),
        points=list(extra.get("points") or []),
        source=str(row.source_name or row.source),
        news=bool(row.link)
        and row.source in NEWS_KINDS
        and not (row.source_name or "sample").startswith(("sample", "file:")),
    )


def report_trend_lines(
    *, session: Session, niche: str, since: datetime, until: datetime, limit: int = 10
) -> list[TrendLine]:
    """The period's best signals of ``niche`` for ``ReportData.trends``, with source and link."""
    rows = trend_repo.recent_signals(
        session=session, niche=niche, since=since, until=until, limit=limit
    )
    return [
        TrendLine(
            topic=row.topic,
            source=str(
                row.metadata_json.get("source_title") or row.source_name or row.source.value
            ),
            link=row.link,
            score=min(1.0, max(0.0, row.score)),
            spike="spike" in row.metadata_json,
        )
        for row in rows
    ]
