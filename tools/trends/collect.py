"""Collect a niche's trend signals from every configured source; a failing source never raises."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from tools.trends.base import Clock, SourceError, TrendSource
from tools.trends.cache import DayCache
from tools.trends.local import SampleSource
from tools.trends.models import CollectedTrends, SourceFailure, TrendItem
from tools.trends.sanitize import clean_text
from tools.trends.scoring import Embed, dedupe, score_groups

__all__ = ["USER_AGENT", "collect_trends", "local_embed"]

log = logging.getLogger(__name__)

USER_AGENT = "twin-agent/0.1 (trend reader)"
MAX_PARALLEL = 4

_local_embedding: Any = None


def local_embed(texts: list[str]) -> Sequence[Sequence[float]]:
    """The bundled MiniLM model on the CPU (offline; loaded once per process)."""
    global _local_embedding
    if _local_embedding is None:
        from memory.embeddings import LocalMiniLMEmbeddingFunction

        _local_embedding = LocalMiniLMEmbeddingFunction()
    return list(_local_embedding(texts))


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _one_line(exc: BaseException) -> str:
    text = clean_text(str(exc).splitlines()[0] if str(exc) else "", limit=200)
    return text or type(exc).__name__


def _fetch(source: TrendSource, client: httpx.Client, clock: Clock) -> list[TrendItem]:
    items = source.fetch(client=client, clock=clock)
    if not isinstance(items, list) or not all(isinstance(i, TrendItem) for i in items):
        raise SourceError(f"{source.name} did not return a list of TrendItem")
    return items


def collect_trends(
    *,
    sources: Sequence[TrendSource],
    niche: str,
    keywords: Sequence[str] = (),
    clock: Clock = _utc_now,
    embed: Embed | None = local_embed,
    client: httpx.Client | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 10.0,
    cache_dir: Path | None = None,
    cache_hours: float = 24.0,
    limit: int = 40,
    fallback_to_sample: bool = True,
) -> CollectedTrends:
    """Fetch, cache, deduplicate and score the trend signals of one niche.

    Args:
        sources: What to read (``sources_for(config, niche)``).
        niche: The niche's slug; recorded on the result.
        keywords: The niche's keywords; relevance is measured against them.
        clock: The current time (recency, the cache's day).
        embed: Texts -> vectors for relevance; the default is the local MiniLM model. None
            makes relevance neutral.
        client: HTTP client for the remote sources; built from ``transport``/``timeout`` if None.
        transport: Transport for the built client (tests pass a MockTransport).
        timeout: Seconds per connect/read of the built client; the whole collection waits at
            most three times that plus one second for sources that ignore it.
        cache_dir: Where each remote source's answer is kept for the day; None disables it.
        cache_hours: Longest age of a same-day cached answer.
        limit: Most signals returned.
        fallback_to_sample: When every source failed and none returned anything, score the
            bundled sample instead (``fell_back_to_sample`` says so).

    Returns:
        Signals best first, with every failed source as a :class:`SourceFailure`. Never raises
        for a source's fault: timeouts, HTTP errors, bad XML and misbehaving plugins alike.
    """
    now = clock()
    cache = DayCache(cache_dir, max_age_hours=cache_hours) if cache_dir is not None else None
    answers: dict[str, list[TrendItem]] = {}
    failures: list[SourceFailure] = []
    cached: list[str] = []
    to_fetch: list[TrendSource] = []
    for source in sources:
        hit = cache.load(source.name, now=now) if cache and source.cacheable else None
        if hit is not None:
            answers[source.name] = hit
            cached.append(source.name)
        else:
            to_fetch.append(source)

    own_client = client is None
    http = client or httpx.Client(
        timeout=timeout,
        transport=transport,
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT},
    )
    pool = ThreadPoolExecutor(max_workers=max(1, min(MAX_PARALLEL, len(to_fetch))))
    try:
        futures: dict[Future[list[TrendItem]], TrendSource] = {
            pool.submit(_fetch, source, http, clock): source for source in to_fetch
        }
        done, late = wait(futures, timeout=timeout * 3 + 1) if futures else (set(), set())
        for future in late:
            future.cancel()
            failures.append(
                SourceFailure(
                    source=futures[future].name, error=f"no answer within {timeout * 3 + 1:g} s"
                )
            )
        for future in done:
            source = futures[future]
            try:
                items = future.result()
            except SourceError as exc:
                failures.append(SourceFailure(source=source.name, error=_one_line(exc)))
                continue
            except Exception as exc:  # a plugin's bug must not stop the week
                failures.append(
                    SourceFailure(
                        source=source.name, error=f"{type(exc).__name__}: {_one_line(exc)}"
                    )
                )
                continue
            answers[source.name] = items
            if cache and source.cacheable:
                cache.save(source.name, items, now=now)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        if own_client:
            http.close()

    for failure in failures:
        log.warning("trend source %s failed: %s", failure.source, failure.error)
    ordered = [answers[s.name] for s in sources if s.name in answers]
    fell_back = False
    if fallback_to_sample and failures and not any(ordered):
        sample = SampleSource()
        if all(s.name != sample.name for s in sources):
            ordered = [sample.fetch(client=http, clock=clock)]
            fell_back = True

    groups = dedupe(ordered)
    answered = sum(1 for items in ordered if items)
    signals = []
    if groups:
        try:
            signals = score_groups(
                groups, keywords=list(keywords), embed=embed, now=now, answered=answered
            )
        except Exception as exc:  # the embedding model is missing or broken: rank without it
            failures.append(SourceFailure(source="embeddings", error=_one_line(exc)))
            signals = score_groups(
                groups, keywords=list(keywords), embed=None, now=now, answered=answered
            )
    order = {s.name: i for i, s in enumerate(sources)}
    failures.sort(key=lambda f: order.get(f.source, len(order)))
    return CollectedTrends(
        niche=niche,
        signals=signals[:limit],
        failures=failures,
        sources=[s.name for s in sources],
        cached=cached,
        fell_back_to_sample=fell_back,
    )
