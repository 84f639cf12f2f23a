"""Graph API error bodies and token endpoints shared by the Meta fakes."""

from __future__ import annotations

from typing import Any

from tests.publish.fakes.base import CLIENT_SECRET, FakePlatform, Reply, Request

META_ERRORS: dict[str, tuple[int, int, str]] = {
    "rate_limit": (400, 4, "Application request limit reached"),
    "quota": (400, 4, "Application request limit reached"),
    "server_error": (500, 2, "An unexpected error has occurred. Please retry your request later."),
    "expired_token": (400, 190, "Error validating access token: Session has expired"),
    "duplicate": (400, 506, "Duplicate status message"),
    "policy": (400, 368, "The action attempted has been deemed abusive or is otherwise disallowed"),
    "permission": (403, 10, "Application does not have permission for this action"),
}


class MetaFake(FakePlatform):
    """Common Graph behaviour: error shape, token exchange/refresh endpoints."""

    version = "v21.0"
    expiry_revokes = False  # fb_exchange_token still accepts the token that just failed once
    duplicate_target = ""

    def error(self, kind: str, req: Request) -> Reply:
        status, code, message = META_ERRORS[kind]
        headers = {"Retry-After": "3"} if kind == "rate_limit" else {}
        body: dict[str, Any] = {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "fbtrace_id": "Ab1",
            }
        }
        if code == 190:
            body["error"]["error_subcode"] = 463
        return Reply(status, body, headers)

    def public(self, req: Request) -> bool:
        return req.path.endswith(("/oauth/access_token", "/refresh_access_token"))

    def token_endpoint(self, req: Request) -> Reply | None:
        """fb_exchange_token / ig_refresh_token / th_refresh_token."""
        q = req.query
        if req.path.endswith("/oauth/access_token") and q.get("grant_type") == "fb_exchange_token":
            if q.get("client_secret") != CLIENT_SECRET:
                return Reply(400, {"error": {"message": "Invalid client_secret", "code": 1}})
            if q.get("fb_exchange_token") not in self.valid_tokens | {*self.issued_tokens}:
                return self.error("expired_token", req)
            return Reply(
                200,
                {"access_token": self.new_token(), "token_type": "bearer", "expires_in": 5183944},
            )
        if req.path.endswith("/refresh_access_token"):
            if q.get("grant_type") not in ("ig_refresh_token", "th_refresh_token"):
                return Reply(400, {"error": {"message": "Unsupported grant_type", "code": 100}})
            return Reply(
                200,
                {"access_token": self.new_token(), "token_type": "bearer", "expires_in": 5183944},
            )
        return None

    def exhaust_quota(self) -> None:
        """Every publish-side call answers code 4 from now on."""
        self.inject("quota", target=self.commit_target, times=None)

    def make_duplicate(self) -> None:
        """The next publish answers code 506 (duplicate post)."""
        self.inject("duplicate", target=self.commit_target, times=1, skip=self.commit_skip)

    commit_target = r"$^"
