"""The installed version of Twin Agent."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version

__all__ = ["version"]


def version() -> str:
    """The version of the installed ``twin-agent`` distribution."""
    try:
        return _distribution_version("twin-agent")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
