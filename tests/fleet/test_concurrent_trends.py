"""Two agents of one niche plan at the same moment on a fleet: their trend signals land once."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import TrendSignal
from db.repo.trends import upsert_signals

DAY = date(2030, 3, 4)


@dataclass
class Signal:
    topic: str
    score: float
    kind: str = "rss"
    source: str = "feed"
    link: str | None = None
    platform_hint: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_second_run_storing_the_same_signals_waits_and_updates_instead_of_failing(
    sessions: sessionmaker[Session],
) -> None:
    first = sessions()
    first.begin()
    upsert_signals(
        session=first,
        niche="ai-tools",
        day=DAY,
        signals=[Signal("agents", 1.0), Signal("evals", 2.0)],
    )
    outcome: dict[str, Any] = {}

    def second_run() -> None:
        with sessions() as session, session.begin():
            try:
                rows = upsert_signals(
                    session=session,
                    niche="ai-tools",
                    day=DAY,
                    signals=[Signal("evals", 3.0), Signal("agents", 4.0), Signal("rag", 5.0)],
                )
                outcome["scores"] = {row.topic: row.score for row in rows}
            except Exception as exc:
                outcome["error"] = exc

    thread = threading.Thread(target=second_run)
    thread.start()
    thread.join(timeout=1.5)
    assert thread.is_alive()  # its insert waits for the first run's transaction
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["scores"] == {"evals": 3.0, "agents": 4.0, "rag": 5.0}
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(TrendSignal)) == 3
