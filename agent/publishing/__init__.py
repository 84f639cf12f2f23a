"""Exactly-once publishing on top of the platform adapters."""

__all__: list[str] = []
