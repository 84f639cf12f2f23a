"""Publishing and bulk actions wait for a yes; conversations persist per creator on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from agent.app.resources import Resources
from agent.app.wiring import checkpointer
from agent.chat import stream_reply, thread_id
from db.enums import ApprovalStatus, PublishStatus, RunStatus
from db.models import AgentRun, Post, User, VideoReel
from tests.chat.conftest import EMAIL, make_system, saying, waiting_run


def statuses(system: Resources) -> set[ApprovalStatus]:
    with system.sessions() as session:
        return {r.approval_status for r in session.scalars(select(VideoReel))}


@pytest.mark.slow
def test_approve_all_waits_for_confirmation_and_a_new_message_cancels_it(
    any_db_system: Resources,
) -> None:
    system = any_db_system
    say = saying(system)
    waiting_run(system)

    reply = say("approve all")
    assert reply.needs_confirmation
    assert reply.pending_action is not None and reply.pending_action.startswith(
        "approve and publish 2 reel(s)"
    )
    assert "Reply 'yes'" in reply.text
    assert statuses(system) == {ApprovalStatus.pending}  # nothing happened yet

    assert not say("status").needs_confirmation  # another message drops the held action
    reply = say(confirm=True)
    assert (
        reply.text == "There is nothing waiting for your confirmation." and reply.tool_calls == []
    )
    assert statuses(system) == {ApprovalStatus.pending}

    assert say("approve everything").needs_confirmation
    reply = say("yes", confirm=True)
    assert reply.tool_calls == ["approve_reels"] and not reply.needs_confirmation
    assert statuses(system) == {ApprovalStatus.creator_approved}
    with system.sessions() as session:
        run = session.scalars(select(AgentRun)).one()
        posts = list(session.scalars(select(Post)))
    assert run.status == RunStatus.finished
    assert len(posts) == 2 and {p.publish_status for p in posts} == {
        PublishStatus.scheduled
    }  # at their planned time
    assert "finished" in reply.text


def test_the_conversation_is_kept_per_creator_across_processes(
    any_db_system: Resources, tmp_path: Path
) -> None:
    say = saying(any_db_system)
    say("nothing on Sundays")
    say("what are my directives?")
    url = any_db_system.settings.resolved_database_url
    any_db_system.dispose()

    again = make_system(
        any_db_system.settings.data_dir, url
    )  # a new process would open the same database
    with again.sessions() as session:
        user_id = session.scalars(select(User.id).where(User.email == EMAIL)).one()
    with checkpointer(again) as saver:
        from agent.chat import build_chat_graph

        graph = build_chat_graph().compile(checkpointer=saver)
        messages = graph.get_state({"configurable": {"thread_id": thread_id(user_id)}}).values[
            "messages"
        ]
    humans = [m.content for m in messages if m.type == "human"]
    assert humans == ["nothing on Sundays", "what are my directives?"]
    reply = saying(again)("approve all")  # nothing waits, so nothing to confirm
    assert not reply.needs_confirmation and reply.text == "Nothing waits for approval."
    again.dispose()


def test_streaming_yields_tools_then_tokens_then_the_reply(system: Resources) -> None:
    events = list(stream_reply(system, user_email=EMAIL, message="status"))
    kinds = [e.kind for e in events]
    assert kinds[0] == "tool" and events[0].text == "get_status"
    assert kinds[-1] == "reply" and kinds.count("reply") == 1
    tokens = "".join(e.text for e in events if e.kind == "token")
    assert kinds.count("token") > 5
    assert tokens.strip() == events[-1].reply.text  # type: ignore[union-attr]
