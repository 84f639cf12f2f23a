"""Engine and session factories. Nothing here runs at import."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker


class DatabaseError(RuntimeError):
    """A database problem a user can fix; the message says how."""


def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid database URL>"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def build_engine(url: str, *, echo: bool = False, slow_query_ms: float | None = None) -> Engine:
    """Create an engine for ``url`` (SQLite or ``postgresql+psycopg``), with clear errors.

    Args:
        url: The database URL.
        echo: Log every statement.
        slow_query_ms: Log statements slower than this and record them as ``slow_query``
            events (``TWIN_SLOW_QUERY_MS``; see :mod:`db.timing`); None or 0 times nothing.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(
            f"invalid database URL {url!r}: expected e.g. sqlite:///path/twin.db "
            "or postgresql+psycopg://user@host/db"
        ) from exc
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    elif parsed.get_backend_name() == "postgresql":
        kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=5)
        kwargs["connect_args"] = {"connect_timeout": 5}
    else:
        raise DatabaseError(
            f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL"
        )
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseError(f"cannot use database {mask_url(url)}: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if slow_query_ms:
        from db.timing import install_query_timer

        install_query_timer(engine, slow_query_ms)
    return engine


def check_connection(engine: Engine) -> None:
    """Connect once, turning driver errors into one clear line."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(
            f"cannot connect to {mask_url(str(engine.url.render_as_string(hide_password=False)))}: "
            f"{reason}"
        ) from exc


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with factory() as session, session.begin():
        yield session
