"""Approvals from the CLI and from chat, and chat's directives, are audited with their origin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.app.bootstrap import initialise
from agent.app.resources import Resources, open_resources
from agent.chat import chat_reply
from agent.settings import load_settings
from db.engine import transaction
from db.enums import AuditOrigin
from db.repo.identity import get_agent, update_agent_policy
from tests.chat.conftest import waiting_run, wiring
from tests.records.conftest import EMAIL, audit_rows, twin


@pytest.fixture
def waiting(tmp_path: Path) -> Iterator[tuple[Path, Resources]]:
    data_dir = tmp_path / "data"
    system = open_resources(load_settings(data_dir=data_dir))
    initialise(system, demo=True)
    with transaction(system.sessions) as session:
        update_agent_policy(session=session, agent=get_agent(session=session), posts_per_week=2)
    yield data_dir, system
    system.dispose()


def test_cli_approve_writes_one_row_per_reel_decided(
    waiting: tuple[Path, Resources], me: str
) -> None:
    data_dir, system = waiting
    outcome = waiting_run(system)
    assert outcome.review is not None
    first, second = (r["reel_id"] for r in outcome.review["reels"])
    result = twin(
        data_dir,
        "approve",
        outcome.run_id[:8],
        "--reel",
        first[:8],
        "--reject",
        second[:8],
        "--reason",
        "too salesy",
    )
    assert result.exit_code == 0, result.output

    rows = {r.subject_id: r for r in audit_rows(system) if r.action.startswith("review.")}
    assert rows[first].action == "review.approve"
    assert rows[second].action == "review.reject"
    assert rows[second].new_values_json == {"run_id": outcome.run_id, "reason": "too salesy"}
    assert {r.actor for r in rows.values()} == {me}
    assert {r.origin for r in rows.values()} == {AuditOrigin.cli}
    assert all(r.user_id is not None and r.subject_type == "reel" for r in rows.values())


def test_chat_approvals_and_directives_carry_the_chats_actor_and_origin(
    waiting: tuple[Path, Resources],
) -> None:
    _, system = waiting
    outcome = waiting_run(system)

    def say(message: str = "", *, confirm: bool = False) -> str:
        reply = chat_reply(
            system,
            user_email=EMAIL,
            message=message,
            confirm=confirm,
            wiring=wiring(),
            actor=EMAIL,
            origin="web",
        )
        return reply.text

    say("nothing on Sundays")
    say("yes")
    held = say("approve all")
    assert "confirm" in held.lower() or "approve" in held.lower()
    assert not [r for r in audit_rows(system) if r.action.startswith("review.")], (
        "nothing is audited before the creator confirms"
    )
    say(confirm=True)

    (directive,) = audit_rows(system, "directive.add")
    assert (directive.actor, directive.origin) == (EMAIL, AuditOrigin.web)
    approvals = audit_rows(system, "review.approve")
    assert outcome.review is not None
    assert {a.subject_id for a in approvals} == {r["reel_id"] for r in outcome.review["reels"]}
    assert {(a.actor, a.origin) for a in approvals} == {(EMAIL, AuditOrigin.web)}
