"""The application around the cycle: resources, wiring, runs, bootstrap, logging, version."""

__all__: list[str] = []
