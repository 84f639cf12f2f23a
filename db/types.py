"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, String
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

JSONType = JSON().with_variant(JSONB(), "postgresql")
"""JSON everywhere, JSONB on PostgreSQL."""


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite drops the offset; we only ever store UTC
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StringList(TypeDecorator[list[str]]):
    """A list of strings: ``text[]`` on PostgreSQL, a JSON array elsewhere."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(String()))
        return dialect.type_descriptor(JSON())

    def process_bind_param(self, value: list[str] | None, dialect: Dialect) -> list[str] | None:
        if value is None:
            return None
        if isinstance(value, str) or not all(isinstance(v, str) for v in value):
            raise ValueError("expected a list of strings")
        return list(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> list[str] | None:
        return None if value is None else list(value)


PLATFORM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
"""A platform name: lowercase letters, digits and ``_``, at most 40 characters."""


class PlatformName(str):
    """A platform's registered name as read from the database (``"instagram"``, a plugin's name).

    Platforms are plugins, so the column holds plain strings; which names are usable is decided
    by the publisher registry (``tools.publish.registry``), not by the schema. ``.value`` returns
    the name itself, so code written when the column was an enum reads the same.
    """

    __slots__ = ()

    @property
    def value(self) -> str:
        return str(self)


class PlatformType(TypeDecorator[PlatformName]):
    """A platform name column: VARCHAR(40), format-checked on write, :class:`PlatformName` on read."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        name = value.value if isinstance(value, enum.Enum) else str(value)
        if not PLATFORM_NAME.match(name):
            raise ValueError(
                f"platform name {name!r} must be lowercase letters, digits and '_' (at most 40)"
            )
        return name

    def process_result_value(self, value: Any, dialect: Dialect) -> PlatformName | None:
        return None if value is None else PlatformName(value)


def enum_column(enum_cls: type[enum.Enum], name: str, *, open_set: bool = False) -> SAEnum:
    """A portable enum: VARCHAR + CHECK constraint, storing the enum's values.

    ``open_set``: no CHECK constraint and room for longer values, for a set that grows with
    the code (event types), validated by the application when rows are written.
    """
    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=not open_set,
        validate_strings=True,
        length=64 if open_set else max(len(str(m.value)) for m in enum_cls) + 8,
        values_callable=lambda cls: [str(m.value) for m in cls],
    )
