"""The engagement and hook-template repositories on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.crypto import Cipher, generate_key
from db.enums import EngagementStatus, Platform
from db.models import Agent, EngagementAction, HookTemplate, Post
from db.repo import engagement as repo
from db.repo.hooks import (
    HookEstimate,
    bump_usage,
    bump_usage_by_category,
    effectiveness_from,
    set_effectiveness,
)
from tests.db.factories import build_graph

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
LEASE = timedelta(minutes=10)


def _setup(sessions: sessionmaker[Session]) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    with sessions.begin() as session:
        graph = build_graph(session, Cipher.from_material(generate_key(), "env"))
        post = session.get(Post, graph.post_id)
        assert post is not None
        return graph.agent_id, post.account_id, post.id  # type: ignore[return-value]


def _create(sessions: sessionmaker[Session], ids: tuple[uuid.UUID, ...], target: str, **kw: object):  # type: ignore[no-untyped-def]
    agent_id, account_id, post_id = ids
    with sessions.begin() as session:
        row, created = repo.create_action(
            session=session,
            agent_id=agent_id,
            account_id=account_id,
            post_id=post_id,
            platform=Platform.instagram,
            target_id=target,
            target_text="How?",
            now=NOW,
            draft_text=kw.pop("draft_text", "Like this."),  # type: ignore[arg-type]
            **kw,  # type: ignore[arg-type]
        )
        return row.id, created


def test_an_action_is_created_once_per_account_and_comment(sessions: sessionmaker[Session]) -> None:
    ids = _setup(sessions)
    first, created = _create(sessions, ids, "c1", triage="question")
    again, created_again = _create(sessions, ids, "c1", triage="spam", draft_text=None)
    assert created and not created_again and first == again
    with sessions() as session:
        row = session.get(EngagementAction, first)
        assert row is not None and row.triage == "question" and row.draft_text == "Like this."
        known = repo.known_targets(session=session, account_id=ids[1], target_ids=["c1", "c2"])
        assert known == {"c1"}


def test_decisions_are_compare_and_set(sessions: sessionmaker[Session]) -> None:
    ids = _setup(sessions)
    action, _ = _create(sessions, ids, "c1")
    no_draft, _ = _create(sessions, ids, "c2", draft_text=None, status=EngagementStatus.skipped)
    with sessions.begin() as session:
        assert not repo.approve_action(session=session, action_id=no_draft, by="me", now=NOW)
        assert repo.approve_action(session=session, action_id=action, by="me", now=NOW)
        assert not repo.approve_action(session=session, action_id=action, by="me", now=NOW)
        assert repo.claim_for_sending(
            session=session, action_id=action, worker="w", now=NOW, lease=LEASE
        )
        assert not repo.reject_action(session=session, action_id=action, by="me", now=NOW)
        assert repo.mark_completed(
            session=session, action_id=action, worker="w", result_id="r1", result_url=None, now=NOW
        )
        assert not repo.mark_completed(
            session=session, action_id=action, worker="w", result_id="r2", result_url=None, now=NOW
        )
    with sessions() as session:
        row = session.get(EngagementAction, action)
        assert row is not None and (row.status, row.result_id) == (EngagementStatus.completed, "r1")
        assert (row.approved_by, row.claimed_by) == ("me", "w")


def test_only_one_of_many_concurrent_claims_wins(sessions: sessionmaker[Session]) -> None:
    ids = _setup(sessions)
    action, _ = _create(sessions, ids, "c1")
    with sessions.begin() as session:
        repo.approve_action(session=session, action_id=action, by="me", now=NOW)
    wins: list[str] = []
    barrier = threading.Barrier(6)

    def claim(name: str) -> None:
        barrier.wait()
        with sessions.begin() as session:
            if repo.claim_for_sending(
                session=session, action_id=action, worker=name, now=NOW, lease=LEASE
            ):
                wins.append(name)

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1
    with sessions() as session:
        assert session.get(EngagementAction, action).claimed_by == wins[0]  # type: ignore[union-attr]


def test_a_stale_claim_can_be_taken_over_and_a_failure_counts(
    sessions: sessionmaker[Session],
) -> None:
    ids = _setup(sessions)
    action, _ = _create(sessions, ids, "c1")
    with sessions.begin() as session:
        repo.approve_action(session=session, action_id=action, by="me", now=NOW)
        assert repo.claim_for_sending(
            session=session, action_id=action, worker="dead", now=NOW, lease=LEASE
        )
    later = NOW + LEASE + timedelta(seconds=1)
    with sessions.begin() as session:
        assert repo.due_action_ids(session=session, now=NOW, lease=LEASE) == []
        assert repo.due_action_ids(session=session, now=later, lease=LEASE) == [action]
        assert repo.claim_for_sending(
            session=session, action_id=action, worker="new", now=later, lease=LEASE
        )
        assert not repo.mark_failed(
            session=session, action_id=action, worker="dead", error="x", now=later, retry_at=None
        )
        assert repo.mark_failed(
            session=session,
            action_id=action,
            worker="new",
            error="HTTP 503",
            now=later,
            retry_at=later + timedelta(minutes=1),
        )
    with sessions() as session:
        row = session.get(EngagementAction, action)
        assert row is not None
        assert (row.status, row.retry_count, row.error) == (
            EngagementStatus.approved,
            1,
            "HTTP 503",
        )


def test_todays_counts_start_at_midnight_utc(sessions: sessionmaker[Session]) -> None:
    ids = _setup(sessions)
    with sessions.begin() as session:
        for n, (status, triage) in enumerate(
            [
                (EngagementStatus.pending, "question"),
                (EngagementStatus.skipped, "spam"),
                (EngagementStatus.pending, "praise"),
            ]
        ):
            repo.create_action(
                session=session,
                agent_id=ids[0],
                account_id=ids[1],
                post_id=ids[2],
                platform=Platform.instagram,
                target_id=f"t{n}",
                target_text="x",
                status=status,
                triage=triage,
                draft_text="y",
                now=NOW,
            )
        repo.create_action(
            session=session,
            agent_id=ids[0],
            account_id=ids[1],
            post_id=ids[2],
            platform=Platform.instagram,
            target_id="yesterday",
            target_text="x",
            draft_text="y",
            now=NOW - timedelta(days=1),
        )
    with sessions() as session:
        assert repo.drafted_today(session=session, account_id=ids[1], now=NOW) == 2
        assert repo.drafted_today(session=session, account_id=ids[1], now=NOW, triage="praise") == 1
        assert repo.sent_today(session=session, account_id=ids[1], now=NOW) == 0


def test_deleting_the_post_deletes_its_actions(sessions: sessionmaker[Session]) -> None:
    ids = _setup(sessions)
    _create(sessions, ids, "c1")
    with sessions.begin() as session:
        session.delete(session.get(Post, ids[2]))
    with sessions() as session:
        assert session.scalars(select(EngagementAction)).all() == []
        assert session.get(Agent, ids[0]) is not None


def test_hook_templates_count_uses_and_take_the_effect_models_estimates(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        for slug, category in [
            ("q1", "question"),
            ("q2", "question"),
            ("s1", "story"),
            ("l1", "listicle"),
        ]:
            session.add(HookTemplate(slug=slug, category=category, template="{topic}?"))
    with sessions.begin() as session:
        assert bump_usage(session=session, slugs=["q1", "q1", "s1", "nope"]) == {"q1": 2, "s1": 1}
        written = set_effectiveness(
            session=session,
            estimates={
                "question": HookEstimate(log_mean=0.4, n=6),
                "story": HookEstimate(log_mean=-0.3, n=2),
                "listicle": HookEstimate(log_mean=1.0, n=0),  # no posts: keeps its score
            },
        )
        assert written == {
            "question": round(effectiveness_from(0.4), 4),
            "story": round(effectiveness_from(-0.3), 4),
        }
        assert bump_usage_by_category(session=session, categories=["question"]) == {"q1": 3}
    with sessions() as session:
        scores = {
            h.slug: (h.effectiveness_score, h.usage_count)
            for h in session.scalars(select(HookTemplate))
        }
    assert scores["q1"][0] == scores["q2"][0] > 0.5 > scores["s1"][0]
    assert scores["l1"] == (0.5, 0) and scores["q1"][1] == 3 and scores["s1"][1] == 1
    assert effectiveness_from(0.0) == 0.5 and abs(effectiveness_from(0.6931) - 2 / 3) < 1e-3
