"""Query timing: statements slower than a threshold are logged and recorded as events.

A ``slow_query`` row is written to ``event_logs`` by one background thread per engine, on
its own connection and after the slow statement returned: never inside the transaction that
ran it. On SQLite a write from the same thread while that transaction holds the write lock
would wait on itself; from the writer thread it only waits for the lock like any other
writer (and gives up after the busy timeout, dropping the record, never the application's
work). Statements are recorded without their parameters, so no value (or secret) is stored.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
import uuid
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event, insert

__all__ = ["SlowQuery", "flush_slow_queries", "install_query_timer"]

log = logging.getLogger("twin.db.slow")
_UNTIMED = "twin_untimed"
_STARTS = "twin_query_starts"
_MAX_STATEMENT = 2000
_MAX_PENDING = 1000


@dataclass(frozen=True)
class SlowQuery:
    """One statement that took longer than the threshold."""

    statement: str
    ms: float
    threshold_ms: float
    at: datetime


class _Writer:
    """Writes slow-query events from a daemon thread, so no caller ever waits on them."""

    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)
        self._queue: queue.Queue[SlowQuery | None] = queue.Queue(maxsize=_MAX_PENDING)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.dropped = 0

    def put(self, item: SlowQuery) -> None:
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.dropped += 1
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="twin-slow-query-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is not None:
                    self._write(item)
            finally:
                self._queue.task_done()

    def _write(self, item: SlowQuery) -> None:
        from db.models import EventLog

        engine = self._engine()
        if engine is None:
            return
        try:
            with engine.connect().execution_options(**{_UNTIMED: True}) as conn:
                conn.execute(
                    insert(EventLog).values(
                        id=uuid.uuid4(),
                        event_type="slow_query",
                        subject_type="system",
                        message=f"slow query {item.ms:.0f} ms: {item.statement[:200]}",
                        created_at=item.at,
                        meta_json={
                            "ms": round(item.ms, 3),
                            "threshold_ms": item.threshold_ms,
                            "statement": item.statement,
                        },
                    )
                )
                conn.commit()
        except Exception as exc:  # never let a record of slowness break anything
            log.debug("could not record a slow query: %s", exc)

    def flush(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


_WRITERS: weakref.WeakKeyDictionary[Engine, _Writer] = weakref.WeakKeyDictionary()


def install_query_timer(engine: Engine, threshold_ms: float) -> None:
    """Time every statement of ``engine``; above ``threshold_ms`` log it and record an event.

    Args:
        engine: The application engine.
        threshold_ms: The threshold (``TWIN_SLOW_QUERY_MS``); 0 or less installs nothing.
    """
    if threshold_ms <= 0 or engine in _WRITERS:
        return
    writer = _WRITERS[engine] = _Writer(engine)

    def untimed(context: Any) -> bool:
        return bool(context is not None and context.execution_options.get(_UNTIMED))

    @event.listens_for(engine, "before_cursor_execute")
    def _start(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        if not untimed(context):
            conn.info.setdefault(_STARTS, []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        if untimed(context) or not conn.info.get(_STARTS):
            return
        ms = (time.perf_counter() - conn.info[_STARTS].pop()) * 1000.0
        if ms < threshold_ms:
            return
        text = " ".join(statement.split())[:_MAX_STATEMENT]
        log.warning("slow query %.0f ms (threshold %.0f ms): %s", ms, threshold_ms, text[:300])
        writer.put(SlowQuery(text, ms, threshold_ms, datetime.now(UTC)))

    @event.listens_for(engine, "handle_error")
    def _failed(context: Any) -> None:
        starts = context.connection.info.get(_STARTS) if context.connection is not None else None
        if starts:
            starts.pop()


def flush_slow_queries(engine: Engine, timeout: float = 10.0) -> bool:
    """Wait until the engine's pending slow-query events are written; False on timeout."""
    writer = _WRITERS.get(engine)
    return True if writer is None else writer.flush(timeout)


@atexit.register
def _flush_all() -> None:
    for writer in list(_WRITERS.values()):
        writer.flush(2.0)
