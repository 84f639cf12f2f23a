"""The graphs LangGraph's own server runs (``langgraph dev``, Studio, agent-chat-ui): ``weekly_cycle``
and ``chat``, registered in ``langgraph.json``.

A server can only hand a graph JSON, so each graph's ``context_schema`` here is a small
dataclass of plain fields; the run's real context (database sessions, the chat model, the
tools) is built in this process from settings (``TWIN_DATA_DIR`` / ``TWIN_DATABASE_URL`` and
the rest of the environment, as ``twin`` reads them) plus those fields. Run bookkeeping is in
the graph itself (``begin``/``finish`` and the node wrapper), so a week run through the API is
recorded like one run by ``twin run``. Run ``twin init`` first.
"""

from __future__ import annotations

import functools
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from langgraph.config import get_config
from langgraph.runtime import Runtime
from sqlalchemy import select

from agent.app.resources import Resources, open_resources
from agent.app.wiring import Wiring, build_context
from agent.context import Clock, Context, FastForwardClock, SystemClock
from agent.errors import UserError
from agent.settings import Settings
from agent.state import CycleState
from agent.strategy.weeks import parse_week, week_key
from db.engine import transaction
from db.models import AgentRun, SocialAccount
from db.repo import identity, leases

CACHED_RUNS = 32
"""How many threads' contexts one server process keeps (a context holds the run's counters)."""


@dataclass
class CycleConfig:
    """What a weekly run started through the API may choose (all optional).

    Attributes:
        fast_forward: Run the week on a simulated clock (sandbox accounts only), as
            ``twin run --fast-forward`` does.
        render_quality: ``full`` or ``draft`` (default: ``TWIN_RENDER_QUALITY``).
    """

    fast_forward: bool = False
    render_quality: str | None = None


@dataclass
class ChatConfig:
    """Whose conversation a chat thread is (default: the only creator).

    Attributes:
        user_email: The creator talking.
    """

    user_email: str | None = None


_lock = threading.Lock()
_resources: list[Resources] = []
_contexts: OrderedDict[str, Context] = OrderedDict()


def resources() -> Resources:
    """This server process's database and settings, opened on first use."""
    with _lock:
        if not _resources:
            settings = Settings()
            system = open_resources(settings)
            from db import migrate

            if migrate.current_revision(system.engine) is None:
                raise UserError(
                    f"the database {settings.resolved_database_url.split('@')[-1]} is not set up: "
                    "run 'twin init' first"
                )
            _resources.append(system)
        return _resources[0]


def _thread() -> str:
    return str((get_config().get("configurable") or {}).get("thread_id") or "")


def _clock(system: Resources, state: CycleState, config: CycleConfig) -> Clock:
    """The run's clock: from its record when it has one, else from the API's choice."""
    run_id = state.get("run_id")
    if run_id:
        with system.sessions() as session:
            run = session.get(AgentRun, uuid.UUID(run_id))
            options = dict(run.options_json) if run is not None else {}
        if options.get("fast_forward") and options.get("clock_start"):
            return FastForwardClock(start=datetime.fromisoformat(options["clock_start"]))
        return SystemClock()
    if not config.fast_forward:
        return SystemClock()
    with system.sessions() as session:
        real = session.scalar(
            select(SocialAccount.platform).where(
                SocialAccount.is_connected.is_(True), SocialAccount.platform != "sandbox"
            )
        )
    if real:
        raise UserError(
            f"fast_forward would publish to {real} ahead of time; disconnect it or run without it"
        )
    from agent.app.runs import simulated_start

    return FastForwardClock(start=simulated_start(_week(state)))


def _week(state: CycleState) -> str:
    """The week a new run plans: the input's, else the current one."""
    week = state.get("week") or week_key(datetime.now(UTC).date())
    parse_week(week)
    return week


def cycle_context(state: CycleState, config: CycleConfig | dict[str, Any] | None) -> Context:
    """The run's context for this thread, built once per thread and process."""
    if isinstance(config, dict):
        config = CycleConfig(**config)
    config = config or CycleConfig()
    thread = _thread()
    with _lock:
        if thread in _contexts:
            _contexts.move_to_end(thread)
            return _contexts[thread]
    system = resources()
    with system.sessions() as session:
        agent_id = str(
            identity.get_agent(session=session, name_or_id=state.get("agent_id") or None).id
        )
    ctx = build_context(
        system,
        Wiring(),
        clock=_clock(system, state, config),
        agent_id=agent_id,
        render_quality=config.render_quality or system.settings.render_quality,
    )
    with _lock:
        _contexts[thread] = ctx
        while len(_contexts) > CACHED_RUNS:
            _contexts.popitem(last=False)
    return ctx


def _renew(ctx: Context, state: CycleState) -> None:
    """Hold the run's lease while this process drives it (claimed by ``begin`` for new runs)."""
    if not state.get("run_id"):
        return
    with transaction(ctx.sessions) as session:
        leases.claim(
            session=session,
            run_id=uuid.UUID(state["run_id"]),
            owner=leases.this_process(),
            now=datetime.now(UTC),
            ttl=timedelta(seconds=ctx.settings.run_lease_seconds),
        )


def served(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """A cycle node as the server calls it: its JSON context becomes the run's Context."""

    @functools.wraps(fn)
    def node(state: CycleState, runtime: Runtime[CycleConfig]) -> dict[str, Any]:
        ctx = cycle_context(state, runtime.context)
        _renew(ctx, state)
        if not state.get("run_id") and isinstance(ctx.clock, FastForwardClock):
            state = {**state, "week": _week(state)}  # the simulated week the clock starts before
        update = fn(state, runtime=runtime.override(context=ctx))  # type: ignore[arg-type]
        if fn.__name__ == "finish_node":
            with _lock:
                _contexts.pop(_thread(), None)
        return update

    return node


def weekly_cycle() -> Any:
    """The weekly cycle for LangGraph's server (graph id ``weekly_cycle``). Input ``{}`` runs
    the only agent's current week; ``{"agent_id": ..., "week": "2026-W49"}`` picks them."""
    from agent.graph import build_graph

    return build_graph(context_schema=CycleConfig, node=served).compile()


def chat_context(config: ChatConfig | dict[str, Any] | None) -> Any:
    """The chat context of the server's creator (``user_email``, else the only one)."""
    from agent.chat.service import chat_context_for

    if isinstance(config, dict):
        config = ChatConfig(**config)
    system = resources()
    email = config.user_email if config else None
    if not email:
        from db.models import User

        with system.sessions() as session:
            emails = list(session.scalars(select(User.email).limit(2)))
        if len(emails) != 1:
            raise UserError("say whose chat this is: set user_email in the assistant's context")
        email = emails[0]
    return chat_context_for(system, email, origin="api")


def chat() -> Any:
    """The chat agent for LangGraph's server (graph id ``chat``): state ``messages``; actions that
    change things wait for a HITL confirmation."""
    from agent.chat.graph import build_chat_graph

    return build_chat_graph(context_schema=ChatConfig).compile()


__all__ = [
    "ChatConfig",
    "CycleConfig",
    "chat",
    "chat_context",
    "cycle_context",
    "resources",
    "served",
    "weekly_cycle",
]
