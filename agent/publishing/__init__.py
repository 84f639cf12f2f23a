"""Exactly-once publishing on top of the platform adapters."""
