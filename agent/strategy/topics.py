"""Topics clustered by meaning, so "Web3 security" and "Web3 security basics" share evidence."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

SIMILARITY = 0.8
"""Cosine similarity at or above which two topics count as one."""

Embed = Callable[[list[str]], Sequence[Any]]


class TopicClusters:
    """Greedy clustering of topic strings; the first topic seen names its cluster.

    Args:
        embed: Turns texts into vectors (e.g. the memory store's MiniLM embedding function);
            without one, topics merge only when equal ignoring case and spacing.
        threshold: Cosine similarity needed to merge.
    """

    def __init__(self, embed: Embed | None = None, threshold: float = SIMILARITY) -> None:
        self.embed = embed
        self.threshold = threshold
        self._vectors: dict[str, np.ndarray] = {}

    def _vectorize(self, topics: list[str]) -> None:
        missing = [t for t in dict.fromkeys(topics) if t not in self._vectors]
        if not missing or self.embed is None:
            return
        for topic, vector in zip(missing, self.embed(missing), strict=True):
            v = np.asarray(vector, dtype=np.float64)
            self._vectors[topic] = v / (np.linalg.norm(v) or 1.0)

    def labels(self, topics: list[str], anchors: list[str] | None = None) -> dict[str, str]:
        """Map each topic to its cluster label; ``anchors`` (existing labels) are considered first."""
        ordered = list(dict.fromkeys([*(anchors or []), *topics]))
        self._vectorize(ordered)
        heads: list[str] = []
        result: dict[str, str] = {}
        for topic in ordered:
            result[topic] = next((h for h in heads if self.similar(h, topic)), topic)
            if result[topic] == topic:
                heads.append(topic)
        return result

    def similar(self, a: str, b: str) -> bool:
        """Whether two topics belong together."""
        if " ".join(a.lower().split()) == " ".join(b.lower().split()):
            return True
        va, vb = self._vectors.get(a), self._vectors.get(b)
        return va is not None and vb is not None and float(va @ vb) >= self.threshold


__all__ = ["SIMILARITY", "Embed", "TopicClusters"]
