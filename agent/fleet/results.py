"""Celery's RPC result backend (results come back over RabbitMQ to the caller), with one fix.

Celery 5.6.3's RPC result consumer takes the timeout of an idle wait for a connection loss and
reconnects every second while a week waits for its renders: a new connection each time, a
warning with a traceback in the log, and the auto-deleted reply queue at risk of going with
the old consumer (celery/celery#10284; fixed in 5.7, which pins python-dateutil 2.9 where
chromadb's kubernetes client needs 3 or later). Here a timeout stays a timeout, which Celery's
own drain loop expects; a real connection error still reconnects.
"""

from __future__ import annotations

from typing import Any

from celery.backends.rpc import ResultConsumer, RPCBackend

__all__ = ["FleetRPCBackend"]


class _PatientResultConsumer(ResultConsumer):  # type: ignore[misc]
    def drain_events(self, timeout: float | None = None) -> Any:
        if self._connection is None:
            return super().drain_events(timeout)
        try:
            return self._connection.drain_events(timeout=timeout)
        except TimeoutError:
            raise  # nothing arrived yet; the drain loop waits again
        except self._connection_errors:
            self._reconnect()
            return None


class FleetRPCBackend(RPCBackend):  # type: ignore[misc]
    """``rpc://`` with :class:`_PatientResultConsumer`."""

    ResultConsumer = _PatientResultConsumer
