"""Where the app is wired: a run's Context and checkpointer, built from settings and a typed
:class:`Wiring` whose parts a caller (a simulation, an evaluation, a test) may supply."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel
from langchain_core.rate_limiters import BaseRateLimiter
from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy import make_url

from agent.app.resources import Resources
from agent.context import Clock, Context, Memory, Render, RenderMany, Speak, Toolbox
from agent.fleet.rates import LLM_BUCKET, TTS_BUCKET
from agent.llm import LLMSettings, build_chat_model
from agent.settings import Settings
from agent.strategy.decide import Decide, decide_week
from tools.publish.base import Publisher
from tools.render.base import ProgressCallback, RenderRequest, RenderResult
from tools.trends import TrendSource
from tools.tts.base import SpeechResult, VoiceSpec

PublisherFactory = Callable[[Clock], Callable[[str], Publisher]]
"""Given a run's clock, the platform -> adapter lookup that run publishes with."""
MemoryFactory = Callable[[str, Clock], Memory | None]
"""Given an agent id and a run's clock, that agent's vector memory (None: none)."""


@dataclass(frozen=True, kw_only=True)
class Wiring:
    """The parts a run is built from. Each left as None is built from settings.

    Attributes:
        chat_model: The model that writes the words (default: ``TWIN_LLM_*``).
        speak: Text to speech (default: the voice profile's engine).
        render: Reel renderer (default: the built-in one, in worker processes).
        publishers: Publisher lookup per run clock (default: sandbox + real adapters).
        trends: Trend sources to read (default: ``TWIN_TRENDS_*``, else the bundled sample).
        memory: Vector memory per agent (default: Chroma under the data dir).
        decide: The week policy (default: the learner, :func:`decide_week`).
        render_many: Renders a round of reels elsewhere with the built-in renderer (a fleet's
            render queue); ignored when ``render`` replaces the built-in renderer.
        chat_rate_limiter: Drawn before every request of the chat model built from settings
            (a fleet-wide limit, ``TWIN_LLM_FLEET_RATE``).
        speak_rate_limiter: Drawn before every ElevenLabs request (``TWIN_TTS_FLEET_RATE``).
    """

    chat_model: BaseChatModel | None = None
    speak: Speak | None = None
    render: Render | None = None
    publishers: PublisherFactory | None = None
    trends: list[TrendSource] | None = None
    memory: MemoryFactory | None = None
    decide: Decide | None = None
    render_many: RenderMany | None = None
    chat_rate_limiter: BaseRateLimiter | None = None
    speak_rate_limiter: BaseRateLimiter | None = None


def no_memory(agent_id: str, clock: Clock) -> None:
    """A memory factory for runs without vector memory."""
    return None


def chat_model_for(
    settings: Settings, *, rate_limiter: BaseRateLimiter | None = None
) -> BaseChatModel:
    """The configured chat model (the offline one answers the cycle's own prompts), drawing
    from ``rate_limiter`` before each request when one is given."""
    model = build_chat_model(LLMSettings.from_settings(settings))
    if rate_limiter is not None:
        model.rate_limiter = rate_limiter
    return model


def speak_with(settings: Settings, *, rate_limiter: BaseRateLimiter | None = None) -> Speak:
    def speak(*, text: str, language: str, voice: VoiceSpec, out_path: Path) -> SpeechResult:
        from tools.tts import get_engine, synthesize
        from tools.tts.base import TTSError

        engine = None
        if voice.provider == "elevenlabs":
            key = (
                settings.elevenlabs_api_key.get_secret_value()
                if settings.elevenlabs_api_key
                else None
            )
            if not key:
                raise TTSError("voice uses ElevenLabs but TWIN_ELEVENLABS_API_KEY is not set")
            engine = get_engine("elevenlabs", api_key=key, base_url=settings.elevenlabs_base_url)
            if rate_limiter is not None:
                rate_limiter.acquire(blocking=True)
        return synthesize(text, language=language, voice=voice, out_path=out_path, engine=engine)

    return speak


def render(request: RenderRequest, progress: ProgressCallback | None = None) -> RenderResult:
    from tools.render.engine import render_reel

    return render_reel(request, progress)


def publishers_for(
    settings: Settings, clock: Clock, *, client: httpx.Client | None = None
) -> Callable[[str], Publisher]:
    """A cached adapter lookup: sandbox stays local, every other platform is built from settings.

    Args:
        settings: Base URLs, client ids and secrets of each platform.
        clock: Clock used for post times and token expiry.
        client: Optional shared ``httpx.Client`` for the real adapters (e.g. with progress hooks).
    """
    cache: dict[str, Publisher] = {}

    def publisher_for(platform: str) -> Publisher:
        if platform not in cache:
            if platform == "sandbox":
                from tools.publish.sandbox import SandboxPublisher

                cache[platform] = SandboxPublisher(
                    root=settings.data_dir / "sandbox",
                    clock=clock.now,
                    audience=settings.audience,
                    latency_ms=settings.sandbox_latency_ms,
                )
            else:
                from agent.publishing.adapters import build_publisher

                cache[platform] = build_publisher(platform, settings, now=clock.now, client=client)
        return cache[platform]

    return publisher_for


def media_links(settings: Settings) -> Callable[[str | Path], str | None]:
    """Signed links to media on the web app (``TWIN_PUBLIC_URL``), valid for a week."""
    from agent.web.media import signed_media_url
    from agent.web.security import Signer, load_server_secret

    signer: list[Signer] = []

    def link(path: str | Path) -> str | None:
        if not signer:
            signer.append(Signer(load_server_secret(settings.data_dir)))
        relative = signed_media_url(settings, signer[0], path, 7 * 24 * 3600)
        return f"{settings.public_url.rstrip('/')}{relative}" if relative else None

    return link


def memory_for(settings: Settings, agent_id: str, clock: Clock) -> Memory | None:
    from memory import AgentMemoryStore

    return AgentMemoryStore.from_settings(settings, agent_id, clock=clock.now)  # type: ignore[arg-type]


def build_context(
    resources: Resources,
    wiring: Wiring,
    *,
    clock: Clock,
    agent_id: str,
    render_quality: str = "full",
    progress: Callable[[str, str], None] | None = None,
) -> Context:
    """Everything a run needs: the wiring's parts, the rest from settings."""
    settings = resources.settings
    renderer = wiring.render or render
    return Context(
        sessions=resources.sessions,
        settings=settings,
        chat_model=wiring.chat_model
        or chat_model_for(
            settings,
            rate_limiter=wiring.chat_rate_limiter
            or fleet_limiter(resources, LLM_BUCKET, settings.llm_fleet_rate),
        ),
        tools=Toolbox(
            speak=wiring.speak
            or speak_with(
                settings,
                rate_limiter=wiring.speak_rate_limiter
                or fleet_limiter(resources, TTS_BUCKET, settings.tts_fleet_rate),
            ),
            render=renderer,
            publisher_for=(wiring.publishers or (lambda c: publishers_for(settings, c)))(clock),
            trends=wiring.trends,
            render_in_processes=renderer is render,
            render_many=wiring.render_many if renderer is render else None,
            media_link=media_links(settings),
        ),
        clock=clock,
        cipher=resources.cipher(),
        memory=(wiring.memory or (lambda a, c: memory_for(settings, a, c)))(agent_id, clock),
        decide=wiring.decide or decide_week,
        render_quality=render_quality,
        progress=progress,
    )


def fleet_limiter(resources: Resources, bucket: str, rate: str) -> BaseRateLimiter | None:
    """The fleet-wide limiter of ``bucket`` at ``rate`` (``N/m``), or None when no rate is set."""
    if not rate:
        return None
    from agent.fleet.bucket import FleetRateLimiter, TokenBucket
    from agent.fleet.rates import parse_rate

    return FleetRateLimiter(TokenBucket(resources.sessions, bucket, parse_rate(rate)))


CHECKPOINT_SETUP_LOCK = 0x7477696E  # "twin": the advisory lock around the checkpointer's setup
_checkpoints_ready: set[str] = set()


@contextmanager
def checkpointer(resources: Resources) -> Iterator[BaseCheckpointSaver[Any]]:
    """LangGraph checkpoints in the application's own database."""
    url = make_url(resources.settings.resolved_database_url)
    if url.get_backend_name() == "sqlite":
        from langgraph.checkpoint.sqlite import SqliteSaver

        conn = sqlite3.connect(url.database or ":memory:", check_same_thread=False, timeout=30)
        conn.execute("PRAGMA busy_timeout=30000")
        try:
            saver = SqliteSaver(conn)
            saver.setup()
            yield saver
        finally:
            conn.close()
        return
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row

    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=0, row_factory=dict_row) as pg:
        saver_pg = PostgresSaver(pg)  # type: ignore[arg-type]
        if dsn not in _checkpoints_ready:
            # Several processes of a fleet start their first runs together on a new database:
            # LangGraph's setup() is not safe to run at once, so one at a time, under a lock.
            # The lock is tried, not waited for: its migrations build indexes CONCURRENTLY,
            # which wait for every open transaction, a blocked lock request included.
            while not pg.execute(
                "SELECT pg_try_advisory_lock(%s) AS taken", (CHECKPOINT_SETUP_LOCK,)
            ).fetchone()["taken"]:  # type: ignore[index]
                time.sleep(0.1)
            try:
                saver_pg.setup()
            finally:
                pg.execute("SELECT pg_advisory_unlock(%s)", (CHECKPOINT_SETUP_LOCK,))
            _checkpoints_ready.add(dsn)
        yield saver_pg


__all__ = [
    "MemoryFactory",
    "PublisherFactory",
    "Wiring",
    "build_context",
    "chat_model_for",
    "checkpointer",
    "memory_for",
    "no_memory",
    "publishers_for",
    "render",
    "speak_with",
]
