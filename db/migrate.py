"""Schema management through Alembic, callable from code (CLI, tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import db.models  # noqa: F401
from db.base import Base
from db.engine import mask_url
from db.errors import SchemaMissingError, SchemaOutdatedError

__all__ = [
    "MIGRATIONS_DIR",
    "SchemaMissingError",
    "SchemaOutdatedError",
    "alembic_config",
    "check_schema",
    "current_revision",
    "downgrade",
    "head_revision",
    "schema_drift",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    _migrate(engine, lambda cfg: command.upgrade(cfg, revision))


def downgrade(engine: Engine, revision: str = "base") -> None:
    _migrate(engine, lambda cfg: command.downgrade(cfg, revision))


def _migrate(engine: Engine, run: Callable[[Config], None]) -> None:
    """Run an Alembic command in one transaction: all of it lands, or none of it.

    On SQLite, foreign keys are off meanwhile: a batch migration copies a table and drops the
    original, and with ``ON DELETE CASCADE`` that drop would delete the rows pointing at it.
    Python's sqlite3 commits before every DDL statement by default, so a migration that failed
    half-way (a downgrade refusing plugin platforms, say) would leave its first steps applied
    under the old revision number; here the driver is put in autocommit mode and the
    transaction is opened with an explicit ``BEGIN``, which SQLite's DDL honours.
    """
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw: Any = conn.connection.driver_connection if sqlite else None
        previous = raw.isolation_level if sqlite else None
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
            raw.isolation_level = None
        try:
            with conn.begin():
                if sqlite:
                    conn.exec_driver_sql("BEGIN")
                cfg.attributes["connection"] = conn
                run(cfg)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left dangling references: {broken[:3]}")
        finally:
            if sqlite:
                raw.isolation_level = previous
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def schema_drift(engine: Engine) -> list[object]:
    """Differences between the models and the migrated database (empty when in sync)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": conn.dialect.name == "sqlite"}
        )
        return list(compare_metadata(ctx, Base.metadata))


def check_schema(engine: Engine) -> str:
    """The current revision, if it is the head; else one clear line saying which command fixes it.

    Raises:
        SchemaMissingError: No schema yet: ``twin init`` creates it.
        SchemaOutdatedError: An older revision (``twin db upgrade``), or one this version does
            not know (a newer Twin Agent migrated it).
    """
    where = mask_url(engine.url.render_as_string(hide_password=False))
    current = current_revision(engine)
    if current is None:
        raise SchemaMissingError(f"no Twin Agent database in {where} yet: run 'twin init'")
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    head = scripts.get_current_head()
    if current == head:
        return current
    known = {rev.revision for rev in scripts.walk_revisions()}
    if current not in known:
        raise SchemaOutdatedError(
            f"the database {where} is at schema {current}, which this version of Twin Agent "
            f"does not know (its newest is {head}): upgrade Twin Agent, or use another database"
        )
    raise SchemaOutdatedError(
        f"the database {where} is at schema {current}, this version needs {head}: "
        "run 'twin db upgrade'"
    )
