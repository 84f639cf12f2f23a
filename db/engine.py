"""Engine and session factories. Nothing here runs at import."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
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
    except DBAPIError as exc:
        explained = explain_database_error(exc, engine.url.render_as_string(hide_password=False))
        raise (explained or DatabaseError(str(exc))) from exc


# What SQLite says -> what the user should do (the file's name is added in front).
_SQLITE_FIXES = [
    (
        "file is not a database",
        "is not a SQLite database: point --data-dir or TWIN_DATABASE_URL at the right file, "
        "or move it away and run 'twin init'",
    ),
    (
        "malformed",
        "is corrupted ({reason}): restore it from a backup, or move it away and run 'twin init'",
    ),
    (
        "readonly database",
        "is read-only: make the file and its folder writable, or copy it somewhere writable",
    ),
    (
        "unable to open database file",
        "cannot be opened: check that its folder exists and is writable",
    ),
    ("disk i/o error", "cannot be read or written (disk I/O error): check the disk and the file"),
    ("database is locked", "is locked by another process: wait for it, or stop it, and retry"),
    ("no such table", "holds no Twin Agent schema: run 'twin init' (or 'twin db upgrade')"),
    ("no such column", "has an older schema: run 'twin db upgrade'"),
]


def _reason(exc: DBAPIError) -> str:
    text_ = str(exc.orig if exc.orig is not None else exc).strip()
    return (text_.splitlines() or ["unknown error"])[0]


def explain_database_error(exc: BaseException, url: str | None = None) -> DatabaseError | None:
    """One clear line (with the fix) for a driver error, or None if ``exc`` is not one.

    Args:
        exc: Any exception; only SQLAlchemy's wrapped driver errors are explained.
        url: The database URL, when the caller knows it (else taken from the statement's engine
            when SQLAlchemy recorded it, else left out).
    """
    if not isinstance(exc, DBAPIError):
        return None
    reason = _reason(exc)
    lowered = reason.lower()
    backend = make_url(url).get_backend_name() if url and _parses(url) else None
    if backend == "sqlite" or (backend is None and "sqlite" in type(exc.orig).__module__):
        where = f"database file {make_url(url).database}" if url else "the SQLite database"
        for needle, fix in _SQLITE_FIXES:
            if needle in lowered:
                return DatabaseError(f"{where} {fix.format(reason=reason)}")
        return DatabaseError(f"{where} failed: {reason}")
    shown = mask_url(url) if url else "the database"
    if isinstance(exc, OperationalError) and _is_connection_failure(lowered):
        return DatabaseError(
            f"cannot connect to {shown}: {reason}; check that the server runs and that "
            "TWIN_DATABASE_URL names the right host, port, user and database"
        )
    if "does not exist" in lowered and ("relation" in lowered or "column" in lowered):
        return DatabaseError(f"{shown} has an older or no schema ({reason}): run 'twin db upgrade'")
    return DatabaseError(f"{shown} failed: {reason}")


def _parses(url: str) -> bool:
    try:
        make_url(url)
    except ArgumentError:
        return False
    return True


def _is_connection_failure(lowered: str) -> bool:
    return any(
        needle in lowered
        for needle in (
            "connection refused",
            "could not connect",
            "connection failed",
            "timeout expired",
            "could not translate host name",
            "name or service not known",
            "password authentication failed",
            "no password supplied",
            "does not exist",
            "server closed the connection",
            "connection to server",
        )
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with factory() as session, session.begin():
        yield session
