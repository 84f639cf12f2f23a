"""Pull new comments on recent posts, triage them in code, draft replies, store pending actions.

Per account: comments on its posts published within ``lookback`` are fetched; comments already
acted on are left alone, the rest are triaged (:mod:`agent.engagement.triage`) and planned within
the account's daily limit. Only the chosen ones are shown to the chat model, sanitised, and each
draft is checked before it is stored. An account with auto-replies on stores its drafts approved
(``approved_by="auto"``); otherwise they wait for the creator. Nothing is posted here.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from sqlalchemy.orm import Session, sessionmaker

from agent.context import Clock
from agent.engagement.access import Access, NoAccess, access_for
from agent.engagement.drafting import PostContext, draft_reply, post_context, reply_inputs
from agent.engagement.triage import Candidate, Triage, plan_replies, triage_comment
from agent.engagement.untrusted import check_draft, reply_limit
from agent.llm import LLMError
from agent.publishing.tokens import TokenKeeper
from db.crypto import Cipher
from db.engine import transaction
from db.enums import EngagementStatus, NotificationType
from db.models import Agent, Post, SocialAccount
from db.repo import engagement as repo
from db.repo.runs import notify_once
from tools.publish.base import Publisher, PublishError
from tools.publish.comments import Comment
from tools.publish.redact import redact

__all__ = ["LOOKBACK", "SyncReport", "sync"]

LOOKBACK = timedelta(days=7)
"""Posts published, and comments written, longer ago than this get no reply."""
TARGET_TEXT_MAX = 2000


@dataclass
class SyncReport:
    """What one sync found and stored."""

    posts: int = 0
    comments: int = 0
    """New comments by others (not seen on an earlier sync)."""
    drafted: int = 0
    auto_approved: int = 0
    flagged: int = 0
    skipped: int = 0
    deferred: int = 0
    """Answers over today's limit, considered again on a later sync."""
    action_ids: list[uuid.UUID] = field(default_factory=list)
    unsupported: dict[str, str] = field(default_factory=dict)
    """platform -> why its comments cannot be read or answered."""
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the CLI and run logs."""
        text = (
            f"{self.comments} new comments on {self.posts} posts: {self.drafted} replies drafted "
            f"({self.auto_approved} approved automatically), {self.flagged} flagged, "
            f"{self.skipped} left unanswered"
        )
        if self.deferred:
            text += f", {self.deferred} over today's limit"
        return text


def _target(comment: Comment) -> dict[str, object]:
    return comment.model_dump(mode="json", exclude={"text", "author"})


def sync(
    *,
    sessions: sessionmaker[Session],
    cipher: Cipher,
    clock: Clock,
    publisher_for: Callable[[str], Publisher],
    chat_model: BaseChatModel,
    agent_id: uuid.UUID,
    lookback: timedelta = LOOKBACK,
    on_usage: Callable[[int, int], None] | None = None,
    config: RunnableConfig | None = None,
) -> SyncReport:
    """Pull new comments of an agent's recent posts and store what to do about each.

    Args:
        sessions: Session factory of the application database.
        cipher: Decrypts the accounts' tokens.
        clock: What "now" and "today" are (may be simulated).
        publisher_for: Platform name -> adapter.
        chat_model: Writes the words of the chosen replies.
        agent_id: Whose accounts and posts.
        lookback: How far back posts and comments are considered.
        on_usage: Called with (input tokens, output tokens) of each model answer.
        config: LangChain run config for the model calls (e.g. the run's usage callbacks).

    Returns:
        What was found, drafted, flagged and skipped; platform errors are listed, not raised.
    """
    report = SyncReport()
    now = clock.now()
    since = now - lookback
    tokens = TokenKeeper(sessions=sessions, cipher=cipher, clock=clock)
    with sessions() as session:
        agent = session.get(Agent, agent_id)
        if agent is None:
            raise LookupError(f"no agent {agent_id}")
        by_account: dict[uuid.UUID, list[Post]] = defaultdict(list)
        for post in repo.posts_to_watch(session=session, user_id=agent.user_id, since=since):
            by_account[post.account_id].append(post)
        report.posts = sum(len(p) for p in by_account.values())
        accesses: dict[uuid.UUID, Access] = {}
        for account_id in by_account:
            account = session.get(SocialAccount, account_id)
            assert account is not None
            try:
                accesses[account_id] = access_for(
                    session, account, cipher=cipher, publisher_for=publisher_for
                )
            except NoAccess as exc:
                if exc.unsupported:
                    report.unsupported[account.platform.value] = str(exc)
                else:
                    report.errors.append(str(exc))
    for account_id, access in accesses.items():
        _sync_account(
            sessions,
            tokens,
            access,
            by_account[account_id],
            agent_id=agent_id,
            chat_model=chat_model,
            report=report,
            on_usage=on_usage,
            config=config,
            since=since,
        )
    if report.drafted - report.auto_approved > 0:
        with transaction(sessions) as session:
            agent = session.get(Agent, agent_id)
            assert agent is not None
            notify_once(
                session=session,
                user_id=agent.user_id,
                type=NotificationType.approval_needed,
                dedupe_key=f"replies:{agent_id}:{now:%Y-%m-%dT%H}",
                payload={"message": f"{report.summary()}; see 'twin engage list'"},
            )
    return report


def _fetch(tokens: TokenKeeper, access: Access, post: Post, since: datetime) -> list[Comment]:
    assert post.platform_post_id is not None
    ppid = post.platform_post_id
    return tokens.call(
        access.held,
        access.publisher,
        lambda c: access.comments.fetch_comments(
            ppid, account=access.account, credentials=c, since=since
        ),
    )


def _sync_account(
    sessions: sessionmaker[Session],
    tokens: TokenKeeper,
    access: Access,
    posts: list[Post],
    *,
    agent_id: uuid.UUID,
    chat_model: BaseChatModel,
    report: SyncReport,
    on_usage: Callable[[int, int], None] | None,
    config: RunnableConfig | None,
    since: datetime,
) -> None:
    account_id = uuid.UUID(access.account.account_id)
    now = tokens.clock.now()
    new: dict[str, tuple[Post, Comment, Triage]] = {}

    def store(key: str, decision: str, draft: str | None) -> None:
        post, comment, triage = new[key]
        status = EngagementStatus.skipped
        if draft is not None:
            status = EngagementStatus.approved if auto else EngagementStatus.pending
        with transaction(sessions) as session:
            row, created = repo.create_action(
                session=session,
                agent_id=agent_id,
                account_id=account_id,
                post_id=post.id,
                platform=post.platform,
                target_id=comment.comment_id,
                target_text=comment.text[:TARGET_TEXT_MAX],
                target_author=comment.author,
                target_url=comment.url,
                target_json=_target(comment),
                triage=triage.kind,
                flagged=triage.flagged,
                decision=decision,
                draft_text=draft,
                status=status,
                approved_by="auto" if status == EngagementStatus.approved else None,
                now=now,
            )
        if not created:  # another sync stored it first
            return
        report.action_ids.append(row.id)
        if draft is not None:
            report.drafted += 1
            report.auto_approved += status == EngagementStatus.approved
        elif triage.flagged:
            report.flagged += 1
        else:
            report.skipped += 1

    for post in posts:
        try:
            comments = _fetch(tokens, access, post, since)
        except PublishError as exc:
            report.errors.append(
                f"{access.account.platform} post {post.platform_post_id}: "
                f"{redact(str(exc), access.held.secrets)}"
            )
            continue
        others = [c for c in comments if not c.by_account]
        with sessions() as session:
            known = repo.known_targets(
                session=session, account_id=account_id, target_ids=[c.comment_id for c in others]
            )
        for comment in others:
            if comment.comment_id not in known and comment.comment_id not in new:
                new[comment.comment_id] = (post, comment, triage_comment(comment.text))
    report.comments += len(new)
    if not new:
        return
    with sessions() as session:
        account = session.get(SocialAccount, account_id)
        assert account is not None
        limit, auto = account.daily_reply_limit, account.auto_reply_enabled
        drafted = repo.drafted_today(session=session, account_id=account_id, now=now)
        thanked = repo.drafted_today(
            session=session, account_id=account_id, now=now, triage="praise"
        )
    plan = plan_replies(
        [Candidate(k, t, c.created_at) for k, (_, c, t) in new.items()],
        daily_limit=limit,
        drafted_today=drafted,
        thanks_today=thanked,
    )
    report.deferred += len(plan.deferred)
    for key, reason in plan.skipped.items():
        store(key, reason, None)
    tasks: list[tuple[str, Literal["answer", "thanks"]]] = [
        *((k, "answer") for k in plan.answers),
        *((k, "thanks") for k in plan.thanks),
    ]
    contexts: dict[uuid.UUID, PostContext] = {}
    for key, task in tasks:
        post, comment, triage = new[key]
        if post.id not in contexts:
            with sessions() as session:
                contexts[post.id] = post_context(session, post)
        context = contexts[post.id]
        inputs = reply_inputs(comment, triage, task, context)
        try:
            text = draft_reply(chat_model, inputs, on_usage=on_usage, config=config)
        except LLMError as exc:
            report.errors.append(f"drafting stopped: {exc}")
            report.deferred += 1
            return
        problem = check_draft(
            text,
            commenter=comment.author,
            max_chars=reply_limit(access.account.platform),
            secrets=access.held.secrets,
        )
        if problem is not None:
            store(key, f"the drafted reply was refused: {problem}", None)
            continue
        store(key, f"{triage.reason}; drafted a {'thanks' if task == 'thanks' else 'reply'}", text)
