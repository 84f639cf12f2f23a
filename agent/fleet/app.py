"""The fleet's Celery app, built from settings: RabbitMQ as the broker, three queues.

Tasks are acknowledged late and rejected back to the queue when their worker process is lost,
so a task whose worker was SIGKILLed is delivered again to another; each worker reserves one
task at a time, so nothing waits behind a long week in a dead worker's prefetch. What must
happen once (one run per agent-week, one post per reel and account) is still decided by the
database, so a redelivered task resumes or skips instead of duplicating anything.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agent.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

__all__ = [
    "QUEUES",
    "BrokerNotConfiguredError",
    "BrokerUnavailableError",
    "build_app",
    "check_broker",
    "mask_broker_url",
    "queue_name",
    "require_broker",
]

QUEUES = ("weeks", "render", "publish")
"""Weekly runs; single reel renders; passes of the publish loop."""
TASK_QUEUES = {
    "twin.weekly_run": "weeks",
    "twin.render_reel": "render",
    "twin.publish_due": "publish",
}


class BrokerNotConfiguredError(RuntimeError):
    """A fleet command was asked for without ``TWIN_BROKER_URL``."""


class BrokerUnavailableError(RuntimeError):
    """The broker does not answer; the message names it (password masked) and what to do."""


def mask_broker_url(url: str) -> str:
    """``url`` with any password replaced by ``***``."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def queue_name(settings: Settings, queue: str) -> str:
    """The broker's name of one of :data:`QUEUES` (``TWIN_QUEUE_PREFIX`` before it)."""
    return f"{settings.queue_prefix}{queue}"


def require_broker(settings: Settings) -> str:
    """The broker URL, or a one-line refusal saying how to set one."""
    if not settings.broker_url:
        raise BrokerNotConfiguredError(
            "no broker configured: set TWIN_BROKER_URL (e.g. amqp://guest:guest@127.0.0.1:5672//) "
            "to put runs on a queue, or use 'twin run' to run one here"
        )
    return settings.broker_url


def build_app(settings: Settings) -> Celery:
    """The Celery app of this fleet (its tasks: :mod:`agent.fleet.tasks`)."""
    from celery import Celery
    from kombu import Queue

    broker = require_broker(settings)
    names = {queue: queue_name(settings, queue) for queue in QUEUES}
    app = Celery(
        "twin", broker=broker, backend="agent.fleet.results:FleetRPCBackend", set_as_current=True
    )
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,  # only renders answer (to the week waiting for them)
        task_queues=[Queue(name, routing_key=name, durable=True) for name in names.values()],
        task_default_queue=names["weeks"],
        task_routes={task: {"queue": names[queue]} for task, queue in TASK_QUEUES.items()},
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=5,
        worker_hijack_root_logger=False,  # the twin log format and level (TWIN_LOG_*)
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        enable_utc=True,
    )
    import agent.fleet.tasks  # noqa: F401  (registers the shared tasks on this app)

    return app


def check_broker(app: Celery, *, timeout: float = 5.0) -> None:
    """Connect once, or raise :class:`BrokerUnavailableError` naming the broker."""
    url = mask_broker_url(str(app.conf.broker_url))
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise BrokerUnavailableError(
            f"cannot reach the broker at {url} ({reason}): start RabbitMQ or fix TWIN_BROKER_URL"
        ) from None
