"""Settings from the environment (prefix ``TWIN_``) and an optional ``.env`` file.

Built by :func:`load_settings` (:mod:`agent.app.settings_load`, re-exported here), never at
import, so tests and the CLI choose their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from agent.app.settings_load import SettingsError, load_settings
from tools.publish.settings import PlatformSettings

if TYPE_CHECKING:
    from tools.trends.config import TrendsConfig

CommaList = Annotated[list[str], NoDecode]
"""A list written as ``a,b,c`` in the environment."""

ENV_PREFIX = "TWIN_"
ENV_FILE = ".env"


def default_data_dir() -> Path:
    """The per-user data directory used when ``TWIN_DATA_DIR`` is not set."""
    return Path(user_data_dir("twin-agent", appauthor=False))


class Settings(BaseSettings, PlatformSettings):
    """All runtime configuration. Every field can be set as ``TWIN_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="TWIN_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        use_attribute_docstrings=True,
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    """Where the database file, media, reports, key file and memory live."""
    database_url: str | None = None
    """SQLAlchemy URL; default is a SQLite file in the data dir."""
    secret_key: SecretStr | None = None
    """Key for secrets at rest; if unset a key file is created in the data dir."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Log level of long-running commands (``twin worker``, ``twin serve``)."""
    log_format: Literal["text", "json"] = "text"
    """``text`` for people, ``json`` for one JSON object per line (log collectors)."""

    llm_provider: Literal["offline", "openai"] = "offline"
    """Chat model: the local offline stand-in, or any OpenAI-compatible server."""
    llm_model: str = "gpt-4o-mini"
    """Model name sent to the OpenAI-compatible server."""
    llm_base_url: str | None = None
    """Base URL of the OpenAI-compatible server (Ollama, vLLM, Azure, ...); unset means OpenAI."""
    llm_api_key: SecretStr | None = None
    """API key of the chat model server (``OPENAI_API_KEY`` is read when unset)."""
    llm_timeout: float = Field(default=60.0, gt=0)
    """Seconds to wait for one chat model answer."""
    llm_max_retries: int = Field(default=2, ge=0, le=10)
    """Retries of a failed chat model request (connection errors, 429, 5xx)."""
    llm_temperature: float = Field(default=0.2, ge=0, le=2)
    """Sampling temperature of the chat model."""
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
    render_workers: int = Field(default=0, ge=0, le=64)
    """Reels rendered at once in worker processes; 0 means one per two cores."""
    sandbox_latency_ms: int = Field(default=0, ge=0)
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
    """Google Trends host for the daily trending-searches feed (a local server in tests)."""
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
    metrics_maturity_hours: float = Field(default=48.0, ge=0)
    """How old a post must be before its metrics count in analysis."""

    elevenlabs_api_key: SecretStr | None = None
    """ElevenLabs API key, for twins whose voice profile uses ElevenLabs."""
    elevenlabs_base_url: str = "https://api.elevenlabs.io"
    """ElevenLabs API host."""

    chroma_host: str | None = None
    """Chroma server host; when set, vector memory lives there instead of the data dir."""
    chroma_port: int = Field(default=8000, ge=1, le=65535)
    """Chroma server port."""
    embeddings_provider: Literal["local", "lexical", "openai"] = "local"
    """Memory embeddings: ``local`` MiniLM (lexical fallback when its package is missing), ``lexical``, or ``openai``."""
    embeddings_base_url: str | None = None
    """Base URL of the OpenAI-compatible embeddings server (with ``embeddings_provider=openai``)."""
    embeddings_model: str | None = None
    """Embedding model name on that server, e.g. ``text-embedding-3-small``."""
    embeddings_api_key_env_var: str = "TWIN_EMBEDDINGS_API_KEY"
    """Name of the environment variable that holds the embeddings API key (the key is never stored)."""
    embeddings_dimensions: int | None = Field(default=None, ge=1)
    """Requested embedding size, for models that support shortening."""

    worker_poll_seconds: float = Field(default=30.0, gt=0)
    """Longest time the worker sleeps before re-reading schedules from the database."""
    broker_url: str | None = None
    """Celery broker, e.g. RabbitMQ's ``amqp://guest:guest@127.0.0.1:5672//``: weekly runs,
    renders and publishes become tasks on its queues, consumed by ``twin worker`` processes on
    any host; unset, everything runs in-process."""
    queue_prefix: str = ""
    """Put before the queue names (``weeks``, ``render``, ``publish``), so several fleets or test
    runs share one broker without taking each other's tasks."""
    schedule_spread: str = "0"
    """Window over which agents' weekly runs are spread after their slot, in seconds or with a
    unit (``90s``, ``30m``, ``2h``; at most a day): each agent keeps a fixed offset from a hash
    of its id, so a fleet does not start all at one minute; 0 starts each at its slot."""
    llm_fleet_rate: str = ""
    """Fleet-wide limit on chat model calls, as ``N/s``, ``N/m`` or ``N/h``, shared by every
    process on the same database (a token bucket there); empty: no limit."""
    tts_fleet_rate: str = ""
    """Fleet-wide limit on ElevenLabs speech requests, as ``N/s``, ``N/m`` or ``N/h`` (the same
    kind of bucket); empty: no limit."""
    metrics_refresh_hours: int = Field(default=6, ge=1, le=24)
    """The worker refreshes metrics of recent posts every this many hours."""
    trends_watch_hours: int = Field(default=6, ge=0, le=24)
    """The worker reads each niche's trends every this many hours; a spike starts one extra
    reel that waits for approval (at most one a day per agent). 0 turns the watch off."""
    chat_history_messages: int = Field(default=40, ge=4)
    """How many recent chat messages are sent to the model each turn."""

    # Publishing adapters: every API base URL is a setting so tests and proxies can point elsewhere.
    publish_timeout: float = Field(default=60.0, gt=0)
    """Seconds per HTTP request to a platform."""
    publish_max_attempts: int = Field(default=8, ge=1, le=100)
    """Publish attempts per post (across retries and restarts) before it fails for good."""
    publish_lease_seconds: float = Field(default=900.0, gt=0)
    """How long an in-progress attempt belongs to its worker before another may take it over."""
    publish_poll_interval: float = Field(default=5.0, gt=0)
    """Seconds between status checks while a platform processes an uploaded video."""
    oauth_redirect_timeout: float = Field(default=300.0, gt=0)
    """Seconds ``twin accounts connect`` waits for the browser to come back."""
    oauth_redirect_port: int = Field(default=8766, ge=1, le=65535)
    """Fixed loopback port of ``twin accounts connect``'s redirect ``http://127.0.0.1:<port>/oauth/callback`` (register that exact URI)."""
    web_host: str = "127.0.0.1"
    """Address ``twin serve`` listens on."""
    web_port: int = Field(default=8765, ge=1, le=65535)
    """Port ``twin serve`` listens on."""
    public_base_url: str | None = None
    """The web app's public URL (e.g. behind a proxy); its OAuth callback is ``<url>/oauth/callback``."""
    oauth_browser: str | None = None
    """Command that opens the authorize URL (``%s`` is replaced by it); default the system browser."""

    learning_mode: Literal["adaptive", "fixed"] = "adaptive"
    """``fixed`` plans without reading the strategy or past evidence (a non-learning baseline)."""
    planning_seed: int = Field(default=0, ge=0)
    """Mixed into the planner's exploration draws, so a simulation is repeatable for a seed."""
    report_formats: list[str] = Field(default_factory=lambda: ["md", "html", "pdf"])
    """Weekly report files the cycle writes (``md``, ``html``, ``pdf``); ``twin report`` renders any on demand."""

    run_lease_seconds: float = Field(default=60.0, ge=5, le=3600)
    """How long a run belongs to the process driving it without a heartbeat (renewed every
    third of it); past it the run is stale and another driver (or the worker) takes it over."""
    public_url: str = "http://127.0.0.1:8765"
    """Where ``twin serve`` is reached; review requests link media there (signed, for a week)."""
    platform_aspects: str = ""
    """Shape per platform, overriding the defaults (9:16 everywhere but LinkedIn's 4:5), e.g.
    ``linkedin=1_1,facebook=4_5``; the weekly cycle renders each shape its platforms need."""

    @property
    def aspect_overrides(self) -> dict[str, str]:
        """``platform_aspects`` parsed (platform -> 9_16 | 1_1 | 4_5)."""
        from tools.render.aspects import parse_aspect_overrides

        return dict(parse_aspect_overrides(self.platform_aspects)) if self.platform_aspects else {}

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

    @field_validator("schedule_spread")
    @classmethod
    def _spread_is_a_duration(cls, value: str) -> str:
        from agent.fleet.spread import parse_duration

        parse_duration(value)
        return value.strip()

    @field_validator("llm_fleet_rate", "tts_fleet_rate")
    @classmethod
    def _rate_is_valid(cls, value: str) -> str:
        from agent.fleet.rates import parse_rate

        if value.strip():
            parse_rate(value)
        return value.strip()

    @property
    def schedule_spread_seconds(self) -> float:
        """``schedule_spread`` in seconds."""
        from agent.fleet.spread import parse_duration

        return parse_duration(self.schedule_spread)

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


__all__ = [
    "ENV_FILE",
    "ENV_PREFIX",
    "CommaList",
    "Settings",
    "SettingsError",
    "default_data_dir",
    "load_settings",
]
