"""Post approved replies exactly once: claim (compare-and-set), check the day's limit, send, record.

The claim is the first write of a short transaction, so only one of several workers holds an
action; the platform is called outside any transaction. A worker that dies while ``sending``
loses its claim after ``lease``; whoever takes it over calls the adapter again, which looks for
the account's reply under the comment before posting (see ``tools.publish.comments.reply_once``).
A retryable failure goes back to ``approved`` with a backoff until ``max_attempts``; then, or for
a permanent failure, the action is ``failed`` with the error and the retry count.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from agent.context import Clock
from agent.engagement.access import NoAccess, access_for
from agent.publishing.tokens import TokenKeeper
from db.crypto import Cipher
from db.engine import transaction
from db.models import EngagementAction, SocialAccount
from db.repo import engagement as repo
from tools.publish.base import Publisher, PublishError
from tools.publish.comments import Comment
from tools.publish.redact import redact

__all__ = ["LEASE", "SendReport", "send_approved", "sender_name"]

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 4


def sender_name() -> str:
    """``host:pid:nonce`` recorded on each claim."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class SendReport:
    """What one pass over the approved replies did."""

    sent: dict[uuid.UUID, str] = field(default_factory=dict)
    """action id -> the platform's id of the posted (or adopted) reply."""
    retrying: dict[uuid.UUID, str] = field(default_factory=dict)
    failed: dict[uuid.UUID, str] = field(default_factory=dict)
    held: dict[uuid.UUID, str] = field(default_factory=dict)
    """Over the account's daily limit: waits until tomorrow."""
    busy: list[uuid.UUID] = field(default_factory=list)
    """Another worker holds them."""

    def summary(self) -> str:
        """One line for the CLI."""
        parts = [f"{len(self.sent)} replies posted"]
        for name, items in (
            ("will be retried", self.retrying),
            ("failed", self.failed),
            ("held by the daily limit", self.held),
            ("being sent by another worker", self.busy),
        ):
            if items:
                parts.append(f"{len(items)} {name}")
        return ", ".join(parts)


def _backoff(attempt: int, retry_after: float | None) -> float:
    if retry_after is not None:
        return max(1.0, retry_after)
    return min(3600.0, 60.0 * 2 ** max(0, attempt - 1))


def send_approved(
    *,
    sessions: sessionmaker[Session],
    cipher: Cipher,
    clock: Clock,
    publisher_for: Callable[[str], Publisher],
    agent_id: uuid.UUID | None = None,
    action_ids: Iterable[uuid.UUID] | None = None,
    worker: str | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    lease: timedelta = LEASE,
) -> SendReport:
    """Send every approved reply that is due (of one agent, or only ``action_ids``).

    Args:
        sessions: Session factory of the application database.
        cipher: Decrypts the accounts' tokens.
        clock: What "now" and "today" are.
        publisher_for: Platform name -> adapter.
        agent_id: Only this agent's actions.
        action_ids: Only these actions.
        worker: Name recorded on each claim.
        max_attempts: Tries per reply before it fails for good.
        lease: How long a claim belongs to its worker.

    Returns:
        What was posted, retried, failed, held or left to another worker.
    """
    report = SendReport()
    worker = worker or sender_name()
    tokens = TokenKeeper(sessions=sessions, cipher=cipher, clock=clock)
    with sessions() as session:
        due = repo.due_action_ids(
            session=session,
            now=clock.now(),
            lease=lease,
            agent_id=agent_id,
            ids=list(action_ids) if action_ids is not None else None,
        )
    for action_id in due:
        _send_one(
            sessions, tokens, cipher, publisher_for, action_id, worker, max_attempts, lease, report
        )
    return report


def _send_one(
    sessions: sessionmaker[Session],
    tokens: TokenKeeper,
    cipher: Cipher,
    publisher_for: Callable[[str], Publisher],
    action_id: uuid.UUID,
    worker: str,
    max_attempts: int,
    lease: timedelta,
    report: SendReport,
) -> None:
    now = tokens.clock.now()
    with transaction(sessions) as session:
        if not repo.claim_for_sending(
            session=session, action_id=action_id, worker=worker, now=now, lease=lease
        ):
            report.busy.append(action_id)
            return
        action = session.get(EngagementAction, action_id)
        assert action is not None
        # One claim per account at a time decides against the daily limit (a row lock on
        # PostgreSQL; SQLite already serialises writers).
        account = session.scalar(
            select(SocialAccount).where(SocialAccount.id == action.account_id).with_for_update()
        )
        assert account is not None
        if (
            repo.sent_today(session=session, account_id=account.id, now=now)
            > account.daily_reply_limit
        ):
            until = repo.day_start(now) + timedelta(days=1)
            reason = (
                f"daily limit of {account.daily_reply_limit} replies reached on "
                f"{account.handle}; it goes out after midnight UTC"
            )
            repo.release_claim(
                session=session,
                action_id=action_id,
                worker=worker,
                until=until,
                reason=reason,
                now=now,
            )
            report.held[action_id] = reason
            return
        try:
            access = access_for(session, account, cipher=cipher, publisher_for=publisher_for)
        except NoAccess as exc:
            repo.mark_failed(
                session=session,
                action_id=action_id,
                worker=worker,
                error=str(exc),
                now=now,
                retry_at=None,
            )
            report.failed[action_id] = str(exc)
            return
        comment = Comment.model_validate(
            {**action.target_json, "text": action.target_text, "author": action.target_author}
        )
        text, key, attempt = action.draft_text or "", action.idempotency_key, action.retry_count + 1
    try:
        result = tokens.call(
            access.held,
            access.publisher,
            lambda c: access.comments.reply(
                comment, text, account=access.account, credentials=c, idempotency_key=key
            ),
        )
    except PublishError as exc:
        _failed(
            sessions,
            action_id,
            worker,
            exc,
            attempt,
            max_attempts,
            access.held.secrets,
            tokens.clock,
            report,
        )
        return
    except Exception as exc:  # the reply may have landed: the next try looks before posting
        error = PublishError(
            f"unexpected {type(exc).__name__} while replying ({exc}); retried after a check",
            retryable=True,
        )
        _failed(
            sessions,
            action_id,
            worker,
            error,
            attempt,
            max_attempts,
            access.held.secrets,
            tokens.clock,
            report,
        )
        return
    with transaction(sessions) as session:
        repo.mark_completed(
            session=session,
            action_id=action_id,
            worker=worker,
            result_id=result.reply_id,
            result_url=result.url,
            now=tokens.clock.now(),
        )
    report.sent[action_id] = result.reply_id


def _failed(
    sessions: sessionmaker[Session],
    action_id: uuid.UUID,
    worker: str,
    exc: PublishError,
    attempt: int,
    max_attempts: int,
    secrets: Iterable[str],
    clock: Clock,
    report: SendReport,
) -> None:
    now = clock.now()
    message = str(redact(str(exc), list(secrets)))
    retry_at = None
    if exc.retryable and attempt < max_attempts:
        retry_at = now + timedelta(seconds=_backoff(attempt, exc.retry_after))
    if retry_at is None and exc.retryable:
        message = f"gave up after {attempt} attempts: {message}"
    with transaction(sessions) as session:
        repo.mark_failed(
            session=session,
            action_id=action_id,
            worker=worker,
            error=message,
            now=now,
            retry_at=retry_at,
        )
    (report.retrying if retry_at else report.failed)[action_id] = message
