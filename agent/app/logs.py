"""Logging of long-running commands (``twin worker``, ``twin serve``): level and format from settings.

``TWIN_LOG_LEVEL`` sets the level; ``TWIN_LOG_FORMAT=json`` writes one JSON object per line to
stderr (``time``, ``level``, ``logger``, ``message`` and ``exception`` when there is one), for log
collectors; ``text`` (the default) writes readable lines.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from agent.settings import Settings

__all__ = ["JsonFormatter", "configure_logging"]

NOISY = (
    "apscheduler",
    "httpx",
    "httpcore",
    "chromadb",
    "uvicorn.access",
    "multipart",
    "kombu",
    "amqp",
)


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def configure_logging(settings: Settings, *, verbose: bool = False) -> None:
    """Route every logger (uvicorn's too) to stderr at ``settings.log_level`` in ``settings.log_format``.

    Args:
        settings: Where ``log_level`` and ``log_format`` come from.
        verbose: Also show third-party libraries' messages at that level (else only warnings).
    """
    handler: logging.Handler
    if settings.log_format == "json":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
    else:
        from rich.console import Console
        from rich.logging import RichHandler

        handler = RichHandler(
            console=Console(stderr=True, soft_wrap=True),
            show_path=False,
            rich_tracebacks=False,
            markup=False,
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
    level = logging.getLevelName(settings.log_level)
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(level if verbose else max(level, logging.WARNING))
