"""Run-scoped dependencies, passed to every node as the graph's ``context_schema``.

Built by :func:`agent.app.wiring.build_context` from settings and a typed
:class:`agent.app.wiring.Wiring`; nothing here is created at import time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:  # the CLI imports the clocks; the heavy types load with a run
    import numpy as np
    from langchain_core.language_models import BaseChatModel
    from sqlalchemy.orm import Session, sessionmaker

    from agent.llm import LLMEvent, UsageCounter, UsageTotals
    from agent.settings import Settings
    from agent.strategy.decide import Decide, WeekInputs, WeekSkeleton
    from db.crypto import Cipher
    from memory.models import MemoryHit, MemoryRecord
    from tools.publish.base import Publisher
    from tools.render.base import ProgressCallback, RenderError, RenderRequest, RenderResult
    from tools.trends import TrendSource
    from tools.tts.base import SpeechResult, VoiceSpec


Draft = TypeVar("Draft", bound=BaseModel)


class Clock(Protocol):
    """Time as a run sees it. A simulation is a clock that may jump ahead, not a branch in nodes."""

    def now(self) -> datetime: ...

    def reach(self, when: datetime) -> bool:
        """Move on to ``when`` if this clock may jump there; True when ``when`` is now past."""
        ...


class SystemClock:
    """The real clock: it never jumps, so a moment is reached only once it has passed."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def reach(self, when: datetime) -> bool:
        return when <= self.now()


@dataclass
class FastForwardClock:
    """Starts at ``start`` and jumps to wherever the cycle needs to be next (simulations)."""

    start: datetime
    _now: datetime = field(init=False)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("clock start must be timezone-aware")
        self._now = self.start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def reach(self, when: datetime) -> bool:
        if when > self._now:
            self._now = when.astimezone(UTC)
        return True


class Memory(Protocol):
    """The vector memory the cycle uses (``memory.AgentMemoryStore`` provides it)."""

    def add_many(self, records: Sequence[MemoryRecord]) -> list[str]: ...

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        kind: str | None = None,
        where: dict[str, Any] | None = None,
    ) -> list[MemoryHit]: ...

    def search_vector(
        self,
        embedding: np.ndarray,
        *,
        k: int = 5,
        kind: str | None = None,
        where: dict[str, Any] | None = None,
    ) -> list[MemoryHit]: ...

    def embed(self, texts: Sequence[str]) -> list[np.ndarray]:
        """One vector per text, from the same model as the stored memories."""
        ...


class Speak(Protocol):
    def __call__(
        self, *, text: str, language: str, voice: VoiceSpec, out_path: Path
    ) -> SpeechResult: ...


class Render(Protocol):
    def __call__(
        self, request: RenderRequest, progress: ProgressCallback | None = None
    ) -> RenderResult: ...


class RenderMany(Protocol):
    """Renders ``(render job id, request)`` pairs; each failure comes back as a RenderError."""

    def __call__(
        self, jobs: Sequence[tuple[uuid.UUID, RenderRequest]]
    ) -> dict[uuid.UUID, RenderResult | RenderError]: ...


@dataclass(kw_only=True)
class Toolbox:
    """The typed tools nodes call."""

    speak: Speak
    render: Render
    publisher_for: Callable[[str], Publisher]
    trends: list[TrendSource] | None = None
    """Trend sources to read instead of the configured ones (None: ``TWIN_TRENDS_*``)."""
    render_in_processes: bool = False
    """The renderer is the built-in one, so reels may render in parallel worker processes."""
    render_many: RenderMany | None = None
    """Renders a round's reels elsewhere (a fleet's render queue) with the built-in renderer;
    None: in this host's processes."""
    media_link: Callable[[str | Path], str | None] | None = None
    """A signed link the web app serves for a media file (reviewers on other machines)."""


def _learner(inputs: WeekInputs) -> WeekSkeleton:
    """The default week policy: the learner's :func:`agent.strategy.decide_week`."""
    from agent.strategy.decide import decide_week

    return decide_week(inputs)


def _totals() -> UsageTotals:
    from agent.llm import UsageTotals

    return UsageTotals()


def _usage() -> UsageCounter:
    from agent.llm import UsageCounter

    return UsageCounter()


@dataclass(kw_only=True)
class Context:
    """Everything a node needs besides the state."""

    sessions: sessionmaker[Session]
    settings: Settings
    chat_model: BaseChatModel
    tools: Toolbox
    clock: Clock
    cipher: Cipher
    memory: Memory | None = None
    decide: Decide = _learner
    """The week policy: the learner (evaluations plug in others)."""
    usage: UsageCounter = field(default_factory=_usage)
    usage_recorded: UsageTotals = field(default_factory=lambda: _totals())
    """The part of ``usage`` already added to the run's row (the node wrapper adds the rest)."""
    prompt_hashes: dict[str, str] = field(default_factory=dict)
    llm_events: list[LLMEvent] = field(default_factory=list)
    """How the model's server was adapted to (e.g. a refused structured-output method);
    the node wrapper records them as run events."""
    render_quality: str = "full"
    progress: Callable[[str, str], None] | None = None
    """Optional UI hook: ``progress(node, message)``."""

    def report(self, node: str, message: str) -> None:
        if self.progress is not None:
            self.progress(node, message)

    def write(self, schema: type[Draft], prompt_name: str, **values: object) -> Draft:
        """The model's words: ``schema`` filled from prompt ``prompt_name`` with ``values``.

        The prompt's hash (and any repair prompt's) is kept for the run record, every billed
        call counts in the run's usage, and a server that refuses a structured-output
        method is adapted to and noted in ``llm_events``.

        Raises:
            StructuredOutputError: The model wrote nothing valid.
        """
        from agent.llm import invoke_structured
        from prompts import load_prompt

        prompt = load_prompt(prompt_name)
        self.prompt_hashes[prompt_name] = prompt.sha256
        return invoke_structured(
            self.chat_model,
            schema,
            prompt.messages(**values),
            config={"callbacks": [self.usage]},
            on_event=self.llm_events.append,
            prompt_hashes=self.prompt_hashes,
        )
