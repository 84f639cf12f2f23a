"""Alembic environment.

The app (``db.migrate``) hands over an open connection or a URL. The ``alembic`` command at the
repository root (``alembic.ini``) gets its URL here from the environment, chosen as the app
chooses it: ``TWIN_DATABASE_URL``, else ``<TWIN_DATA_DIR or the per-user data dir>/twin.db``.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic import context
from sqlalchemy import Connection

import db.models  # noqa: F401  (registers every table)
from db.base import Base
from db.engine import build_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def database_url() -> str:
    """The configured URL, else the one the app would use."""
    configured = config.get_main_option("sqlalchemy.url")
    if configured:
        return configured
    if os.environ.get("TWIN_DATABASE_URL"):
        return os.environ["TWIN_DATABASE_URL"]
    from platformdirs import user_data_dir

    data_dir = Path(os.environ.get("TWIN_DATA_DIR") or user_data_dir("twin-agent", appauthor=False))
    return f"sqlite:///{data_dir.expanduser() / 'twin.db'}"


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = build_engine(database_url())
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # see db.migrate._migrate: batch copies drop tables
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=database_url(), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
