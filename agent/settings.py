"""Settings from the environment (prefix ``TWIN_``) and an optional ``.env`` file.

Built by :func:`load_settings`, never at import, so tests and the CLI choose their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """The per-user data directory used when ``TWIN_DATA_DIR`` is not set."""
    return Path(user_data_dir("twin-agent", appauthor=False))


class Settings(BaseSettings):
    """All runtime configuration. Every field can be set as ``TWIN_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="TWIN_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    """Where the database file, media, reports, key file and memory live."""
    database_url: str | None = None
    """SQLAlchemy URL; default is a SQLite file in the data dir."""
    secret_key: SecretStr | None = None
    """Key for secrets at rest; if unset a key file is created in the data dir."""

    llm_provider: Literal["offline", "openai"] = "offline"
    llm_model: str = "gpt-4o-mini"
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = 60.0
    llm_max_retries: int = 2
    llm_temperature: float = 0.2

    audience: str = "tools.publish.sandbox_audience:BuiltinAudience"
    """The sandbox platform's audience model, as ``module:attr``."""
    sandbox_latency_ms: int = 0
    """Simulated platform latency of the sandbox after a post lands (for fault tests and demos)."""
    trends_file: Path | None = None
    """A local JSON file of trend signals; the built-in sample is used when unset."""
    metrics_maturity_hours: float = 48.0
    """How old a post must be before its metrics count in analysis."""

    elevenlabs_api_key: SecretStr | None = None
    elevenlabs_base_url: str = "https://api.elevenlabs.io"

    chroma_host: str | None = None
    chroma_port: int = 8000

    learning_mode: Literal["adaptive", "fixed"] = "adaptive"
    """``fixed`` plans without reading the strategy or past evidence (a non-learning baseline)."""
    planning_seed: int = 0
    """Mixed into the planner's exploration draws, so a simulation is repeatable for a seed."""

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to ``<data_dir>/twin.db``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'twin.db'}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def key_file(self) -> Path:
        return self.data_dir / "secret.key"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (e.g. ``data_dir``)."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
