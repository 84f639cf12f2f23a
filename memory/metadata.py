"""Convert memory metadata to Chroma's flat scalar form and back.

Chroma metadata values must be ``str``, ``int``, ``float`` or ``bool``. Lists and
dicts are JSON-encoded; the names of encoded keys are kept in ``_json_keys`` so
reads decode them back. Datetimes become ISO 8601 strings.
"""

from __future__ import annotations

import enum
import hashlib
import json
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

__all__ = [
    "CREATED_AT",
    "CREATED_TS",
    "KIND",
    "ChromaMetadata",
    "decode_metadata",
    "derive_memory_id",
    "encode_metadata",
    "parse_time",
]

KIND = "kind"
CREATED_AT = "created_at"
"""ISO 8601 UTC time the memory refers to (given in metadata, else time of adding)."""
CREATED_TS = "created_ts"
"""The same time as POSIX seconds, for numeric range filters (``$gte``)."""
_JSON_KEYS = "_json_keys"

ChromaMetadata = dict[str, str | int | float | bool]


def parse_time(value: Any) -> datetime:
    """Read a datetime or ISO 8601 string as an aware UTC datetime.

    Raises:
        ValueError: If the value is neither.
    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise ValueError(f"Expected a datetime or ISO 8601 string, got {type(value).__name__}.")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _scalar(key: str, value: Any) -> str | int | float | bool | None:
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"Metadata {key!r} is {value}; only finite numbers can be stored.")
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(
        f"Metadata {key!r} has type {type(value).__name__}; use str, int, float, bool, "
        "datetime, list or dict."
    )


def encode_metadata(metadata: dict[str, Any], *, kind: str, created_at: datetime) -> ChromaMetadata:
    """Flatten user metadata into Chroma scalars and add the reserved fields.

    Args:
        metadata: User fields. Keys must not start with ``_`` or ``#`` and must not be
            ``kind`` or ``created_ts``; a ``created_at`` field sets the memory's time.
        kind: The memory kind.
        created_at: Time used when ``metadata`` has no ``created_at``.

    Returns:
        A dict Chroma accepts. ``None`` values are dropped.
    """
    out: ChromaMetadata = {}
    json_keys: list[str] = []
    for key, value in metadata.items():
        if not isinstance(key, str) or not key or key[0] in "_#" or key in (KIND, CREATED_TS):
            raise ValueError(
                f"Metadata key {key!r} is reserved or invalid; keys must be non-empty and "
                "must not start with '_' or '#' or be 'kind' or 'created_ts'."
            )
        if key == CREATED_AT:
            continue
        if isinstance(value, list | tuple | dict | set):
            encodable = sorted(value, key=str) if isinstance(value, set) else value
            out[key] = json.dumps(encodable, sort_keys=True, default=str)
            json_keys.append(key)
            continue
        scalar = _scalar(key, value)
        if scalar is not None:
            out[key] = scalar
    when = parse_time(metadata.get(CREATED_AT) or created_at)
    out[KIND] = kind
    out[CREATED_AT] = when.isoformat()
    out[CREATED_TS] = when.timestamp()
    if json_keys:
        out[_JSON_KEYS] = ",".join(sorted(json_keys))
    return out


def decode_metadata(
    stored: Mapping[str, Any] | None, *, keep_internal: bool = False
) -> tuple[str, dict[str, Any]]:
    """Split stored metadata into the kind and the user-facing fields.

    Args:
        stored: Metadata as Chroma returns it.
        keep_internal: Keep fields starting with ``_`` (used by compaction).

    Returns:
        ``(kind, metadata)`` where JSON-encoded fields are decoded and ``created_ts``
        and internal fields are removed; ``created_at`` stays.
    """
    data = dict(stored or {})
    kind = str(data.pop(KIND, ""))
    data.pop(CREATED_TS, None)
    encoded = str(data.pop(_JSON_KEYS, ""))
    for key in filter(None, encoded.split(",")):
        if isinstance(data.get(key), str):
            data[key] = json.loads(data[key])
    if not keep_internal:
        data = {k: v for k, v in data.items() if not k.startswith("_")}
    return kind, data


def derive_memory_id(kind: str, text: str, metadata: dict[str, Any]) -> str:
    """A stable id from the content, so adding the same memory twice is one entry."""
    canonical = json.dumps(
        {"kind": kind, "text": text, "metadata": metadata}, sort_keys=True, default=str
    )
    return f"{kind}-{hashlib.sha256(canonical.encode('utf-8')).hexdigest()[:32]}"
