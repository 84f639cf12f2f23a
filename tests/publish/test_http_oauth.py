"""The shared HTTP layer, redaction, the PKCE helper and the registry."""

from __future__ import annotations

import json
import random
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tools.publish.base import Credentials, Publisher, PublishError
from tools.publish.errors import classify_meta, classify_tiktok, classify_youtube
from tools.publish.http import UNCONFIRMED, ApiClient, RetryPolicy
from tools.publish.oauth import DEFAULT_ENDPOINTS, OAuthEndpoints, PkceFlow, pkce_pair
from tools.publish.redact import redact
from tools.publish.registry import get_publisher
from tools.publish.tiktok import TikTokPublisher


def meta_error(code: int, status: int = 400) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"message": "m", "type": "OAuthException", "code": code}}
    )


@pytest.mark.parametrize(
    ("code", "retryable", "auth", "name"),
    [
        (4, True, False, "rate_limited"),
        (17, True, False, "rate_limited"),
        (32, True, False, "rate_limited"),
        (613, True, False, "rate_limited"),
        (190, False, True, "auth_expired"),
        (368, False, False, "policy_blocked"),
        (506, False, False, "duplicate"),
        (10, False, False, "permission_denied"),
        (200, False, False, "permission_denied"),
    ],
)
def test_meta_error_classes(code: int, retryable: bool, auth: bool, name: str) -> None:
    err = classify_meta(meta_error(code))
    assert (err.retryable, err.auth_expired, err.code) == (retryable, auth, name)


def test_tiktok_and_youtube_error_classes() -> None:
    rate = classify_tiktok(httpx.Response(429, json={"error": {"code": "rate_limit_exceeded"}}))
    assert rate.retryable and rate.code == "rate_limited"
    expired = classify_tiktok(httpx.Response(401, json={"error": {"code": "access_token_invalid"}}))
    assert expired.auth_expired
    quota = classify_youtube(
        httpx.Response(
            403, json={"error": {"errors": [{"reason": "quotaExceeded"}], "message": "q"}}
        )
    )
    assert quota.retryable and quota.code == "quota_exhausted" and (quota.retry_after or 0) > 0
    assert classify_youtube(httpx.Response(401, json={})).auth_expired


def test_retries_honour_retry_after_then_succeed() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) < 3:
            return httpx.Response(429, headers={"Retry-After": "7"}, json={"error": {"code": 4}})
        return httpx.Response(200, json={"ok": True})

    sleeps: list[float] = []
    api = ApiClient(
        base_url="https://graph.test",
        classify=classify_meta,
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
    )
    assert api.json("GET", "x") == {"ok": True}
    assert sleeps == [7.0, 7.0]


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    api = ApiClient(
        base_url="https://x.test",
        retry=RetryPolicy(base_delay=1.0, max_delay=5.0),
        rng=random.Random(1),
        transport=httpx.MockTransport(lambda r: httpx.Response(200)),
    )
    delays = [api.backoff(n, None) for n in (1, 2, 3, 4, 5)]
    assert 0.5 <= delays[0] <= 1.0 and 1.0 <= delays[1] <= 2.0 and 2.0 <= delays[2] <= 4.0
    assert all(d <= 5.0 for d in delays)
    assert len({round(d, 6) for d in delays}) == len(delays)


def test_non_idempotent_timeout_is_unconfirmed_and_not_resent() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ReadTimeout("slow", request=request)

    api = ApiClient(
        base_url="https://x.test", transport=httpx.MockTransport(handler), sleep=lambda s: None
    )
    with pytest.raises(PublishError) as info:
        api.request("POST", "publish", idempotent=False)
    assert info.value.code == UNCONFIRMED and len(calls) == 1
    with pytest.raises(PublishError) as again:
        api.request("GET", "status")
    assert again.value.code == "network" and len(calls) == 5


def test_redact_removes_tokens_everywhere() -> None:
    secret = "EAAGverySECRETvalue123"
    data = {
        "access_token": secret,
        "nested": [{"Authorization": f"Bearer {secret}"}],
        "url": f"https://g.test/x?client_secret=abc123&access_token={secret}&a=1",
        "text": f'{{"refresh_token": "{secret}"}} and OAuth {secret}',
        "count": 3,
    }
    out = json.dumps(redact(data, [secret]))
    assert secret not in out and "abc123" not in out and '"count": 3' in out and "a=1" in out
    assert redact(f"header Authorization: Bearer {secret}") == "header Authorization: [REDACTED]"


def test_pkce_pair_is_s256() -> None:
    import base64
    import hashlib

    verifier, challenge = pkce_pair()
    assert 43 <= len(verifier) <= 128
    expected = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    assert challenge == expected


def test_pkce_flow_with_loopback_redirect() -> None:
    seen: dict[str, str] = {}

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        seen.update({k: v[0] for k, v in parse_qs(request.content.decode()).items()})
        return httpx.Response(
            200,
            json={
                "access_token": "at-new-secret",
                "refresh_token": "rt-1",
                "expires_in": 3600,
                "scope": "a b",
            },
        )

    endpoints = OAuthEndpoints(
        authorize_url="https://auth.test/authorize",
        token_url="https://auth.test/token",
        scopes=("a", "b"),
    )
    flow = PkceFlow(
        endpoints=endpoints,
        client_id="cid",
        client_secret="csecret",
        client=httpx.Client(transport=httpx.MockTransport(token_endpoint)),
    )
    redirect = flow.start()
    assert redirect.startswith("http://127.0.0.1:") and redirect.endswith("/callback")
    query = {k: v[0] for k, v in parse_qs(urlparse(flow.authorize_url()).query).items()}
    assert query["code_challenge_method"] == "S256" and query["redirect_uri"] == redirect
    assert query["scope"] == "a b" and query["client_id"] == "cid"
    # The test plays the browser: the platform redirects back with code + state.
    answer = httpx.get(f"{redirect}?code=the-code&state={query['state']}")
    assert answer.status_code == 200
    code = flow.wait_for_code(timeout=5)
    creds = flow.exchange(code)
    assert creds.access_token == "at-new-secret" and creds.refresh_token == "rt-1"
    assert creds.scopes == ["a", "b"]
    assert seen["code_verifier"] == flow.verifier and seen["grant_type"] == "authorization_code"
    assert seen["redirect_uri"] == redirect and seen["code"] == "the-code"


def test_pkce_flow_rejects_wrong_state() -> None:
    flow = PkceFlow(endpoints=DEFAULT_ENDPOINTS["tiktok"], client_id="ck")
    redirect = flow.start()
    assert "client_key=ck" in flow.authorize_url()
    httpx.get(f"{redirect}?code=x&state=forged")
    with pytest.raises(PublishError, match="state mismatch"):
        flow.wait_for_code(timeout=5)


def test_registry_builds_builtins_and_names_unknown() -> None:
    pub = get_publisher("tiktok", audited=True)
    assert (
        isinstance(pub, TikTokPublisher) and isinstance(pub, Publisher) and pub.platform == "tiktok"
    )
    for name in ("instagram", "facebook", "threads", "linkedin", "youtube_shorts"):
        assert get_publisher(name).platform == name
    with pytest.raises(KeyError, match=r"known: .*youtube_shorts"):
        get_publisher("myspace")


def test_refresh_without_refresh_token_says_reconnect() -> None:
    pub = TikTokPublisher(
        client_key="ck",
        client_secret="cs",
        transport=httpx.MockTransport(lambda r: httpx.Response(500)),
    )
    with pytest.raises(PublishError, match="reconnect") as info:
        pub.refresh_token(Credentials(access_token="a"))
    assert info.value.auth_expired
