"""Settings from the environment (prefix ``TWIN_``) and an optional ``.env`` file.

Built by :func:`load_settings`, never at import, so tests and the CLI choose their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

if TYPE_CHECKING:
    from tools.trends.config import TrendsConfig

CommaList = Annotated[list[str], NoDecode]
"""A list written as ``a,b,c`` in the environment."""


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
    llm_structured_method: Literal["json_schema", "function_calling", "json_mode"] = "json_schema"
    """How typed answers are asked for: a JSON schema response format, a forced tool call, or
    JSON mode with the schema in the prompt. A server that rejects the method is downgraded
    automatically (json_schema -> function_calling -> json_mode) and the working one remembered."""
    llm_strict: bool = True
    """Ask the server to enforce the schema exactly (OpenAI's ``strict``); turned off
    automatically when the server rejects it."""

    audience: str = "tools.publish.sandbox_audience:BuiltinAudience"
    """The sandbox platform's audience model, as ``module:attr``."""
    render_quality: Literal["full", "draft"] = "full"
    """Reel look for cycle runs: the full look, or the cheap draft look (tests, dry runs)."""
    render_workers: int = 0
    """Reels rendered at once in worker processes; 0 means one per two cores."""
    sandbox_latency_ms: int = 0
    """Simulated platform latency of the sandbox after a post lands (for fault tests and demos)."""
    trends_file: Path | None = None
    """A local JSON file of trend signals; the built-in sample is used when no source is set."""
    trends_feeds: CommaList = Field(default_factory=list)
    """RSS 2.0 or Atom 1.0 feed URLs, comma-separated, read for every niche."""
    trends_youtube_api_key: SecretStr | None = None
    """A YouTube Data API key; when set, each region's most popular videos are a source."""
    trends_youtube_regions: CommaList = Field(default_factory=lambda: ["US"])
    """Region codes for YouTube's most-popular chart, comma-separated."""
    trends_youtube_categories: CommaList = Field(default_factory=list)
    """Video category ids (e.g. ``28,22``); empty reads each region's overall chart."""
    trends_google_geo: CommaList = Field(default_factory=list)
    """Countries for Google Trends' daily trending searches (e.g. ``US,GB``); empty: not read."""
    trends_google_base_url: str = "https://trends.google.com"
    trends_niches_file: Path | None = None
    """TOML or JSON: per-niche feeds, YouTube categories, keywords and plugin sources."""
    trends_sources: CommaList = Field(default_factory=list)
    """Plugin trend sources (entry-point group ``twin_agent.trends``) to read, by name."""
    trends_timeout: float = Field(default=10.0, gt=0)
    """Seconds per connect or read of a trend source."""
    trends_cache_hours: float = Field(default=24.0, ge=0)
    """A source's answer is reused the same day while younger than this; 0 disables the cache."""
    trends_spike_z: float = Field(default=3.5, gt=0)
    """Robust z-score above the niche's trailing median that makes a signal a spike."""
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

    platform_aspects: str = ""
    """Shape per platform, overriding the defaults (9:16 everywhere but LinkedIn's 4:5), e.g.
    ``linkedin=1_1,facebook=4_5``; the weekly cycle renders each shape its platforms need."""

    @property
    def aspect_overrides(self) -> dict[str, str]:
        """``platform_aspects`` parsed (platform -> 9_16 | 1_1 | 4_5)."""
        from tools.render.aspects import parse_aspect_overrides

        return dict(parse_aspect_overrides(self.platform_aspects)) if self.platform_aspects else {}

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

    @property
    def trends_cache_dir(self) -> Path:
        return self.data_dir / "trends" / "cache"

    @field_validator(
        "trends_feeds",
        "trends_youtube_regions",
        "trends_youtube_categories",
        "trends_google_geo",
        "trends_sources",
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def trends_config(self) -> TrendsConfig:
        """The trend sources' settings as the tools take them.

        Raises:
            tools.trends.TrendsError: ``trends_niches_file`` is missing or invalid.
        """
        from tools.trends.config import TrendsConfig, load_niche_sources

        key = self.trends_youtube_api_key
        return TrendsConfig(
            feeds=self.trends_feeds,
            file=self.trends_file,
            youtube_api_key=key.get_secret_value() if key else None,
            youtube_regions=self.trends_youtube_regions,
            youtube_categories=self.trends_youtube_categories,
            youtube_base_url=self.youtube_base_url,
            google_geos=self.trends_google_geo,
            google_base_url=self.trends_google_base_url,
            sources=self.trends_sources,
            niches=load_niche_sources(self.trends_niches_file) if self.trends_niches_file else {},
            timeout=self.trends_timeout,
            cache_hours=self.trends_cache_hours,
            cache_dir=self.trends_cache_dir,
        )


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (e.g. ``data_dir``)."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
