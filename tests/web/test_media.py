"""Media: signed URLs that expire, paths outside the media folders refused, HTTP Range."""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path
from urllib.parse import quote

import av
from fastapi.testclient import TestClient

from agent.app.resources import Resources
from agent.app.runs import pending_review
from agent.web.auth import web_state
from agent.web.media import signed_media_url


def _reel_path(system: Resources, run_id: str) -> Path:
    import uuid

    review = pending_review(system, uuid.UUID(run_id))
    assert review is not None
    return Path(review["reels"][0]["video_path"])


def test_signed_url_plays_without_a_session_until_it_expires(
    anon: TestClient, system: Resources, run_id: str
) -> None:
    state = web_state_of(anon)
    video = _reel_path(system, run_id)
    url = signed_media_url(system.settings, state.signer, video, ttl_seconds=60)
    assert url is not None and url.startswith("/media/media/")
    response = anon.get(url)
    assert response.status_code == 200
    assert response.content == video.read_bytes()
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["accept-ranges"] == "bytes"

    expired = signed_media_url(system.settings, state.signer, video, ttl_seconds=-5)
    assert expired is not None
    refused = anon.get(expired)
    assert refused.status_code == 403 and "expired" in refused.text

    tampered = re.sub(r"sig=[^&]+", "sig=AAAA", url)
    assert anon.get(tampered).status_code == 403
    other = signed_media_url(
        system.settings, state.signer, video.with_name("thumb.jpg"), ttl_seconds=60
    )
    assert other is not None
    swapped = other.split("?")[0] + "?" + url.split("?")[1]  # a signature for another file
    assert anon.get(swapped).status_code == 403


def web_state_of(client: TestClient):  # type: ignore[no-untyped-def]
    return client.app.state.web  # type: ignore[attr-defined]


def test_signed_in_user_gets_media_without_signature(
    client: TestClient, system: Resources, run_id: str
) -> None:
    video = _reel_path(system, run_id)
    rel = video.relative_to(system.settings.data_dir).as_posix()
    response = client.get(f"/media/{quote(rel)}")
    assert response.status_code == 200 and len(response.content) == video.stat().st_size


def test_range_requests_return_partial_content(
    client: TestClient, system: Resources, run_id: str
) -> None:
    video = _reel_path(system, run_id)
    data = video.read_bytes()
    rel = quote(video.relative_to(system.settings.data_dir).as_posix())
    part = client.get(f"/media/{rel}", headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.content == data[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(data)}"
    tail = client.get(f"/media/{rel}", headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == data[-500:]
    beyond = client.get(f"/media/{rel}", headers={"Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416
    # What the browser receives is the real reel: it decodes.
    copy = Path("served.mp4")
    copy.write_bytes(client.get(f"/media/{rel}").content)
    with av.open(str(copy)) as container:
        assert container.streams.video[0].codec_context.name == "h264"


def test_paths_outside_the_media_folders_are_refused(client: TestClient, system: Resources) -> None:
    data_dir = system.settings.data_dir
    assert (data_dir / "twin.db").exists() and (data_dir / "secret.key").exists()
    secrets = [
        (data_dir / "secret.key").read_bytes().strip(),
        (data_dir / "web.secret").read_bytes().strip(),
    ]
    for path in [
        "twin.db",
        "secret.key",
        "web.secret",
        "media/../twin.db",
        "media/..%2Fsecret.key",
        "media/%2e%2e/secret.key",
        "%2Fetc%2Fpasswd",
        "reports/../../../etc/passwd",
    ]:
        response = client.get(f"/media/{path}")
        assert response.status_code in (403, 404), path
        assert b"SQLite" not in response.content and b"root:" not in response.content, path
        assert not any(secret in response.content for secret in secrets), path
    # Raw traversal that a normalising client would hide: the app itself must refuse.
    raw = client.get("/media/media%2F..%2Ftwin.db")
    assert raw.status_code == 403
    assert client.get("/media/media/nothing-here.mp4").status_code == 404


def test_symlink_out_of_the_media_folder_is_refused(client: TestClient, system: Resources) -> None:
    link = system.settings.media_dir / "sneaky.mp4"
    os.symlink(system.settings.data_dir / "secret.key", link)
    assert client.get("/media/media/sneaky.mp4").status_code == 403


def test_signature_for_a_path_outside_is_still_refused(anon: TestClient, system: Resources) -> None:
    signer = web_state_of(anon).signer
    expires, sig = signer.sign_path("twin.db", 60)
    response = anon.get(f"/media/twin.db?exp={expires}&sig={sig}")
    assert response.status_code == 403
    assert (
        signed_media_url(system.settings, signer, system.settings.data_dir / "twin.db", 60) is None
    )


def test_server_secret_is_private(system: Resources, client: TestClient) -> None:
    secret = system.settings.data_dir / "web.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert len(secret.read_bytes()) >= 32


def test_signed_urls_expire_by_the_clock(system: Resources, anon: TestClient) -> None:
    signer = web_state(type("R", (), {"app": anon.app})()).signer  # type: ignore[arg-type]
    now = time.time()
    expires, sig = signer.sign_path("media/x.mp4", 10, now=now)
    assert signer.check_path("media/x.mp4", expires, sig, now=now + 9) == "ok"
    assert signer.check_path("media/x.mp4", expires, sig, now=now + 11) == "expired"
    assert signer.check_path("media/y.mp4", expires, sig, now=now) == "invalid"
