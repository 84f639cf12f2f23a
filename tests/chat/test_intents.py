"""Each common intent with the offline model: the right tool runs and the reply says what happened."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from agent.app.resources import Resources
from agent.chat import classify
from db.enums import ApprovalStatus, DirectiveStatus, RunStatus
from db.models import Agent, AgentRun, Directive, VideoReel
from tests.chat.conftest import Say, agreed, waiting_run


def reels(system: Resources) -> dict[str, VideoReel]:
    with system.sessions() as session:
        return {str(r.id): r for r in session.scalars(select(VideoReel))}


def test_status_calendar_and_approvals(system: Resources, say: Say) -> None:
    reply = say("status")
    assert reply.tool_calls == ["get_status"]
    assert "is idle" in reply.text and "Schedule: 0 9 * * MON (UTC)" in reply.text

    reply = say("show me the calendar")
    assert (reply.tool_calls, reply.text) == (
        ["show_calendar"],
        "No plan yet: the first weekly run writes one.",
    )

    outcome = waiting_run(system)
    reply = say("show me the calendar")
    assert "Plan for the week of 04 Mar 2030" in reply.text
    assert reply.text.count("sandbox") == 2

    reply = say("what is waiting for approval?")
    assert reply.tool_calls == ["pending_approvals"]
    for reel in outcome.review["reels"]:  # type: ignore[index]
        assert reel["reel_id"][:8] in reply.text and reel["title"] in reply.text

    reply = say("status")
    assert "Reels waiting for your approval: 2." in reply.text
    assert "waiting_review" in reply.text


def test_reject_one_reel_and_edit_the_other(system: Resources, say: Say) -> None:
    outcome = waiting_run(system)
    first, second = (r["reel_id"] for r in outcome.review["reels"])  # type: ignore[index]

    reply = say(f"reject {first[:8]} because the hook is too salesy")
    assert reply.needs_confirmation and "reject 1 reel(s)" in (reply.pending_action or "")
    assert reels(system)[first].approval_status == ApprovalStatus.pending
    reply = say("yes")
    assert reply.tool_calls == ["reject_reels"] and not reply.needs_confirmation
    assert reels(system)[first].approval_status == ApprovalStatus.rejected
    assert "waits for your approval of 1 reels" in reply.text

    reply = say(f'edit {second[:8]} caption to "Three Web3 habits that keep your keys safe"')
    assert reply.needs_confirmation and "publish" in (reply.pending_action or "")
    assert reels(system)[second].approval_status == ApprovalStatus.pending
    reply = say(confirm=True)
    assert reply.tool_calls == ["edit_reel"] and not reply.needs_confirmation
    edited = reels(system)[second]
    assert edited.approval_status == ApprovalStatus.creator_approved
    assert edited.caption_text == "Three Web3 habits that keep your keys safe"
    with system.sessions() as session:
        run = session.scalars(select(AgentRun)).one()
    assert run.status == RunStatus.finished


def test_directives_are_added_listed_and_removed(system: Resources, say: Say) -> None:
    reply = agreed(say, "more Web3 security, less price talk")
    assert reply.tool_calls == ["add_directive"]
    agreed(say, "nothing on Sundays")
    # A new request while one waits declines the held one and is answered itself.
    held = say("use the Goddess twin on Instagram")
    assert held.needs_confirmation
    reply = say("what are my directives?")
    assert not reply.needs_confirmation and "Goddess" not in reply.text
    agreed(say, "use the Goddess twin on Instagram")
    with system.sessions() as session:
        rows = {
            (d.kind, d.text)
            for d in session.scalars(
                select(Directive).where(Directive.status == DirectiveStatus.active)
            )
        }
    assert rows == {
        ("more_topic", "more web3 security"),
        ("less_topic", "less price talk"),
        ("avoid_weekday", "no posts on Sunday"),
        ("twin_for_platform", "use Goddess Twin on instagram"),
    }

    reply = say("what are my directives?")
    assert reply.tool_calls == ["list_directives"] and "no posts on Sunday" in reply.text

    reply = agreed(say, "remove the directive about price talk")
    assert reply.tool_calls == ["remove_directive"] and not reply.needs_confirmation
    with system.sessions() as session:
        removed = session.scalars(select(Directive).where(Directive.kind == "less_topic")).one()
    assert removed.status == DirectiveStatus.removed

    reply = say("remove the directive about on")  # matches two: a bulk action waits for a yes
    assert reply.needs_confirmation and "remove 2 directive(s)" in (reply.pending_action or "")
    reply = say(confirm=True)
    assert reply.tool_calls == ["remove_directive"] and reply.text.startswith("Removed: ")
    with system.sessions() as session:
        left = [
            d.text
            for d in session.scalars(
                select(Directive).where(Directive.status == DirectiveStatus.active)
            )
        ]
    assert left == ["more web3 security"]


def test_pause_and_resume_the_schedule(system: Resources, say: Say) -> None:
    reply = agreed(say, "pause the schedule")
    assert reply.tool_calls == ["pause_schedule"] and "paused" in reply.text
    with system.sessions() as session:
        assert session.scalars(select(Agent)).one().schedule_json["paused"] is True
    reply = agreed(say, "resume the schedule")
    assert reply.tool_calls == ["resume_schedule"] and "next weekly run" in reply.text
    with system.sessions() as session:
        assert session.scalars(select(Agent)).one().schedule_json["paused"] is False


def test_run_now_asks_first_then_runs(system: Resources, say: Say) -> None:
    reply = say("run a cycle for 2030-W20 now")
    assert reply.needs_confirmation and "2030-W20" in (reply.pending_action or "")
    with system.sessions() as session:
        assert session.scalars(select(AgentRun)).all() == []
    reply = say("yes", confirm=True)
    assert reply.tool_calls == ["run_now"]
    assert "week 2030-W20" in reply.text and "waits for your approval of 2 reels" in reply.text


def test_last_report_after_a_finished_week(system: Resources, say: Say) -> None:
    from agent.app.runs import start_run
    from tests.chat.conftest import wiring

    assert say("show the last report").text == "No weekly report yet."
    start_run(system, week="2030-W10", fast_forward=True, auto_approve=True, wiring=wiring())
    reply = say("how did last week go?")
    assert reply.tool_calls == ["last_report"]
    assert reply.text.startswith("Report for 04 Mar to") and "Full report:" in reply.text


@pytest.mark.slow
def test_search_memory_finds_what_the_agent_learned(system: Resources, say: Say) -> None:
    from memory import AgentMemoryStore

    with system.sessions() as session:
        agent_id = str(session.scalars(select(Agent.id)).one())
    store = AgentMemoryStore.from_settings(system.settings, agent_id)
    store.add(
        kind="lesson",
        text="Web3 security explainers earned twice the saves of price talk",
        metadata={},
    )
    store.add(kind="lesson", text="Morning posts on LinkedIn beat evening ones", metadata={})
    reply = say("what do you remember about web3 security?")
    assert reply.tool_calls == ["search_memory"]
    assert reply.text.splitlines()[0].endswith(
        "Web3 security explainers earned twice the saves of price talk"
    )


def test_unknown_requests_get_help_not_a_tool(say: Say) -> None:
    reply = say("hello there")
    assert reply.tool_calls == [] and "I can show your status" in reply.text
    assert classify("approve all").args == {"reel_ids": [], "all_waiting": True}  # type: ignore[union-attr]
