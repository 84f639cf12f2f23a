"""The application around the cycle: resources, wiring, runs, server graphs, bootstrap, creators,
settings loading and docs, logging, version."""

__all__: list[str] = []
