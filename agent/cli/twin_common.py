"""Pieces shared by the set-up commands (twins, voices, policy, brand, assets, campaigns)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.orm import Session

from agent.app.resources import Resources
from agent.cli.common import system_for
from agent.setup.errors import SetupError
from db.engine import transaction
from db.models import Agent, AITwin
from db.repo.identity import get_agent, list_twins

AgentOpt = Annotated[
    str | None, typer.Option("--agent", help="Agent name (needed only when there are several).")
]
E = TypeVar("E", bound=Enum)


@contextmanager
def setup_session(
    data_dir: Path | None, agent_name: str | None
) -> Iterator[tuple[Resources, Session, Agent]]:
    """The system, a session that commits on success, and the agent."""
    system = system_for(data_dir)
    try:
        with transaction(system.sessions) as session:
            yield system, session, get_agent(session=session, name_or_id=agent_name)
    finally:
        system.dispose()


def choice(enum: type[E], value: str | None, option: str) -> E | None:
    """``value`` as a member of ``enum``, with a one-line error naming the choices."""
    if value is None:
        return None
    try:
        return enum(value.strip().lower())
    except ValueError:
        names = ", ".join(str(m.value) for m in enum)  # type: ignore[attr-defined]
        raise SetupError(f"{option}: unknown value {value!r}: use {names}") from None


def only_twin(session: Session, agent: Agent, name: str | None) -> AITwin:
    """The named twin, or the only active one when no name is given."""
    from db.repo.twins import get_twin

    if name:
        return get_twin(session=session, user_id=agent.user_id, name=name)
    twins = list_twins(session=session, user_id=agent.user_id)
    if len(twins) == 1:
        return twins[0]
    if not twins:
        raise SetupError("no active twin: add one with 'twin twins add NAME'")
    raise SetupError(f"several twins exist ({', '.join(t.name for t in twins)}): name one")
