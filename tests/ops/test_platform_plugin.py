"""A third party adds a platform without touching the core: a tiny distribution with an entry
point in ``twin_agent.publishers`` is found, connected with a token and published to."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.media import write_mp4

ROOT = Path(__file__).resolve().parents[2]

PLUGIN = textwrap.dedent(
    '''
    """A platform that 'publishes' by writing a JSON receipt next to its files."""

    import json
    import os
    from pathlib import Path

    from tools.publish.base import PublishResult, RateLimitState
    from tools.publish.identity import AccountIdentity


    class PinboardPublisher:
        platform = "pinboard"

        def __init__(self):
            self.root = Path(os.environ["PINBOARD_DIR"])

        def identities(self, credentials):
            return [AccountIdentity(handle="@pins", external_id=f"pin-{credentials.access_token[:4]}")]

        def publish(self, request, *, account, credentials):
            receipt = self.root / f"{request.idempotency_key}.json"
            receipt.write_text(json.dumps({"caption": request.caption, "account": account.external_id,
                                           "bytes": request.media_path.stat().st_size}))
            return PublishResult(platform_post_id=receipt.stem, url=f"pinboard://{receipt.stem}")

        def status(self, platform_post_id, *, account, credentials):
            return PublishResult(platform_post_id=platform_post_id)

        def find_existing(self, request, *, account, credentials):
            receipt = self.root / f"{request.idempotency_key}.json"
            return PublishResult(platform_post_id=receipt.stem) if receipt.exists() else None

        def fetch_metrics(self, platform_post_id, *, account, credentials):
            return {"views": 42.0}

        def refresh_token(self, credentials):
            return credentials

        def limits(self, *, account, credentials):
            return RateLimitState()
    '''
)


def _plugin_dir(tmp_path: Path) -> Path:
    """The plugin as an installed distribution: its module and its .dist-info on sys.path."""
    site = tmp_path / "site"
    (site / "twin_pinboard").mkdir(parents=True)
    (site / "twin_pinboard" / "__init__.py").write_text(PLUGIN)
    info = site / "twin_pinboard-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: twin-pinboard\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text(
        "[twin_agent.publishers]\npinboard = twin_pinboard:PinboardPublisher\n"
    )
    return site


def _twin(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("twin", path=str(Path(sys.executable).parent))
    assert exe
    return subprocess.run([exe, *args], capture_output=True, text=True, env=env, timeout=180)


def test_a_plugin_platform_is_connected_and_published_to(tmp_path: Path) -> None:
    receipts = tmp_path / "pinboard"
    receipts.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(_plugin_dir(tmp_path)), str(ROOT)]),
        "TWIN_DATA_DIR": str(tmp_path / "data"),
        "PINBOARD_DIR": str(receipts),
        "PIN_TOKEN": "tok-123456",
    }
    without = {**env, "PYTHONPATH": str(ROOT)}
    assert _twin("init", env=env).returncode == 0
    refused = _twin("accounts", "connect", "pinboard", "--token-env", "PIN_TOKEN", env=without)
    assert refused.returncode == 1 and "unknown platform 'pinboard'" in refused.stderr

    connected = _twin(
        "accounts", "connect", "pinboard", "--token-env", "PIN_TOKEN", "--json", env=env
    )
    assert connected.returncode == 0, connected.stderr
    answer = json.loads(connected.stdout)
    assert (answer["platform"], answer["handle"], answer["external_id"]) == (
        "pinboard",
        "@pins",
        "pin-tok-",
    )
    listed = json.loads(_twin("accounts", "list", "--json", env=env).stdout)
    assert {(a["platform"], a["status"]) for a in listed} >= {("pinboard", "connected")}
    assert "tok-123456" not in connected.stdout + connected.stderr

    video = write_mp4(tmp_path / "clip.mp4")
    posted = _twin(
        "post",
        str(video),
        "-p",
        "pinboard",
        "-a",
        "@pins",
        "-c",
        "pinned from a plugin",
        "--json",
        env=env,
    )
    assert posted.returncode == 0, posted.stderr
    [receipt] = receipts.glob("*.json")
    assert json.loads(receipt.read_text()) == {
        "caption": "pinned from a plugin",
        "account": "pin-tok-",
        "bytes": video.stat().st_size,
    }
    status = json.loads(_twin("status", "--json", env=env).stdout)
    assert {"platform": "pinboard", "handle": "@pins", "connected": True} in status["accounts"]
