"""The weekly cycle's engagement step, run directly on a run-scoped Context."""

from __future__ import annotations

from typing import Any

from agent.context import Context, Toolbox
from agent.engagement.cycle import engage_after_analyzing
from agent.llm import OfflineChatModel
from agent.llm.offline import cycle_registry
from db.engine import transaction
from db.enums import EngagementStatus
from db.repo import engagement as repo
from tests.engagement.conftest import World


def _unused(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the engagement step neither speaks nor renders")


def context(world: World) -> Context:
    return Context(
        sessions=world.system.sessions,
        settings=world.system.settings,
        chat_model=OfflineChatModel(registry=cycle_registry()),
        tools=Toolbox(speak=_unused, render=_unused, publisher_for=world.publisher_for()),
        clock=world.clock,
        cipher=world.system.cipher(),
    )


def test_the_cycle_step_drafts_counts_tokens_and_sends_only_auto_approved(
    sqlite_world: World,
) -> None:
    ctx = context(sqlite_world)
    first = engage_after_analyzing(ctx, sqlite_world.agent_id)
    drafted = [a for a in sqlite_world.actions() if a.draft_text]
    assert first["drafted"] == len(drafted) > 0 and first["replies_sent"] == 0
    assert first["waiting_for_approval"] == len(drafted)
    assert all(a.status == EngagementStatus.pending for a in drafted)
    assert all(a.draft_text.startswith(("@", "Thanks @")) for a in drafted)  # type: ignore[union-attr]
    assert ctx.usage.calls == len(drafted) and ctx.usage.input_tokens > 0
    assert len(ctx.prompt_hashes["reply"]) == 64

    with transaction(sqlite_world.system.sessions) as session:
        repo.set_auto_replies(session=session, account_id=sqlite_world.account_id, enabled=True)
    again = engage_after_analyzing(ctx, sqlite_world.agent_id)
    assert (again["new_comments"], again["drafted"], again["replies_sent"]) == (0, 0, 0)
    assert not list((sqlite_world.sandbox.root / "sandbox-1" / "replies").glob("*.json"))


def test_with_auto_replies_on_the_cycle_step_posts_them_once(sqlite_world: World) -> None:
    with transaction(sqlite_world.system.sessions) as session:
        repo.set_auto_replies(session=session, account_id=sqlite_world.account_id, enabled=True)
    ctx = context(sqlite_world)
    summary = engage_after_analyzing(ctx, sqlite_world.agent_id)
    files = list((sqlite_world.sandbox.root / "sandbox-1" / "replies").glob("*.json"))
    assert summary["replies_sent"] == summary["drafted"] == len(files) > 0
    assert summary["waiting_for_approval"] == 0
    assert engage_after_analyzing(ctx, sqlite_world.agent_id)["replies_sent"] == 0
