"""Building a run's context and checkpointer from settings (the CLI, worker and tests use it)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy import make_url

from agent.clock import Clock
from agent.context import Context, Memory, Toolbox
from agent.llm import LLMSettings, OfflineChatModel, ResponderRegistry, build_chat_model
from agent.offline_skills import register_skills
from agent.settings import Settings
from agent.system import System
from tools.publish.base import Publisher
from tools.render.base import ProgressCallback, RenderRequest, RenderResult
from tools.tts.base import SpeechResult, VoiceSpec


def chat_model_for(settings: Settings) -> BaseChatModel:
    """The configured chat model; the offline one knows the cycle's own prompts."""
    llm = LLMSettings(
        provider=settings.llm_provider,
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        temperature=settings.llm_temperature,
    )
    model = build_chat_model(llm)
    if isinstance(model, OfflineChatModel):
        model = model.model_copy(update={"registry": register_skills(ResponderRegistry())})
    return model


def speak_with(settings: Settings) -> Callable[..., SpeechResult]:
    def speak(*, text: str, language: str, voice: VoiceSpec, out_path: Path) -> SpeechResult:
        from tools.tts import get_engine, synthesize

        engine = None
        if voice.provider == "elevenlabs":
            key = settings.elevenlabs_api_key.get_secret_value() if settings.elevenlabs_api_key else None
            from tools.tts.base import TTSError

            if not key:
                raise TTSError("voice uses ElevenLabs but TWIN_ELEVENLABS_API_KEY is not set")
            engine = get_engine("elevenlabs", api_key=key, base_url=settings.elevenlabs_base_url)
        return synthesize(text, language=language, voice=voice, out_path=out_path, engine=engine)

    return speak


def render(request: RenderRequest, progress: ProgressCallback | None = None) -> RenderResult:
    from tools.render.engine import render_reel

    return render_reel(request, progress)


def publishers_for(
    settings: Settings, clock: Clock, *, client: httpx.Client | None = None
) -> Callable[[str], Publisher]:
    """A cached adapter factory: sandbox stays local, every other platform is built from settings.

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


def memory_for(settings: Settings, agent_id: str, clock: Clock) -> Memory | None:
    from memory import AgentMemoryStore

    return AgentMemoryStore.from_settings(settings, agent_id, clock=clock.now)  # type: ignore[arg-type]


def build_context(
    system: System,
    *,
    clock: Clock,
    agent_id: str,
    render_quality: str = "full",
    progress: Callable[[str, str], None] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Context:
    """Everything a run needs, from settings.

    ``overrides`` swaps pieces (tests, simulations): any Context field, or one of the tools
    ``speak``, ``render``, ``publisher_for``, ``trends``.
    """
    settings = system.settings
    from tools.trends import load_trends

    extra = dict(overrides or {})
    tool_parts: dict[str, Any] = {
        "speak": speak_with(settings),
        "render": render,
        "publisher_for": publishers_for(settings, clock),
        "trends": lambda: load_trends(settings.trends_file),
    }
    for name in list(tool_parts):
        if name in extra:
            tool_parts[name] = extra.pop(name)
    values: dict[str, Any] = {
        "sessions": system.sessions,
        "settings": settings,
        "chat_model": chat_model_for(settings),
        "tools": Toolbox(**tool_parts, render_in_processes=tool_parts["render"] is render),
        "clock": clock,
        "cipher": system.cipher(),
        "render_quality": render_quality,
        "progress": progress,
    }
    values.update(extra)
    if "memory" not in values:
        values["memory"] = memory_for(settings, agent_id, clock)
    return Context(**values)


@contextmanager
def checkpointer(system: System) -> Iterator[BaseCheckpointSaver[Any]]:
    """LangGraph checkpoints in the application's own database."""
    url = make_url(system.settings.resolved_database_url)
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
        saver_pg.setup()
        yield saver_pg
