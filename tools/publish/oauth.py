"""Authorization-code flow with PKCE (S256) and a loopback redirect listener on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx

from tools.publish.base import Credentials, PublishError
from tools.publish.errors import classify_generic
from tools.publish.http import ApiClient
from tools.publish.tokens import credentials_from_token_response

__all__ = [
    "CALLBACK_PATH",
    "DEFAULT_ENDPOINTS",
    "OAuthEndpoints",
    "PkceFlow",
    "loopback_redirect_uri",
    "pkce_pair",
]

CALLBACK_PATH = "/oauth/callback"
"""Path of the redirect, on the CLI's loopback listener and on ``twin serve`` alike."""


def loopback_redirect_uri(port: int) -> str:
    """The redirect URI ``twin accounts connect`` listens on; register exactly this one."""
    return f"http://127.0.0.1:{port}{CALLBACK_PATH}"


@dataclass(frozen=True, kw_only=True)
class OAuthEndpoints:
    """Where a platform authorizes and issues tokens.

    Attributes:
        authorize_url: Browser consent page.
        token_url: Code-for-token endpoint.
        client_id_param: Name of the client id parameter (TikTok uses ``client_key``).
        scope_separator: How scopes are joined in the authorize URL.
        scopes: Default scopes to request.
    """

    authorize_url: str
    token_url: str
    client_id_param: str = "client_id"
    scope_separator: str = " "
    scopes: tuple[str, ...] = ()


DEFAULT_ENDPOINTS: dict[str, OAuthEndpoints] = {
    "youtube_shorts": OAuthEndpoints(
        authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
        token_url="https://oauth2.googleapis.com/token",
        scopes=(
            "https://www.googleapis.com/auth/youtube.upload",
            "https://www.googleapis.com/auth/youtube.readonly",
            "https://www.googleapis.com/auth/yt-analytics.readonly",
        ),
    ),
    "tiktok": OAuthEndpoints(
        authorize_url="https://www.tiktok.com/v2/auth/authorize/",
        token_url="https://open.tiktokapis.com/v2/oauth/token/",
        client_id_param="client_key",
        scope_separator=",",
        scopes=("user.info.basic", "video.publish", "video.list"),
    ),
    "linkedin": OAuthEndpoints(
        authorize_url="https://www.linkedin.com/oauth/v2/authorization",
        token_url="https://www.linkedin.com/oauth/v2/accessToken",
        scopes=("openid", "profile", "w_member_social"),
    ),
    "instagram": OAuthEndpoints(
        authorize_url="https://www.facebook.com/v21.0/dialog/oauth",
        token_url="https://graph.facebook.com/v21.0/oauth/access_token",
        scope_separator=",",
        scopes=("instagram_basic", "instagram_content_publish", "instagram_manage_insights"),
    ),
    "facebook": OAuthEndpoints(
        authorize_url="https://www.facebook.com/v21.0/dialog/oauth",
        token_url="https://graph.facebook.com/v21.0/oauth/access_token",
        scope_separator=",",
        scopes=("pages_show_list", "pages_read_engagement", "pages_manage_posts"),
    ),
    "threads": OAuthEndpoints(
        authorize_url="https://threads.net/oauth/authorize",
        token_url="https://graph.threads.net/oauth/access_token",
        scope_separator=",",
        scopes=("threads_basic", "threads_content_publish", "threads_manage_insights"),
    ),
}


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge) per RFC 7636."""
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return verifier, challenge


@dataclass(kw_only=True)
class PkceFlow:
    """One authorization: start the listener, send the user to :meth:`authorize_url`, then
    :meth:`wait_for_code` and :meth:`exchange`. With ``redirect`` set (the web app's own
    callback route) there is no listener: the app calls :meth:`code_from` then :meth:`exchange`.

    Args:
        endpoints: The platform's endpoints (see :data:`DEFAULT_ENDPOINTS`).
        client_id: OAuth client id / key.
        client_secret: Client secret if the platform wants one at the token endpoint.
        scopes: Scopes to ask for (defaults to the endpoints' scopes).
        client: httpx client for the token request.
        port: Loopback port of the listener; fixed (``TWIN_OAUTH_REDIRECT_PORT``) because
            providers match redirect URIs exactly. 0 picks a free one (tests only).
        path: Redirect path.
        redirect: An exact redirect URI served elsewhere (``twin serve``); no listener then.
    """

    endpoints: OAuthEndpoints
    client_id: str
    client_secret: str | None = None
    scopes: tuple[str, ...] | None = None
    client: httpx.Client | None = None
    port: int = 0
    path: str = CALLBACK_PATH
    redirect: str | None = None
    state: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    verifier: str = ""
    challenge: str = ""
    _server: ThreadingHTTPServer | None = None
    _result: dict[str, str] = field(default_factory=dict)
    _done: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.verifier, self.challenge = pkce_pair()

    def start(self) -> str:
        """Listen on 127.0.0.1:``port``; returns the redirect URI (register exactly this one).

        Raises:
            PublishError: The port is taken (another ``twin accounts connect`` is waiting?).
        """
        flow = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path != flow.path:
                    self.send_response(404)
                    self.end_headers()
                    return
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                flow._result.update(query)
                flow._done.set()
                ok = "code" in query and query.get("state") == flow.state
                self.send_response(200 if ok else 400)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.end_headers()
                text = "Authorized. You can close this tab." if ok else "Authorization failed."
                self.wfile.write(text.encode())

            def log_message(self, format: str, *args: Any) -> None:
                return

        try:
            self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        except OSError as exc:
            raise PublishError(
                f"OAuth: cannot listen on 127.0.0.1:{self.port} ({exc.strerror}); stop whatever "
                "uses it, or set TWIN_OAUTH_REDIRECT_PORT to another port registered in the app",
                code="oauth_port",
            ) from None
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self._redirect = self.redirect_uri
        return self._redirect

    @property
    def redirect_uri(self) -> str:
        """The redirect URI: the explicit one, else the running listener's."""
        if self.redirect is not None:
            return self.redirect
        if self._server is None:
            raise RuntimeError("call start() first")
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def authorize_url(self) -> str:
        """The consent URL to open in the user's browser."""
        scopes = self.scopes if self.scopes is not None else self.endpoints.scopes
        params = {
            self.endpoints.client_id_param: self.client_id,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "scope": self.endpoints.scope_separator.join(scopes),
            "state": self.state,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
        }
        return f"{self.endpoints.authorize_url}?{urlencode(params)}"

    def wait_for_code(self, timeout: float = 300.0) -> str:
        """Block until the browser hits the redirect; return the code after checking ``state``."""
        try:
            if not self._done.wait(timeout):
                raise PublishError(
                    "OAuth: no redirect arrived in time; open the authorize URL and approve",
                    code="oauth_timeout",
                )
        finally:
            self.close()
        return self.code_from(self._result)

    def code_from(self, query: dict[str, str]) -> str:
        """The code of a redirect's query, after checking it answers this flow's ``state``."""
        self._result = dict(query)
        if "error" in self._result:
            raise PublishError(
                f"OAuth: the platform refused ({self._result.get('error')}: "
                f"{self._result.get('error_description', '')}); try again and approve access",
                code="oauth_denied",
            )
        if self._result.get("state") != self.state:
            raise PublishError(
                "OAuth: state mismatch on the redirect; start the authorization again",
                code="oauth_state",
            )
        code = self._result.get("code")
        if not code:
            raise PublishError("OAuth: the redirect carried no code; try again", code="oauth_code")
        return code

    def exchange(self, code: str) -> Credentials:
        """Trade the code (with the PKCE verifier) for credentials at the token endpoint."""
        api = ApiClient(
            base_url=self.endpoints.token_url,
            classify=classify_generic,
            client=self.client,
            platform="OAuth",
        )
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri_value,
            self.endpoints.client_id_param: self.client_id,
            "code_verifier": self.verifier,
        }
        if self.client_secret:
            form["client_secret"] = self.client_secret
        body = api.json(
            "POST",
            self.endpoints.token_url,
            data=form,
            secrets=[code, self.verifier, self.client_secret or ""],
        )
        blank = Credentials(access_token="-")
        return credentials_from_token_response(body, blank, platform="OAuth")

    @property
    def redirect_uri_value(self) -> str:
        """The redirect URI used in the authorize step (kept after the listener closes)."""
        return self.redirect or self._redirect

    def close(self) -> None:
        """Stop the listener."""
        if self._server is not None:
            self._redirect = self.redirect_uri
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    _redirect: str = ""
