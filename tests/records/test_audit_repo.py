"""db.repo.audit on SQLite and PostgreSQL: no secret is ever stored; listing and filtering."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from db.engine import build_engine
from db.enums import AuditOrigin
from db.migrate import upgrade
from db.repo import audit

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"


def test_details_never_hold_a_secret(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        row = audit.record(
            session=session,
            actor="ops@host",
            action="account.connect",
            subject_type="social_account",
            subject_id=uuid.uuid4(),
            origin=AuditOrigin.cli,
            details={
                "handle": "@me",
                "access_token": "plain-token-value",
                "nested": {"client_secret": "s3cr3t", "note": f"pasted {TOKEN} by mistake"},
                "scopes": ["a", "b"],
                "when": T0,
            },
            before={"password": "hunter2hunter2"},
        )
        row_id = row.id
    with sessions() as session:
        stored = session.get(type(row), row_id)
        assert stored is not None
        values = stored.new_values_json
    assert values["handle"] == "@me" and values["scopes"] == ["a", "b"]
    assert values["access_token"] == values["nested"]["client_secret"] == audit.REDACTED
    assert TOKEN not in values["nested"]["note"] and values["nested"]["note"].startswith(
        "pasted ghp_"
    )
    assert values["when"] == str(T0)
    assert stored.old_values_json == {"password": audit.REDACTED}
    assert stored.origin == AuditOrigin.cli


def test_listing_is_newest_first_and_filters_by_action_family(
    sessions: sessionmaker[Session],
) -> None:
    actions = ["secret.set", "secret.rotate", "secrets.other", "review.approve", "secret"]
    with sessions.begin() as session:
        for i, action in enumerate(actions):
            audit.record(
                session=session,
                actor="a",
                action=action,
                subject_type="x",
                subject_id=str(i),
                origin="web",
                at=T0 + timedelta(minutes=i),
            )
    with sessions() as session:
        everything = [r.action for r in audit.list_audit(session=session)]
        family = [r.action for r in audit.list_audit(session=session, action="secret")]
        exact = [r.action for r in audit.list_audit(session=session, action="review.approve")]
        recent = audit.list_audit(session=session, limit=2)
        since = audit.list_audit(session=session, since=T0 + timedelta(minutes=3))
    assert everything == list(reversed(actions))
    assert family == ["secret", "secret.rotate", "secret.set"], "not 'secrets.other'"
    assert exact == ["review.approve"]
    assert [r.subject_id for r in recent] == ["4", "3"]
    assert {r.subject_id for r in since} == {"3", "4"}


def test_the_migration_gives_old_consent_rows_an_origin_and_dotted_names(db_url: str) -> None:
    engine: Engine = build_engine(db_url)
    try:
        upgrade(engine, "0002")
        with engine.begin() as conn:
            for action in ("consent_granted", "consent.revoke"):
                conn.execute(
                    text(
                        "INSERT INTO audit_log (id, actor, action, subject_type, "
                        "old_values_json, new_values_json, created_at) VALUES "
                        "(:id, 'u', :a, 'consent', '{}', '{}', :t)"
                    ),
                    {
                        "id": uuid.uuid4()
                        if engine.dialect.name == "postgresql"
                        else uuid.uuid4().hex,
                        "a": action,
                        "t": T0,
                    },
                )
        upgrade(engine)
        with engine.connect() as conn:
            rows = sorted(conn.execute(text("SELECT action, origin FROM audit_log")).all())
        assert rows == [("consent.grant", "cli"), ("consent.revoke", "web")]
    finally:
        engine.dispose()
