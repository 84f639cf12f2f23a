"""``twin accounts``: connect (OAuth with PKCE, or a pasted token), list and disconnect accounts."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import webbrowser
from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from agent.cli.common import DataDirOpt, JsonOpt, console, err_console, system_for
from agent.context import SystemClock
from agent.errors import UserError
from agent.publishing.accounts import (
    authorize,
    connect_account,
    disconnect_account,
    list_account_rows,
    registered_platform,
    resolve_identity,
)
from agent.publishing.adapters import client_setting_names, oauth_client, oauth_endpoints
from agent.settings import Settings
from tools.publish.base import Credentials, PublishError
from tools.publish.oauth import DEFAULT_ENDPOINTS, PkceFlow, loopback_redirect_uri

app = typer.Typer(help="Connect, list and disconnect social accounts.", no_args_is_help=True)

PLATFORM_HELP = (
    "A registered platform: instagram, facebook, threads, linkedin, tiktok, youtube_shorts, "
    "sandbox, or one a plugin adds."
)


def _open_browser(settings: Settings, url: str) -> None:
    if settings.oauth_browser:
        command = [part.replace("%s", url) for part in shlex.split(settings.oauth_browser)]
        subprocess.run(command, check=False, timeout=settings.oauth_redirect_timeout)
        return
    if not webbrowser.open(url):
        err_console.print("Open this URL in a browser to authorize:", highlight=False)
        err_console.print(url, highlight=False, soft_wrap=True)


def _oauth(settings: Settings, platform: str, scopes: list[str] | None) -> Credentials:
    if platform not in DEFAULT_ENDPOINTS:
        raise UserError(
            f"{platform} has no OAuth flow here: connect it with --token or --token-env VAR"
        )
    client_id, client_secret = oauth_client(platform, settings)
    redirect = loopback_redirect_uri(settings.oauth_redirect_port)
    if not client_id:
        id_var, secret_var = client_setting_names(platform)
        raise UserError(
            f"no OAuth app is configured for {platform}: set {id_var} and {secret_var} "
            f"(register the redirect URI {redirect} in the app), or pass --token"
        )
    flow = PkceFlow(
        endpoints=oauth_endpoints(platform, settings),
        client_id=client_id,
        client_secret=client_secret,
        scopes=tuple(scopes) if scopes else None,
        port=settings.oauth_redirect_port,
    )
    err_console.print(f"Waiting for {platform} authorization in the browser…", highlight=False)
    try:
        return authorize(
            flow, lambda url: _open_browser(settings, url), settings.oauth_redirect_timeout
        )
    except PublishError as exc:
        raise UserError(str(exc)) from None


def _pasted(token_env: str | None, refresh_env: str | None) -> tuple[str, str | None]:
    if token_env:
        token = os.environ.get(token_env, "")
        if not token:
            raise UserError(
                f"environment variable {token_env} is empty or unset; put the token there"
            )
    else:
        token = typer.prompt("Access token", hide_input=True)
    refresh = os.environ.get(refresh_env) if refresh_env else None
    if refresh_env and not refresh:
        raise UserError(f"environment variable {refresh_env} is empty or unset")
    return token.strip(), refresh.strip() if refresh else None


@app.command("connect")
def connect(
    platform: Annotated[str, typer.Argument(help=PLATFORM_HELP)],
    data_dir: DataDirOpt = None,
    token: Annotated[
        bool,
        typer.Option("--token", help="Paste an access token (hidden prompt) instead of OAuth."),
    ] = False,
    token_env: Annotated[
        str | None,
        typer.Option("--token-env", help="Read the access token from this environment variable."),
    ] = None,
    refresh_token_env: Annotated[
        str | None,
        typer.Option(
            "--refresh-token-env", help="Read a refresh token from this environment variable."
        ),
    ] = None,
    expires_in: Annotated[
        int | None,
        typer.Option("--expires-in", min=1, help="Seconds until a pasted token expires."),
    ] = None,
    scopes: Annotated[
        str | None,
        typer.Option("--scopes", help="Comma-separated scopes (OAuth request / pasted token)."),
    ] = None,
    handle: Annotated[
        str | None, typer.Option(help="Account handle when the platform cannot tell.")
    ] = None,
    external_id: Annotated[
        str | None,
        typer.Option("--external-id", help="The platform's account id (choose among several)."),
    ] = None,
    user: Annotated[str, typer.Option(help="Owner's email.")] = "creator@localhost",
    as_json: JsonOpt = False,
) -> None:
    """Connect an account: OAuth in the browser (PKCE, loopback redirect) or a pasted token."""
    from agent.app.wiring import publishers_for

    kind = registered_platform(platform)
    system = system_for(data_dir)
    settings = system.settings
    clock = SystemClock()
    scope_list = [s for s in (scopes or "").replace(" ", ",").split(",") if s] or None
    if token or token_env:
        access, refresh = _pasted(token_env, refresh_token_env)
        expires = clock.now() + timedelta(seconds=expires_in) if expires_in else None
        credentials = Credentials(
            access_token=access, refresh_token=refresh, expires_at=expires, scopes=scope_list or []
        )
    else:
        credentials = _oauth(settings, platform, scope_list)
    publisher = publishers_for(settings, clock)(platform)
    identity = resolve_identity(publisher, credentials, handle=handle, external_id=external_id)
    result = connect_account(
        sessions=system.sessions,
        cipher=system.cipher(),
        platform=kind,
        credentials=credentials,
        identity=identity,
        user_email=user,
    )
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "account_id": str(result.account_id),
                    "platform": result.platform,
                    "handle": result.handle,
                    "external_id": result.external_id,
                    "reconnected": result.reconnected,
                    "requeued_posts": result.requeued,
                }
            )
        )
        return
    verb = "Reconnected" if result.reconnected else "Connected"
    console.print(
        f"{verb} {result.platform} account {result.handle} ({result.external_id}); tokens stored encrypted."
        + (f" {result.requeued} failed posts queued again." if result.requeued else ""),
        highlight=False,
    )


@app.command("list")
def list_accounts(data_dir: DataDirOpt = None, as_json: JsonOpt = False) -> None:
    """List accounts with their connection state and token expiry (never the tokens)."""
    system = system_for(data_dir)
    with system.sessions() as session:
        rows = list_account_rows(session)
    if as_json:
        data = [
            {
                "account_id": str(r.account_id),
                "platform": r.platform,
                "handle": r.handle,
                "external_id": r.external_id,
                "connected": r.connected,
                "status": r.status,
                "expires_at": r.expires_at.isoformat() if r.expires_at else None,
                "scopes": r.scopes,
                "refresh_token": r.has_refresh_token,
            }
            for r in rows
        ]
        console.print_json(json.dumps(data))
        return
    table = Table("id", "platform", "handle", "external id", "status", "expires", "refresh")
    for r in rows:
        status = r.status if r.connected else "disconnected"
        expires = f"{r.expires_at:%Y-%m-%d %H:%M}" if r.expires_at else "-"
        table.add_row(
            str(r.account_id)[:8],
            r.platform,
            r.handle,
            r.external_id,
            status,
            expires,
            "yes" if r.has_refresh_token else "no",
        )
    console.print(table)


@app.command("disconnect")
def disconnect(
    account: Annotated[str, typer.Argument(help="Account id (prefix), handle or external id.")],
    data_dir: DataDirOpt = None,
) -> None:
    """Forget an account's tokens and stop publishing to it (its posts and metrics stay)."""
    system = system_for(data_dir)
    row = disconnect_account(sessions=system.sessions, cipher=system.cipher(), ref=account)
    console.print(
        f"Disconnected {row.platform} account {row.handle}; its tokens were erased.",
        highlight=False,
    )


def register(root: typer.Typer) -> None:
    """Add ``twin accounts``."""
    root.add_typer(app, name="accounts")
