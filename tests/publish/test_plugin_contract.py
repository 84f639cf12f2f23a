"""The contract a plugin author runs (tools.publish.contract.validate): the sandbox and every
built-in adapter keep it, and it catches an adapter that breaks it."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.publish.conftest import Harness
from tests.publish.test_contract import PLATFORMS, inject
from tools.publish.base import AccountRef, Credentials, PublishRequest, PublishResult
from tools.publish.contract import FAULTS, ContractError, validate
from tools.publish.sandbox import SandboxPublisher

BASICS = ["protocol", "publish", "status", "find_existing", "metrics", "limits", "refresh_token"]


def test_the_sandbox_keeps_the_contract(tmp_path: Path) -> None:
    report = validate(
        lambda: SandboxPublisher(root=tmp_path / "sandbox"),
        expired_credentials=Credentials(access_token=""),
    )
    assert report.platform == "sandbox"
    assert report.passed == [*BASICS, "expired_credentials", "secrets"]
    assert report.skipped == [f"fault:{name}" for name in FAULTS]
    assert len(list((tmp_path / "sandbox").rglob("*.json"))) == 1, "one post, found again"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_builtin_adapter_keeps_the_contract_under_its_faults(
    platform: str, make_harness: Any
) -> None:
    h: Harness = make_harness(platform)
    names = [f for f in FAULTS if f != "duplicate" or hasattr(h.fake, "make_duplicate")]
    report = validate(
        lambda: h.publisher,
        account=h.account,
        credentials=h.credentials,
        faults={name: partial(inject, h, name) for name in names},
    )
    assert report.passed == [*BASICS, *(f"fault:{name}" for name in names), "secrets"]
    injected = [n for n in names if n not in ("quota", "duplicate")]  # the two leave no trace
    assert {"slow" if n == "client_timeout" else n for n in injected} <= set(h.fake.fired)


class _Forgetful(SandboxPublisher):
    """Publishes fine but cannot find its own posts again."""

    def find_existing(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult | None:
        return None


class _Crashing(SandboxPublisher):
    """Lets an OSError escape instead of reporting a PublishError."""

    def status(
        self, platform_post_id: str, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        raise OSError("disk gone")


class _Leaky(SandboxPublisher):
    """Puts the access token in the result."""

    def publish(
        self, request: PublishRequest, *, account: AccountRef, credentials: Credentials
    ) -> PublishResult:
        result = super().publish(request, account=account, credentials=credentials)
        result.raw["debug"] = f"token={credentials.access_token}"
        return result


@pytest.mark.parametrize(
    ("adapter", "check"),
    [(_Forgetful, "find_existing"), (_Crashing, "status"), (_Leaky, "secrets")],
)
def test_a_broken_adapter_is_named_with_its_check(
    adapter: type[SandboxPublisher], check: str, tmp_path: Path
) -> None:
    with pytest.raises(ContractError, match=f"^{check}:"):
        validate(lambda: adapter(root=tmp_path))


def test_an_unknown_fault_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown faults"):
        validate(lambda: SandboxPublisher(root=tmp_path), faults={"lightning": lambda: None})
