"""Settings from the environment (prefix ``TWIN_``) and an optional ``.env`` file.

Built by :func:`load_settings`, never at import, so tests and the CLI choose their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, model_validator
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
    render_quality: Literal["full", "draft"] = "full"
    """Reel look for cycle runs: the full look, or the cheap draft look (tests, dry runs)."""
    render_workers: int = 0
    """Reels rendered at once in worker processes; 0 means one per two cores."""
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
    embeddings_provider: Literal["local", "openai"] = "local"
    """Vector-memory embeddings: the bundled MiniLM model, or an OpenAI-compatible service."""
    embeddings_base_url: str | None = None
    embeddings_model: str | None = None
    embeddings_api_key_env_var: str = "TWIN_EMBEDDINGS_API_KEY"
    embeddings_dimensions: int | None = None

    worker_poll_seconds: float = Field(default=30.0, gt=0)
    """Longest time the worker sleeps before re-reading schedules from the database."""
    metrics_refresh_hours: int = Field(default=6, ge=1, le=24)
    """The worker refreshes metrics of recent posts every this many hours."""
    chat_history_messages: int = Field(default=40, ge=4)
    """How many recent chat messages are sent to the model each turn."""

    # Publishing adapters: every API base URL is a setting so tests and proxies can point elsewhere.
    publish_timeout: float = 60.0
    """Seconds per HTTP request to a platform."""
    publish_max_attempts: int = 8
    """Publish attempts per post (across retries and restarts) before it fails for good."""
    publish_lease_seconds: float = 900.0
    """How long an in-progress attempt belongs to its worker before another may take it over."""
    publish_poll_interval: float = 5.0
    """Seconds between status checks while a platform processes an uploaded video."""
    oauth_redirect_timeout: float = 300.0
    """Seconds ``twin accounts connect`` waits for the browser to come back."""
    oauth_browser: str | None = None
    """Command that opens the authorize URL (``%s`` is replaced by it); default the system browser."""
    instagram_base_url: str = "https://graph.facebook.com"
    """Graph host for Instagram (``https://graph.instagram.com`` with Instagram Login)."""
    instagram_rupload_base_url: str = "https://rupload.facebook.com"
    instagram_login: Literal["facebook", "instagram"] = "facebook"
    instagram_authorize_url: str | None = None
    instagram_token_url: str | None = None
    facebook_base_url: str = "https://graph.facebook.com"
    facebook_authorize_url: str | None = None
    facebook_token_url: str | None = None
    meta_api_version: str = "v21.0"
    meta_app_id: str | None = None
    meta_app_secret: SecretStr | None = None
    threads_base_url: str = "https://graph.threads.net"
    threads_api_version: str = "v1.0"
    threads_media_base_url: str | None = None
    """Public URL prefix where rendered reels are served (Threads fetches videos by URL)."""
    threads_app_id: str | None = None
    threads_app_secret: SecretStr | None = None
    threads_authorize_url: str | None = None
    threads_token_url: str | None = None
    linkedin_base_url: str = "https://api.linkedin.com"
    linkedin_token_url: str = "https://www.linkedin.com/oauth/v2/accessToken"
    linkedin_authorize_url: str | None = None
    linkedin_version: str = "202405"
    linkedin_client_id: str | None = None
    linkedin_client_secret: SecretStr | None = None
    tiktok_base_url: str = "https://open.tiktokapis.com"
    tiktok_token_url: str = "https://open.tiktokapis.com/v2/oauth/token/"
    tiktok_authorize_url: str | None = None
    tiktok_client_key: str | None = None
    tiktok_client_secret: SecretStr | None = None
    tiktok_audited: bool = False
    """False until TikTok has audited the app: posts then go out as SELF_ONLY (private)."""
    tiktok_privacy_level: str = "PUBLIC_TO_EVERYONE"
    youtube_base_url: str = "https://www.googleapis.com"
    """Host of the Data API (``/youtube/v3``) and the upload endpoint (``/upload/youtube/v3``)."""
    youtube_analytics_base_url: str = "https://youtubeanalytics.googleapis.com/v2"
    youtube_token_url: str = "https://oauth2.googleapis.com/token"
    youtube_authorize_url: str | None = None
    youtube_client_id: str | None = None
    youtube_client_secret: SecretStr | None = None
    youtube_privacy_status: Literal["public", "unlisted", "private"] = "public"

    learning_mode: Literal["adaptive", "fixed"] = "adaptive"
    """``fixed`` plans without reading the strategy or past evidence (a non-learning baseline)."""
    planning_seed: int = 0
    """Mixed into the planner's exploration draws, so a simulation is repeatable for a seed."""
    report_formats: list[str] = Field(default_factory=lambda: ["md", "html", "pdf"])
    """Weekly report files the cycle writes (``md``, ``html``, ``pdf``); ``twin report`` renders any on demand."""

    retention_raw_asset_days: int = Field(default=180, ge=1)
    """Raw media (speech, uploads, videos no live post needs) older than this is deleted
    (S003 section 14: 90-180 days)."""
    retention_log_scrub_days: int = Field(default=180, ge=1)
    """Event and error logs older than this lose their personal data (S003: 180-365 days)."""
    retention_log_delete_days: int = Field(default=365, ge=1)
    """Event and error logs older than this are deleted (at least the scrub period)."""
    slow_query_ms: float = Field(default=1000.0, ge=0)
    """Statements slower than this are logged and recorded as ``slow_query`` events
    (S004's slow-query alert is 1 s); 0 turns the timing off."""

    @model_validator(mode="after")
    def _log_periods_in_order(self) -> Settings:
        if self.retention_log_delete_days < self.retention_log_scrub_days:
            raise ValueError(
                "TWIN_RETENTION_LOG_DELETE_DAYS must be at least TWIN_RETENTION_LOG_SCRUB_DAYS "
                "(logs are scrubbed before they are deleted)"
            )
        return self

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
