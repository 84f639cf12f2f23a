"""The fleet: weekly runs, renders and publishes as Celery tasks on RabbitMQ (``TWIN_BROKER_URL``).

``app`` builds the Celery app from settings, ``tasks`` holds the tasks (the in-process code
paths, run by a worker), ``enqueue`` puts work on the queues, ``renders`` sends a week's
renders to the render queue, ``nodes`` starts the worker processes of ``twin worker``,
``spread`` spreads scheduled weeks over a window and ``bucket`` is the fleet-wide rate limit.
Without a broker nothing here is used: everything runs in-process. Only light modules load
with this package; Celery loads with ``app``.
"""

from agent.fleet.rates import Rate, parse_rate
from agent.fleet.spread import SpreadTrigger, parse_duration, spread_offset

__all__ = ["Rate", "SpreadTrigger", "parse_duration", "parse_rate", "spread_offset"]
