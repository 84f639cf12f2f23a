"""``twin accounts`` / ``twin post`` / ``twin posts`` / ``twin metrics`` against each fake server."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from tests.media import write_mp4
from tests.publish.conftest import FAKES
from tests.publish.fakes.base import ACCESS_TOKEN, CLIENT_SECRET, REFRESH_TOKEN, FakePlatform
from tests.publish.fakes.youtube import YouTubeFake
from tools.publish.idempotency import marker_for

PLATFORMS = ["instagram", "facebook", "threads", "linkedin", "tiktok", "youtube_shorts"]


def platform_env(name: str, base: str) -> dict[str, str]:
    """Settings that point the platform's adapter at its fake."""
    if name == "instagram":
        return {
            "TWIN_INSTAGRAM_BASE_URL": base,
            "TWIN_INSTAGRAM_RUPLOAD_BASE_URL": base,
            "TWIN_META_APP_ID": "app1",
            "TWIN_META_APP_SECRET": CLIENT_SECRET,
        }
    if name == "facebook":
        return {
            "TWIN_FACEBOOK_BASE_URL": base,
            "TWIN_META_APP_ID": "app1",
            "TWIN_META_APP_SECRET": CLIENT_SECRET,
        }
    if name == "threads":
        return {
            "TWIN_THREADS_BASE_URL": base,
            "TWIN_THREADS_MEDIA_BASE_URL": "https://media.example.test/reels",
        }
    if name == "linkedin":
        return {
            "TWIN_LINKEDIN_BASE_URL": base,
            "TWIN_LINKEDIN_TOKEN_URL": f"{base}/oauth/v2/accessToken",
            "TWIN_LINKEDIN_CLIENT_ID": "cid",
            "TWIN_LINKEDIN_CLIENT_SECRET": CLIENT_SECRET,
        }
    if name == "tiktok":
        return {
            "TWIN_TIKTOK_BASE_URL": base,
            "TWIN_TIKTOK_TOKEN_URL": f"{base}/v2/oauth/token/",
            "TWIN_TIKTOK_CLIENT_KEY": "ck",
            "TWIN_TIKTOK_CLIENT_SECRET": CLIENT_SECRET,
        }
    return {
        "TWIN_YOUTUBE_BASE_URL": base,
        "TWIN_YOUTUBE_ANALYTICS_BASE_URL": f"{base}/v2",
        "TWIN_YOUTUBE_TOKEN_URL": f"{base}/token",
        "TWIN_YOUTUBE_AUTHORIZE_URL": f"{base}/o/oauth2/v2/auth",
        "TWIN_YOUTUBE_CLIENT_ID": "cid",
        "TWIN_YOUTUBE_CLIENT_SECRET": CLIENT_SECRET,
    }


@pytest.fixture
def fakes() -> Iterator[dict[str, FakePlatform]]:
    started: dict[str, FakePlatform] = {}
    yield started
    for fake in started.values():
        fake.stop()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(fakes: dict[str, FakePlatform], name: str) -> tuple[FakePlatform, str]:
    fake = FAKES[name]()
    fakes[name] = fake
    return fake, fake.start()


def invoke(runner: CliRunner, args: list[str], env: dict[str, str], secrets: list[str]) -> str:
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, f"{args}: {result.output}"
    for secret in secrets:
        assert secret not in result.output, f"secret printed by {args[0]}"
    return result.stdout


@pytest.mark.parametrize("platform", PLATFORMS)
def test_connect_then_post_publishes_once_with_progress(
    platform: str, fakes: dict[str, FakePlatform], tmp_path: Path
) -> None:
    fake, base = start(fakes, platform)
    video = write_mp4(tmp_path / "clip.mp4", size=600_000)
    env = {
        "TWIN_DATA_DIR": str(tmp_path / "data"),
        "TWIN_PUBLISH_POLL_INTERVAL": "0.01",
        "TWIN_PUBLISH_TIMEOUT": "5",
        "TEST_TOKEN": ACCESS_TOKEN,
        "TEST_REFRESH": REFRESH_TOKEN,
        "COLUMNS": "200",
        **platform_env(platform, base),
    }
    runner = CliRunner()
    secrets = [ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET]
    invoke(runner, ["init"], env, secrets)
    connected = invoke(
        runner,
        [
            "accounts",
            "connect",
            platform,
            "--token-env",
            "TEST_TOKEN",
            "--refresh-token-env",
            "TEST_REFRESH",
            "--json",
        ],
        env,
        secrets,
    )
    identity = json.loads(connected)
    assert identity["external_id"] and identity["handle"]  # read from the platform, not given
    args = [
        "post",
        str(video),
        "--platform",
        platform,
        "--account",
        identity["handle"],
        "--caption",
        "Morning habits in 20 seconds",
        "--hashtag",
        "#morning",
    ]
    out = invoke(runner, args, env, secrets + list(fake.issued_tokens))
    assert "Published" in out and "600.0/600.0 kB" in out  # the upload bar reached the end
    again = invoke(runner, [*args, "--json"], env, secrets + list(fake.issued_tokens))
    answer = json.loads(again[again.index("{") :])
    assert answer["status"] == "published" and answer["message"].startswith("already published")
    posts = [p for p in fake.posts if p.get("live", True)]
    assert len(posts) == 1
    if "data" in posts[0]:
        assert posts[0]["data"] == video.read_bytes()
    listed = json.loads(invoke(runner, ["posts", "--status", "published", "--json"], env, secrets))
    assert [p["platform_post_id"] for p in listed] == [answer["platform_post_id"]]
    assert marker_for(f"{listed[0]['post_id']}") not in str(
        posts[0]
    )  # marker uses the key, not the id
    metrics = invoke(runner, ["metrics", "--refresh", "--json"], env, secrets)
    pulled = json.loads(metrics[metrics.index("{") :])
    assert pulled["posts"] and pulled["posts"][0]["metrics"], pulled
    accounts = invoke(
        runner, ["accounts", "list", "--json"], env, secrets + list(fake.issued_tokens)
    )
    assert any(
        a["platform"] == platform and a["status"] == "connected" for a in json.loads(accounts)
    )


def test_post_to_sandbox_and_failed_listing(tmp_path: Path) -> None:
    env = {"TWIN_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    runner = CliRunner()
    invoke(runner, ["init"], env, [])
    video = write_mp4(tmp_path / "clip.mp4")
    out = invoke(
        runner, ["post", str(video), "-p", "sandbox", "-a", "@twin_sandbox", "-c", "hello"], env, []
    )
    assert "Published" in out and "sandbox://" in out
    assert len(list((tmp_path / "data" / "sandbox").rglob("*.json"))) == 1
    missing = runner.invoke(
        app,
        ["post", str(tmp_path / "nope.mp4"), "-p", "sandbox", "-a", "@twin_sandbox", "-c", "x"],
        env=env,
    )
    assert missing.exit_code == 2 and "does not exist" in missing.output
    bad = runner.invoke(app, ["posts", "--status", "lost"], env=env)
    assert bad.exit_code == 1 and "unknown status" in bad.output


def test_oauth_connect_with_pkce_and_loopback_redirect(
    fakes: dict[str, FakePlatform], tmp_path: Path
) -> None:
    fake, base = start(fakes, "youtube_shorts")
    assert isinstance(fake, YouTubeFake)
    browser = (
        tmp_path / "browser.py"
    )  # stands in for the user's browser: follows the consent redirect
    browser.write_text(
        "import sys, httpx\nhttpx.get(sys.argv[1], follow_redirects=True, timeout=10)\n"
    )
    env = {
        "TWIN_DATA_DIR": str(tmp_path / "data"),
        "TWIN_OAUTH_BROWSER": f"{sys.executable} {browser} %s",
        "TWIN_OAUTH_REDIRECT_TIMEOUT": "20",
        "TWIN_OAUTH_REDIRECT_PORT": str(free_port()),  # the fixed port, free on this machine
        "COLUMNS": "200",
        **platform_env("youtube_shorts", base),
    }
    runner = CliRunner()
    invoke(runner, ["init"], env, [])
    out = invoke(
        runner,
        ["accounts", "connect", "youtube_shorts", "--json"],
        env,
        [CLIENT_SECRET, REFRESH_TOKEN],
    )
    answer = json.loads(out[out.index("{") :])
    assert (answer["handle"], answer["external_id"]) == ("@twin_yt", "UC1")
    assert fake.codes == {}, "the authorization code was not redeemed"
    # Reconnecting with a pasted token that has no refresh token keeps the stored one.
    env["TEST_TOKEN"] = ACCESS_TOKEN
    again = json.loads(
        invoke(
            runner,
            ["accounts", "connect", "youtube_shorts", "--token-env", "TEST_TOKEN", "--json"],
            env,
            [],
        )
    )
    assert again["reconnected"] is True and again["account_id"] == answer["account_id"]
    rows = json.loads(
        invoke(runner, ["accounts", "list", "--json"], env, [ACCESS_TOKEN, REFRESH_TOKEN])
    )
    row = next(r for r in rows if r["platform"] == "youtube_shorts")
    assert row["refresh_token"] is True and row["status"] == "connected"
    invoke(runner, ["accounts", "disconnect", "UC1"], env, [])
    rows = json.loads(invoke(runner, ["accounts", "list", "--json"], env, []))
    row = next(r for r in rows if r["platform"] == "youtube_shorts")
    assert (
        row["status"] == "revoked" and row["connected"] is False and row["refresh_token"] is False
    )


def test_connect_without_oauth_app_says_what_to_set(tmp_path: Path) -> None:
    env = {"TWIN_DATA_DIR": str(tmp_path / "data")}
    runner = CliRunner()
    invoke(runner, ["init"], env, [])
    result = runner.invoke(app, ["accounts", "connect", "tiktok"], env=env)
    assert result.exit_code == 1
    assert "TWIN_TIKTOK_CLIENT_KEY" in result.output and "--token" in result.output


def test_progress_client_counts_upload_bytes_only() -> None:
    import httpx
    from rich.progress import Progress

    from agent.cli.posts_cmds import _progress_client
    from agent.settings import load_settings

    progress = Progress(disable=True)
    task = progress.add_task("up", total=1000)
    client = _progress_client(load_settings(), progress, task)
    client._transport = httpx.MockTransport(lambda request: httpx.Response(200))
    client.put(
        "http://127.0.0.1/u", content=b"x" * 300, headers={"Content-Range": "bytes 0-299/1000"}
    )
    client.post(
        "http://127.0.0.1/r",
        content=b"y" * 200,
        headers={"Content-Type": "application/octet-stream"},
    )
    client.post("http://127.0.0.1/api", data={"caption": "z" * 500})  # a form, not an upload
    client.get("http://127.0.0.1/status")
    assert progress.tasks[0].completed == 500
