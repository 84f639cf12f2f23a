"""Build each platform adapter from :class:`~agent.settings.Settings`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from pydantic import SecretStr

from agent.settings import Settings
from tools.publish.base import Publisher
from tools.publish.oauth import DEFAULT_ENDPOINTS, OAuthEndpoints

__all__ = [
    "adapter_settings",
    "build_publisher",
    "client_setting_names",
    "oauth_client",
    "oauth_endpoints",
]


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def adapter_settings(platform: str, settings: Settings) -> dict[str, Any]:
    """Constructor keywords of the built-in adapter for ``platform`` (empty for plugins)."""
    version = settings.meta_api_version
    if platform == "instagram":
        return {
            "graph_base_url": settings.instagram_base_url,
            "rupload_base_url": settings.instagram_rupload_base_url,
            "api_version": version,
            "login": settings.instagram_login,
            "app_id": settings.meta_app_id,
            "app_secret": _secret(settings.meta_app_secret),
        }
    if platform == "facebook":
        return {
            "graph_base_url": settings.facebook_base_url,
            "api_version": version,
            "app_id": settings.meta_app_id,
            "app_secret": _secret(settings.meta_app_secret),
        }
    if platform == "threads":
        return {
            "graph_base_url": settings.threads_base_url,
            "api_version": settings.threads_api_version,
            "media_base_url": settings.threads_media_base_url,
        }
    if platform == "linkedin":
        return {
            "api_base_url": settings.linkedin_base_url,
            "token_url": settings.linkedin_token_url,
            "linkedin_version": settings.linkedin_version,
            "client_id": settings.linkedin_client_id,
            "client_secret": _secret(settings.linkedin_client_secret),
        }
    if platform == "tiktok":
        return {
            "api_base_url": settings.tiktok_base_url,
            "token_url": settings.tiktok_token_url,
            "client_key": settings.tiktok_client_key,
            "client_secret": _secret(settings.tiktok_client_secret),
            "audited": settings.tiktok_audited,
            "privacy_level": settings.tiktok_privacy_level,
        }
    if platform == "youtube_shorts":
        base = settings.youtube_base_url.rstrip("/")
        return {
            "api_base_url": f"{base}/youtube/v3",
            "upload_url": f"{base}/upload/youtube/v3/videos",
            "analytics_base_url": settings.youtube_analytics_base_url,
            "token_url": settings.youtube_token_url,
            "client_id": settings.youtube_client_id,
            "client_secret": _secret(settings.youtube_client_secret),
            "privacy_status": settings.youtube_privacy_status,
        }
    return {}


def build_publisher(
    platform: str,
    settings: Settings,
    *,
    now: Callable[[], datetime],
    client: httpx.Client | None = None,
) -> Publisher:
    """The adapter registered for ``platform``, configured from settings.

    Args:
        platform: A platform name other than ``sandbox``.
        settings: Where base URLs, client ids and secrets come from.
        now: Clock for token expiry times.
        client: Shared ``httpx.Client`` (the CLI passes one that reports upload progress).

    Returns:
        The adapter.
    """
    from tools.publish.registry import BUILTIN_PUBLISHERS, get_publisher

    if platform not in BUILTIN_PUBLISHERS:
        return get_publisher(platform)
    http: dict[str, Any] = {
        "timeout": settings.publish_timeout,
        "now": now,
        "poll_interval": settings.publish_poll_interval,
    }
    if client is not None:
        http["client"] = client
    return get_publisher(platform, **adapter_settings(platform, settings), **http)


_CLIENTS: dict[str, tuple[str, str]] = {
    "instagram": ("meta_app_id", "meta_app_secret"),
    "facebook": ("meta_app_id", "meta_app_secret"),
    "threads": ("threads_app_id", "threads_app_secret"),
    "linkedin": ("linkedin_client_id", "linkedin_client_secret"),
    "tiktok": ("tiktok_client_key", "tiktok_client_secret"),
    "youtube_shorts": ("youtube_client_id", "youtube_client_secret"),
}


def oauth_client(platform: str, settings: Settings) -> tuple[str | None, str | None]:
    """(client id, client secret) configured for a platform's OAuth app."""
    if platform not in _CLIENTS:
        return None, None
    id_field, secret_field = _CLIENTS[platform]
    return getattr(settings, id_field), _secret(getattr(settings, secret_field))


def client_setting_names(platform: str) -> tuple[str, str]:
    """Environment variable names of a platform's OAuth client id and secret."""
    id_field, secret_field = _CLIENTS[platform]
    return f"TWIN_{id_field.upper()}", f"TWIN_{secret_field.upper()}"


def oauth_endpoints(platform: str, settings: Settings) -> OAuthEndpoints:
    """The platform's OAuth endpoints, with any authorize/token URL overridden in settings."""
    if platform not in DEFAULT_ENDPOINTS:
        raise KeyError(platform)
    base = DEFAULT_ENDPOINTS[platform]
    prefix = "youtube" if platform == "youtube_shorts" else platform
    authorize = getattr(settings, f"{prefix}_authorize_url", None) or base.authorize_url
    token = getattr(settings, f"{prefix}_token_url", None) or base.token_url
    return OAuthEndpoints(
        authorize_url=authorize,
        token_url=token,
        client_id_param=base.client_id_param,
        scope_separator=base.scope_separator,
        scopes=base.scopes,
    )
