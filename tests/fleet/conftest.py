"""Fleet fixtures: whether RabbitMQ answers, and a broker URL no server listens on."""

from __future__ import annotations

import os
import socket

import pytest

BROKER_URL = os.environ.get("TWIN_TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")


def _rabbitmq_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def broker_url() -> str:
    """The local RabbitMQ (tests skip without it; CI must have it)."""
    if not _rabbitmq_answers():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("RabbitMQ is required in CI but not reachable on 127.0.0.1:5672")
        pytest.skip(
            "RabbitMQ not reachable on 127.0.0.1:5672 (start it with 'rabbitmq-server -detached')"
        )
    return BROKER_URL


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
