"""The application's long-lived pieces (settings, engine, sessions, cipher), built on demand."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from agent.errors import DataDirError
from agent.settings import Settings
from db.crypto import Cipher, load_cipher
from db.engine import build_engine, check_connection, session_factory


def ensure_data_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise DataDirError(
            f"data directory {path} is not writable ({exc.strerror}): "
            "choose another with --data-dir or TWIN_DATA_DIR"
        ) from exc
    return path


@dataclass
class Resources:
    """Settings plus lazily built engine, session factory and cipher."""

    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = build_engine(self.settings.resolved_database_url)
            check_connection(self._engine)
        return self._engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.engine)

    def cipher(self, *, create: bool = False) -> Cipher:
        key = self.settings.secret_key.get_secret_value() if self.settings.secret_key else None
        return load_cipher(env_key=key, key_file=self.settings.key_file, create=create)

    @property
    def key_source(self) -> str:
        if self.settings.secret_key:
            return "env (TWIN_SECRET_KEY)"
        if self.settings.key_file.exists():
            return f"key file {self.settings.key_file}"
        return "none yet (created by 'twin init')"

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def open_resources(settings: Settings) -> Resources:
    if settings.database_url is None or settings.database_url.startswith("sqlite"):
        ensure_data_dir(settings.data_dir)
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    return Resources(settings=settings)
