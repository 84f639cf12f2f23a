"""The platform adapters' hosts, app credentials and options, as ``TWIN_*`` settings.

A mixin of :class:`agent.settings.Settings`: each field is set as ``TWIN_<NAME>``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, SecretStr

__all__ = ["PlatformSettings"]


class PlatformSettings(BaseModel):
    """Where each platform's API lives and the app credentials its OAuth flow uses."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    instagram_base_url: str = "https://graph.facebook.com"
    """Graph host for Instagram (``https://graph.instagram.com`` with Instagram Login)."""
    instagram_rupload_base_url: str = "https://rupload.facebook.com"
    """Resumable-upload host for Instagram reels."""
    instagram_login: Literal["facebook", "instagram"] = "facebook"
    """Which login the Instagram account uses: Facebook Login (a Page) or Instagram Login."""
    instagram_authorize_url: str | None = None
    """Override of Instagram's OAuth consent page."""
    instagram_token_url: str | None = None
    """Override of Instagram's OAuth token endpoint."""
    facebook_base_url: str = "https://graph.facebook.com"
    """Graph host for Facebook Pages."""
    facebook_authorize_url: str | None = None
    """Override of Facebook's OAuth consent page."""
    facebook_token_url: str | None = None
    """Override of Facebook's OAuth token endpoint."""
    meta_api_version: str = "v21.0"
    """Graph API version for Instagram and Facebook."""
    meta_app_id: str | None = None
    """Meta app id (OAuth client id for Instagram and Facebook)."""
    meta_app_secret: SecretStr | None = None
    """Meta app secret."""
    threads_base_url: str = "https://graph.threads.net"
    """Threads API host."""
    threads_api_version: str = "v1.0"
    """Threads API version."""
    threads_media_base_url: str | None = None
    """Public URL prefix where rendered reels are served (Threads fetches videos by URL)."""
    threads_app_id: str | None = None
    """Threads app id (OAuth client id)."""
    threads_app_secret: SecretStr | None = None
    """Threads app secret."""
    threads_authorize_url: str | None = None
    """Override of Threads' OAuth consent page."""
    threads_token_url: str | None = None
    """Override of Threads' OAuth token endpoint."""
    linkedin_base_url: str = "https://api.linkedin.com"
    """LinkedIn API host."""
    linkedin_token_url: str = "https://www.linkedin.com/oauth/v2/accessToken"
    """LinkedIn OAuth token endpoint."""
    linkedin_authorize_url: str | None = None
    """Override of LinkedIn's OAuth consent page."""
    linkedin_version: str = "202405"
    """``LinkedIn-Version`` header (YYYYMM) of the versioned REST API."""
    linkedin_client_id: str | None = None
    """LinkedIn app client id."""
    linkedin_client_secret: SecretStr | None = None
    """LinkedIn app client secret."""
    tiktok_base_url: str = "https://open.tiktokapis.com"
    """TikTok Content Posting API host."""
    tiktok_token_url: str = "https://open.tiktokapis.com/v2/oauth/token/"
    """TikTok OAuth token endpoint."""
    tiktok_authorize_url: str | None = None
    """Override of TikTok's OAuth consent page."""
    tiktok_client_key: str | None = None
    """TikTok app client key."""
    tiktok_client_secret: SecretStr | None = None
    """TikTok app client secret."""
    tiktok_audited: bool = False
    """False until TikTok has audited the app: posts then go out as SELF_ONLY (private)."""
    tiktok_privacy_level: str = "PUBLIC_TO_EVERYONE"
    """Privacy level of TikTok posts once the app is audited."""
    youtube_base_url: str = "https://www.googleapis.com"
    """Host of the Data API (``/youtube/v3``) and the upload endpoint (``/upload/youtube/v3``)."""
    youtube_analytics_base_url: str = "https://youtubeanalytics.googleapis.com/v2"
    """YouTube Analytics API root."""
    youtube_token_url: str = "https://oauth2.googleapis.com/token"
    """Google OAuth token endpoint."""
    youtube_authorize_url: str | None = None
    """Override of Google's OAuth consent page."""
    youtube_client_id: str | None = None
    """Google OAuth client id (a "Desktop app" or "Web application" client)."""
    youtube_client_secret: SecretStr | None = None
    """Google OAuth client secret."""
    youtube_privacy_status: Literal["public", "unlisted", "private"] = "public"
    """Privacy status of uploaded Shorts."""
