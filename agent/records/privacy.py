"""Export and delete everything a user owns (seed 003 section 15)."""

from __future__ import annotations

import json
import shutil
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

import db.models  # noqa: F401
from agent.records.audit import AuditOrigin, cli_actor
from db.base import Base
from db.models import AuditLog, User
from db.repo import audit

ENCRYPTED_COLUMNS = {
    ("integration_keys", "access_token"),
    ("integration_keys", "refresh_token"),
    ("stored_secrets", "value"),
    ("users", "password_hash"),
}
MEDIA_COLUMNS = {("media_assets", "uri"), ("video_reels", "storage_uri")}


def _owned_rows(session: Session, user_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """Rows reachable from the user through foreign keys, table by table."""
    tables = Base.metadata.sorted_tables
    ids: dict[str, set[Any]] = {"users": {user_id}}
    rows: dict[str, list[dict[str, Any]]] = {}
    user_table = Base.metadata.tables["users"]
    rows["users"] = [
        dict(r._mapping)
        for r in session.execute(select(user_table).where(user_table.c.id == user_id))
    ]
    changed = True
    while changed:
        changed = False
        for table in tables:
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                if parent not in ids or fk.parent.table is not table:
                    continue
                found = _select_children(session, table, fk.parent.name, ids[parent])
                known = ids.setdefault(table.name, set())
                for row in found:
                    if row["id"] not in known:
                        known.add(row["id"])
                        rows.setdefault(table.name, []).append(row)
                        changed = True
    return rows


def _select_children(
    session: Session, table: Table, column: str, parent_ids: set[Any]
) -> list[dict[str, Any]]:
    if not parent_ids:
        return []
    stmt = select(table).where(table.c[column].in_(list(parent_ids)))
    return [dict(r._mapping) for r in session.execute(stmt)]


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _media_files(
    rows: dict[str, list[dict[str, Any]]], data_dir: Path
) -> Iterator[tuple[Path, str]]:
    """(file, role) of every media file the rows name that lies in the data dir.

    The role is the asset's ``metadata_json["role"]`` (likeness, broll, brand), else its
    type (video, thumbnail ...), or ``reel`` for a reel's file.
    """
    root = data_dir.resolve()
    for table, column in MEDIA_COLUMNS:
        for row in rows.get(table, []):
            raw = row.get(column)
            if not raw:
                continue
            path = Path(str(raw).removeprefix("file://")).resolve()
            if path.is_file() and path.is_relative_to(root):
                meta = row.get("metadata_json") or {}
                role = meta.get("role") if isinstance(meta, dict) else None
                yield path, str(role or _jsonable(row.get("type")) or "reel")


def _media_paths(rows: dict[str, list[dict[str, Any]]], data_dir: Path) -> Iterator[Path]:
    for path, _role in _media_files(rows, data_dir):
        yield path


def media_listing(*, session: Session, email: str, data_dir: Path) -> list[dict[str, str]]:
    """Every media file of the user in the data dir, with its role, sorted by path."""
    from db.repo.identity import get_user_by_email

    user = get_user_by_email(session=session, email=email)
    root = data_dir.resolve()
    found = dict(_media_files(_owned_rows(session, user.id), data_dir))
    return [
        {"path": path.relative_to(root).as_posix(), "role": role}
        for path, role in sorted(found.items())
    ]


def export_user(
    *,
    session: Session,
    email: str,
    data_dir: Path,
    out_path: Path,
    actor: str | None = None,
    origin: AuditOrigin = AuditOrigin.cli,
) -> dict[str, int]:
    """Write a zip of JSON (one file per table) and the user's media files.

    The export is audited (``data.export``) in ``session``; the caller commits.
    """
    from db.repo.identity import get_user_by_email

    user: User = get_user_by_email(session=session, email=email)
    rows = _owned_rows(session, user.id)
    counts: dict[str, int] = {}
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for table, table_rows in sorted(rows.items()):
            clean = []
            for row in table_rows:
                item = {k: _jsonable(v) for k, v in row.items()}
                for tbl, col in ENCRYPTED_COLUMNS:
                    if tbl == table and item.get(col):
                        item[col] = "[encrypted secret not exported]"
                clean.append(item)
            zf.writestr(f"data/{table}.json", json.dumps(clean, indent=2, default=str))
            counts[table] = len(clean)
        media = 0
        for path in sorted(set(_media_paths(rows, data_dir))):
            zf.write(path, f"media/{path.relative_to(data_dir.resolve())}")
            media += 1
        counts["media_files"] = media
        zf.writestr(
            "manifest.json",
            json.dumps(
                {
                    "user": user.email,
                    "exported_at": datetime.now(UTC).isoformat(),
                    "counts": counts,
                    "media": [
                        {"path": f"media/{path.relative_to(data_dir.resolve())}", "role": role}
                        for path, role in sorted(dict(_media_files(rows, data_dir)).items())
                    ],
                },
                indent=2,
            ),
        )
    audit.record(
        session=session,
        actor=actor or cli_actor(),
        action="data.export",
        subject_type="user",
        subject_id=user.id,
        origin=origin,
        details={"file": out_path.name, "rows": sum(counts.values()) - media, "media_files": media},
        user_id=user.id,
    )
    return counts


def delete_user(
    *,
    session: Session,
    email: str,
    data_dir: Path,
    actor: str | None = None,
    origin: AuditOrigin = AuditOrigin.cli,
) -> dict[str, int]:
    """Delete the user's rows (foreign keys cascade) and media files; the caller commits.

    The audit log keeps its rows (they record who did what; their user link is cleared),
    but the deleted user's email no longer names them: it becomes ``deleted user <id>``.
    The deletion itself is audited (``data.delete``) without the email.
    """
    from db.repo.identity import get_user_by_email

    user = get_user_by_email(session=session, email=email)
    rows = _owned_rows(session, user.id)
    audit_rows = len(rows.pop("audit_log", []))
    media = sorted(set(_media_paths(rows, data_dir)))
    agent_dirs = [data_dir / "memory" / str(row["id"]) for row in rows.get("agents", [])]
    pseudonym = f"deleted user {str(user.id)[:8]}"
    session.execute(update(AuditLog).where(AuditLog.actor == user.email).values(actor=pseudonym))
    user_id = user.id
    session.delete(user)
    session.flush()
    counts = {table: len(r) for table, r in rows.items()}
    audit.record(
        session=session,
        actor=actor or cli_actor(),
        action="data.delete",
        subject_type="user",
        subject_id=user_id,
        origin=origin,
        details={
            "rows": sum(counts.values()),
            "media_files": len(media),
            "audit_rows_kept": audit_rows,
        },
    )
    for path in media:
        path.unlink(missing_ok=True)
    for folder in agent_dirs:
        shutil.rmtree(folder, ignore_errors=True)
    counts["media_files"] = len(media)
    return counts
