"""Schema errors a user fixes with one command (kept light: the CLI imports them at start)."""

from __future__ import annotations

from db.engine import DatabaseError

__all__ = ["SchemaMissingError", "SchemaOutdatedError"]


class SchemaMissingError(DatabaseError):
    """No Twin Agent schema in the database yet (``twin init`` creates it)."""


class SchemaOutdatedError(DatabaseError):
    """The database schema is older (or newer) than this version of Twin Agent."""
