"""The Publisher contract as a suite a plugin runs against its own adapter.

A plugin's test calls :func:`validate` with a factory that builds its adapter::

    from tools.publish.contract import validate

    def test_pinboard_keeps_the_publisher_contract(tmp_path):
        validate(lambda: PinboardPublisher(root=tmp_path), account=..., credentials=...)

It publishes a small generated video and checks what the publishing service relies on from
every adapter (the built-in ones keep it too): a publish answers with the post's id, ``status``
knows that id, ``find_existing`` finds the post made for an idempotency key from a new adapter
(that is how a post whose attempt went unconfirmed is adopted instead of posted twice) and
nothing for another key, metrics use only the known keys, ``refresh_token`` and ``limits``
answer with their models, every failure is a :class:`~tools.publish.base.PublishError` with
well-typed fields, and no token shows up in results, errors or log records.

Platform refusals can be checked too, when the plugin's test can provoke them: ``faults`` maps a
fault's name to a callable that makes the platform answer the *next* publish that way.
Transient faults (``rate_limit``, ``server_error``, ``reset``, ``client_timeout``) must be ridden
out with one post; ``duplicate`` must fail with ``code="duplicate"`` and not retryable; ``quota``
must fail retryable with a ``retry_after``; ``expired_token`` must fail with
``auth_expired=True`` and publish after ``refresh_token``. ``expired_credentials``, when given,
are credentials the platform refuses: publishing with them must fail with ``auth_expired=True``.

A broken promise raises :class:`ContractError` (an ``AssertionError``, so test runners report a
failure) naming the check.
"""

from __future__ import annotations

import json
import logging
import math
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

from tools.publish.base import (
    METRIC_KEYS,
    AccountRef,
    Credentials,
    Publisher,
    PublishError,
    PublishRequest,
    PublishResult,
    RateLimitState,
)

__all__ = [
    "FAULTS",
    "ContractError",
    "ContractReport",
    "PublisherFactory",
    "validate",
    "write_sample_video",
]

PublisherFactory = Callable[[], Publisher]
"""Builds the adapter under test; called more than once (a new adapter must find old posts)."""

TRANSIENT_FAULTS = ("rate_limit", "server_error", "reset", "client_timeout")
REFUSALS = ("duplicate", "expired_token", "quota")
FAULTS = TRANSIENT_FAULTS + REFUSALS
"""Fault names ``validate`` knows, in the order it provokes them (``quota`` may last)."""

T = TypeVar("T")


class ContractError(AssertionError):
    """An adapter broke the Publisher contract; the message names the check and what happened."""


@dataclass
class ContractReport:
    """What :func:`validate` checked."""

    platform: str
    passed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Checks that need something the caller did not give (``faults``, ``expired_credentials``)."""


def write_sample_video(path: Path, *, seconds: float = 1.0) -> Path:
    """A real, small H.264 mp4 (64x64, 10 fps) at ``path``."""
    import av
    import numpy as np

    fps = 10
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"  # type: ignore[attr-defined]
        for index in range(max(1, int(seconds * fps))):
            pixels = np.full((64, 64, 3), (index * 20) % 255, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            for packet in stream.encode(frame):  # type: ignore[attr-defined]
                container.mux(packet)
        for packet in stream.encode():  # type: ignore[attr-defined]
            container.mux(packet)
    return path


def validate(
    publisher_factory: PublisherFactory,
    *,
    account: AccountRef | None = None,
    credentials: Credentials | None = None,
    media: Path | None = None,
    faults: Mapping[str, Callable[[], None]] | None = None,
    expired_credentials: Credentials | None = None,
) -> ContractReport:
    """Check an adapter against the Publisher contract.

    Args:
        publisher_factory: Builds the adapter (a class with no required arguments will do).
        account: The account to publish as; a local one named ``contract`` by default.
        credentials: Its credentials; a placeholder token by default (enough for local adapters).
        media: The video to publish; a small generated mp4 by default.
        faults: Fault name (see :data:`FAULTS`) -> a callable that makes the next publish fail so.
        expired_credentials: Credentials the platform refuses as expired.

    Returns:
        The checks that passed and those skipped.

    Raises:
        ContractError: The first broken promise.
        ValueError: ``faults`` names a fault this suite does not know.
    """
    unknown = sorted(set(faults or {}) - set(FAULTS))
    if unknown:
        raise ValueError(f"unknown faults {unknown}; known: {', '.join(FAULTS)}")
    with tempfile.TemporaryDirectory(prefix="publisher-contract-") as scratch, _captured() as logs:
        video = media or write_sample_video(Path(scratch) / "contract.mp4")
        run = _Run(publisher_factory, account, credentials, video)
        run.basics()
        run.refusals(faults or {}, expired_credentials)
        run.no_secrets(logs)
        return run.report


@contextmanager
def _captured() -> Iterator[list[str]]:
    """Every log record's message (all loggers, DEBUG up) while the suite runs."""
    messages: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    root, handler = logging.getLogger(), _Keep(logging.DEBUG)
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield messages
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


class _Run:
    """One pass of the suite: the adapter, the account, what it answered and what it knows."""

    def __init__(
        self,
        factory: PublisherFactory,
        account: AccountRef | None,
        credentials: Credentials | None,
        video: Path,
    ) -> None:
        self.factory = factory
        self.credentials = credentials or Credentials(access_token="contract-access-token")
        self.secrets = _secrets_of(self.credentials)
        self.texts: list[str] = []
        self.video = video
        self.publisher = self._build("protocol")
        self.platform = self.publisher.platform
        self.account = account or AccountRef(
            account_id="contract",
            platform=self.platform,
            handle="@contract",
            external_id="contract",
        )
        self.report = ContractReport(self.platform, passed=["protocol"])

    def _build(self, check: str) -> Publisher:
        publisher = self._call(check, "the factory", self.factory)
        if not isinstance(publisher, Publisher):
            raise ContractError(f"{check}: the factory built {publisher!r}, not a Publisher")
        if not isinstance(publisher.platform, str) or not publisher.platform:
            raise ContractError(f"{check}: platform must be a non-empty name")
        return publisher

    def _call(self, check: str, what: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except PublishError as exc:
            self._check_error(check, exc)
            raise ContractError(f"{check}: {what} failed: {exc}") from exc
        except Exception as exc:
            raise ContractError(
                f"{check}: {what} raised {type(exc).__name__} ({exc}); an adapter reports a "
                "failure as PublishError (anything else leaves the outcome unknown)"
            ) from exc

    def _ask(
        self, check: str, method: str, *args: object, publisher: Publisher | None = None
    ) -> Any:
        """``publisher.method(*args, account=..., credentials=...)``, its failures checked."""
        call, creds = getattr(publisher or self.publisher, method), self.credentials
        return self._call(
            check, method, lambda: call(*args, account=self.account, credentials=creds)
        )

    def _refused(
        self, check: str, request: PublishRequest, credentials: Credentials
    ) -> PublishError:
        try:
            self.publisher.publish(request, account=self.account, credentials=credentials)
        except PublishError as exc:
            self._check_error(check, exc)
            return exc
        except Exception as exc:
            raise ContractError(
                f"{check}: raised {type(exc).__name__} ({exc}) instead of PublishError"
            ) from exc
        raise ContractError(f"{check}: the publish succeeded; it should have been refused")

    def _check_error(self, check: str, exc: PublishError) -> None:
        self.texts.append(str(exc))
        if not str(exc):
            raise ContractError(f"{check}: a PublishError without a message")
        if not isinstance(exc.retryable, bool) or not isinstance(exc.auth_expired, bool):
            raise ContractError(f"{check}: PublishError.retryable and .auth_expired are booleans")
        if exc.code is not None and not isinstance(exc.code, str):
            raise ContractError(f"{check}: PublishError.code is a string or None")
        wait = exc.retry_after
        if wait is not None and (not isinstance(wait, int | float) or wait < 0):
            raise ContractError(f"{check}: PublishError.retry_after is None or seconds >= 0")

    def _request(self, key: str) -> PublishRequest:
        return PublishRequest(
            media_path=self.video,
            caption=f"Publisher contract check ({key})",
            hashtags=["#contract"],
            title="Publisher contract",
            idempotency_key=f"publisher-contract:{key}",
        )

    def _result(self, check: str, result: object) -> PublishResult:
        if not isinstance(result, PublishResult):
            raise ContractError(f"{check}: answered {result!r}, not a PublishResult")
        if not result.platform_post_id:
            raise ContractError(f"{check}: the result has no platform_post_id")
        self.texts.append(json.dumps([result.url, result.raw], default=str))
        return result

    def _publish(self, check: str, request: PublishRequest) -> str:
        result = self._result(check, self._ask(check, "publish", request))
        if result.state not in ("published", "processing"):
            raise ContractError(f"{check}: a successful publish answered state {result.state!r}")
        return result.platform_post_id

    def _found(self, check: str, request: PublishRequest, publisher: Publisher) -> str | None:
        found = self._ask(check, "find_existing", request, publisher=publisher)
        return None if found is None else self._result(check, found).platform_post_id

    def basics(self) -> None:
        request, other = self._request("first"), self._request("never-published")
        if self._found("find_existing", request, self.publisher) is not None:
            raise ContractError("find_existing: found a post for a key that was never published")
        post_id = self._publish("publish", request)
        self.report.passed.append("publish")

        state = self._result("status", self._ask("status", "status", post_id))
        if state.platform_post_id != post_id or state.state not in ("published", "processing"):
            raise ContractError(
                f"status: post {post_id} answered {state.platform_post_id} in state {state.state!r}"
            )
        self.report.passed.append("status")

        again = self._found("find_existing", request, self._build("find_existing"))
        if again != post_id:
            raise ContractError(
                f"find_existing: a new adapter found {again!r} for the key of post {post_id}; "
                "it must find that post (or an unconfirmed attempt is posted twice)"
            )
        if self._found("find_existing", other, self.publisher) is not None:
            raise ContractError("find_existing: found a post for another idempotency key")
        self.report.passed.append("find_existing")

        metrics = self._ask("metrics", "fetch_metrics", post_id)
        if not isinstance(metrics, Mapping) or set(metrics) - set(METRIC_KEYS):
            raise ContractError(
                f"metrics: {metrics!r} uses keys outside {METRIC_KEYS} (a metric the platform "
                "does not report is left out, never 0)"
            )
        if not all(_is_number(value) for value in metrics.values()):
            raise ContractError(f"metrics: every value is a finite number, got {metrics!r}")
        self.report.passed.append("metrics")

        limits = self._ask("limits", "limits")
        counts = (limits.remaining, limits.limit) if isinstance(limits, RateLimitState) else (-1,)
        if any(n is not None and n < 0 for n in counts):
            raise ContractError(f"limits: answered {limits!r}, not a RateLimitState of counts")
        self.report.passed.append("limits")

        self._refresh("refresh_token")
        self.report.passed.append("refresh_token")

    def _refresh(self, check: str) -> None:
        held = self.credentials
        fresh = self._call(check, "refresh_token", lambda: self.publisher.refresh_token(held))
        if not isinstance(fresh, Credentials) or not fresh.access_token:
            raise ContractError(f"{check}: refresh_token answered no usable Credentials")
        self.credentials = fresh  # the service stores what a refresh returns and uses it
        self.secrets |= _secrets_of(fresh)

    def refusals(
        self, faults: Mapping[str, Callable[[], None]], expired: Credentials | None
    ) -> None:
        if expired is None:
            self.report.skipped.append("expired_credentials")
        else:
            self.secrets |= _secrets_of(expired)
            if not self._refused(
                "expired_credentials", self._request("expired"), expired
            ).auth_expired:
                raise ContractError(
                    "expired_credentials: the refusal must say auth_expired=True, so the service "
                    "refreshes the token instead of failing the post"
                )
            self.report.passed.append("expired_credentials")
        for name in FAULTS:
            check = f"fault:{name}"
            if name not in faults:
                self.report.skipped.append(check)
                continue
            faults[name]()
            self._fault(check, name)
            self.report.passed.append(check)

    def _fault(self, check: str, name: str) -> None:
        request = self._request(name)
        if name in TRANSIENT_FAULTS:
            post_id = self._publish(check, request)
            if self._found(check, request, self._build(check)) != post_id:
                raise ContractError(f"{check}: the post made through the fault is not found")
            return
        exc = self._refused(check, request, self.credentials)
        if name == "duplicate" and (exc.code != "duplicate" or exc.retryable):
            raise ContractError(f"{check}: a duplicate is code='duplicate', not retryable: {exc}")
        if name == "quota" and not (exc.retryable and exc.retry_after and exc.retry_after > 0):
            raise ContractError(f"{check}: an exhausted quota is retryable with retry_after: {exc}")
        if name == "expired_token":
            if not exc.auth_expired:
                raise ContractError(f"{check}: an expired token says auth_expired=True: {exc}")
            self._refresh(check)
            self._publish(check, request)

    def no_secrets(self, logs: list[str]) -> None:
        for text in [*self.texts, *logs]:
            for secret in self.secrets:
                if secret in text:
                    raise ContractError(f"secrets: a token shows in {text[:200]!r}")
        self.report.passed.append("secrets")


def _secrets_of(credentials: Credentials) -> set[str]:
    return {s for s in (credentials.access_token, credentials.refresh_token) if s}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
