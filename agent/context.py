"""Run-scoped dependencies, passed to every node as the graph's ``context_schema``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from sqlalchemy.orm import Session, sessionmaker

from agent.clock import Clock
from agent.llm import UsageCounter
from agent.settings import Settings
from db.crypto import Cipher
from tools.publish.base import Publisher
from tools.render.base import ProgressCallback, RenderRequest, RenderResult
from tools.tts.base import SpeechResult, VoiceSpec


class Memory(Protocol):
    """The slice of vector memory the cycle uses."""

    def add(self, *, kind: str, text: str, metadata: dict[str, Any], memory_id: str | None = None) -> Any: ...

    def search(self, query: str, *, k: int = 5, kind: str | None = None, where: dict[str, Any] | None = None) -> list[Any]: ...


class Speak(Protocol):
    def __call__(self, *, text: str, language: str, voice: VoiceSpec, out_path: Path) -> SpeechResult: ...


class Render(Protocol):
    def __call__(self, request: RenderRequest, progress: ProgressCallback | None = None) -> RenderResult: ...


@dataclass(kw_only=True)
class Toolbox:
    """The typed tools nodes call; tests swap any of them."""

    speak: Speak
    render: Render
    publisher_for: Callable[[str], Publisher]
    trends: Callable[[], list[dict[str, Any]]]
    render_in_processes: bool = False
    """The renderer is the built-in one, so reels may render in parallel worker processes."""


@dataclass(kw_only=True)
class Context:
    """Everything a node needs besides the state. Built by ``agent.runtime.build_context``."""

    sessions: sessionmaker[Session]
    settings: Settings
    chat_model: BaseChatModel
    tools: Toolbox
    clock: Clock
    cipher: Cipher
    memory: Memory | None = None
    usage: UsageCounter = field(default_factory=UsageCounter)
    prompt_hashes: dict[str, str] = field(default_factory=dict)
    render_quality: str = "full"
    progress: Callable[[str, str], None] | None = None
    """Optional UI hook: ``progress(node, message)``."""

    def report(self, node: str, message: str) -> None:
        if self.progress is not None:
            self.progress(node, message)
