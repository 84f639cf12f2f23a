"""The data-layer contract, run on SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

import db.models as m
from db import migrate
from db.base import Base
from db.crypto import Cipher, SecretKeyError, generate_key
from db.repo.secrets import read_tokens, reencrypt_all
from tests.db.factories import build_graph

CIPHER = Cipher.from_material(generate_key(), "env")


def test_every_aggregate_round_trips(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        graph = build_graph(session, CIPHER)
    with sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in {
                "roles",
                "user_roles",
                "niches",
                "hook_templates",
                "directives",
                "app_sessions",
                "audit_log",
                "stored_secrets",
                "error_logs",
                "platform_rate_limits",
                "rate_buckets",  # written only when a fleet-wide rate is set
            }:
                continue
            count = session.scalar(select(func.count()).select_from(table))
            assert count and count >= 1, f"{table.name} has no row"
        post = session.get(m.Post, graph.post_id)
        assert post is not None
        assert post.scheduled_time.tzinfo is not None
        assert post.scheduled_time.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
        reel = session.get(m.VideoReel, graph.reel_id)
        assert reel is not None and reel.hashtags == ["#web3"]
        key = session.get(m.IntegrationKey, graph.key_id)
        assert key is not None and key.scopes == ["instagram_content_publish", "instagram_basic"]


def test_bad_enum_value_is_rejected_by_the_database(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        graph = build_graph(session, CIPHER)
    post_id = graph.post_id
    assert isinstance(post_id, uuid.UUID)
    with pytest.raises(IntegrityError), sessions.begin() as session:
        is_pg = session.get_bind().dialect.name == "postgresql"
        session.execute(
            text("UPDATE posts SET publish_status = 'exploded' WHERE id = :id"),
            {"id": post_id if is_pg else post_id.hex},
        )


def test_bad_enum_value_is_rejected_by_the_model(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(StatementError), sessions.begin() as session:
        session.add(m.Role(name="emperor"))  # type: ignore[arg-type]
        session.flush()


def test_naive_timestamps_are_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(StatementError), sessions.begin() as session:
        graph = build_graph(session, CIPHER)
        post = session.get(m.Post, graph.post_id)
        assert post is not None
        post.scheduled_time = datetime(2026, 1, 1, 12, 0)
        session.flush()


def test_one_post_per_reel_and_account(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        graph = build_graph(session, CIPHER)
    with pytest.raises(IntegrityError), sessions.begin() as session:
        post = session.get(m.Post, graph.post_id)
        assert post is not None
        session.add(
            m.Post(
                user_id=post.user_id,
                reel_id=post.reel_id,
                account_id=post.account_id,
                platform=post.platform,
                caption="again",
                idempotency_key="other",
                scheduled_time=post.scheduled_time,
            )
        )


def test_deleting_a_user_cascades_to_everything_they_own(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        graph = build_graph(session, CIPHER)
        build_graph(session, CIPHER, email="other@example.com")
    with sessions.begin() as session:
        user = session.get(m.User, graph.user_id)
        session.delete(user)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(m.User)) == 1
        assert session.scalar(select(func.count()).select_from(m.Post)) == 1
        assert session.scalar(select(func.count()).select_from(m.AnalyticsSnapshot)) == 1
        assert session.scalar(select(func.count()).select_from(m.EventLog)) == 1
        assert session.scalar(select(func.count()).select_from(m.PublisherTask)) == 1
        assert session.scalar(select(func.count()).select_from(m.IntegrationKey)) == 1


def test_tokens_round_trip_and_wrong_key_is_a_clear_error(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        graph = build_graph(session, CIPHER)
    with sessions() as session:
        key = session.get(m.IntegrationKey, graph.key_id)
        assert key is not None
        assert read_tokens(key=key, cipher=CIPHER) == (
            "IGQVJ-access-SECRET-123",
            "IGQVJ-refresh-SECRET-456",
        )
        with pytest.raises(SecretKeyError, match="does not match the key they were stored with"):
            read_tokens(key=key, cipher=Cipher.from_material(generate_key(), "env"))


def test_rotation_reencrypts_everything(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        graph = build_graph(session, CIPHER)
    new = Cipher.from_material(generate_key(), "env")
    with sessions.begin() as session:
        assert reencrypt_all(session=session, old=CIPHER, new=new) == 2
    with sessions() as session:
        key = session.get(m.IntegrationKey, graph.key_id)
        assert key is not None
        assert read_tokens(key=key, cipher=new)[0] == "IGQVJ-access-SECRET-123"
        with pytest.raises(SecretKeyError):
            read_tokens(key=key, cipher=CIPHER)


def test_no_plaintext_token_in_the_stored_bytes(
    sessions: sessionmaker[Session], migrated_engine: Engine, db_url: str
) -> None:
    with sessions.begin() as session:
        build_graph(session, CIPHER)
    migrated_engine.dispose()
    if db_url.startswith("sqlite"):
        path = db_url.removeprefix("sqlite:///")
        raw = b""
        for suffix in ("", "-wal"):
            try:
                with open(path + suffix, "rb") as fh:
                    raw += fh.read()
            except FileNotFoundError:
                pass
        assert b"IGQVJ" in raw or raw  # the file was read
        assert b"SECRET-123" not in raw and b"SECRET-456" not in raw
    else:
        with migrated_engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT convert_to(access_token, 'UTF8'), convert_to(refresh_token, 'UTF8') FROM integration_keys"
                )
            ).all()
        assert rows
        for access, refresh in rows:
            assert b"SECRET" not in bytes(access) and b"SECRET" not in bytes(refresh)
            assert bytes(access).startswith(b"v1:")


def test_models_and_migrations_agree(migrated_engine: Engine) -> None:
    assert migrate.schema_drift(migrated_engine) == []
    assert migrate.current_revision(migrated_engine) == migrate.head_revision(migrated_engine)


def test_migrations_go_down_and_up_again(migrated_engine: Engine) -> None:
    migrate.downgrade(migrated_engine, "base")
    with migrated_engine.connect() as conn:
        names = set(
            conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                    if migrated_engine.dialect.name == "sqlite"
                    else "SELECT tablename FROM pg_tables WHERE schemaname='public'"
                )
            ).scalars()
        )
    assert names <= {"alembic_version"}
    migrate.upgrade(migrated_engine)
    assert migrate.schema_drift(migrated_engine) == []


def test_jsonb_on_postgres_json_on_sqlite(migrated_engine: Engine) -> None:
    with migrated_engine.connect() as conn:
        if migrated_engine.dialect.name == "postgresql":
            kind = conn.execute(
                text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name='analytics_snapshots' AND column_name='metrics_json'"
                )
            ).scalar_one()
            assert kind == "jsonb"
            arr = conn.execute(
                text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name='posts' AND column_name='hashtags'"
                )
            ).scalar_one()
            assert arr == "ARRAY"
        else:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_uuid_primary_keys(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        graph = build_graph(session, CIPHER)
    assert isinstance(graph.post_id, uuid.UUID)
