"""Rates as settings write them: ``N/s``, ``N/m`` or ``N/h``."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LLM_BUCKET", "TTS_BUCKET", "Rate", "parse_rate"]

LLM_BUCKET = "llm"
"""The bucket of chat model requests (``TWIN_LLM_FLEET_RATE``)."""
TTS_BUCKET = "tts"
"""The bucket of ElevenLabs requests (``TWIN_TTS_FLEET_RATE``)."""

_PERIODS = {"s": 1.0, "m": 60.0, "h": 3600.0}
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*([smh])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    """``count`` calls per ``period_seconds``; a full bucket allows a burst of ``count``."""

    count: float
    period_seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.period_seconds


def parse_rate(text: str) -> Rate:
    """The rate in ``text``, e.g. ``120/m``.

    Raises:
        ValueError: Not ``N/s``, ``N/m`` or ``N/h`` with N above zero.
    """
    match = _RATE.match(str(text))
    if match is None or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a rate: use N/s, N/m or N/h with N above 0, e.g. 120/m")
    return Rate(float(match.group(1)), _PERIODS[match.group(2).lower()])
