"""Tools the agent drives: render, tts, publish, trends, reports; none of them imports ``agent``."""

__all__: list[str] = []
