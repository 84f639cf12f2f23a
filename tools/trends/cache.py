"""Each remote source's answer, kept on disk for the day it was fetched."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from tools.trends.models import TrendItem

__all__ = ["DayCache"]

KEEP_DAYS = 7
"""Day folders older than this are removed when a new answer is written."""


class DayCache:
    """``<root>/<YYYY-MM-DD>/<source>.json``: today's answer of each source.

    An answer is reused on the same UTC day while it is younger than ``max_age_hours``.
    """

    def __init__(self, root: Path, *, max_age_hours: float = 24.0) -> None:
        self.root = Path(root)
        self.max_age = timedelta(hours=max_age_hours)

    def _path(self, source: str, day: date) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", source.lower()).strip("-")[:60] or "source"
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]
        return self.root / day.isoformat() / f"{slug}-{digest}.json"

    def load(self, source: str, *, now: datetime) -> list[TrendItem] | None:
        """Today's cached items of ``source``, or None (missing, too old, unreadable)."""
        if self.max_age <= timedelta(0):
            return None
        path = self._path(source, now.astimezone(UTC).date())
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            fetched = datetime.fromisoformat(data["fetched_at"])
            if data.get("source") != source or not timedelta(0) <= now - fetched <= self.max_age:
                return None
            return [TrendItem.model_validate(item) for item in data["items"]]
        except (OSError, ValueError, KeyError, TypeError, ValidationError):
            return None

    def save(self, source: str, items: list[TrendItem], *, now: datetime) -> None:
        """Keep ``items`` as today's answer of ``source`` (atomic write; errors are ignored)."""
        if self.max_age <= timedelta(0):
            return
        day = now.astimezone(UTC).date()
        path = self._path(source, day)
        payload = {
            "source": source,
            "fetched_at": now.astimezone(UTC).isoformat(),
            "items": [item.model_dump(mode="json") for item in items],
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            return
        self._prune(day)

    def _prune(self, today: date) -> None:
        for folder in self.root.iterdir():
            try:
                day = date.fromisoformat(folder.name)
            except ValueError:
                continue
            if folder.is_dir() and (today - day).days > KEEP_DAYS:
                with contextlib.suppress(OSError):
                    shutil.rmtree(folder)
